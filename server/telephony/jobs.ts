import type { Db } from '../platform/db';
import { runOnce } from '../platform/jobs';
import { taiwanDateTime } from '../platform/roc-date';
import type { RecordingsService, RetentionRun } from './recordings-service';

/**
 * The retention job: once a day (per Taiwan's calendar day), on one server
 * instance (runOnce), expired recordings are deleted at Twilio. Failures
 * stay on the recordings and are tried again on a later day's run.
 */
export async function recordingRetentionJob(db: Db, recordings: RecordingsService, now: Date): Promise<{ ran: boolean; run: RetentionRun | null }> {
  let run: RetentionRun | null = null;
  const ran = await runOnce(db, 'recording-retention', taiwanDateTime(now).date, now, async () => {
    run = await recordings.runRetention(now);
  });
  return { ran, run };
}
