import session from 'express-session';
import type { Db } from '../platform/db';

type Callback<T = void> = (err: unknown, value?: T) => void;

/**
 * express-session store in our own database: sessions survive restarts and are
 * shared by every instance behind a load balancer. Expired rows are ignored on
 * read and swept by prune().
 */
export class DbSessionStore extends session.Store {
  constructor(
    private readonly db: Db,
    private readonly idleMs: number,
    private readonly clock: () => Date = () => new Date(),
  ) {
    super();
  }

  /** Every write or touch keeps the session for the idle period from now (by this store's clock). */
  private expiresAt(): string {
    return new Date(this.clock().getTime() + this.idleMs).toISOString();
  }

  override get(sid: string, cb: Callback<session.SessionData | null>): void {
    this.db('sessions')
      .where({ sid })
      .andWhere('expires_at', '>', this.clock().toISOString())
      .first<{ data: string } | undefined>()
      .then((row) => cb(null, row ? (JSON.parse(row.data) as session.SessionData) : null), cb);
  }

  override set(sid: string, sess: session.SessionData, cb?: Callback): void {
    this.db('sessions')
      .insert({ sid, data: JSON.stringify(sess), user_id: sess.userId ?? null, expires_at: this.expiresAt() })
      .onConflict('sid')
      .merge(['data', 'user_id', 'expires_at'])
      .then(() => cb?.(null), (err: unknown) => cb?.(err));
  }

  override touch(sid: string, _sess: session.SessionData, cb?: Callback): void {
    this.db('sessions')
      .where({ sid })
      .update({ expires_at: this.expiresAt() })
      .then(() => cb?.(null), (err: unknown) => cb?.(err));
  }

  override destroy(sid: string, cb?: Callback): void {
    this.db('sessions')
      .where({ sid })
      .delete()
      .then(() => cb?.(null), (err: unknown) => cb?.(err));
  }

  /** Ends every session of a user, e.g. after a password change or deactivation. */
  async destroyForUser(userId: number, exceptSid?: string): Promise<void> {
    const query = this.db('sessions').where({ user_id: userId });
    if (exceptSid) query.andWhereNot({ sid: exceptSid });
    await query.delete();
  }

  async prune(): Promise<number> {
    return this.db('sessions').where('expires_at', '<=', this.clock().toISOString()).delete();
  }
}
