import { forUpdate, type Db } from './db';

export interface RateLimitRule {
  max: number;
  windowMs: number;
}

export interface RateLimitState {
  blocked: boolean;
  retryAfterSeconds: number;
}

/**
 * Fixed-window counters in the database, so that every server instance sees
 * the same counts. Keys are opaque (callers hash what identifies a client).
 */
export class RateLimiter {
  constructor(private readonly db: Db) {}

  async check(key: string, rule: RateLimitRule, now: Date): Promise<RateLimitState> {
    const row = await this.db('rate_limits').where({ key }).first<{ count: number; window_start: string } | undefined>();
    if (!row) return { blocked: false, retryAfterSeconds: 0 };
    const endsAt = Date.parse(row.window_start) + rule.windowMs;
    if (endsAt <= now.getTime() || row.count < rule.max) return { blocked: false, retryAfterSeconds: 0 };
    return { blocked: true, retryAfterSeconds: Math.ceil((endsAt - now.getTime()) / 1000) };
  }

  /** Counts one event against the key, starting a new window where the old one has ended. */
  async hit(key: string, rule: RateLimitRule, now: Date): Promise<void> {
    await this.db.transaction(async (trx) => {
      const row = await forUpdate(trx, trx('rate_limits').where({ key })).first<{ count: number; window_start: string } | undefined>();
      if (!row || Date.parse(row.window_start) + rule.windowMs <= now.getTime()) {
        await trx('rate_limits')
          .insert({ key, count: 1, window_start: now.toISOString() })
          .onConflict('key')
          .merge(['count', 'window_start']);
      } else {
        await trx('rate_limits').where({ key }).update({ count: row.count + 1 });
      }
    });
  }

  async reset(key: string): Promise<void> {
    await this.db('rate_limits').where({ key }).delete();
  }
}
