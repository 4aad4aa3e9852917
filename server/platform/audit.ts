import type { Db } from './db';

/** Appends to the audit trail: who did what to which record. Never updated or deleted. */
export async function audit(
  trx: Db,
  entry: { actorId: number | null; action: string; subject: string; detail?: unknown; at: string },
): Promise<void> {
  await trx('audit_events').insert({
    actor_id: entry.actorId,
    action: entry.action,
    subject: entry.subject,
    detail: entry.detail === undefined ? null : JSON.stringify(entry.detail),
    created_at: entry.at,
  });
}
