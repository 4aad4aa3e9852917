import twilio from 'twilio';
import type { Logger } from 'pino';
import { canReach, reachPath, type CurrentUser } from '../auth/current-user';
import type { PlansRepo } from '../courtesy/plans-repo';
import type { AppSettingsRepo } from '../platform/app-settings';
import type { Config } from '../platform/config';
import type { Db } from '../platform/db';
import { BadRequestError, NotFoundError } from '../platform/errors';
import type { CallRecord, CallsRepo } from './calls-repo';
import type { RecordingMedia, TelephonyClient } from './client';
import { RECORDING_STATUSES, type PlayableInUnit, type PlayableRecording, type RecordingConsent, type RecordingCallback, type RecordingRecord, type RecordingsRepo, type RecordingStatus } from './recordings-repo';

type Form = Readonly<Record<string, unknown>>;
const text = (params: Form, key: string): string | undefined => (typeof params[key] === 'string' ? (params[key] as string) : undefined);

const DAY_MS = 86_400_000;
/** A failed delete is tried again after 1, 2, 4, then every 7 days (the job runs daily). */
export function deleteBackoffDays(attempts: number): number {
  return Math.min(7, 2 ** Math.max(0, attempts - 1));
}

/** Recordings available before this instant have passed the retention period. */
export function retentionCutoff(now: Date, retentionDays: number): string {
  return new Date(now.getTime() - retentionDays * DAY_MS).toISOString();
}

/** A single byte range, as browsers ask when seeking ("bytes=100-", "bytes=100-199", "bytes=-500"); anything else is not passed on. */
export function singleRange(header: unknown): string | null {
  return typeof header === 'string' && /^bytes=(\d{1,15}-\d{0,15}|-\d{1,15})$/.test(header.trim()) ? header.trim() : null;
}

/** What a recording status callback says; null when it is not one we asked for (e.g. 'in-progress'). */
export function recordingCallbackOf(params: Form): RecordingCallback | null {
  const recordingSid = text(params, 'RecordingSid');
  const status = text(params, 'RecordingStatus');
  if (!recordingSid || !/^RE[0-9a-f]{32}$/i.test(recordingSid)) throw new BadRequestError();
  if (!status || !(RECORDING_STATUSES as readonly string[]).includes(status)) return null;
  const int = (key: string): number | null => {
    const v = text(params, key);
    return v !== undefined && /^\d{1,9}$/.test(v) ? Number(v) : null;
  };
  return {
    recordingSid,
    status: status as RecordingStatus,
    durationSeconds: int('RecordingDuration'),
    channels: int('RecordingChannels'),
    errorCode: int('ErrorCode'),
    startedAt: text(params, 'RecordingStartTime')?.slice(0, 40) ?? null,
  };
}

/** What a page shows for a call's recording: the player, or why there is none. */
export type RecordingState =
  | { kind: 'playable'; recording: RecordingRecord; src: string }
  | { kind: 'deleted'; recording: RecordingRecord; retentionDays: number }
  | { kind: 'absent'; recording: RecordingRecord };

/** How many due recordings the retention job reads at a time, and how long one run may keep going. */
const RETENTION_BATCH = 500;
const RETENTION_BUDGET_MS = 20 * 60_000;

export interface RetentionOptions {
  batchSize?: number;
  /** Once a batch ends after this many milliseconds, the run stops. */
  budgetMs?: number;
}

export interface RetentionRun {
  deleted: number;
  failed: number;
}

/** 'gone': deleted per the retention period; 'unavailable': Twilio is no longer configured. */
export type StreamAnswer = { kind: 'media'; media: RecordingMedia } | { kind: 'gone' } | { kind: 'unavailable' };

/**
 * Recordings of bridged calls: whether a call is to be recorded (the setting
 * and the tester's consent), the signed status callbacks, playing through our
 * server with the user's rights checked, and the retention job.
 */
export class RecordingsService {
  constructor(
    private readonly repo: RecordingsRepo,
    private readonly calls: CallsRepo,
    private readonly plans: PlansRepo,
    private readonly settings: AppSettingsRepo,
    private readonly config: Config,
    private readonly client: TelephonyClient | null,
    private readonly clock: () => Date,
    private readonly logger: Logger,
  ) {}

  /** Whether calls are offered with recording now: the setting is on and calls go through Twilio. */
  async recordingOn(trx?: Db): Promise<boolean> {
    return this.client !== null && this.config.twilio !== null && (await this.settings.get(trx)).recordCalls;
  }

  /** Whether the bridge asks Twilio to record this call: recording still on, and the tester consented for it. */
  async shouldRecord(callId: number): Promise<boolean> {
    return (await this.recordingOn()) && (await this.repo.consentOf(callId)) !== null;
  }

  /** Who consented to record the call, and when; null: not to be recorded. */
  async consentOf(callId: number): Promise<RecordingConsent | null> {
    return this.repo.consentOf(callId);
  }

  /** The tester ticked the consent box when pressing Call. */
  async recordConsent(callId: number, userId: number, trx?: Db): Promise<void> {
    await this.repo.setConsent(callId, { by: userId, at: this.clock().toISOString() }, trx);
  }

  /**
   * A recording status callback (signed: checked by the route). Its CallSid
   * must be one of the call's legs; a repeat or a late one changes nothing wrong (RecordingsRepo.store).
   */
  async callback(callId: number, params: Form): Promise<void> {
    const call = await this.calls.find(callId);
    if (!call) throw new NotFoundError();
    const callSid = text(params, 'CallSid');
    if (!callSid || (callSid !== call.callSid && callSid !== call.unitCallSid)) throw new NotFoundError();
    if (this.config.twilio && text(params, 'AccountSid') !== this.config.twilio.accountSid) throw new NotFoundError();
    const parsed = recordingCallbackOf(params);
    if (!parsed) return;
    const outcome = await this.repo.store(call.id, parsed, this.clock().toISOString());
    this.logger.info({ callId, recordingSid: parsed.recordingSid, status: parsed.status, outcome }, 'recording status callback');
  }

  private async mayPlay(user: CurrentUser, call: CallRecord): Promise<boolean> {
    if (user.role === 'tester') return call.testerId === user.id;
    if (user.role !== 'admin' && user.role !== 'manager') return false;
    const assignment = await this.plans.findAssignment(call.assignmentId);
    return assignment !== undefined && canReach(user, assignment.unitPath);
  }

  private async stateOf(recording: RecordingRecord): Promise<RecordingState> {
    if (recording.deletedAt !== null) return { kind: 'deleted', recording, retentionDays: (await this.settings.get()).recordingRetentionDays };
    if (recording.status === 'absent') return { kind: 'absent', recording };
    return { kind: 'playable', recording, src: `/recordings/${recording.id}/audio` };
  }

  /** A call's recordings as the user may see them (none for someone who may not play them). */
  async ofCall(user: CurrentUser, call: CallRecord): Promise<RecordingState[]> {
    if (!(await this.mayPlay(user, call))) return [];
    return Promise.all((await this.repo.ofCall(call.id)).map((r) => this.stateOf(r)));
  }

  /** The recordings of an assignment's calls that the user may play, for its result page. */
  async ofAssignment(user: CurrentUser, assignmentId: number): Promise<RecordingState[]> {
    const states: RecordingState[] = [];
    for (const call of await this.calls.ofAssignment(assignmentId)) states.push(...(await this.ofCall(user, call)));
    return states;
  }

  /**
   * The audio, fetched from Twilio with the account's credentials and passed
   * on as it comes. 404 for a user without the right, an unknown or absent
   * recording; 'gone' once it is deleted.
   */
  async stream(user: CurrentUser, recordingId: number, range: string | null): Promise<StreamAnswer> {
    const recording = await this.repo.find(recordingId);
    const call = recording ? await this.calls.find(recording.callId) : undefined;
    if (!recording || !call || !(await this.mayPlay(user, call))) throw new NotFoundError();
    return this.media(recordingId, range);
  }

  /**
   * The audio WITHOUT any rights check: for a caller that has checked its own
   * (e.g. a calibration round's scorers). 404 for an unknown or absent recording.
   */
  async media(recordingId: number, range: string | null): Promise<StreamAnswer> {
    const recording = await this.repo.find(recordingId);
    if (!recording || recording.status !== 'completed') throw new NotFoundError();
    if (recording.deletedAt !== null) return { kind: 'gone' };
    if (!this.client) return { kind: 'unavailable' };
    return { kind: 'media', media: await this.client.fetchRecording(recording.recordingSid, range) };
  }

  /**
   * The retention job: every recording past the retention period is deleted
   * at Twilio (one it no longer has counts as deleted) and marked deleted; a
   * failure is counted with its error and tried again on a later run, backing off.
   * It works through the due recordings batch after batch until none is left
   * or the time budget is spent (what is left waits for the next run).
   */
  async runRetention(now: Date = this.clock(), options: RetentionOptions = {}): Promise<RetentionRun> {
    const run: RetentionRun = { deleted: 0, failed: 0 };
    if (!this.client) return run;
    const batchSize = options.batchSize ?? RETENTION_BATCH;
    const budgetMs = options.budgetMs ?? RETENTION_BUDGET_MS;
    const started = performance.now();
    const { recordingRetentionDays } = await this.settings.get();
    const cutoff = retentionCutoff(now, recordingRetentionDays);
    for (;;) {
      // Each one handled leaves the list (deleted, or its next try set after `now`), so the next batch is new.
      const due = await this.repo.dueForDeletion(cutoff, now.toISOString(), batchSize);
      for (const recording of due) await this.deleteExpired(recording, now, run);
      if (due.length < batchSize || performance.now() - started >= budgetMs) break;
    }
    return run;
  }

  private async deleteExpired(recording: RecordingRecord, now: Date, run: RetentionRun): Promise<void> {
    if (!this.client) return;
    try {
      await this.client.deleteRecording(recording.recordingSid);
      await this.repo.markDeleted(recording.id, now.toISOString());
      run.deleted += 1;
    } catch (err) {
      const message =
        err instanceof twilio.RestException ? `${err.status} ${err.code ?? ''} ${err.message}`.replace(/\s+/g, ' ') : err instanceof Error ? err.message : String(err);
      // A minute early: the next day's run starts at about the same time of day, and must not just miss it.
      const next = new Date(now.getTime() + deleteBackoffDays(recording.deleteAttempts + 1) * DAY_MS - 60_000).toISOString();
      await this.repo.markDeleteFailed(recording.id, message, next, now.toISOString());
      this.logger.warn({ err, recordingSid: recording.recordingSid }, 'deleting an expired recording at Twilio failed');
      run.failed += 1;
    }
  }

  /** Recordings whose deletion failed, within the user's reach (filtered in SQL). */
  async deleteFailures(user: CurrentUser): Promise<(PlayableRecording & { unitName: string })[]> {
    const reach = reachPath(user);
    return reach === null ? [] : named(user, await this.repo.deleteFailures(reach));
  }

  /** The newest playable recordings within the user's reach (filtered in SQL, before the limit). */
  async recent(user: CurrentUser, limit = 100): Promise<(PlayableRecording & { unitName: string })[]> {
    const reach = reachPath(user);
    return reach === null ? [] : named(user, await this.repo.playable(limit, reach));
  }
}

function named(user: CurrentUser, list: PlayableInUnit[]): (PlayableRecording & { unitName: string })[] {
  return list.map(({ unitPath: _path, unitNameZh, unitNameEn, ...r }) => ({ ...r, unitName: user.locale === 'en' && unitNameEn ? unitNameEn : unitNameZh }));
}
