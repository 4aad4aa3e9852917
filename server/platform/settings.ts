import crypto from 'node:crypto';
import type { Db } from './db';

/**
 * The session-signing secret: from SESSION_SECRET when set, else generated once
 * and kept in the database so that restarts and other instances share it.
 */
export async function sessionSecret(db: Db, configured: string | undefined, now: Date): Promise<string> {
  if (configured) return configured;
  const candidate = crypto.randomBytes(48).toString('base64url');
  await db('settings')
    .insert({ key: 'session_secret', value: candidate, updated_at: now.toISOString() })
    .onConflict('key')
    .ignore();
  const row = await db('settings').where({ key: 'session_secret' }).first<{ value: string }>();
  return row.value;
}
