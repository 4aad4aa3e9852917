import { reachPath, type CurrentUser } from '../auth/current-user';
import type { AppSettings, AppSettingsRepo } from '../platform/app-settings';
import type { Db } from '../platform/db';
import { ConflictError, NotFoundError } from '../platform/errors';
import type { FieldError } from '../platform/http';
import { taiwanDateTime } from '../platform/roc-date';
import type { Unit, UnitsRepo } from '../org/units-repo';
import { addDays, datesOfMonth } from '../calendar/dates';
import { membersOfScope } from './scope';
import { buildScoreTable, type DeductionCount, type ScoreRow } from './score-table';
import type { CasesService } from './cases-service';
import type { Part } from './planner';
import type { Assignment, PlansRepo } from './plans-repo';
import type { Attempt, AttemptOutcome, ResultRecord, ResultsRepo, Revision } from './results-repo';
import { parseScoreForm, type ScoreSubmission } from './score-form';
import { ringDecisionOf, ringItemOf, type MeasuredRing, type RingDecision, type RingTimes } from './ring-decision';
import type { VersionedSheet } from './scoresheet';
import { score, type BandSettings, type ScoreResult } from './scoring';

/** Attempts closer together than this do not count as "at different times". */
export const MIN_MINUTES_BETWEEN_ATTEMPTS = 30;

export interface DayItem {
  assignment: Assignment;
  attempts: number;
  state: 'overdue' | 'today' | 'upcoming';
  question: { question: string; keyPoints: string } | null;
}

export interface ScoreTableView {
  month: string;
  scope: Unit | null;
  scopes: Unit[];
  rows: ScoreRow[];
  deductions: DeductionCount[];
  sheet: VersionedSheet;
}

export interface ResultView {
  result: ResultRecord;
  assignment: Assignment;
  revisions: Revision[];
  sheet: VersionedSheet;
  /** Whether the viewer may know who tested (unit heads may not). */
  showTester: boolean;
  caseId: number | null;
}

/** An attempt added by a call through the bridge, or why none was: too soon after the last one, or the test already has a result. */
export type CallAttempt = { note: 'recorded' | 'unreachable'; attemptId: number } | { note: 'tooSoon' | 'closed'; attemptId: null };

export function bandsOf(s: AppSettings): BandSettings {
  return { excellent: s.bandExcellent, good: s.bandGood, fair: s.bandFair, followUp: s.followUpThreshold };
}

export class ResultsService {
  private current: { sheet: VersionedSheet; id: number } | undefined;

  constructor(
    private readonly db: Db,
    private readonly results: ResultsRepo,
    private readonly plans: PlansRepo,
    private readonly units: UnitsRepo,
    private readonly cases: CasesService,
    private readonly settings: AppSettingsRepo,
    private readonly sheets: readonly VersionedSheet[],
    private readonly clock: () => Date,
    private readonly ringTimes: RingTimes | null = null,
  ) {}

  /** The sheet new results are scored with (the standard one, as its file is now). */
  async currentSheet(): Promise<{ sheet: VersionedSheet; id: number }> {
    if (!this.current) {
      const sheet = this.sheets.find((s) => s.sheet.key === 'standard') ?? this.sheets[0];
      if (!sheet) throw new Error('no scoring sheet in surveys/scoresheets');
      this.current = { sheet, id: await this.results.ensureSheetVersion(sheet, this.clock().toISOString()) };
    }
    return this.current;
  }

  private today(): string {
    return taiwanDateTime(this.clock()).date;
  }

  /** A tester's own assignment, still without a result; anything else is 404 or 409. */
  async ownOpenAssignment(user: CurrentUser, assignmentId: number): Promise<Assignment> {
    const a = await this.plans.findAssignment(assignmentId);
    if (!a || a.testerId !== user.id || !(await this.plans.isPublished(a.planId))) throw new NotFoundError();
    if (await this.results.findByAssignment(a.id)) throw new ConflictError('score.error.alreadyScored');
    return a;
  }

  /** The tester's calls without a result: overdue first, then today's, then the rest. */
  async myDay(user: CurrentUser): Promise<DayItem[]> {
    const today = this.today();
    const all = await this.plans.testerAssignments(user.id, '0000-01-01');
    const done = await this.results.withResults(all.map((a) => a.id));
    const open = all.filter((a) => !done.has(a.id));
    const attempts = await this.results.attemptCounts(open.map((a) => a.id));
    const questions = await this.questionsFor(open.map((a) => a.unitId));
    const rank = { overdue: 0, today: 1, upcoming: 2 } as const;
    return open
      .map((a): DayItem => {
        const state = a.date === null || a.date > today ? 'upcoming' : a.date === today ? 'today' : 'overdue';
        const bank = questions.get(a.unitId) ?? [];
        return { assignment: a, attempts: attempts.get(a.id) ?? 0, state, question: bank.length > 0 ? (bank[a.id % bank.length] ?? null) : null };
      })
      .sort((x, y) => rank[x.state] - rank[y.state] || (x.assignment.date ?? '').localeCompare(y.assignment.date ?? ''));
  }

  private async questionsFor(unitIds: number[]): Promise<Map<number, { question: string; keyPoints: string }[]>> {
    const out = new Map<number, { question: string; keyPoints: string }[]>();
    if (unitIds.length === 0) return out;
    const rows = await this.db('unit_questions').whereIn('unit_id', unitIds).where({ active: true }).orderBy('id');
    for (const r of rows as { unit_id: number; question: string; key_points: string }[]) {
      out.set(r.unit_id, [...(out.get(r.unit_id) ?? []), { question: r.question, keyPoints: r.key_points }]);
    }
    return out;
  }

  async attemptsOf(user: CurrentUser, assignmentId: number): Promise<{ assignment: Assignment; attempts: Attempt[] }> {
    const assignment = await this.ownOpenAssignment(user, assignmentId);
    return { assignment, attempts: await this.results.attempts(assignment.id) };
  }

  /**
   * Records a call that reached nobody. The configured number of attempts, at
   * least half an hour apart, ends the test as "unreachable", with the rule
   * the administrator chose: a fixed score, or an improvement case.
   */
  async recordAttempt(user: CurrentUser, assignmentId: number, outcome: AttemptOutcome): Promise<{ ok: true; unreachable: boolean } | { ok: false; errors: FieldError[] }> {
    const assignment = await this.ownOpenAssignment(user, assignmentId);
    const now = this.clock();
    const previous = await this.results.attempts(assignment.id);
    if (tooSoonAfter(previous, now)) {
      return { ok: false, errors: [{ field: 'outcome', key: 'attempt.error.tooSoon', params: { minutes: MIN_MINUTES_BETWEEN_ATTEMPTS } }] };
    }
    const settings = await this.settings.get();
    const { unreachable } = await this.db.transaction((trx) => this.addAttempt(assignment, previous.length, outcome, now, user.id, settings, trx));
    return { ok: true, unreachable };
  }

  /**
   * An attempt from a call through the bridge whose unit leg was not answered
   * or busy, in the caller's transaction, by the rules of a typed one: at
   * least half an hour after the last, the last allowed one ends the test as
   * unreachable, and a test with a result takes no more.
   */
  async recordCallAttempt(assignmentId: number, testerId: number, outcome: 'no_answer' | 'busy', trx: Db): Promise<CallAttempt> {
    const assignment = await this.plans.findAssignment(assignmentId, trx);
    if (!assignment || (await this.results.findByAssignment(assignmentId, trx))) return { note: 'closed', attemptId: null };
    const now = this.clock();
    const previous = await this.results.attempts(assignmentId, trx);
    if (tooSoonAfter(previous, now)) return { note: 'tooSoon', attemptId: null };
    const { attemptId, unreachable } = await this.addAttempt(assignment, previous.length, outcome, now, testerId, await this.settings.get(trx), trx);
    return { note: unreachable ? 'unreachable' : 'recorded', attemptId };
  }

  private async addAttempt(
    assignment: Assignment,
    previousCount: number,
    outcome: AttemptOutcome,
    now: Date,
    userId: number,
    settings: AppSettings,
    trx: Db,
  ): Promise<{ attemptId: number; unreachable: boolean }> {
    const unreachable = previousCount + 1 >= settings.attemptsBeforeUnreachable;
    const attemptId = await this.results.addAttempt(assignment.id, outcome, now.toISOString(), userId, trx);
    if (!unreachable) return { attemptId, unreachable };
    const resultId = await this.results.insertResult(
      { assignmentId: assignment.id, unitId: assignment.unitId, testerId: userId, sheetVersionId: null, kind: 'unreachable', testedOn: taiwanDateTime(now).date },
      now.toISOString(),
      trx,
    );
    const byScore = settings.unreachableRule === 'score';
    const total = byScore ? settings.unreachableScore : null;
    await this.results.addRevision(
      resultId,
      { answers: {}, reasons: {}, flags: [], ringSeconds: null, total, band: null, deductions: [], createdBy: userId, reason: null },
      now.toISOString(),
      trx,
    );
    if (!byScore || (total !== null && total < settings.followUpThreshold)) {
      await this.cases.openFor({ id: resultId, unitId: assignment.unitId, unitPath: assignment.unitPath }, now, trx);
    }
    return { attemptId, unreachable };
  }

  /** Reads and scores a submitted form without storing anything (the tester sees the score before confirming). */
  async preview(
    user: CurrentUser,
    assignmentId: number,
    body: unknown,
  ): Promise<{
    assignment: Assignment;
    sheet: VersionedSheet;
    ring: MeasuredRing | null;
    form: { ok: true; data: ScoreSubmission; score: ScoreResult; ringDecision: RingDecision | null } | { ok: false; errors: FieldError[] };
  }> {
    const assignment = await this.ownOpenAssignment(user, assignmentId);
    const { sheet } = await this.currentSheet();
    const ring = (await this.ringTimes?.measuredFor(assignment.id)) ?? null;
    const parsed = parseScoreForm(sheet.sheet, [assignment.part], body);
    const decided = ringDecisionOf(body, ringItemOf(sheet, assignment.part), ring);
    if (!parsed.ok || !decided.ok) {
      const errors = [...(parsed.ok ? [] : parsed.errors), ...(decided.ok ? [] : [decided.error])];
      return { assignment, sheet, ring, form: { ok: false, errors } };
    }
    if (parsed.data.version !== sheet.version) throw new ConflictError('score.error.staleVersion');
    const bands = bandsOf(await this.settings.get());
    const result = score(sheet.sheet, [assignment.part], parsed.data.answers, parsed.data.flags, bands);
    return { assignment, sheet, ring, form: { ok: true, data: parsed.data, score: result, ringDecision: decided.decision } };
  }

  async formFor(user: CurrentUser, assignmentId: number): Promise<{ assignment: Assignment; sheet: VersionedSheet; attempts: Attempt[]; ring: MeasuredRing | null }> {
    const assignment = await this.ownOpenAssignment(user, assignmentId);
    const ring = (await this.ringTimes?.measuredFor(assignment.id)) ?? null;
    return { assignment, sheet: (await this.currentSheet()).sheet, attempts: await this.results.attempts(assignment.id), ring };
  }

  /**
   * Stores a result and its first revision, and in the same transaction opens
   * an improvement case where the score calls for one and closes the case a
   * re-test was for.
   */
  async submit(user: CurrentUser, assignmentId: number, body: unknown): Promise<{ ok: true; resultId: number } | { ok: false; errors: FieldError[] }> {
    const { assignment, form } = await this.preview(user, assignmentId, body);
    if (!form.ok) return form;
    const { id: sheetVersionId } = await this.currentSheet();
    const now = this.clock();
    const resultId = await this.db.transaction(async (trx) => {
      if (await this.results.findByAssignment(assignment.id, trx)) throw new ConflictError('score.error.alreadyScored');
      const id = await this.results.insertResult(
        { assignmentId: assignment.id, unitId: assignment.unitId, testerId: user.id, sheetVersionId, kind: 'scored', testedOn: taiwanDateTime(now).date },
        now.toISOString(),
        trx,
      );
      await this.results.addRevision(id, this.revisionOf(form.data, form.score, user.id, null), now.toISOString(), trx);
      if (form.ringDecision && this.ringTimes) await this.ringTimes.recordDecision(form.ringDecision, now.toISOString(), trx);
      if (form.score.needsFollowUp) await this.cases.openFor({ id, unitId: assignment.unitId, unitPath: assignment.unitPath }, now, trx);
      if (assignment.retestCaseId !== null) await this.cases.closeWithRetest(assignment.retestCaseId, id, now, trx);
      return id;
    });
    return { ok: true, resultId };
  }

  private revisionOf(data: ScoreSubmission, s: ScoreResult, userId: number, reason: string | null) {
    return {
      answers: data.answers,
      reasons: data.reasons,
      flags: data.flags,
      ringSeconds: data.ringSeconds,
      total: s.total,
      band: s.band,
      deductions: s.deductions,
      createdBy: userId,
      reason,
    };
  }

  private canSee(user: CurrentUser, result: ResultRecord, unitPath: string): boolean {
    if (user.role === 'tester') return result.testerId === user.id;
    const reach = reachPath(user);
    return reach !== null && unitPath.startsWith(reach);
  }

  async view(user: CurrentUser, resultId: number): Promise<ResultView> {
    const result = await this.results.findResult(resultId);
    const assignment = result ? await this.plans.findAssignment(result.assignmentId) : undefined;
    if (!result || !assignment || !this.canSee(user, result, assignment.unitPath)) throw new NotFoundError();
    const sheet = result.sheetVersionId !== null ? await this.results.sheetVersion(result.sheetVersionId) : (await this.currentSheet()).sheet;
    const c = await this.db('cases').where({ result_id: result.id }).first<{ id: number } | undefined>();
    return { result, assignment, revisions: await this.results.revisions(result.id), sheet, showTester: user.role !== 'unit_head', caseId: c?.id ?? null };
  }

  /**
   * A correction: a new revision with who, when and a mandatory reason,
   * scored with the sheet version of the original. Only the tester who
   * scored it and managers may correct; a withdrawn result cannot be.
   */
  async revise(user: CurrentUser, resultId: number, body: unknown, reason: string): Promise<{ ok: true } | { ok: false; errors: FieldError[] }> {
    const view = await this.view(user, resultId);
    if (user.role === 'unit_head' || view.result.kind !== 'scored' || view.result.withdrawnAt) throw new NotFoundError();
    const errors: FieldError[] = [];
    if (reason.trim() === '') errors.push({ field: 'reason', key: 'result.error.reasonRequired' });
    const parsed = parseScoreForm(view.sheet.sheet, [view.assignment.part], body);
    if (!parsed.ok) errors.push(...parsed.errors);
    if (parsed.ok && parsed.data.version !== view.sheet.version) throw new ConflictError('score.error.staleVersion');
    if (errors.length > 0 || !parsed.ok) return { ok: false, errors };
    const settings = await this.settings.get();
    const s = score(view.sheet.sheet, [view.assignment.part], parsed.data.answers, parsed.data.flags, bandsOf(settings));
    const now = this.clock();
    await this.db.transaction(async (trx) => {
      await this.results.addRevision(resultId, this.revisionOf(parsed.data, s, user.id, reason.trim()), now.toISOString(), trx);
      if (s.needsFollowUp && view.caseId === null) {
        await this.cases.openFor({ id: resultId, unitId: view.assignment.unitId, unitPath: view.assignment.unitPath }, now, trx);
      }
    });
    return { ok: true };
  }

  /** Withdrawing keeps the result and its revisions, and excludes it from statistics. Managers only. */
  async withdraw(user: CurrentUser, resultId: number, reason: string): Promise<{ ok: true } | { ok: false; errors: FieldError[] }> {
    const view = await this.view(user, resultId);
    if (user.role !== 'admin' && user.role !== 'manager') throw new NotFoundError();
    if (reason.trim() === '') return { ok: false, errors: [{ field: 'reason', key: 'result.error.reasonRequired' }] };
    await this.db.transaction(async (trx) => this.results.withdraw(view.result.id, user.id, reason.trim(), this.clock().toISOString(), trx));
    return { ok: true };
  }

  /** Calls of published plans in the user's reach whose results are past the deadline (the set day of the next month). */
  async overdue(user: CurrentUser): Promise<(Assignment & { deadline: string })[]> {
    const reach = reachPath(user);
    if (reach === null) throw new NotFoundError();
    const settings = await this.settings.get();
    const today = this.today();
    const rows = await this.plans.publishedAssignmentsInReach(reach, today);
    const done = await this.results.withResults(rows.map((a) => a.id));
    return rows
      .filter((a) => !done.has(a.id) && a.date !== null)
      .map((a) => ({ ...a, deadline: deadlineOf(a.date as string, settings.resultDeadlineDay) }))
      .filter((a) => a.deadline < today);
  }

  /** The monthly score table of an agency in the user's reach (default: the first, this month). */
  async scoreTable(user: CurrentUser, query: { month?: string; scope?: number }): Promise<ScoreTableView> {
    const reach = reachPath(user);
    if (reach === null) throw new NotFoundError();
    const month = query.month ?? this.today().slice(0, 7);
    const scopes = (await this.units.listInReach(reach)).filter((u) => u.type === 'agency');
    const scope = scopes.find((s) => s.id === query.scope) ?? scopes[0] ?? null;
    if (!scope) return { month, scope: null, scopes, rows: [], deductions: [], sheet: (await this.currentSheet()).sheet };
    return { month, scope, scopes, ...(await this.tableFor(scope, month)), sheet: (await this.currentSheet()).sheet };
  }

  /** An agency's score table for a month (its own units, not those of agencies inside it). */
  async tableFor(scope: Unit, month: string): Promise<{ rows: ScoreRow[]; deductions: DeductionCount[] }> {
    const settings = await this.settings.get();
    const members = membersOfScope(scope.id, await this.units.listInReach(scope.path)).filter((u) => u.type !== 'agency');
    const memberIds = new Set(members.map((u) => u.id));
    const days = datesOfMonth(month);
    const inMonth = (await this.results.latestInPeriod(scope.path, days[0] as string, days[days.length - 1] as string)).filter((r) => memberIds.has(r.unitId));
    const before = (await this.results.latestInPeriod(scope.path, '0000-01-01', addDays(days[0] as string, -1))).filter((r) => memberIds.has(r.unitId));
    const tested = members.filter((u) => inMonth.some((r) => r.unitId === u.id));
    return buildScoreTable(tested, inMonth, before, bandsOf(settings));
  }

  /** Parts a result covers, for showing its sheet. */
  partsOf(view: ResultView): Part[] {
    return [view.assignment.part];
  }
}

function tooSoonAfter(previous: readonly Attempt[], now: Date): boolean {
  const last = previous[previous.length - 1];
  return last !== undefined && now.getTime() - Date.parse(last.attemptedAt) < MIN_MINUTES_BETWEEN_ATTEMPTS * 60_000;
}

/** The result of a call in month M is due on the given day of month M+1. */
export function deadlineOf(date: string, day: number): string {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  const [ny, nm] = m === 12 ? [y + 1, 1] : [y, m + 1];
  return `${ny}-${String(nm).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
