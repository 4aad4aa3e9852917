/**
 * The dashboard's charts as plain data for Chart.js (public/js/dashboard.js
 * reads it from a <script type="application/json"> block; no inline script).
 * Each chart also gets its rows for the data table beside it, so the numbers
 * drawn and the numbers read are the same numbers.
 */
import type { Lang, MessageKey, Params } from '../platform/i18n';
import type { Unit } from '../org/units-repo';
import type { DashboardFilters, DashboardView } from './dashboard-service';
import { periodLabel } from './period';

export interface ChartSpec {
  kind: 'trend' | 'bars' | 'stacked' | 'ranges';
  labels: string[];
  /** Percent or score values; null where a point has no data (or is withheld). */
  series: { label: string; values: (number | null)[] }[];
  /** Interval per label, drawn as a band (trend) or a range bar (ranges). */
  lower?: (number | null)[];
  upper?: (number | null)[];
  yMin: number;
  yMax: number;
  yTitle: string;
}

export interface Chart {
  id: string;
  title: string;
  caption: string;
  spec: ChartSpec;
  head: string[];
  rows: (string | number)[][];
}

type T = (key: MessageKey, params?: Params) => string;

const pct = (x: number | null | undefined) => (x === null || x === undefined ? null : Math.round(x * 1000) / 10);
const fmt = (x: number | null | undefined, digits = 1) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(digits));

export function buildCharts(view: DashboardView, t: T, lang: Lang, unitName: (u: Unit) => string): Chart[] {
  return [...surveyCharts(view, t, lang, unitName), ...phoneCharts(view, t, lang)];
}

/** The charts of a survey's figures: trend, dimensions, answer distribution, units compared. */
export function surveyCharts(view: Pick<DashboardView, 'survey'> & { filters: Pick<DashboardFilters, 'period'> }, t: T, lang: Lang, unitName: (u: Unit) => string): Chart[] {
  const charts: Chart[] = [];
  const s = view.survey;
  const period = periodLabel(view.filters.period, lang);
  const text = (x: { 'zh-TW': string; en: string }) => x[lang];

  if (s.trend && s.overall && !s.suppressed) {
    const pts = s.trend.points;
    const labels = s.trendBuckets.map((b) => periodLabel(b.period, lang));
    charts.push({
      id: 'trend',
      title: t('dashboard.chart.trend'),
      caption: t('dashboard.caption.trend', { n: pts.reduce((a, p) => a + p.n, 0), from: labels[0] ?? '', to: labels[labels.length - 1] ?? '', question: text(s.overall.text) }),
      spec: {
        kind: 'trend',
        labels,
        series: [{ label: t('dashboard.satisfied'), values: pts.map((p) => pct(p.share?.p)) }],
        lower: pts.map((p) => pct(p.share?.lower)),
        upper: pts.map((p) => pct(p.share?.upper)),
        yMin: 0,
        yMax: 100,
        yTitle: t('dashboard.percent'),
      },
      head: [t('dashboard.col.period'), t('dashboard.col.n'), t('dashboard.col.satisfied'), t('dashboard.col.interval'), t('dashboard.col.note')],
      rows: pts.map((p, i) => [labels[i] ?? '', p.n, fmt(pct(p.share?.p)), p.share ? `${fmt(pct(p.share.lower))}–${fmt(pct(p.share.upper))}` : '—', p.n > 0 && p.small ? t('dashboard.smallN') : '']),
    });
  }

  if (s.dimensions.length > 0) {
    const max = Math.max(...(s.overall?.scale.points ?? [5]));
    charts.push({
      id: 'dimensions',
      title: t('dashboard.chart.dimensions'),
      caption: t('dashboard.caption.dimensions', { period, max }),
      spec: {
        kind: 'ranges',
        labels: s.dimensions.map((d) => text(d.title)),
        series: [{ label: t('dashboard.meanScore'), values: s.dimensions.map((d) => d.summary.mean?.mean ?? null) }],
        lower: s.dimensions.map((d) => d.summary.mean?.lower ?? null),
        upper: s.dimensions.map((d) => d.summary.mean?.upper ?? null),
        yMin: 1,
        yMax: max,
        yTitle: t('dashboard.meanScore'),
      },
      head: [t('dashboard.col.dimension'), t('dashboard.col.n'), t('dashboard.col.mean'), t('dashboard.col.interval'), t('dashboard.col.alpha')],
      rows: s.dimensions.map((d) => [
        text(d.title),
        d.summary.n,
        fmt(d.summary.mean?.mean, 2),
        d.summary.mean?.lower !== null && d.summary.mean?.lower !== undefined ? `${fmt(d.summary.mean.lower, 2)}–${fmt(d.summary.mean.upper, 2)}` : '—',
        d.summary.alpha === null ? '—' : fmt(d.summary.alpha, 3),
      ]),
    });
  }

  const answered = s.questions.filter((q) => q.summary.n > 0);
  if (answered.length > 0 && !s.suppressed) {
    const scale = answered[0]?.question.scale;
    const points = scale?.labels ?? [];
    charts.push({
      id: 'distribution',
      title: t('dashboard.chart.distribution'),
      caption: t('dashboard.caption.distribution', { period }),
      spec: {
        kind: 'stacked',
        labels: answered.map((q) => text(q.question.text)),
        series: points.map((p) => ({ label: text(p.label), values: answered.map((q) => pct(q.summary.distribution.find((d) => d.value === p.value)?.share ?? 0)) })),
        yMin: 0,
        yMax: 100,
        yTitle: t('dashboard.percent'),
      },
      head: [t('dashboard.col.question'), t('dashboard.col.n'), ...points.map((p) => text(p.label)), t('dashboard.col.na')],
      rows: answered.map((q) => [text(q.question.text), q.summary.n, ...points.map((p) => fmt(pct(q.summary.distribution.find((d) => d.value === p.value)?.share ?? 0))), q.summary.notApplicable]),
    });
  }

  if (s.units.length > 0) {
    const name = (u: (typeof s.units)[number]) => (u.unit ? unitName(u.unit) : t('dashboard.unitNotGiven'));
    charts.push({
      id: 'units',
      title: t('dashboard.chart.units'),
      caption: t('dashboard.caption.units', { period, n: s.units.reduce((a, u) => a + u.n, 0) }),
      spec: {
        kind: 'ranges',
        labels: s.units.map(name),
        series: [{ label: t('dashboard.satisfied'), values: s.units.map((u) => pct(u.share?.p)) }],
        lower: s.units.map((u) => pct(u.share?.lower)),
        upper: s.units.map((u) => pct(u.share?.upper)),
        yMin: 0,
        yMax: 100,
        yTitle: t('dashboard.percent'),
      },
      head: [t('dashboard.col.rank'), t('dashboard.col.unit'), t('dashboard.col.n'), t('dashboard.col.satisfied'), t('dashboard.col.interval'), t('dashboard.col.vsRest')],
      rows: s.units.map((u, i) => [
        i + 1,
        name(u),
        u.n,
        fmt(pct(u.share?.p)),
        u.share ? `${fmt(pct(u.share.lower))}–${fmt(pct(u.share.upper))}` : '—',
        `${t(`dashboard.vsRest.${u.vsRest}`)}${u.small ? ` (${t('dashboard.smallN')})` : ''}`,
      ]),
    });
  }

  return charts;
}

/** The phone tests' charts: the monthly mean score and the most frequent deductions. */
export function phoneCharts(view: Pick<DashboardView, 'phone'> & { filters: Pick<DashboardFilters, 'period'> }, t: T, lang: Lang): Chart[] {
  const charts: Chart[] = [];
  const period = periodLabel(view.filters.period, lang);
  const text = (x: { 'zh-TW': string; en: string }) => x[lang];
  const phone = view.phone;
  if (phone.trend.some((m) => m.n > 0)) {
    const labels = phone.trend.map((m) => periodLabel({ kind: 'month', year: Number(m.month.slice(0, 4)), index: Number(m.month.slice(5, 7)) }, lang));
    charts.push({
      id: 'phone',
      title: t('dashboard.chart.phone'),
      caption: t('dashboard.caption.phone', { n: phone.trend.reduce((a, m) => a + m.n, 0), from: labels[0] ?? '', to: labels[labels.length - 1] ?? '' }),
      spec: {
        kind: 'trend',
        labels,
        series: [{ label: t('dashboard.meanScore'), values: phone.trend.map((m) => m.mean?.mean ?? null) }],
        lower: phone.trend.map((m) => m.mean?.lower ?? null),
        upper: phone.trend.map((m) => m.mean?.upper ?? null),
        yMin: 0,
        yMax: 100,
        yTitle: t('dashboard.score'),
      },
      head: [t('dashboard.col.month'), t('dashboard.col.tests'), t('dashboard.col.mean'), t('dashboard.col.interval')],
      rows: phone.trend.map((m, i) => [labels[i] ?? '', m.n, fmt(m.mean?.mean), m.mean?.lower !== null && m.mean?.lower !== undefined ? `${fmt(m.mean.lower)}–${fmt(m.mean.upper)}` : '—']),
    });
  }

  if (phone.deductions.length > 0) {
    const top = phone.deductions.slice(0, 10);
    const label = (d: (typeof top)[number]) => (d.text ? text(d.text) : d.itemKey);
    charts.push({
      id: 'deductions',
      title: t('dashboard.chart.deductions'),
      caption: t('dashboard.caption.deductions', { period, n: phone.summary.n }),
      spec: { kind: 'bars', labels: top.map(label), series: [{ label: t('dashboard.col.share'), values: top.map((d) => pct(d.share)) }], yMin: 0, yMax: 100, yTitle: t('dashboard.percent') },
      head: [t('dashboard.col.item'), t('dashboard.col.tests'), t('dashboard.col.share'), t('dashboard.col.meanLost')],
      rows: top.map((d) => [label(d), d.tests, fmt(pct(d.share)), fmt(d.meanLost, 2)]),
    });
  }
  return charts;
}
