import type { Lang, Translate } from '../platform/i18n';
import { toCsv } from '../platform/csv-write';
import { formatRocDate } from '../platform/roc-date';
import { formatPhone } from '../org/phone';
import type { Assignment, PlanRecord } from './plans-repo';

/**
 * The allocation table (電話禮貌測試分配表) as CSV: one line per call, headers
 * in the reader's language, the ISO date for data and the ROC date for people.
 */
export function allocationCsv(view: { plan: PlanRecord; assignments: Assignment[]; testers: { id: number; name: string }[] }, lang: Lang, t: Translate): string {
  const header = [
    t('allocation.col.month'),
    t('allocation.col.unitCode'),
    t('allocation.col.unit'),
    t('allocation.col.part'),
    t('allocation.col.phone'),
    t('allocation.col.tester'),
    t('allocation.col.date'),
    t('allocation.col.rocDate'),
    t('allocation.col.window'),
    t('allocation.col.reason'),
  ];
  const rows = view.assignments.map((a) => [
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
  return toCsv([header, ...rows]);
}
