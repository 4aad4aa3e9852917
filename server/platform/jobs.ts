import type { Db } from './db';

/**
 * Runs `work` once per job and period across every server instance: the
 * instance whose row insert succeeds runs it; the others see the row and skip.
 * A run that died before finishing can be retried after `staleMs`.
 */
export async function runOnce(
  db: Db,
  job: string,
  period: string,
  now: Date,
  work: () => Promise<void>,
  staleMs = 15 * 60_000,
): Promise<boolean> {
  const inserted = await db('job_runs')
    .insert({ job, period, started_at: now.toISOString() })
    .onConflict(['job', 'period'])
    .ignore()
    .returning<{ job: string }[]>('job');
  if (inserted.length === 0) {
    const staleBefore = new Date(now.getTime() - staleMs).toISOString();
    const retaken = await db('job_runs')
      .where({ job, period })
      .whereNull('finished_at')
      .andWhere('started_at', '<', staleBefore)
      .update({ started_at: now.toISOString() });
    if (retaken !== 1) return false;
  }
  await work();
  await db('job_runs').where({ job, period }).update({ finished_at: new Date().toISOString() });
  return true;
}
