import crypto from 'node:crypto';
import type { Db } from '../platform/db';

export type TokenPurpose = 'setup' | 'reset';

export function newToken(): { token: string; hash: string } {
  const token = crypto.randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token) };
}

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

interface TokenRow {
  id: number;
  purpose: TokenPurpose;
  token_hash: string;
  user_id: number | null;
  expires_at: string;
  used_at: string | null;
}

/** One-time links: only the token's hash is stored; a token is spent by `consume`. */
export class TokensRepo {
  constructor(private readonly db: Db) {}

  async create(purpose: TokenPurpose, userId: number | null, expiresAt: string, now: string, trx: Db = this.db): Promise<string> {
    const { token, hash } = newToken();
    await trx('one_time_tokens').insert({
      purpose,
      token_hash: hash,
      user_id: userId,
      expires_at: expiresAt,
      created_at: now,
    });
    return token;
  }

  /** The live token, if this one exists, is for this purpose, unused and unexpired. */
  async findLive(purpose: TokenPurpose, token: string, now: string, trx: Db = this.db): Promise<{ id: number; userId: number | null } | undefined> {
    const row = await trx<TokenRow>('one_time_tokens')
      .where({ token_hash: hashToken(token), purpose })
      .whereNull('used_at')
      .andWhere('expires_at', '>', now)
      .first();
    return row ? { id: row.id, userId: row.user_id } : undefined;
  }

  /** Marks the token used; false if another request spent it first. */
  async consume(id: number, now: string, trx: Db): Promise<boolean> {
    const changed = await trx('one_time_tokens').where({ id }).whereNull('used_at').update({ used_at: now });
    return changed === 1;
  }

  /** Spends every open token of a kind for a user (a new reset link replaces older ones). */
  async revokeOpen(purpose: TokenPurpose, userId: number | null, now: string, trx: Db = this.db): Promise<void> {
    const q = trx('one_time_tokens').where({ purpose }).whereNull('used_at');
    if (userId === null) q.whereNull('user_id');
    else q.where({ user_id: userId });
    await q.update({ used_at: now });
  }
}
