import crypto from 'node:crypto';
import { reachPath, type CurrentUser } from '../auth/current-user';
import type { MonthCalendar } from '../calendar/calendar';
import { datesOfMonth, nextMonth, previousMonth } from '../calendar/dates';
import type { CalendarService } from '../calendar/service';
import type { AppSettings, AppSettingsRepo } from '../platform/app-settings';
import type { Db } from '../platform/db';
import { ConflictError, NotFoundError } from '../platform/errors';
import type { FieldError } from '../platform/http';
import type { NotificationsRepo } from '../platform/notifications';
import type { Unit, UnitsRepo } from '../org/units-repo';
import { checkPlan } from './plan-check';
import { planMonth, windowsOfDay, type Part, type PlannerSettings, type PlannerTester, type PlannerUnit, type PlanWarning, type Slot } from './planner';
import type { Assignment, NewAssignment, PlanEvent, PlanRecord, PlansRepo } from './plans-repo';
import type { AssignmentInput } from './schema';
import type { CasesService } from './cases-service';
import { membersOfScope } from './scope';
import type { TesterRecord, TestersRepo } from './testers-repo';

export function plannerSettings(s: AppSettings): PlannerSettings {
  return {
    unitsPerMonth: s.unitsPerMonth,
    testsPerUnit: s.testsPerUnit,
    parts: s.parts,
    officeHours: { start: s.officeStart, end: s.officeEnd },
    lunch: { start: s.lunchStart, end: s.lunchEnd },
    windowMinutes: s.windowMinutes,
  };
}

/** Everything the planner and the checker need about one scope and month, read from the database. */
interface PlanContext {
  scope: Unit;
  month: string;
  units: Unit[];
  testers: (PlannerTester & TesterRecord)[];
  calendar: MonthCalendar;
  settings: PlannerSettings;
  lastMonthPairs: { unitId: number; testerId: number }[];
}

export interface PlanView {
  plan: PlanRecord;
  assignments: Assignment[];
  problems: PlanWarning[];
  events: PlanEvent[];
  calendar: MonthCalendar;
  testers: TesterRecord[];
  windows: Omit<Slot, 'date'>[];
  addableUnits: Unit[];
}

export type EditResult = { ok: true; problems: PlanWarning[] } | { ok: false; errors: FieldError[] };

const partOf = (u: Unit): Part | null => (u.type === 'switchboard' ? 'switchboard' : u.type === 'unit' ? 'unit' : null);

export class PlansService {
  constructor(
    private readonly db: Db,
    private readonly plans: PlansRepo,
    private readonly units: UnitsRepo,
    private readonly testers: TestersRepo,
    private readonly calendar: CalendarService,
    private readonly settings: AppSettingsRepo,
    private readonly notifications: NotificationsRepo,
    private readonly cases: CasesService,
    private readonly clock: () => Date,
  ) {}

  private reach(user: CurrentUser): string {
    const reach = reachPath(user);
    if (reach === null || (user.role !== 'admin' && user.role !== 'manager')) throw new NotFoundError();
    return reach;
  }

  /** Agencies whose plans this user may draft and review. */
  async scopesFor(user: CurrentUser): Promise<Unit[]> {
    return (await this.units.listInReach(this.reach(user))).filter((u) => u.type === 'agency' && u.active);
  }

  private async context(scope: Unit, month: string): Promise<PlanContext> {
    const all = await this.units.listInReach(scope.path);
    const members = membersOfScope(scope.id, all).filter((u) => u.active && partOf(u) !== null);
    const [calendar, settings, testers, lastMonthPairs] = await Promise.all([
      this.calendar.month(month),
      this.settings.get(),
      this.testers.inSubtree(scope.path),
      this.plans.pairs(scope.id, previousMonth(month)),
    ]);
    const days = datesOfMonth(month);
    const unavailable = await this.testers.unavailableBetween(
      testers.map((t) => t.id),
      days[0] as string,
      days[days.length - 1] as string,
    );
    return {
      scope,
      month,
      units: members,
      testers: testers.map((t) => ({ ...t, unavailable: unavailable.get(t.id) ?? [] })),
      calendar,
      settings: plannerSettings(settings),
      lastMonthPairs,
    };
  }

  /**
   * Drafts the plan of a scope for a month, once: if it exists already (drafted
   * by the job, another manager or another server instance) that one is returned.
   */
  async draft(actor: CurrentUser | null, scopeId: number, month: string): Promise<{ plan: PlanRecord; created: boolean }> {
    const scope = await this.units.findById(scopeId);
    if (!scope || scope.type !== 'agency' || (actor && !scope.path.startsWith(this.reach(actor)))) throw new NotFoundError();
    const existing = await this.plans.findByScopeMonth(scope.id, month);
    if (existing) return { plan: existing, created: false };

    const ctx = await this.context(scope, month);
    const firstDay = `${month}-01`;
    const unitIds = ctx.units.map((u) => u.id);
    const [lastTests, retests] = await Promise.all([this.plans.lastTestDates(unitIds, firstDay), this.cases.retestsFor(unitIds)]);
    const plannerUnits: PlannerUnit[] = ctx.units.map((u) => ({
      id: u.id,
      path: u.path,
      code: u.code,
      part: partOf(u) as Part,
      lastTestedOn: lastTests.get(u.id) ?? null,
      retest: retests.get(u.id),
    }));
    const seed = crypto.randomBytes(8).toString('hex');
    const result = planMonth({
      month,
      seed,
      units: plannerUnits,
      testers: ctx.testers,
      workingDays: ctx.calendar.workingDays,
      lastMonthPairs: ctx.lastMonthPairs,
      settings: ctx.settings,
    });
    const now = this.clock().toISOString();
    const items: NewAssignment[] = result.tests.map((t) => ({
      unitId: t.unitId,
      part: t.part,
      testerId: t.testerId,
      date: t.slot?.date ?? null,
      windowStart: t.slot?.start ?? null,
      windowEnd: t.slot?.end ?? null,
      reason: t.reason,
      retestCaseId: t.retestCaseId,
    }));
    const createdId = await this.db.transaction(async (trx) => {
      const id = await this.plans.insertPlanOnce({ scopeUnitId: scope.id, month, seed, warnings: result.warnings, createdBy: actor?.id ?? null }, now, trx);
      if (id === null) return null;
      await this.plans.insertAssignments(id, items, now, trx);
      await this.plans.addEvent(id, actor?.id ?? null, 'draft', { tests: items.length, calendar: ctx.calendar.source }, now, trx);
      return id;
    });
    const plan = await this.plans.findByScopeMonth(scope.id, month);
    if (!plan) throw new Error('plan vanished after drafting');
    return { plan, created: createdId !== null };
  }

  /** The month the scheduled job should draft now: next month, from the draft day on (Taiwan time); else null. */
  async monthDue(now: Date): Promise<string | null> {
    const settings = await this.settings.get();
    const taipei = new Date(now.getTime() + 8 * 3600_000);
    if (taipei.getUTCDate() < settings.draftDay) return null;
    return nextMonth(taipei.toISOString().slice(0, 7));
  }

  /** Drafts a month's plan for every active agency; plans that exist are left alone. Returns how many were made. */
  async draftAll(month: string): Promise<number> {
    const scopes = (await this.units.listInReach('/')).filter((u) => u.type === 'agency' && u.active);
    let created = 0;
    for (const scope of scopes) if ((await this.draft(null, scope.id, month)).created) created += 1;
    return created;
  }

  async list(user: CurrentUser): Promise<PlanRecord[]> {
    return this.plans.listInReach(this.reach(user));
  }

  private async planFor(user: CurrentUser, planId: number): Promise<PlanRecord> {
    const plan = await this.plans.findPlan(planId);
    if (!plan || !plan.scopePath.startsWith(this.reach(user))) throw new NotFoundError();
    return plan;
  }

  private async problems(plan: PlanRecord, assignments: Assignment[], ctx: PlanContext): Promise<PlanWarning[]> {
    return checkPlan({
      assignments,
      units: new Map(assignments.map((a) => [a.unitId, { code: a.unitCode, path: a.unitPath }])),
      testers: new Map(ctx.testers.map((t) => [t.id, t])),
      workingDays: ctx.calendar.workingDays,
      lastMonthPairs: ctx.lastMonthPairs,
      settings: ctx.settings,
    });
  }

  async view(user: CurrentUser, planId: number): Promise<PlanView> {
    const plan = await this.planFor(user, planId);
    const scope = (await this.units.findById(plan.scopeUnitId)) as Unit;
    const ctx = await this.context(scope, plan.month);
    const assignments = await this.plans.assignmentsOf(plan.id);
    const planned = new Set(assignments.map((a) => a.unitId));
    return {
      plan,
      assignments,
      problems: await this.problems(plan, assignments, ctx),
      events: await this.plans.events(plan.id),
      calendar: ctx.calendar,
      testers: ctx.testers,
      windows: windowsOfDay(ctx.settings),
      addableUnits: ctx.units.filter((u) => !planned.has(u.id)),
    };
  }

  async assignment(user: CurrentUser, planId: number, assignmentId: number): Promise<{ view: PlanView; assignment: Assignment }> {
    const view = await this.view(user, planId);
    const assignment = view.assignments.find((a) => a.id === assignmentId);
    if (!assignment) throw new NotFoundError();
    return { view, assignment };
  }

  /** Field checks for a manager's change: the tester must test in this scope, the date and window must exist. */
  private validate(view: PlanView, input: AssignmentInput): FieldError[] {
    const errors: FieldError[] = [];
    if (input.testerId !== null && !view.testers.some((t) => t.id === input.testerId)) errors.push({ field: 'testerId', key: 'validation.choose' });
    if (input.date !== null && !input.date.startsWith(`${view.plan.month}-`)) errors.push({ field: 'date', key: 'plan.error.dateOutsideMonth' });
    if (input.windowStart !== null && !view.windows.some((w) => w.start === input.windowStart)) errors.push({ field: 'windowStart', key: 'validation.choose' });
    return errors;
  }

  async editAssignment(user: CurrentUser, planId: number, assignmentId: number, input: AssignmentInput): Promise<EditResult> {
    const { view, assignment } = await this.assignment(user, planId, assignmentId);
    const errors = this.validate(view, input);
    if (errors.length > 0) return { ok: false, errors };
    const windowEnd = view.windows.find((w) => w.start === input.windowStart)?.end ?? null;
    const after = { testerId: input.testerId, date: input.date, windowStart: input.windowStart, windowEnd };
    const before = { testerId: assignment.testerId, date: assignment.date, windowStart: assignment.windowStart, windowEnd: assignment.windowEnd };
    const now = this.clock().toISOString();
    await this.db.transaction(async (trx) => {
      await this.plans.updateAssignment(assignment.id, after, now, trx);
      await this.plans.addEvent(planId, user.id, 'edit', { unit: assignment.unitCode, before, after }, now, trx);
      if (view.plan.status === 'published') {
        const affected = [...new Set([before.testerId, after.testerId].filter((id): id is number => id !== null))];
        await this.notifications.add(affected, 'notify.planChanged', { month: view.plan.month }, '/my/assignments', now, trx);
      }
    });
    return { ok: true, problems: (await this.view(user, planId)).problems };
  }

  async addUnit(user: CurrentUser, planId: number, unitId: number, input: AssignmentInput): Promise<EditResult> {
    const view = await this.view(user, planId);
    const unit = view.addableUnits.find((u) => u.id === unitId);
    const errors = this.validate(view, input);
    if (!unit) errors.unshift({ field: 'unitId', key: 'validation.choose' });
    if (errors.length > 0 || !unit) return { ok: false, errors };
    const windowEnd = view.windows.find((w) => w.start === input.windowStart)?.end ?? null;
    const now = this.clock().toISOString();
    await this.db.transaction(async (trx) => {
      await this.plans.insertAssignments(
        planId,
        [{ unitId, part: partOf(unit) as Part, testerId: input.testerId, date: input.date, windowStart: input.windowStart, windowEnd, reason: { key: 'plan.reason.manual', params: {} }, retestCaseId: null }],
        now,
        trx,
      );
      await this.plans.addEvent(planId, user.id, 'add', { unit: unit.code, testerId: input.testerId, date: input.date, windowStart: input.windowStart }, now, trx);
      if (view.plan.status === 'published' && input.testerId !== null) {
        await this.notifications.add([input.testerId], 'notify.planChanged', { month: view.plan.month }, '/my/assignments', now, trx);
      }
    });
    return { ok: true, problems: (await this.view(user, planId)).problems };
  }

  async removeAssignment(user: CurrentUser, planId: number, assignmentId: number): Promise<void> {
    const { view, assignment } = await this.assignment(user, planId, assignmentId);
    const now = this.clock().toISOString();
    await this.db.transaction(async (trx) => {
      await this.plans.deleteAssignment(assignment.id, trx);
      await this.plans.addEvent(planId, user.id, 'remove', { unit: assignment.unitCode, testerId: assignment.testerId, date: assignment.date }, now, trx);
      if (view.plan.status === 'published' && assignment.testerId !== null) {
        await this.notifications.add([assignment.testerId], 'notify.planChanged', { month: view.plan.month }, '/my/assignments', now, trx);
      }
    });
  }

  /** Publishes a draft and tells each tester how many calls he or she has. */
  async publish(user: CurrentUser, planId: number): Promise<PlanRecord> {
    const plan = await this.planFor(user, planId);
    if (plan.status === 'published') throw new ConflictError('plan.error.alreadyPublished');
    const assignments = await this.plans.assignmentsOf(plan.id);
    const perTester = new Map<number, number>();
    for (const a of assignments) if (a.testerId !== null) perTester.set(a.testerId, (perTester.get(a.testerId) ?? 0) + 1);
    const now = this.clock().toISOString();
    await this.db.transaction(async (trx) => {
      await this.plans.publish(plan.id, user.id, now, trx);
      await this.plans.addEvent(plan.id, user.id, 'publish', { tests: assignments.length }, now, trx);
      for (const [testerId, calls] of perTester) {
        await this.notifications.add([testerId], 'notify.planPublished', { month: plan.month, calls }, '/my/assignments', now, trx);
      }
    });
    return (await this.plans.findPlan(plan.id)) as PlanRecord;
  }

  /** A tester's own calls in published plans, from today on; never anyone else's. */
  async myAssignments(user: CurrentUser): Promise<Assignment[]> {
    const today = new Date(this.clock().getTime() + 8 * 3600_000).toISOString().slice(0, 10);
    return this.plans.testerAssignments(user.id, today);
  }

  async myUnavailable(user: CurrentUser): Promise<string[]> {
    const today = new Date(this.clock().getTime() + 8 * 3600_000).toISOString().slice(0, 10);
    return this.testers.unavailableFrom(user.id, today);
  }

  async addUnavailable(user: CurrentUser, from: string, to: string): Promise<void> {
    const dates: string[] = [];
    for (let d = new Date(`${from}T00:00:00Z`); d.toISOString().slice(0, 10) <= to && dates.length < 366; d.setUTCDate(d.getUTCDate() + 1)) {
      dates.push(d.toISOString().slice(0, 10));
    }
    await this.testers.addUnavailable(user.id, dates);
  }

  async removeUnavailable(user: CurrentUser, date: string): Promise<void> {
    await this.testers.removeUnavailable(user.id, date);
  }
}
