import type { Request } from 'express';
import { z } from 'zod';
import type { Unit } from '../org/units-repo';
import { parseForm, renderFormErrors, renderPage, setFlash, type FieldError } from '../platform/http';
import { get, me, post, type Route } from '../platform/routes';
import { buildCharts, phoneCharts, surveyCharts } from './charts';
import type { DashboardService } from './dashboard-service';
import { firstMonth, periodKey, periodLabel, quarterOf } from './period';
import type { ReportService, ReportView } from './report-service';

const READERS = ['admin', 'manager', 'unit_head'] as const;
const MANAGE = ['admin', 'manager'] as const;

const marginsTarget = z.object({ scope: z.coerce.number().int().positive(), survey: z.string().trim().min(1).max(64) });

/** The URL of the dashboard with the same filters, for links and the weighting switch. */
function dashboardUrl(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
  return `/dashboard?${q.toString()}`;
}

/** The charts of each survey of the report (ids prefixed with the survey's key), and of the phone tests. */
function reportCharts(req: Request, report: ReportView) {
  const nameOf = (u: Unit) => (req.lang === 'en' && u.nameEn ? u.nameEn : u.nameZh);
  const bySurvey = new Map(
    report.surveys.map((s) => [
      s.section.survey.survey.key,
      surveyCharts({ survey: s.section, filters: { period: s.period } }, req.t, req.lang, nameOf).map((c) => ({ ...c, id: `${s.section.survey.survey.key}-${c.id}` })),
    ]),
  );
  return { bySurvey, phone: phoneCharts({ phone: report.phone, filters: { period: report.period } }, req.t, req.lang) };
}

export function reportRoutes(dashboard: DashboardService, reports: ReportService): Route[] {
  const marginsPage = async (req: Request, scope: Unit, surveyKey: string) => ({
    scope,
    surveyKey,
    variables: dashboard.weightingVariables(surveyKey),
    saved: await dashboard.margins(me(req), scope.id, surveyKey),
    back: dashboardUrl({ scope: String(scope.id), survey: surveyKey, w: '1' }),
  });

  return [
    get('/dashboard', READERS, async (req, res) => {
      const view = await dashboard.view(me(req), req.query);
      const f = view.filters;
      const nameOf = (u: Unit) => (req.lang === 'en' && u.nameEn ? u.nameEn : u.nameZh);
      const charts = buildCharts(view, req.t, req.lang, nameOf);
      const here = { period: periodKey(f.period), scope: f.scope ? String(f.scope.id) : undefined, survey: f.surveyKey, channel: f.channelId ? String(f.channelId) : undefined, trend: f.trendBy === 'quarter' ? 'quarter' : undefined };
      await renderPage(
        res,
        'reports/dashboard',
        {
          view,
          charts,
          periodLabel: (p: Parameters<typeof periodLabel>[0]) => periodLabel(p, req.lang),
          periodKey,
          scripts: ['vendor/chart.umd.min.js', 'js/dashboard.js'],
          errors: view.errors,
          weightingUrl: dashboardUrl({ ...here, w: f.weighted ? undefined : '1' }),
          // The report covers quarters, half-years and years; from a month's view it opens that month's quarter.
          reportUrl: `/report?${new URLSearchParams({ period: periodKey(f.period.kind === 'month' ? quarterOf(firstMonth(f.period)) : f.period), ...(f.scope ? { scope: String(f.scope.id) } : {}) }).toString()}`,
          marginsUrl: f.scope ? `/dashboard/margins?scope=${f.scope.id}&survey=${encodeURIComponent(f.surveyKey)}` : undefined,
        },
        view.errors.length > 0 ? 422 : 200,
      );
    }),

    get('/report', READERS, async (req, res) => {
      const page = await reports.page(me(req), req.query);
      const charts = page.report ? reportCharts(req, page.report) : null;
      await renderPage(
        res,
        'reports/report',
        {
          ...page,
          charts,
          values: page.filters.values,
          periodLabel: (p: Parameters<typeof periodLabel>[0]) => periodLabel(p, req.lang),
          periodKey,
          scripts: page.report ? ['vendor/chart.umd.min.js', 'js/dashboard.js', 'js/report.js'] : [],
        },
        page.errors.length > 0 ? 422 : 200,
      );
    }),

    get('/dashboard/margins', MANAGE, async (req, res) => {
      const target = marginsTarget.safeParse(req.query);
      if (!target.success) return res.redirect(303, '/dashboard');
      const scope = await dashboard.scopeUnit(me(req), target.data.scope);
      const page = await marginsPage(req, scope, target.data.survey);
      const values: Record<string, string> = { source: page.saved?.source ?? '' };
      for (const [variable, levels] of Object.entries(page.saved?.margins ?? {})) for (const [level, n] of Object.entries(levels)) values[`m_${variable}_${level}`] = String(n);
      await renderPage(res, 'reports/margins', { ...page, values });
    }),

    post('/dashboard/margins', MANAGE, async (req, res) => {
      const target = parseForm(marginsTarget, req.body);
      if (!target.ok) return res.redirect(303, '/dashboard');
      const scope = await dashboard.scopeUnit(me(req), target.data.scope);
      const page = await marginsPage(req, scope, target.data.survey);
      const body = (req.body ?? {}) as Record<string, unknown>;
      if (body.action === 'delete') {
        await dashboard.deleteMargins(me(req), scope.id, target.data.survey);
        setFlash(req, 'margins.deleted');
        return res.redirect(303, dashboardUrl({ scope: String(scope.id), survey: target.data.survey }));
      }
      const errors: FieldError[] = [];
      const margins: Record<string, Record<string, number>> = {};
      const count = z.union([z.literal(''), z.coerce.number().int().min(0).max(1e9)]);
      for (const v of page.variables) {
        const levels: Record<string, number> = {};
        for (const o of v.options) {
          const field = `m_${v.key}_${o.value}`;
          const parsed = count.safeParse(typeof body[field] === 'string' ? body[field].trim() : '');
          if (!parsed.success) errors.push({ field, key: 'margins.error.count' });
          else if (parsed.data !== '') levels[o.value] = parsed.data;
        }
        const given = Object.keys(levels).length;
        if (given === 0) continue;
        if (given < v.options.length || Object.values(levels).reduce((a, b) => a + b, 0) === 0) errors.push({ field: `m_${v.key}_${v.options[0]?.value ?? ''}`, key: 'margins.error.complete' });
        margins[v.key] = levels;
      }
      const source = z.string().trim().min(1).max(200).safeParse(body.source);
      if (!source.success) errors.push({ field: 'source', key: 'margins.error.source' });
      if (errors.length === 0 && Object.keys(margins).length === 0) errors.push({ field: `m_${page.variables[0]?.key ?? ''}_${page.variables[0]?.options[0]?.value ?? ''}`, key: 'margins.error.none' });
      if (errors.length > 0 || !source.success) return renderFormErrors(res, 'reports/margins', errors, req.body, page);
      await dashboard.saveMargins(me(req), scope.id, target.data.survey, margins, source.data);
      setFlash(req, 'margins.saved');
      res.redirect(303, page.back);
    }),
  ];
}
