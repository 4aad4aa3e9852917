import { periodKey, periodOf } from '../reports/period';

export interface AvailablePeriods {
  months: string[];
  quarters: string[];
  halves: string[];
  years: string[];
}

/**
 * The periods that hold data, from the months that do (YYYY-MM), newest
 * first. A dataset reported by whole years only (the staff survey) lists years
 * and nothing shorter. Pure.
 */
export function availablePeriods(months: readonly string[], yearsOnly = false): AvailablePeriods {
  const sorted = [...new Set(months)].filter((m) => /^\d{4}-\d{2}$/.test(m)).sort().reverse();
  const keys = (kind: 'quarter' | 'half' | 'year') => [...new Set(sorted.map((m) => periodKey(periodOf(m, kind))))];
  return {
    months: yearsOnly ? [] : sorted,
    quarters: yearsOnly ? [] : keys('quarter'),
    halves: yearsOnly ? [] : keys('half'),
    years: keys('year'),
  };
}
