import { z } from 'zod';
import { requiredReach, type CurrentUser } from '../auth/current-user';
import type { VersionedSheet } from '../courtesy/scoresheet';
import type { ResultsRepo } from '../courtesy/results-repo';
import type { UnitsRepo, Unit } from '../org/units-repo';
import type { AppSettingsRepo } from '../platform/app-settings';
import { NotFoundError } from '../platform/errors';
import type { FieldError } from '../platform/http';
import { taiwanMonth } from '../platform/roc-date';
import { deductionFrequency, percentChange, scoreMean, scoreSummary, type DeductionFrequency, type ScoreSummary } from '../stats/courtesy';
import type { MeanInterval } from '../stats/estimates';
import type { LikertSummary } from '../stats/survey';
import type { VersionedSurvey } from '../surveys/definition';
import type { Channel, SurveysRepo } from '../surveys/repo';
import { weightingQuestions } from '../surveys/aggregate';
import type { AggregateFilter, CountRow, DashboardRepo } from './dashboard-repo';
import { firstMonth, lastMonth, monthsEnding, monthsOf, parsePeriod, periodKey, periodOf, previousPeriod, recentPeriods, sameLastYear, type Period } from './period';
import {
  compare,
  dimensions,
  histograms,
  likertQuestions,
  margin,
  overallQuestion,
  questionSummary,
  staffCells,
  trend,
  unitFigures,
  type Comparison,
  type Dimension,
  type LikertQuestion,
  type Trend,
  type UnitFigure,
} from './survey-figures';
import { periodDays } from './report-figures';
import { weightedFigures, type PopulationMargins, type WeightedFigures } from './weighted';

/** Staff results are shown for groups of at least this many respondents (DOMAIN.md: n ≥ 5). */
export const STAFF_MIN = 5;

export const dashboardQuery = z.object({
  period: z.string().trim().max(20).optional(),
  scope: z.string().trim().max(12).optional(),
  survey: z.string().trim().max(64).optional(),
  channel: z.string().trim().max(12).optional(),
  w: z.string().max(2).optional(),
  trend: z.string().max(10).optional(),
});

export interface DashboardFilters {
  period: Period;
  scope: Unit | null;
  surveyKey: string;
  channelId: number | null;
  weighted: boolean;
  trendBy: 'month' | 'quarter';
}

export interface SurveySection {
  survey: VersionedSurvey;
  staff: boolean;
  /** Staff survey with no group large enough to show: nothing but the rule is shown. */
  suppressed: boolean;
  overall: LikertQuestion | undefined;
  headline: LikertSummary | null;
  margin: ReturnType<typeof margin>;
  population: number | null;
  /** Staff survey: everyone who answered in the groups shown for the period's year, whether or not they rated the overall question (the response rate's numerator). */
  respondents: number | null;
  previous: { period: Period; summary: LikertSummary; comparison: Comparison } | null;
  lastYear: { period: Period; summary: LikertSummary; comparison: Comparison } | null;
  questions: { question: LikertQuestion; summary: LikertSummary }[];
  dimensions: Dimension[];
  trend: Trend | null;
  trendBuckets: { period: Period; months: string[] }[];
  units: (UnitFigure & { unit: Unit | null })[];
  weighted: WeightedFigures | null;
  marginsSaved: boolean;
}

export interface PhoneSection {
  summary: ScoreSummary;
  lastYear: ScoreSummary;
  yoyPercent: number | null;
  trend: { month: string; n: number; mean: MeanInterval | null }[];
  /** Every month of the period, with or without tests. */
  months: { month: string; summary: ScoreSummary }[];
  /** Each unit tested in the period, highest mean first, with the months of the period it was tested in. */
  byUnit: { unitId: number; summary: ScoreSummary; months: { month: string; summary: ScoreSummary }[] }[];
  deductions: (DeductionFrequency & { text: { 'zh-TW': string; en: string } | null })[];
  cases: { opened: number; closed: number };
  threshold: number;
}

export interface DashboardView {
  filters: DashboardFilters;
  errors: FieldError[];
  scopes: Unit[];
  allowAll: boolean;
  surveys: VersionedSurvey[];
  channels: Channel[];
  periods: Period[];
  survey: SurveySection;
  phone: PhoneSection;
}

const STAFF_TREND_YEARS = 5;

export class DashboardService {
  constructor(
    private readonly repo: DashboardRepo,
    private readonly units: UnitsRepo,
    private readonly surveysRepo: SurveysRepo,
    private readonly results: ResultsRepo,
    private readonly settings: AppSettingsRepo,
    private readonly surveys: readonly VersionedSurvey[],
    private readonly sheets: readonly VersionedSheet[],
    private readonly clock: () => Date,
  ) {}

  /** The filters a query asks for, each unusable one replaced by its default and reported. */
  async filters(user: CurrentUser, raw: unknown): Promise<{ filters: DashboardFilters; errors: FieldError[]; scopes: Unit[] }> {
    const reach = requiredReach(user);
    const q = dashboardQuery.safeParse(raw);
    const query = q.success ? q.data : {};
    const errors: FieldError[] = [];
    const nowMonth = taiwanMonth(this.clock());
    let period = parsePeriod(query.period ?? '') ?? { kind: 'year' as const, year: Number(nowMonth.slice(0, 4)), index: 1 };
    if (query.period && !parsePeriod(query.period)) errors.push({ field: 'period', key: 'dashboard.error.period' });
    const scopes = await this.units.listInReach(reach);
    let scope: Unit | null = reach === '/' ? null : (scopes.find((u) => u.path === reach) ?? null);
    if (query.scope) {
      const found = scopes.find((u) => String(u.id) === query.scope);
      if (found) scope = found;
      else if (!(query.scope === 'all' && reach === '/')) errors.push({ field: 'scope', key: 'dashboard.error.scope' });
    }
    let surveyKey = 'citizen';
    if (query.survey) {
      if (this.surveys.some((s) => s.survey.key === query.survey)) surveyKey = query.survey;
      else errors.push({ field: 'survey', key: 'dashboard.error.survey' });
    }
    let channelId: number | null = null;
    if (query.channel) {
      const id = Number(query.channel);
      const channel = Number.isInteger(id) ? await this.surveysRepo.findChannel(id) : undefined;
      if (channel && channel.unitPath.startsWith(reach) && channel.surveyKey === surveyKey) channelId = channel.id;
      else errors.push({ field: 'channel', key: 'dashboard.error.channel' });
    }
    const staff = this.survey(surveyKey).survey.kind === 'staff';
    // The staff survey is reported by whole years, over all its channels, unweighted: see staffCells.
    if (staff) {
      period = { kind: 'year', year: period.year, index: 1 };
      channelId = null;
    }
    return {
      filters: { period, scope, surveyKey, channelId, weighted: !staff && query.w === '1', trendBy: query.trend === 'quarter' ? 'quarter' : 'month' },
      errors,
      scopes,
    };
  }

  private survey(key: string): VersionedSurvey {
    const found = this.surveys.find((s) => s.survey.key === key);
    if (!found) throw new NotFoundError();
    return found;
  }

  async view(user: CurrentUser, raw: unknown): Promise<DashboardView> {
    const reach = requiredReach(user);
    const { filters, errors, scopes } = await this.filters(user, raw);
    const scopePath = filters.scope?.path ?? reach;
    const channels = (await this.surveysRepo.channelsInReach(scopePath)).filter((c) => c.surveyKey === filters.surveyKey);
    const nowMonth = taiwanMonth(this.clock());
    return {
      filters,
      errors,
      scopes,
      allowAll: reach === '/',
      surveys: [...this.surveys],
      channels,
      periods: recentPeriods(nowMonth, 3),
      survey: await this.surveySection(filters, scopePath, scopes),
      phone: await this.phoneSection(filters.period, scopePath),
    };
  }

  /** The survey figures: the dashboard's main query work, all of it on the aggregates. */
  async surveySection(filters: DashboardFilters, scopePath: string, scopes: readonly Unit[]): Promise<SurveySection> {
    const v = this.survey(filters.surveyKey);
    const staff = v.survey.kind === 'staff';
    const questions = likertQuestions(v.survey);
    const overall = overallQuestion(questions);
    const p = filters.period;
    const previous = previousPeriod(p);
    const lastYear = sameLastYear(p);
    const buckets = staff
      ? Array.from({ length: STAFF_TREND_YEARS }, (_, i) => ({ kind: 'year' as const, year: p.year - STAFF_TREND_YEARS + 1 + i, index: 1 }))
      : this.trendBuckets(lastMonth(p), filters.trendBy);
    const trendBuckets = buckets.map((b) => ({ period: b, months: monthsOf(b) }));
    const from = [firstMonth(lastYear), firstMonth(previous), firstMonth(buckets[0] ?? p)].sort()[0] ?? firstMonth(p);
    // Citizens' and petitioners' answers carry the channel's unit; the whole tree needs no unit filter.
    const inScope = scopePath === '/' ? null : scopes.filter((u) => u.path.startsWith(scopePath)).map((u) => u.id);
    const base: AggregateFilter = { surveyKey: v.survey.key, channelId: filters.channelId, unitIds: inScope, from, to: lastMonth(p) };
    const keys = questions.map((q) => q.key);

    // The staff survey: each year's figures only from that year's cells of at least STAFF_MIN respondents.
    let rows: CountRow[];
    let includedNow: number[] | null = null;
    let zeroNow: number[] = [];
    let respondentsNow: number | null = null;
    if (staff) {
      const respondents = await this.repo.respondentsByUnitAndYear(v.survey.key, scopePath, Math.min(p.year - STAFF_TREND_YEARS + 1, lastYear.year), p.year);
      const cells = staffCells(respondents, STAFF_MIN);
      const staffChannels = (await this.surveysRepo.channelsInReach(scopePath)).filter((c) => c.surveyKey === v.survey.key);
      /** A year's groups as a filter: the named units, and the channels of agencies (−id) whose unnamed staff form a group. */
      const filterOf = (groups: number[]) => ({
        unitIds: [...groups.filter((g) => g > 0), ...(groups.some((g) => g < 0) ? [0] : [])],
        zeroChannelIds: staffChannels.filter((c) => groups.includes(-c.unitId)).map((c) => c.id),
      });
      rows = [];
      for (const [year, groups] of cells) rows.push(...(await this.repo.countsByMonth({ ...base, ...filterOf(groups), from: `${year}-01`, to: `${year}-12` }, keys)));
      const now = filterOf(cells.get(p.year) ?? []);
      includedNow = now.unitIds;
      zeroNow = now.zeroChannelIds;
      const groupsNow = cells.get(p.year) ?? [];
      respondentsNow = respondents.filter((r) => r.year === p.year && groupsNow.includes(r.unitId)).reduce((sum, r) => sum + r.n, 0);
    } else {
      rows = await this.repo.countsByMonth(base, keys);
    }
    const months = new Set(monthsOf(p));
    const current = histograms(rows, months);
    const headline = overall ? questionSummary(current, overall) : null;
    const summaryOf = (period: Period) => (overall ? questionSummary(histograms(rows, new Set(monthsOf(period))), overall) : null);
    const withComparison = (period: Period) => {
      const s = summaryOf(period);
      return s && headline && s.n > 0 ? { period, summary: s, comparison: compare(headline, s) } : null;
    };
    const periodFilter: AggregateFilter = { ...base, from: firstMonth(p), unitIds: staff ? includedNow : inScope, zeroChannelIds: zeroNow };
    const suppressed = staff && (includedNow ?? []).length === 0;
    const unitRows = overall && !suppressed ? await this.repo.countsByUnit(periodFilter, overall.key) : [];
    const unitById = new Map(scopes.map((u) => [u.id, u]));
    const population = staff ? await this.staffPopulation(includedNow ?? [], p.year) : null;
    let weighted: WeightedFigures | null = null;
    const saved = filters.scope ? await this.repo.margins(filters.scope.id, v.survey.key) : undefined;
    if (filters.weighted && saved) weighted = weightedFigures(await this.repo.cells(periodFilter), saved.margins, questions);
    return {
      survey: v,
      staff,
      suppressed,
      overall,
      headline,
      margin: headline ? margin(headline, population ?? undefined) : null,
      population,
      respondents: respondentsNow,
      // For a whole year the previous period is the same year before: shown once, as last year.
      previous: staff || p.kind === 'year' ? null : withComparison(previous),
      lastYear: withComparison(lastYear),
      questions: questions.map((question) => ({ question, summary: questionSummary(current, question) })),
      dimensions: suppressed ? [] : dimensions(v.survey, await this.repo.sections(periodFilter)),
      trend: overall ? trend(rows, overall, trendBuckets.map((b) => ({ label: periodKey(b.period), months: b.months }))) : null,
      trendBuckets,
      units: overall ? unitFigures(unitRows, overall).map((u) => ({ ...u, unit: unitById.get(u.unitId) ?? null })) : [],
      weighted,
      marginsSaved: saved !== undefined,
    };
  }

  private trendBuckets(last: string, by: 'month' | 'quarter'): Period[] {
    if (by === 'month') return monthsEnding(last, 12).map((m) => periodOf(m, 'month'));
    const lastQuarter = periodOf(last, 'quarter');
    const out: Period[] = [lastQuarter];
    while (out.length < 8) out.unshift(previousPeriod(out[0] as Period));
    return out;
  }

  /** Staff headcount of the units in the figures, when every one of them has one for the year (for the finite population correction). */
  private async staffPopulation(unitIds: number[], year: number): Promise<number | null> {
    const named = unitIds.filter((id) => id !== 0);
    if (named.length === 0 || named.length !== unitIds.length) return null;
    const counts = await this.surveysRepo.headcounts(named, year);
    if (counts.size !== named.length) return null;
    return [...counts.values()].reduce((a, b) => a + b, 0);
  }

  async phoneSection(p: Period, scopePath: string): Promise<PhoneSection> {
    const settings = await this.settings.get();
    const threshold = settings.followUpThreshold;
    // The trend's twelve months end with the period, so they cover it (a period is at most a year).
    const trendMonths = monthsEnding(lastMonth(p), 12);
    const days = periodDays(p);
    const rows = await this.results.latestInPeriod(scopePath, periodDays(periodOf(trendMonths[0] ?? firstMonth(p), 'month')).from, days.to);
    const inPeriod = new Set(monthsOf(p));
    const current = rows.filter((r) => inPeriod.has(r.testedOn.slice(0, 7)));
    const ly = sameLastYear(p);
    const lastYearDays = periodDays(ly);
    const lastYearRows = await this.results.latestInPeriod(scopePath, lastYearDays.from, lastYearDays.to);
    const summary = scoreSummary(current, threshold);
    const lastYear = scoreSummary(lastYearRows, threshold);
    const byMonth = (list: typeof current, keepEmpty: boolean) =>
      monthsOf(p)
        .map((month) => ({ month, list: list.filter((r) => r.testedOn.startsWith(month)) }))
        .filter((m) => keepEmpty || m.list.length > 0)
        .map((m) => ({ month: m.month, summary: scoreSummary(m.list, threshold) }));
    const items = new Map(this.sheets.flatMap((s) => s.sheet.parts.flatMap((part) => part.sections.flatMap((sec) => sec.items.map((i) => [i.key, i.text] as const)))));
    return {
      summary,
      lastYear,
      yoyPercent: percentChange(lastYear.mean?.mean, summary.mean?.mean),
      trend: trendMonths.map((month) => {
        const scores = rows.filter((r) => r.testedOn.startsWith(month) && r.total !== null).map((r) => r.total as number);
        return { month, n: scores.length, mean: scoreMean(scores) };
      }),
      months: byMonth(current, true),
      byUnit: [...new Set(current.map((r) => r.unitId))]
        .map((unitId) => {
          const own = current.filter((r) => r.unitId === unitId);
          return { unitId, summary: scoreSummary(own, threshold), months: byMonth(own, false) };
        })
        .sort((a, b) => (b.summary.mean?.mean ?? -1) - (a.summary.mean?.mean ?? -1) || a.unitId - b.unitId),
      deductions: deductionFrequency(current).map((d) => ({ ...d, text: items.get(d.itemKey) ?? null })),
      cases: await this.repo.caseCounts(scopePath, days.startInstant, days.endInstant),
      threshold,
    };
  }

  /** The weighting variables of a survey, for the margins form. */
  weightingVariables(surveyKey: string) {
    const v = this.survey(surveyKey);
    return weightingQuestions(v.survey).map((w) => {
      const q = v.survey.sections.flatMap((s) => s.questions).find((x) => x.key === w.key);
      return { key: w.key, text: q?.text ?? { 'zh-TW': w.key, en: w.key }, options: q && q.type === 'demographic' ? q.options : [] };
    });
  }

  async margins(user: CurrentUser, unitId: number, surveyKey: string) {
    await this.scopeUnit(user, unitId);
    this.survey(surveyKey);
    return this.repo.margins(unitId, surveyKey);
  }

  async saveMargins(user: CurrentUser, unitId: number, surveyKey: string, margins: PopulationMargins, source: string): Promise<void> {
    await this.scopeUnit(user, unitId);
    this.survey(surveyKey);
    await this.repo.saveMargins(unitId, surveyKey, margins, source, user.id, this.clock().toISOString());
  }

  async deleteMargins(user: CurrentUser, unitId: number, surveyKey: string): Promise<void> {
    await this.scopeUnit(user, unitId);
    await this.repo.deleteMargins(unitId, surveyKey);
  }

  async scopeUnit(user: CurrentUser, unitId: number): Promise<Unit> {
    const unit = await this.units.findById(unitId);
    if (!unit || !unit.path.startsWith(requiredReach(user))) throw new NotFoundError();
    return unit;
  }
}
