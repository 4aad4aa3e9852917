import type { Db } from '../platform/db';

export interface TesterRecord {
  id: number;
  name: string;
  unitId: number;
  unitPath: string;
}

/** Testers (users with the tester role) and their unavailable dates. */
export class TestersRepo {
  constructor(private readonly db: Db) {}

  /** Active testers whose unit lies under `path`. */
  async inSubtree(path: string, trx: Db = this.db): Promise<TesterRecord[]> {
    const rows = await trx('users')
      .join('units', 'units.id', 'users.unit_id')
      .where({ 'users.role': 'tester', 'users.active': true })
      .andWhere('units.path', 'like', `${path}%`)
      .orderBy('users.name')
      .select('users.id', 'users.name', 'users.unit_id', 'units.path as unit_path');
    return rows.map((r: { id: number; name: string; unit_id: number; unit_path: string }) => ({
      id: r.id,
      name: r.name,
      unitId: r.unit_id,
      unitPath: r.unit_path,
    }));
  }

  async unavailableBetween(userIds: number[], from: string, to: string, trx: Db = this.db): Promise<Map<number, string[]>> {
    const out = new Map<number, string[]>(userIds.map((id) => [id, []]));
    if (userIds.length === 0) return out;
    const rows = await trx('tester_unavailability').whereIn('user_id', userIds).whereBetween('date', [from, to]).orderBy('date');
    for (const r of rows as { user_id: number; date: string }[]) out.get(r.user_id)?.push(r.date);
    return out;
  }

  async unavailableFrom(userId: number, from: string, trx: Db = this.db): Promise<string[]> {
    const rows = await trx('tester_unavailability').where({ user_id: userId }).andWhere('date', '>=', from).orderBy('date');
    return rows.map((r: { date: string }) => r.date);
  }

  async addUnavailable(userId: number, dates: string[], trx: Db = this.db): Promise<void> {
    if (dates.length === 0) return;
    await trx('tester_unavailability')
      .insert(dates.map((date) => ({ user_id: userId, date })))
      .onConflict(['user_id', 'date'])
      .ignore();
  }

  async removeUnavailable(userId: number, date: string, trx: Db = this.db): Promise<void> {
    await trx('tester_unavailability').where({ user_id: userId, date }).delete();
  }
}
