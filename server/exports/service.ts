import { requiredReach, type CurrentUser } from '../auth/current-user';
import { allocationColumns, allocationRows } from '../courtesy/allocation';
import type { PlansRepo } from '../courtesy/plans-repo';
import type { ResultsRepo } from '../courtesy/results-repo';
import type { ResultsService } from '../courtesy/results-service';
import { scoreTableColumns, scoreTableRows } from '../courtesy/score-table';
import type { VersionedSheet } from '../courtesy/scoresheet';
import type { Unit, UnitsRepo } from '../org/units-repo';
import type { FieldError } from '../platform/http';
import type { Lang, Translate } from '../platform/i18n';
import { formatRocDate, formatRocMonth, rocYear, taiwanDateTime, taiwanMonth } from '../platform/roc-date';
import type { DashboardRepo } from '../reports/dashboard-repo';
import { STAFF_MIN } from '../reports/dashboard-service';
import { firstMonth, lastMonth, monthsOf, parsePeriod, periodKey, recentPeriods, type Period } from '../reports/period';
import type { VersionedSurvey } from '../surveys/definition';
import type { ChannelMode, SurveysRepo } from '../surveys/repo';
import { unpackAnswers, type ExportsRepo, type ScopeFilter } from './repo';
import { DATASETS, type Dataset, type ExportQuery } from './schema';
import { answerCell, exportQuestions, valueCell, valueLabel, type ExportQuestion } from './survey-columns';
import { tableOf, type Cell, type Column, type ExportTable } from './table';

/** Free text of the staff survey is given only for groups of at least this many respondents. */
export const STAFF_TEXT_MIN = 10;
/** Rows of a page formatted between turns of the event loop (see the responses export's batches). */
const YIELD_EVERY = 250;

/** Datasets of one survey (the survey filter applies). */
export const SURVEY_DATASETS: readonly Dataset[] = ['responses', 'aggregates'];

/** Unit heads never see plans (tests are unannounced): no allocation tables for them. */
export function datasetsFor(user: CurrentUser): Dataset[] {
  return DATASETS.filter((d) => d !== 'allocation' || user.role !== 'unit_head');
}


export interface ExportForm {
  datasets: Dataset[];
  surveys: VersionedSurvey[];
  scopes: Unit[];
  allowAll: boolean;
  periods: Period[];
}

export class ExportService {
  /** Responses read per database query (two pages are in memory at most). Tests make it small to cross pages. */
  pageSize = 2000;

  constructor(
    private readonly repo: ExportsRepo,
    private readonly dashboardRepo: DashboardRepo,
    private readonly units: UnitsRepo,
    private readonly surveysRepo: SurveysRepo,
    private readonly results: ResultsService,
    private readonly resultsRepo: ResultsRepo,
    private readonly plans: PlansRepo,
    private readonly surveys: readonly VersionedSurvey[],
    private readonly sheets: readonly VersionedSheet[],
    private readonly clock: () => Date,
  ) {}

  async form(user: CurrentUser): Promise<ExportForm> {
    const reach = requiredReach(user);
    const nowMonth = taiwanMonth(this.clock());
    return { datasets: datasetsFor(user), surveys: [...this.surveys], scopes: await this.units.listInReach(reach), allowAll: reach === '/', periods: recentPeriods(nowMonth, 3) };
  }

  /**
   * The table a valid query asks for, or the problems per field: a dataset
   * the role may not have, a scope outside the user's reach, an unknown survey.
   */
  async table(user: CurrentUser, q: ExportQuery, lang: Lang, t: Translate): Promise<{ ok: true; table: ExportTable; meta: Record<string, unknown> } | { ok: false; errors: FieldError[] }> {
    const reach = requiredReach(user);
    const errors: FieldError[] = [];
    if (!datasetsFor(user).includes(q.dataset)) errors.push({ field: 'dataset', key: 'exports.error.dataset' });
    const scopes = await this.units.listInReach(reach);
    let scope: Unit | null = reach === '/' ? null : (scopes.find((u) => u.path === reach) ?? null);
    if (q.scope !== '' && !(q.scope === 'all' && reach === '/')) {
      const found = scopes.find((u) => String(u.id) === q.scope);
      if (found) scope = found;
      else errors.push({ field: 'scope', key: 'exports.error.scope' });
    }
    const survey = this.surveys.find((s) => s.survey.key === q.survey);
    if (SURVEY_DATASETS.includes(q.dataset) && !survey) errors.push({ field: 'survey', key: 'exports.error.survey' });
    if (errors.length > 0) return { ok: false, errors };
    let period = parsePeriod(q.period) as Period;
    const scopePath = scope?.path ?? reach;
    const inScope = scopes.filter((u) => u.path.startsWith(scopePath));
    const scopeCode = scope?.code ?? 'all';
    const meta = { period: periodKey(period), scope: scope ? scope.code : null, generatedAt: this.clock().toISOString() };
    const nameOf = (u: { nameZh: string; nameEn: string }) => (lang === 'en' && u.nameEn ? u.nameEn : u.nameZh);
    switch (q.dataset) {
      case 'responses':
      case 'aggregates': {
        const v = survey as VersionedSurvey;
        // The staff survey is reported by whole years (as on the dashboard), so that no figure covers a few weeks of a small group.
        if (v.survey.kind === 'staff') period = { kind: 'year', year: period.year, index: 1 };
        const name = `${q.dataset}-${v.survey.key}-${scopeCode}-${periodKey(period)}`;
        const ctx = await this.surveyContext(v, scopePath, inScope, period);
        const table = q.dataset === 'responses' ? this.responses(name, ctx, lang, t, nameOf) : this.aggregates(name, ctx, lang, t, nameOf);
        return { ok: true, table, meta: { ...meta, period: periodKey(period), survey: v.survey.key } };
      }
      case 'results':
        return { ok: true, table: await this.phoneResults(`results-${scopeCode}-${periodKey(period)}`, scopePath, inScope, period, lang, t, nameOf), meta };
      case 'scores':
        return { ok: true, table: await this.scoreTables(`scores-${scopeCode}-${periodKey(period)}`, scope, scopePath, period, lang, t), meta };
      case 'allocation':
        return { ok: true, table: await this.allocation(user, `allocation-${scopeCode}-${periodKey(period)}`, scopePath, period, lang, t), meta };
    }
  }

  private async surveyContext(v: VersionedSurvey, scopePath: string, inScope: Unit[], period: Period): Promise<SurveyContext> {
    const versions = await this.repo.surveyVersions(v.survey.key);
    const questions = exportQuestions(v.survey, versions.map((x) => x.survey));
    const channels = (await this.surveysRepo.channelsInReach(scopePath)).filter((c) => c.surveyKey === v.survey.key);
    const allUnits = new Map((await this.units.listInReach('/')).map((u) => [u.id, u]));
    const staff = v.survey.kind === 'staff';
    const scope: ScopeFilter = { unitIds: scopePath === '/' ? null : inScope.map((u) => u.id), zeroChannelIds: staff ? channels.map((c) => c.id) : [] };
    // Staff groups (a named unit, or an agency's staff who named none: −channel unit) and their respondents in the year.
    let groups: Map<number, number> | null = null;
    if (staff) {
      const counted = await this.dashboardRepo.respondentsByUnitAndYear(v.survey.key, scopePath, period.year, period.year);
      groups = new Map(counted.map((g) => [g.unitId, g.n]));
    }
    return { survey: v, staff, questions, versionIds: versions.map((x) => x.id), scope, channels: new Map(channels.map((c) => [c.id, c])), units: allUnits, groups, period };
  }

  /** A response's or count's group under the staff rule, and the unit to show for it. */
  private groupOf(ctx: SurveyContext, unitId: number, channelId: number): { group: number; unit: Unit | undefined; unnamed: boolean } {
    if (unitId !== 0) return { group: unitId, unit: ctx.units.get(unitId), unnamed: false };
    const channelUnit = ctx.channels.get(channelId)?.unitId ?? 0;
    return { group: -channelUnit, unit: ctx.units.get(channelUnit), unnamed: true };
  }

  private unitCells(ctx: SurveyContext, unit: Unit | undefined, unnamed: boolean, t: Translate, nameOf: (u: Unit) => string): [Cell, Cell] {
    if (!unit) return [null, null];
    return [unit.code, unnamed ? t('exports.unnamedUnit', { unit: nameOf(unit) }) : nameOf(unit)];
  }

  private responses(name: string, ctx: SurveyContext, lang: Lang, t: Translate, nameOf: (u: Unit) => string): ExportTable {
    const columns: Column[] = ctx.staff
      ? [
          { key: 'no', header: t('exports.col.no') },
          { key: 'year', header: t('exports.col.year') },
          { key: 'roc_year', header: t('exports.col.rocYear') },
          { key: 'unit_code', header: t('exports.col.unitCode') },
          { key: 'unit', header: t('exports.col.unit') },
        ]
      : [
          { key: 'no', header: t('exports.col.no') },
          { key: 'month', header: t('exports.col.month') },
          { key: 'date', header: t('exports.col.date') },
          { key: 'roc_date', header: t('exports.col.rocDate') },
          { key: 'unit_code', header: t('exports.col.unitCode') },
          { key: 'unit', header: t('exports.col.unit') },
          { key: 'channel', header: t('exports.col.channel') },
        ];
    for (const q of ctx.questions) columns.push({ key: q.key, header: q.text[lang] });
    const rocDates = new Map<string, [string, string]>();
    const rocYearText = t('exports.rocYear', { year: rocYear(ctx.period.year) });
    const repo = this.repo;
    const groupOf = this.groupOf.bind(this);
    const unitCells = this.unitCells.bind(this);
    const limit = this.pageSize;
    const questions = ctx.questions;
    const index = new Map(questions.map((q, i) => [q.key, i]));
    const fetch = (afterId: number) => {
      const page = repo.responsePage({ versionIds: ctx.versionIds, from: firstMonth(ctx.period), to: lastMonth(ctx.period), scope: ctx.scope, afterId, limit });
      // A page read ahead and then not wanted (the reader went away) must not fail unobserved.
      page.catch(() => undefined);
      return page;
    };
    async function* batches(): AsyncGenerator<Cell[][]> {
      let no = 0;
      let next = fetch(0);
      for (;;) {
        const page = await next;
        if (page.length === 0) return;
        // The database reads the next page while this one is formatted and written (two pages in memory at most).
        next = fetch(page[page.length - 1]?.id ?? 0);
        const rows: Cell[][] = [];
        let formatted = 0;
        for (const r of page) {
          // SQLite's driver needs the main thread between preparing the next page's statement and running it:
          // a turn of the event loop every few hundred rows lets that page be read while this one is formatted.
          if (++formatted % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
          const { group, unit, unnamed } = groupOf(ctx, r.unit_id, r.channel_id);
          let textAllowed = true;
          if (ctx.groups) {
            const n = ctx.groups.get(group) ?? 0;
            // Fewer than STAFF_MIN respondents in the group: none of its answers leave the database.
            if (n < STAFF_MIN) continue;
            textAllowed = n >= STAFF_TEXT_MIN;
          }
          no += 1;
          const [code, unitName] = unitCells(ctx, unit, unnamed, t, nameOf);
          const row: Cell[] = new Array<Cell>(columns.length).fill(null);
          let at: number;
          if (ctx.staff) {
            row[0] = no;
            row[1] = Number(r.month.slice(0, 4));
            row[2] = rocYearText;
            row[3] = code;
            row[4] = unitName;
            at = 5;
          } else {
            // Answers to an invitation (by link or keypad call) give only their month: a day could be matched to a case.
            const [date, roc] = monthOnly(ctx, r.channel_id) ? [null, null] : dateCells(r.submitted_at, rocDates);
            row[0] = no;
            row[1] = r.month;
            row[2] = date;
            row[3] = roc;
            row[4] = code;
            row[5] = unitName;
            row[6] = ctx.channels.get(r.channel_id)?.code ?? null;
            at = 7;
          }
          unpackAnswers(r.answers, index, row, at, (i, stored) => {
            const q = questions[i] as ExportQuestion;
            return q.type === 'text' && !textAllowed ? null : answerCell(q, stored);
          });
          rows.push(row);
        }
        if (rows.length > 0) yield rows;
      }
    }
    return { name, columns, batches: batches() };
  }

  private aggregates(name: string, ctx: SurveyContext, lang: Lang, t: Translate, nameOf: (u: Unit) => string): ExportTable {
    const columns: Column[] = [
      { key: ctx.staff ? 'year' : 'month', header: t(ctx.staff ? 'exports.col.year' : 'exports.col.month') },
      { key: ctx.staff ? 'roc_year' : 'roc_month', header: t(ctx.staff ? 'exports.col.rocYear' : 'exports.col.rocMonth') },
      { key: 'unit_code', header: t('exports.col.unitCode') },
      { key: 'unit', header: t('exports.col.unit') },
      { key: 'question_key', header: t('exports.col.questionKey') },
      { key: 'question', header: t('exports.col.question') },
      { key: 'value', header: t('exports.col.value') },
      { key: 'label', header: t('exports.col.label') },
      { key: 'n', header: t('exports.col.n') },
    ];
    const order = new Map(ctx.questions.map((q, i) => [q.key, i]));
    const byKey = new Map(ctx.questions.map((q) => [q.key, q]));
    const fixed = { na: t('exports.notApplicable'), text: t('exports.textGiven') };
    const repo = this.repo;
    const groupOf = this.groupOf.bind(this);
    const unitCells = this.unitCells.bind(this);
    // The staff survey: one step for the year, its groups summed over months; others: one step per month.
    const steps = ctx.staff ? [monthsOf(ctx.period)] : monthsOf(ctx.period).map((m) => [m]);
    async function* batches(): AsyncGenerator<Cell[][]> {
      for (const months of steps) {
        const counts = await repo.counts({ surveyKey: ctx.survey.survey.key, months, scope: ctx.scope });
        const merged = new Map<string, { unit: Unit | undefined; unnamed: boolean; questionKey: string; value: string; n: number }>();
        for (const c of counts) {
          if (c.questionKey === 'unit' && ctx.staff) continue;
          const { group, unit, unnamed } = groupOf(ctx, c.unitId, c.channelId);
          if (ctx.groups && (ctx.groups.get(group) ?? 0) < STAFF_MIN) continue;
          const key = `${group}\u0000${c.questionKey}\u0000${c.value}`;
          const row = merged.get(key) ?? { unit, unnamed, questionKey: c.questionKey, value: c.value, n: 0 };
          row.n += c.n;
          merged.set(key, row);
        }
        const label = months[0] as string;
        const when: Cell[] = ctx.staff
          ? [Number(label.slice(0, 4)), t('exports.rocYear', { year: rocYear(Number(label.slice(0, 4))) })]
          : [label, formatRocMonth(Number(label.slice(0, 4)), Number(label.slice(5, 7)), 'zh-TW')];
        const rows = [...merged.values()]
          .sort(
            (a, b) =>
              (a.unit?.path ?? '').localeCompare(b.unit?.path ?? '') ||
              Number(a.unnamed) - Number(b.unnamed) ||
              (order.get(a.questionKey) ?? 1e9) - (order.get(b.questionKey) ?? 1e9) ||
              a.questionKey.localeCompare(b.questionKey) ||
              a.value.localeCompare(b.value, 'en', { numeric: true }),
          )
          .map((r): Cell[] => {
            const q = byKey.get(r.questionKey);
            return [...when, ...unitCells(ctx, r.unit, r.unnamed, t, nameOf), r.questionKey, q ? q.text[lang] : r.questionKey, valueCell(r.value), valueLabel(q, r.value, lang, fixed), r.n];
          });
        if (rows.length > 0) yield rows;
      }
    }
    return { name, columns, batches: batches() };
  }

  private async phoneResults(name: string, scopePath: string, inScope: Unit[], period: Period, lang: Lang, t: Translate, nameOf: (u: Unit) => string): Promise<ExportTable> {
    const rows = await this.resultsRepo.latestInPeriod(scopePath, `${firstMonth(period)}-01`, `${lastMonth(period)}-31`);
    const units = new Map(inScope.map((u) => [u.id, u]));
    const items = new Map(this.sheets.flatMap((s) => s.sheet.parts.flatMap((part) => part.sections.flatMap((sec) => sec.items.map((i) => [i.key, i.text] as const)))));
    const columns: Column[] = [
      { key: 'date', header: t('exports.col.testDate') },
      { key: 'roc_date', header: t('exports.col.rocTestDate') },
      { key: 'month', header: t('exports.col.month') },
      { key: 'unit_code', header: t('exports.col.unitCode') },
      { key: 'unit', header: t('exports.col.unit') },
      { key: 'part', header: t('allocation.col.part') },
      { key: 'outcome', header: t('exports.col.outcome') },
      { key: 'score', header: t('scores.col.score'), decimals: 1 },
      { key: 'band', header: t('scores.col.band') },
      { key: 'deductions', header: t('exports.col.deductions') },
    ];
    const cells = rows.map((r): Cell[] => {
      const unit = units.get(r.unitId);
      return [
        r.testedOn,
        formatRocDate(r.testedOn, 'zh-TW'),
        r.testedOn.slice(0, 7),
        unit?.code ?? null,
        unit ? nameOf(unit) : null,
        r.part === 'switchboard' || r.part === 'unit' ? t(`part.${r.part}`) : r.part,
        t(r.kind === 'scored' ? 'exports.outcome.scored' : 'exports.outcome.unreachable'),
        r.total,
        r.band === null ? null : t(`band.${r.band}`),
        r.deductions.map((d) => items.get(d.itemKey)?.[lang] ?? d.itemKey).join(lang === 'en' ? '; ' : '；') || null,
      ];
    });
    return tableOf(name, columns, cells);
  }

  /**
   * Score tables month by month for the agencies the scope touches (the
   * agency it belongs to, and those inside it), each ranked within its agency
   * as published, and only the scope's own units listed.
   */
  private async scoreTables(name: string, scope: Unit | null, scopePath: string, period: Period, lang: Lang, t: Translate): Promise<ExportTable> {
    const all = await this.units.listInReach('/');
    const agencies = all.filter((u) => u.type === 'agency' && (u.path.startsWith(scopePath) || scopePath.startsWith(u.path)));
    const paths = new Map(all.map((u) => [u.id, u.path]));
    const rows: Cell[][] = [];
    for (const month of monthsOf(period)) {
      for (const agency of agencies) {
        const table = await this.results.tableFor(agency, month);
        const mine = table.rows.filter((r) => (paths.get(r.unitId) ?? '').startsWith(scope?.path ?? scopePath));
        rows.push(...scoreTableRows({ month, rows: mine }, lang, t));
      }
    }
    return tableOf(name, scoreTableColumns(t), rows);
  }

  /** Allocation tables of the published plans in the period, the calls to units in the scope. */
  private async allocation(user: CurrentUser, name: string, scopePath: string, period: Period, lang: Lang, t: Translate): Promise<ExportTable> {
    const months = new Set(monthsOf(period));
    const plans = (await this.plans.listInReach(requiredReach(user)))
      .filter((p) => p.status === 'published' && months.has(p.month) && (p.scopePath.startsWith(scopePath) || scopePath.startsWith(p.scopePath)))
      .sort((a, b) => a.month.localeCompare(b.month) || a.scopePath.localeCompare(b.scopePath));
    const rows: Cell[][] = [];
    for (const plan of plans) {
      const assignments = (await this.plans.assignmentsOf(plan.id)).filter((a) => a.unitPath.startsWith(scopePath));
      rows.push(...allocationRows({ plan, assignments }, lang, t));
    }
    return tableOf(name, allocationColumns(t), rows);
  }
}

interface SurveyContext {
  survey: VersionedSurvey;
  staff: boolean;
  questions: ExportQuestion[];
  versionIds: number[];
  scope: ScopeFilter;
  channels: Map<number, { id: number; code: string; unitId: number; mode: ChannelMode }>;
  units: Map<number, Unit>;
  /** Staff survey: respondents per group in the year; null for other surveys. */
  groups: Map<number, number> | null;
  period: Period;
}

/**
 * The Taiwan date of a submission (ISO) and its ROC form. Stored instants are
 * UTC ISO strings: the Taiwan date is the UTC date, or the next day from 16:00
 * UTC; both forms are kept per (UTC date, before or after 16:00), few in an export.
 */
/** Whether a channel's answers are tied to invitations: the invitation channel, or the phone channel of a case survey. */
function monthOnly(ctx: SurveyContext, channelId: number): boolean {
  const mode = ctx.channels.get(channelId)?.mode;
  return mode === 'invitation' || (mode === 'phone' && ctx.survey.survey.kind === 'case');
}

function dateCells(submittedAt: string, cache: Map<string, [string, string]>): [string, string] {
  const iso = submittedAt.length === 24 && submittedAt[10] === 'T' && submittedAt[23] === 'Z';
  const key = iso ? `${submittedAt.slice(0, 10)}${submittedAt.slice(11, 13) >= '16' ? '+' : ''}` : submittedAt;
  let cells = cache.get(key);
  if (cells === undefined) {
    const date = taiwanDateTime(submittedAt).date;
    cells = [date, formatRocDate(date, 'zh-TW')];
    cache.set(key, cells);
  }
  return cells;
}
