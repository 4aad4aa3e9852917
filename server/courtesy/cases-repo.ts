import type { Db } from '../platform/db';

export type CaseStatus = 'open' | 'submitted' | 'returned' | 'accepted' | 'closed';
export const CASE_STATUSES: readonly CaseStatus[] = ['open', 'submitted', 'returned', 'accepted', 'closed'];

export interface CaseRecord {
  id: number;
  unitId: number;
  unitCode: string;
  unitNameZh: string;
  unitNameEn: string;
  unitPath: string;
  resultId: number;
  status: CaseStatus;
  dueDate: string;
  cause: string | null;
  actions: string | null;
  acceptedAt: string | null;
  retestResultId: number | null;
  closedAt: string | null;
  openedAt: string;
}

export interface CaseEvent {
  id: number;
  actorName: string | null;
  action: string;
  comment: string | null;
  createdAt: string;
}

interface CaseRow {
  id: number;
  unit_id: number;
  unit_code: string;
  unit_name_zh: string;
  unit_name_en: string;
  unit_path: string;
  result_id: number;
  status: CaseStatus;
  due_date: string;
  cause: string | null;
  actions: string | null;
  accepted_at: string | null;
  retest_result_id: number | null;
  closed_at: string | null;
  opened_at: string;
}

const toCase = (r: CaseRow): CaseRecord => ({
  id: r.id,
  unitId: r.unit_id,
  unitCode: r.unit_code,
  unitNameZh: r.unit_name_zh,
  unitNameEn: r.unit_name_en,
  unitPath: r.unit_path,
  resultId: r.result_id,
  status: r.status,
  dueDate: r.due_date,
  cause: r.cause,
  actions: r.actions,
  acceptedAt: r.accepted_at,
  retestResultId: r.retest_result_id,
  closedAt: r.closed_at,
  openedAt: r.opened_at,
});

/** The only code that reads or writes cases and case_events. */
export class CasesRepo {
  constructor(private readonly db: Db) {}

  private select(trx: Db) {
    return trx('cases')
      .join('units', 'units.id', 'cases.unit_id')
      .select('cases.*', 'units.code as unit_code', 'units.name_zh as unit_name_zh', 'units.name_en as unit_name_en', 'units.path as unit_path');
  }

  async open(c: { unitId: number; resultId: number; dueDate: string }, now: string, trx: Db): Promise<number> {
    const [row] = await trx('cases')
      .insert({ unit_id: c.unitId, result_id: c.resultId, status: 'open', due_date: c.dueDate, opened_at: now })
      .returning<{ id: number }[]>('id');
    if (!row) throw new Error('insert returned no id');
    return row.id;
  }

  async find(id: number, trx: Db = this.db): Promise<CaseRecord | undefined> {
    const row = await this.select(trx).where('cases.id', id).first<CaseRow | undefined>();
    return row ? toCase(row) : undefined;
  }

  async findByResult(resultId: number, trx: Db = this.db): Promise<CaseRecord | undefined> {
    const row = await this.select(trx).where('cases.result_id', resultId).first<CaseRow | undefined>();
    return row ? toCase(row) : undefined;
  }

  async listInReach(path: string, trx: Db = this.db): Promise<CaseRecord[]> {
    const rows = await this.select(trx).where('units.path', 'like', `${path}%`).orderBy([{ column: 'cases.opened_at', order: 'desc' }]);
    return (rows as CaseRow[]).map(toCase);
  }

  async update(id: number, fields: Partial<Pick<CaseRecord, 'status' | 'cause' | 'actions' | 'acceptedAt' | 'retestResultId' | 'closedAt'>>, trx: Db): Promise<void> {
    const row: Record<string, unknown> = {};
    if (fields.status !== undefined) row.status = fields.status;
    if (fields.cause !== undefined) row.cause = fields.cause;
    if (fields.actions !== undefined) row.actions = fields.actions;
    if (fields.acceptedAt !== undefined) row.accepted_at = fields.acceptedAt;
    if (fields.retestResultId !== undefined) row.retest_result_id = fields.retestResultId;
    if (fields.closedAt !== undefined) row.closed_at = fields.closedAt;
    await trx('cases').where({ id }).update(row);
  }

  async addEvent(caseId: number, actorId: number | null, action: string, comment: string | null, now: string, trx: Db): Promise<void> {
    await trx('case_events').insert({ case_id: caseId, actor_id: actorId, action, comment, created_at: now });
  }

  async events(caseId: number, trx: Db = this.db): Promise<CaseEvent[]> {
    const rows = await trx('case_events')
      .leftJoin('users', 'users.id', 'case_events.actor_id')
      .where('case_events.case_id', caseId)
      .orderBy('case_events.id')
      .select('case_events.*', 'users.name as actor_name');
    return rows.map((r: { id: number; actor_name: string | null; action: string; comment: string | null; created_at: string }) => ({
      id: r.id,
      actorName: r.actor_name,
      action: r.action,
      comment: r.comment,
      createdAt: r.created_at,
    }));
  }

  /**
   * Accepted cases still waiting for their re-test, with what the planner must
   * know: the unit, the original tester and the half-day of the original call.
   */
  async retestsDue(unitIds: number[], trx: Db = this.db): Promise<{ caseId: number; unitId: number; acceptedAt: string; testerId: number; windowStart: string | null }[]> {
    if (unitIds.length === 0) return [];
    const rows = await trx('cases')
      .join('results', 'results.id', 'cases.result_id')
      .join('assignments', 'assignments.id', 'results.assignment_id')
      .where('cases.status', 'accepted')
      .whereNull('cases.retest_result_id')
      .whereIn('cases.unit_id', unitIds)
      .select('cases.id as case_id', 'cases.unit_id', 'cases.accepted_at', 'results.tester_id', 'assignments.window_start');
    return rows.map((r: { case_id: number; unit_id: number; accepted_at: string; tester_id: number; window_start: string | null }) => ({
      caseId: r.case_id,
      unitId: r.unit_id,
      acceptedAt: r.accepted_at,
      testerId: r.tester_id,
      windowStart: r.window_start,
    }));
  }

  /** Open or returned cases due on or before a date that have had no reminder yet. */
  async dueForReminder(byDate: string, trx: Db = this.db): Promise<CaseRecord[]> {
    const rows = await this.select(trx).whereIn('cases.status', ['open', 'returned']).whereNull('cases.reminded_at').andWhere('cases.due_date', '<=', byDate);
    return (rows as CaseRow[]).map(toCase);
  }

  async markReminded(id: number, now: string, trx: Db = this.db): Promise<void> {
    await trx('cases').where({ id }).update({ reminded_at: now });
  }

  /** Cases opened and closed in a period, for the score table and reports. */
  async countsBetween(path: string, from: string, to: string): Promise<{ opened: number; closed: number }> {
    const opened = await this.db('cases').join('units', 'units.id', 'cases.unit_id').where('units.path', 'like', `${path}%`).whereBetween('cases.opened_at', [from, `${to}T23:59:59.999Z`]).count<{ n: number | string }[]>({ n: '*' }).first();
    const closed = await this.db('cases').join('units', 'units.id', 'cases.unit_id').where('units.path', 'like', `${path}%`).whereBetween('cases.closed_at', [from, `${to}T23:59:59.999Z`]).count<{ n: number | string }[]>({ n: '*' }).first();
    return { opened: Number(opened?.n ?? 0), closed: Number(closed?.n ?? 0) };
  }
}
