import type { z } from 'zod';
import type { Unit, UnitsRepo } from '../org/units-repo';
import type { DashboardService } from '../reports/dashboard-service';
import { STAFF_MIN } from '../reports/dashboard-service';
import { firstMonth, lastMonth, periodKey, periodLabel, type Period } from '../reports/period';
import { likertQuestions } from '../reports/survey-figures';
import type { ScoreSummary } from '../stats/courtesy';
import type { VersionedSurvey } from '../surveys/definition';
import { availablePeriods } from './available';
import { allDatasets, surveyDataset, type Dataset } from './datasets';
import { ApiError } from './problem';
import { withholdSmall } from './suppress';
import type { ApiRepo } from './repo';
import type { FiguresQuery, periodsResponse, phoneTestsResponse, surveyResultsResponse, surveysResponse, unitsResponse } from './schema';

/** What a caller may read: the units under `reach`, and of the datasets those listed (all of them for a token holder). */
export interface Grant {
  reach: string;
  datasets: ReadonlySet<Dataset>;
  /** The datasets an administrator marked public. */
  open: ReadonlySet<Dataset>;
  /** Whether the grant comes from the data being public (no token, or a token not needed). */
  public: boolean;
}

const names = (u: Unit) => ({ 'zh-TW': u.nameZh, en: u.nameEn || u.nameZh });

function periodOut(p: Period) {
  return { key: periodKey(p), kind: p.kind, firstMonth: firstMonth(p), lastMonth: lastMonth(p), label: { 'zh-TW': periodLabel(p, 'zh-TW'), en: periodLabel(p, 'en') } };
}

function scoreOut(s: ScoreSummary) {
  return { n: s.n, unreachable: s.unreachable, mean: s.mean, bands: s.bands, below: s.below, belowShare: s.belowShare };
}

/**
 * The open-data API's answers: aggregated and de-identified figures computed
 * by the same code as the dashboard (DashboardService.surveySection on the
 * aggregates, the staff survey's suppression rule included; its phone-test
 * section, DashboardService.phoneSection), shaped as the documented JSON.
 */
export class ApiService {
  constructor(
    private readonly dashboard: DashboardService,
    private readonly units: UnitsRepo,
    private readonly repo: ApiRepo,
    readonly surveys: readonly VersionedSurvey[],
  ) {}

  datasets(): Dataset[] {
    return allDatasets(this.surveys.map((s) => s.survey.key));
  }

  /** The scope a query names (a unit within reach), or the reach itself; an unknown or unreachable unit is 422. */
  private async scope(grant: Grant, unitId: number | undefined): Promise<{ scope: Unit | null; path: string; scopes: Unit[] }> {
    const scopes = await this.units.listInReach(grant.reach);
    if (unitId !== undefined) {
      const found = scopes.find((u) => u.id === unitId);
      if (!found) throw new ApiError(422, 'api.problem.parameters', [{ parameter: 'unit', key: 'api.param.unitUnknown' }]);
      return { scope: found, path: found.path, scopes };
    }
    const own = grant.reach === '/' ? null : (scopes.find((u) => u.path === grant.reach) ?? null);
    return { scope: own, path: grant.reach, scopes };
  }

  private survey(key: string): VersionedSurvey {
    const found = this.surveys.find((s) => s.survey.key === key);
    if (!found) throw new ApiError(404, 'api.problem.surveyUnknown');
    return found;
  }

  catalog(grant: Grant): z.input<typeof surveysResponse> {
    return {
      surveys: this.surveys
        .filter((v) => grant.datasets.has(surveyDataset(v.survey.key)))
        .map((v) => {
          const questions = likertQuestions(v.survey);
          return {
            key: v.survey.key,
            kind: v.survey.kind,
            version: v.version,
            title: v.survey.title,
            dataset: surveyDataset(v.survey.key),
            public: grant.open.has(surveyDataset(v.survey.key)),
            periodKinds: v.survey.kind === 'staff' ? ['year' as const] : ['month' as const, 'quarter' as const, 'half' as const, 'year' as const],
            questions: questions.map((q) => ({ key: q.key, section: q.sectionKey, text: q.text, scale: q.scale.labels, satisfied: [...q.scale.satisfied] })),
            dimensions: v.survey.sections
              .map((s) => ({ key: s.key, title: s.title, items: s.questions.filter((q) => q.type === 'likert').map((q) => q.key) }))
              .filter((d) => d.items.length > 0),
          };
        }),
    };
  }

  async unitList(grant: Grant): Promise<z.input<typeof unitsResponse>> {
    const units = await this.units.listInReach(grant.reach);
    return { units: units.map((u) => ({ id: u.id, parentId: u.parentId, code: u.code, type: u.type, name: names(u), active: u.active })) };
  }

  async periods(grant: Grant): Promise<z.input<typeof periodsResponse>> {
    const unitIds = grant.reach === '/' ? null : (await this.units.listInReach(grant.reach)).map((u) => u.id);
    const surveyMonths = await this.repo.surveyMonths(unitIds);
    const out: z.input<typeof periodsResponse>['datasets'] = [];
    for (const v of this.surveys) {
      const dataset = surveyDataset(v.survey.key);
      if (!grant.datasets.has(dataset)) continue;
      const months = surveyMonths.filter((r) => r.surveyKey === v.survey.key).map((r) => r.month);
      out.push({ dataset, ...availablePeriods(months, v.survey.kind === 'staff') });
    }
    if (grant.datasets.has('phone-tests')) out.push({ dataset: 'phone-tests', ...availablePeriods(await this.repo.resultMonths(grant.reach)) });
    return { datasets: out };
  }

  async surveyResults(grant: Grant, key: string, query: FiguresQuery): Promise<z.input<typeof surveyResultsResponse>> {
    const v = this.survey(key);
    const staff = v.survey.kind === 'staff';
    // The staff survey is reported by whole years only (its suppression rule works on years): say so rather than widen silently.
    if (staff && query.period.kind !== 'year') throw new ApiError(422, 'api.problem.parameters', [{ parameter: 'period', key: 'api.param.staffYear' }]);
    const { scope, path, scopes } = await this.scope(grant, query.unit);
    const s = await this.dashboard.surveySection({ period: query.period, scope, surveyKey: key, channelId: null, weighted: false, trendBy: 'month' }, path, scopes);
    const headline = s.suppressed ? null : s.headline;
    const out: z.input<typeof surveyResultsResponse> = {
      survey: { key, kind: v.survey.kind, version: v.version, title: v.survey.title },
      period: periodOut(query.period),
      scope: scope ? { unitId: scope.id, code: scope.code, name: names(scope) } : null,
      staffMinimum: staff ? STAFF_MIN : null,
      publicMinimum: null,
      suppressed: s.suppressed,
      overall: s.overall && headline ? { question: s.overall.key, n: headline.n, satisfied: headline.satisfied, share: headline.share, mean: headline.mean, suppressed: false } : null,
      marginOfError: s.margin && !s.suppressed ? { level: 0.95, ...s.margin } : null,
      questions: s.questions.map(({ question: q, summary }) => ({
        key: q.key,
        section: q.sectionKey,
        text: q.text,
        n: summary.n,
        notApplicable: summary.notApplicable,
        satisfied: summary.satisfied,
        neutral: summary.neutral,
        share: summary.share,
        mean: summary.mean,
        distribution: summary.distribution,
        suppressed: false,
      })),
      dimensions: s.dimensions.map((d) => ({ key: d.key, title: d.title, items: d.items, n: d.summary.n, mean: d.summary.mean, alpha: d.summary.alpha, suppressed: false })),
      units: s.units.map((u) => ({ unitId: u.unitId, n: u.n, share: u.share, small: u.small, suppressed: false })),
      trend: s.trend ? s.trend.points.map((p) => ({ label: p.label, n: p.n, share: p.share, suppressed: false })) : [],
    };
    // Published to anyone: no figure of one to four answers (the staff survey's minimum, DOMAIN.md).
    return grant.public ? withholdSmall(out, STAFF_MIN) : out;
  }

  /** The dashboard's phone-test section (DashboardService.phoneSection) of the period, as the documented JSON. */
  async phoneTests(grant: Grant, query: FiguresQuery): Promise<z.input<typeof phoneTestsResponse>> {
    const { scope, path, scopes } = await this.scope(grant, query.unit);
    const p = query.period;
    const phone = await this.dashboard.phoneSection(p, path);
    const unitById = new Map(scopes.map((u) => [u.id, u]));
    const months = (list: readonly { month: string; summary: ScoreSummary }[]) => list.map((m) => ({ month: m.month, ...scoreOut(m.summary) }));
    return {
      period: periodOut(p),
      scope: scope ? { unitId: scope.id, code: scope.code, name: names(scope) } : null,
      threshold: phone.threshold,
      summary: scoreOut(phone.summary),
      months: months(phone.months),
      units: [...phone.byUnit]
        .sort((a, b) => a.unitId - b.unitId)
        .flatMap((b) => {
          const u = unitById.get(b.unitId);
          return u ? [{ unitId: b.unitId, code: u.code, name: names(u), summary: scoreOut(b.summary), months: months(b.months) }] : [];
        }),
    };
  }
}
