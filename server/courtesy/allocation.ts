import type { Lang, Translate } from '../platform/i18n';
import type { Cell, Column } from '../exports/table';
import { formatRocDate } from '../platform/roc-date';
import { formatPhone } from '../org/phone';
import type { Assignment, PlanRecord } from './plans-repo';

/**
 * The allocation table (電話禮貌測試分配表) for export: one line per call,
 * headers in the reader's language, the ISO date for data and the ROC date for people.
 */
export function allocationColumns(t: Translate): Column[] {
  return [
    { key: 'month', header: t('allocation.col.month') },
    { key: 'unit_code', header: t('allocation.col.unitCode') },
    { key: 'unit', header: t('allocation.col.unit') },
    { key: 'part', header: t('allocation.col.part') },
    { key: 'phone', header: t('allocation.col.phone') },
    { key: 'tester', header: t('allocation.col.tester') },
    { key: 'date', header: t('allocation.col.date') },
    { key: 'roc_date', header: t('allocation.col.rocDate') },
    { key: 'window', header: t('allocation.col.window') },
    { key: 'reason', header: t('allocation.col.reason') },
  ];
}

export function allocationRows(view: { plan: PlanRecord; assignments: Assignment[] }, lang: Lang, t: Translate): Cell[][] {
  return view.assignments.map((a) => [
    view.plan.month,
    a.unitCode,
    lang === 'en' && a.unitNameEn ? a.unitNameEn : a.unitNameZh,
    t(`part.${a.part}`),
    formatPhone(a.phoneE164, a.phoneExt, lang),
    a.testerName ?? '',
    a.date ?? '',
    a.date ? formatRocDate(a.date, 'zh-TW') : '',
    a.windowStart && a.windowEnd ? `${a.windowStart}–${a.windowEnd}` : '',
    t(a.reason.key, a.reason.params),
  ]);
}
