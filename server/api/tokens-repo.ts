import type { Db } from '../platform/db';

export interface ApiToken {
  id: number;
  userId: number;
  name: string;
  hint: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

interface Row {
  id: number;
  user_id: number;
  name: string;
  hint: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

const COLUMNS = ['id', 'user_id', 'name', 'hint', 'created_at', 'expires_at', 'last_used_at', 'revoked_at'];

function fromRow(r: Row): ApiToken {
  return { id: r.id, userId: r.user_id, name: r.name, hint: r.hint, createdAt: r.created_at, expiresAt: r.expires_at, lastUsedAt: r.last_used_at, revokedAt: r.revoked_at };
}

/** The api_tokens table: nothing else reads or writes it. The token itself is never here, only its hash. */
export class ApiTokensRepo {
  constructor(private readonly db: Db) {}

  async insert(t: { userId: number; name: string; hash: string; hint: string; createdAt: string; expiresAt: string | null }): Promise<number> {
    const [row] = await this.db('api_tokens')
      .insert({ user_id: t.userId, name: t.name, token_hash: t.hash, hint: t.hint, created_at: t.createdAt, expires_at: t.expiresAt })
      .returning('id');
    return typeof row === 'object' ? (row as { id: number }).id : Number(row);
  }

  async listByUser(userId: number): Promise<ApiToken[]> {
    const rows = await this.db('api_tokens').where({ user_id: userId }).orderBy('id', 'desc').select<Row[]>(COLUMNS);
    return rows.map(fromRow);
  }

  async findByHash(hash: string): Promise<ApiToken | undefined> {
    const row = await this.db('api_tokens').where({ token_hash: hash }).first<Row | undefined>(COLUMNS);
    return row ? fromRow(row) : undefined;
  }

  /** Revokes one of the user's own tokens; false when the user has no such token still active. */
  async revoke(id: number, userId: number, now: string): Promise<boolean> {
    const n = await this.db('api_tokens').where({ id, user_id: userId }).whereNull('revoked_at').update({ revoked_at: now });
    return n > 0;
  }

  /** Records a use, at most once a minute per token (a write on every request would be wasted work). */
  async touch(id: number, now: string): Promise<void> {
    const before = new Date(Date.parse(now) - 60_000).toISOString();
    await this.db('api_tokens')
      .where({ id })
      .andWhere((w) => void w.whereNull('last_used_at').orWhere('last_used_at', '<', before))
      .update({ last_used_at: now });
  }
}
