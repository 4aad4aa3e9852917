import type { Db } from '../platform/db';
import type { MessageKey, Params } from '../platform/i18n';
import type { Part, PlanWarning } from './planner';

export type PlanStatus = 'draft' | 'published';

export interface PlanRecord {
  id: number;
  scopeUnitId: number;
  scopeCode: string;
  scopeNameZh: string;
  scopeNameEn: string;
  scopePath: string;
  month: string;
  status: PlanStatus;
  seed: string;
  warnings: PlanWarning[];
  createdAt: string;
  publishedAt: string | null;
}

export interface Assignment {
  id: number;
  planId: number;
  unitId: number;
  unitCode: string;
  unitNameZh: string;
  unitNameEn: string;
  unitPath: string;
  phoneE164: string | null;
  phoneExt: string | null;
  part: Part;
  testerId: number | null;
  testerName: string | null;
  date: string | null;
  windowStart: string | null;
  windowEnd: string | null;
  reason: { key: MessageKey; params: Params };
  retestCaseId: number | null;
}

export type NewAssignment = Pick<Assignment, 'unitId' | 'part' | 'testerId' | 'date' | 'windowStart' | 'windowEnd' | 'reason' | 'retestCaseId'>;

export interface PlanEvent {
  id: number;
  actorName: string | null;
  action: string;
  detail: Record<string, unknown>;
  createdAt: string;
}

interface PlanRow {
  id: number;
  scope_unit_id: number;
  scope_code: string;
  scope_name_zh: string;
  scope_name_en: string;
  scope_path: string;
  month: string;
  status: PlanStatus;
  seed: string;
  warnings: string;
  created_at: string;
  published_at: string | null;
}

interface AssignmentRow {
  id: number;
  plan_id: number;
  unit_id: number;
  unit_code: string;
  unit_name_zh: string;
  unit_name_en: string;
  unit_path: string;
  phone_e164: string | null;
  phone_ext: string | null;
  part: Part;
  tester_id: number | null;
  tester_name: string | null;
  date: string | null;
  window_start: string | null;
  window_end: string | null;
  reason_key: MessageKey;
  reason_params: string;
  retest_case_id: number | null;
}

const toPlan = (r: PlanRow): PlanRecord => ({
  id: r.id,
  scopeUnitId: r.scope_unit_id,
  scopeCode: r.scope_code,
  scopeNameZh: r.scope_name_zh,
  scopeNameEn: r.scope_name_en,
  scopePath: r.scope_path,
  month: r.month,
  status: r.status,
  seed: r.seed,
  warnings: JSON.parse(r.warnings) as PlanWarning[],
  createdAt: r.created_at,
  publishedAt: r.published_at,
});

const toAssignment = (r: AssignmentRow): Assignment => ({
  id: r.id,
  planId: r.plan_id,
  unitId: r.unit_id,
  unitCode: r.unit_code,
  unitNameZh: r.unit_name_zh,
  unitNameEn: r.unit_name_en,
  unitPath: r.unit_path,
  phoneE164: r.phone_e164,
  phoneExt: r.phone_ext,
  part: r.part,
  testerId: r.tester_id,
  testerName: r.tester_name,
  date: r.date,
  windowStart: r.window_start,
  windowEnd: r.window_end,
  reason: { key: r.reason_key, params: JSON.parse(r.reason_params) as Params },
  retestCaseId: r.retest_case_id,
});

/** The only code that reads or writes plans, assignments and plan_events. */
export class PlansRepo {
  constructor(private readonly db: Db) {}

  private plans(trx: Db) {
    return trx('plans')
      .join('units', 'units.id', 'plans.scope_unit_id')
      .select('plans.*', 'units.code as scope_code', 'units.name_zh as scope_name_zh', 'units.name_en as scope_name_en', 'units.path as scope_path');
  }

  private assignments(trx: Db) {
    return trx('assignments')
      .join('units', 'units.id', 'assignments.unit_id')
      .leftJoin('users', 'users.id', 'assignments.tester_id')
      .select(
        'assignments.*',
        'units.code as unit_code',
        'units.name_zh as unit_name_zh',
        'units.name_en as unit_name_en',
        'units.path as unit_path',
        'units.phone_e164',
        'units.phone_ext',
        'users.name as tester_name',
      );
  }

  /** Inserts the plan unless one exists for the scope and month; returns the new id or null. */
  async insertPlanOnce(
    plan: { scopeUnitId: number; month: string; seed: string; warnings: PlanWarning[]; createdBy: number | null },
    now: string,
    trx: Db,
  ): Promise<number | null> {
    const rows = await trx('plans')
      .insert({
        scope_unit_id: plan.scopeUnitId,
        month: plan.month,
        status: 'draft',
        seed: plan.seed,
        warnings: JSON.stringify(plan.warnings),
        created_by: plan.createdBy,
        created_at: now,
      })
      .onConflict(['scope_unit_id', 'month'])
      .ignore()
      .returning<{ id: number }[]>('id');
    return rows[0]?.id ?? null;
  }

  async findPlan(id: number, trx: Db = this.db): Promise<PlanRecord | undefined> {
    const row = await this.plans(trx).where('plans.id', id).first<PlanRow | undefined>();
    return row ? toPlan(row) : undefined;
  }

  async findByScopeMonth(scopeUnitId: number, month: string, trx: Db = this.db): Promise<PlanRecord | undefined> {
    const row = await this.plans(trx).where({ 'plans.scope_unit_id': scopeUnitId, 'plans.month': month }).first<PlanRow | undefined>();
    return row ? toPlan(row) : undefined;
  }

  async listInReach(reach: string, trx: Db = this.db): Promise<PlanRecord[]> {
    const rows = await this.plans(trx).where('units.path', 'like', `${reach}%`).orderBy([{ column: 'plans.month', order: 'desc' }, 'units.code']);
    return (rows as PlanRow[]).map(toPlan);
  }

  async setWarnings(planId: number, warnings: PlanWarning[], trx: Db = this.db): Promise<void> {
    await trx('plans').where({ id: planId }).update({ warnings: JSON.stringify(warnings) });
  }

  async publish(planId: number, actorId: number, now: string, trx: Db): Promise<void> {
    await trx('plans').where({ id: planId }).update({ status: 'published', published_by: actorId, published_at: now });
  }

  async insertAssignments(planId: number, items: NewAssignment[], now: string, trx: Db): Promise<void> {
    const rows = items.map((a) => ({
      plan_id: planId,
      unit_id: a.unitId,
      part: a.part,
      tester_id: a.testerId,
      date: a.date,
      window_start: a.windowStart,
      window_end: a.windowEnd,
      reason_key: a.reason.key,
      reason_params: JSON.stringify(a.reason.params),
      retest_case_id: a.retestCaseId,
      created_at: now,
      updated_at: now,
    }));
    if (rows.length > 0) await trx.batchInsert('assignments', rows, 100);
  }

  async assignmentsOf(planId: number, trx: Db = this.db): Promise<Assignment[]> {
    const rows = await this.assignments(trx)
      .where('assignments.plan_id', planId)
      .orderBy([{ column: 'assignments.date' }, { column: 'assignments.window_start' }, { column: 'units.code' }]);
    return (rows as AssignmentRow[]).map(toAssignment);
  }

  async findAssignment(id: number, trx: Db = this.db): Promise<Assignment | undefined> {
    const row = await this.assignments(trx).where('assignments.id', id).first<AssignmentRow | undefined>();
    return row ? toAssignment(row) : undefined;
  }

  /** The calls of published plans on one day that have a tester, by tester and time. */
  async publishedOn(date: string, trx: Db = this.db): Promise<Assignment[]> {
    const rows = await this.assignments(trx)
      .join('plans', 'plans.id', 'assignments.plan_id')
      .where({ 'plans.status': 'published', 'assignments.date': date })
      .whereNotNull('assignments.tester_id')
      .orderBy([{ column: 'assignments.tester_id' }, { column: 'assignments.window_start' }, { column: 'assignments.id' }]);
    return (rows as AssignmentRow[]).map(toAssignment);
  }

  /** A tester's assignments in published plans from a date on. */
  async testerAssignments(testerId: number, fromDate: string, trx: Db = this.db): Promise<Assignment[]> {
    const rows = await this.assignments(trx)
      .join('plans', 'plans.id', 'assignments.plan_id')
      .where({ 'assignments.tester_id': testerId, 'plans.status': 'published' })
      .andWhere('assignments.date', '>=', fromDate)
      .orderBy([{ column: 'assignments.date' }, { column: 'assignments.window_start' }]);
    return (rows as AssignmentRow[]).map(toAssignment);
  }

  async updateAssignment(
    id: number,
    fields: Pick<Assignment, 'testerId' | 'date' | 'windowStart' | 'windowEnd'>,
    now: string,
    trx: Db,
  ): Promise<void> {
    await trx('assignments')
      .where({ id })
      .update({ tester_id: fields.testerId, date: fields.date, window_start: fields.windowStart, window_end: fields.windowEnd, updated_at: now });
  }

  async deleteAssignment(id: number, trx: Db): Promise<void> {
    await trx('assignments').where({ id }).delete();
  }

  async addEvent(planId: number, actorId: number | null, action: string, detail: Record<string, unknown>, now: string, trx: Db): Promise<void> {
    await trx('plan_events').insert({ plan_id: planId, actor_id: actorId, action, detail: JSON.stringify(detail), created_at: now });
  }

  async events(planId: number, trx: Db = this.db): Promise<PlanEvent[]> {
    const rows = await trx('plan_events')
      .leftJoin('users', 'users.id', 'plan_events.actor_id')
      .where('plan_events.plan_id', planId)
      .orderBy('plan_events.id')
      .select('plan_events.*', 'users.name as actor_name');
    return rows.map((r: { id: number; actor_name: string | null; action: string; detail: string; created_at: string }) => ({
      id: r.id,
      actorName: r.actor_name,
      action: r.action,
      detail: JSON.parse(r.detail) as Record<string, unknown>,
      createdAt: r.created_at,
    }));
  }

  /** Date of each unit's latest test (a result that is not withdrawn) before a date. */
  async lastTestDates(unitIds: number[], before: string, trx: Db = this.db): Promise<Map<number, string>> {
    if (unitIds.length === 0) return new Map();
    const rows = await trx('results')
      .whereIn('unit_id', unitIds)
      .whereNull('withdrawn_at')
      .andWhere('tested_on', '<', before)
      .groupBy('unit_id')
      .select<{ unit_id: number; last: string }[]>('unit_id', trx.raw('max(tested_on) as last'));
    return new Map(rows.map((r) => [r.unit_id, r.last]));
  }

  async isPublished(planId: number, trx: Db = this.db): Promise<boolean> {
    const row = await trx('plans').where({ id: planId }).first<{ status: string } | undefined>();
    return row?.status === 'published';
  }

  /** Calls of published plans for units under `path`, dated before a day. */
  async publishedAssignmentsInReach(path: string, before: string, trx: Db = this.db): Promise<Assignment[]> {
    const rows = await this.assignments(trx)
      .join('plans', 'plans.id', 'assignments.plan_id')
      .where('plans.status', 'published')
      .andWhere('units.path', 'like', `${path}%`)
      .andWhere('assignments.date', '<', before)
      .orderBy([{ column: 'assignments.date' }, { column: 'units.code' }]);
    return (rows as AssignmentRow[]).map(toAssignment);
  }

  /** Tester–unit pairs of a scope's plan for a month (for avoiding repeats). */
  async pairs(scopeUnitId: number, month: string, trx: Db = this.db): Promise<{ unitId: number; testerId: number }[]> {
    const rows = await trx('assignments')
      .join('plans', 'plans.id', 'assignments.plan_id')
      .where({ 'plans.scope_unit_id': scopeUnitId, 'plans.month': month })
      .whereNotNull('assignments.tester_id')
      .select('assignments.unit_id', 'assignments.tester_id');
    return rows.map((r: { unit_id: number; tester_id: number }) => ({ unitId: r.unit_id, testerId: r.tester_id }));
  }
}
