import type { Db } from './db';
import type { MessageKey, Params } from './i18n';

export interface Notification {
  id: number;
  key: MessageKey;
  params: Params;
  link: string | null;
  createdAt: string;
  readAt: string | null;
}

/** In-app notices; the text is rendered in the reader's language from the message key. */
export class NotificationsRepo {
  constructor(private readonly db: Db) {}

  async add(userIds: number[], key: MessageKey, params: Params, link: string | null, now: string, trx: Db = this.db): Promise<void> {
    if (userIds.length === 0) return;
    await trx('notifications').insert(
      userIds.map((user_id) => ({ user_id, message_key: key, params: JSON.stringify(params), link, created_at: now })),
    );
  }

  async recent(userId: number, limit = 50): Promise<Notification[]> {
    const rows = await this.db('notifications').where({ user_id: userId }).orderBy('id', 'desc').limit(limit);
    return rows.map((r: { id: number; message_key: MessageKey; params: string; link: string | null; created_at: string; read_at: string | null }) => ({
      id: r.id,
      key: r.message_key,
      params: JSON.parse(r.params) as Params,
      link: r.link,
      createdAt: r.created_at,
      readAt: r.read_at,
    }));
  }

  async unreadCount(userId: number): Promise<number> {
    const row = await this.db('notifications').where({ user_id: userId }).whereNull('read_at').count<{ n: number | string }[]>({ n: '*' }).first();
    return Number(row?.n ?? 0);
  }

  async markAllRead(userId: number, now: string): Promise<void> {
    await this.db('notifications').where({ user_id: userId }).whereNull('read_at').update({ read_at: now });
  }
}
