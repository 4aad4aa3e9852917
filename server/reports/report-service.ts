/**
 * The service-quality report (提升服務品質成果報告) of a scope and a period: the
 * dashboard's own figures (DashboardService, which draws on server/stats) for
 * every survey and the phone tests, arranged as the report is read: cover,
 * methods, results, phone tests, improvement actions. Nothing is computed here
 * that the dashboard or the courtesy module does not compute already.
 */
import { z } from 'zod';
import { requiredReach, type CurrentUser } from '../auth/current-user';
import type { CaseRecord, CasesRepo } from '../courtesy/cases-repo';
import type { ResultsRepo } from '../courtesy/results-repo';
import { bandsOf } from '../courtesy/results-service';
import type { Unit, UnitsRepo } from '../org/units-repo';
import type { AppSettingsRepo } from '../platform/app-settings';
import type { FieldError } from '../platform/http';
import { taiwanMonth } from '../platform/roc-date';
import type { VersionedSurvey } from '../surveys/definition';
import type { ChannelHealth } from '../surveys/health';
import type { ChannelMode, SurveysRepo } from '../surveys/repo';
import type { DashboardRepo } from './dashboard-repo';
import type { DashboardService, PhoneSection, SurveySection } from './dashboard-service';
import { monthsOf, parsePeriod, previousPeriod, quarterOf, type Period } from './period';
import type { ResponseRate } from '../petitions/response-rate';
import { periodCases, periodDays, responseRate, scoreMatrix, type MatrixRow, type PeriodCase } from './report-figures';

/** Each filter on its own: one that is not a single string is as if not given; any string is checked (and, if wrong, named) below. */
export const reportQuery = z.object({
  scope: z.string().trim().optional().catch(undefined),
  period: z.string().trim().optional().catch(undefined),
});

/** What is echoed back into the form: enough to see the mistake, never a whole pasted page. */
const echo = (value: string | undefined) => (value ?? '').slice(0, 40);

export interface ReportFilters {
  /** What the user typed or chose, kept for the form. */
  values: { scope: string; period: string };
  scope: Unit | null;
  period: Period | null;
}

export interface ReportSurvey {
  section: SurveySection;
  /** The survey's period: the report's, or its whole year for the staff survey. */
  period: Period;
  days: ReturnType<typeof periodDays>;
  channels: { mode: ChannelMode; count: number }[];
  /** Respondents (all who answered, not only the overall question's valid answers) ÷ headcount, where the headcount of every unit in the figures is known (staff survey). */
  responseRate: number | null;
  /** The source of the population margins the figures are weighted to, when the scope has them. */
  weightingSource: string | null;
  /** Case surveys: invitations in the scope and period, delivered, and answered among the delivered; null for other surveys. */
  invitationRate: { invited: number; delivered: number; answeredDelivered: number; rate: number | null } | null;
}

/** The invitation response rates per survey, unit and month (PetitionsService.responseRates). */
export type InvitationRates = (unitIds: number[], months: string[], surveyKey: string) => Promise<ResponseRate[]>;

export interface ReportView {
  scope: Unit;
  agency: Unit;
  period: Period;
  days: ReturnType<typeof periodDays>;
  previous: Period;
  generatedAt: string;
  surveys: ReportSurvey[];
  phone: PhoneSection;
  matrix: { months: string[]; rows: MatrixRow[] };
  cases: PeriodCase<CaseRecord>[];
  health: ChannelHealth[];
  bands: ReturnType<typeof bandsOf>;
  unitsById: Map<number, Unit>;
}

export type ReportPage = { filters: ReportFilters; scopes: Unit[]; errors: FieldError[]; report: ReportView | null };

export class ReportService {
  constructor(
    private readonly dashboard: DashboardService,
    private readonly dashboardRepo: DashboardRepo,
    private readonly units: UnitsRepo,
    private readonly surveysRepo: SurveysRepo,
    private readonly results: ResultsRepo,
    private readonly cases: CasesRepo,
    private readonly settings: AppSettingsRepo,
    private readonly surveys: readonly VersionedSurvey[],
    private readonly health: (path: string) => Promise<ChannelHealth[]>,
    private readonly clock: () => Date,
    private readonly invitationRates: InvitationRates | null = null,
  ) {}

  /** The report a query asks for; a period that is not a quarter, half-year or year, or a scope out of reach, is an error and no report. */
  async page(user: CurrentUser, raw: unknown): Promise<ReportPage> {
    const reach = requiredReach(user);
    const parsed = reportQuery.safeParse(raw);
    const query = parsed.success ? parsed.data : {};
    const all = await this.units.listInReach(reach);
    // A switchboard has no subtree to report on; it is reported within its agency.
    const scopes = all.filter((u) => u.type !== 'switchboard');
    const errors: FieldError[] = [];
    const nowMonth = taiwanMonth(this.clock());
    let period: Period | null = previousPeriod(quarterOf(nowMonth));
    if (query.period) {
      const p = parsePeriod(query.period);
      period = p && p.kind !== 'month' ? p : null;
      if (!period) errors.push({ field: 'period', key: 'report.error.period' });
    }
    let scope: Unit | null = scopes.find((u) => u.path === reach) ?? scopes.find((u) => u.parentId === null) ?? scopes[0] ?? null;
    if (query.scope) {
      scope = scopes.find((u) => String(u.id) === query.scope) ?? null;
      if (!scope) errors.push({ field: 'scope', key: 'report.error.scope' });
    }
    if (!scope && errors.length === 0) errors.push({ field: 'scope', key: 'report.error.noScope' });
    const filters = { values: { scope: echo(query.scope ?? (scope ? String(scope.id) : '')), period: echo(query.period) }, scope, period };
    if (errors.length > 0 || !scope || !period) return { filters, scopes, errors, report: null };
    if (!query.period) filters.values.period = `${period.year}Q${period.index}`;
    return { filters, scopes, errors, report: await this.build(scope, period, all) };
  }

  private async build(scope: Unit, period: Period, scopes: Unit[]): Promise<ReportView> {
    const settings = await this.settings.get();
    const bands = bandsOf(settings);
    const days = periodDays(period);
    const inScope = (path: string) => path.startsWith(scope.path);
    const scopeUnits = scopes.filter((u) => inScope(u.path));
    const channels = (await this.surveysRepo.channelsInReach(scope.path)).filter((c) => inScope(c.unitPath));

    const surveys: ReportSurvey[] = [];
    for (const v of this.surveys) {
      const key = v.survey.key;
      const mine = channels.filter((c) => c.surveyKey === key);
      const staff = v.survey.kind === 'staff';
      const surveyPeriod: Period = staff ? { kind: 'year', year: period.year, index: 1 } : period;
      const margins = staff ? undefined : await this.dashboardRepo.margins(scope.id, key);
      const section = await this.dashboard.surveySection(
        { period: surveyPeriod, scope, surveyKey: key, channelId: null, weighted: margins !== undefined, trendBy: 'quarter' },
        scope.path,
        scopes,
      );
      // A survey without a channel in the scope and without answers has nothing to report.
      if (mine.length === 0 && (section.headline?.n ?? 0) === 0) continue;
      const modes = new Map<ChannelMode, number>();
      for (const c of mine) modes.set(c.mode, (modes.get(c.mode) ?? 0) + 1);
      surveys.push({
        section,
        period: surveyPeriod,
        days: periodDays(surveyPeriod),
        channels: [...modes].map(([mode, count]) => ({ mode, count })),
        responseRate: section.respondents === null ? null : responseRate(section.respondents, section.population),
        weightingSource: margins?.source ?? null,
        invitationRate: v.survey.kind === 'case' && this.invitationRates ? sumRates(await this.invitationRates([scope.id, ...scopeUnits.map((u) => u.id)], monthsOf(surveyPeriod), key)) : null,
      });
    }

    const phone = await this.dashboard.phoneSection(period, scope.path);
    const inPeriod = await this.results.latestInPeriod(scope.path, days.from, days.to);
    const matrixUnits = scopeUnits.filter((u) => u.type !== 'agency').map((u) => ({ id: u.id, code: u.code, nameZh: u.nameZh, nameEn: u.nameEn }));
    // Scores of the cases' results: those that opened a case may predate the period, re-tests may follow it.
    const lookBack = periodDays(previousPeriod(previousPeriod(period))).from;
    const scores = new Map((await this.results.latestInPeriod(scope.path, lookBack, '9999-12-31')).map((r) => [r.resultId, r.total]));
    const cases = periodCases((await this.cases.listInReach(scope.path)).filter((c) => inScope(c.unitPath)), scores, days.startInstant, days.endInstant, bands.followUp);
    const health = await this.health(scope.path);
    const unitsById = new Map(scopes.map((u) => [u.id, u]));
    unitsById.set(scope.id, scope);
    return {
      scope,
      agency: await this.units.agencyOf(scope.path),
      period,
      days,
      previous: previousPeriod(period),
      generatedAt: this.clock().toISOString(),
      surveys,
      phone,
      matrix: scoreMatrix(matrixUnits, inPeriod, period, bands),
      cases,
      health,
      bands,
      unitsById,
    };
  }

  /** The id of a unit in the user's reach by its code (for the command line). */
  async scopeByCode(user: CurrentUser, code: string): Promise<Unit | undefined> {
    const found = (await this.units.findByCodes([code]))[0];
    return found && found.path.startsWith(requiredReach(user)) ? found : undefined;
  }
}

/** The rates of several units and months as one: answered among the delivered over all of them. */
function sumRates(rates: ResponseRate[]): NonNullable<ReportSurvey['invitationRate']> {
  const invited = rates.reduce((a, r) => a + r.invited, 0);
  const delivered = rates.reduce((a, r) => a + r.delivered, 0);
  const answeredDelivered = rates.reduce((a, r) => a + r.answeredDelivered, 0);
  return { invited, delivered, answeredDelivered, rate: delivered === 0 ? null : answeredDelivered / delivered };
}
