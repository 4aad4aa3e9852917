import type { Params } from '../platform/i18n';
import { isOwnUnit, windowsOfDay, type PlannerSettings, type PlannerTester, type PlannerUnit, type PlanWarning } from './planner';

export interface CheckedAssignment {
  unitId: number;
  testerId: number | null;
  date: string | null;
  windowStart: string | null;
  windowEnd: string | null;
  retestPreviousTesterId?: number | null;
}

export interface CheckInput {
  assignments: readonly CheckedAssignment[];
  units: ReadonlyMap<number, Pick<PlannerUnit, 'code' | 'path'>>;
  testers: ReadonlyMap<number, PlannerTester & { name: string }>;
  workingDays: readonly string[];
  lastMonthPairs: readonly { unitId: number; testerId: number }[];
  settings: PlannerSettings;
}

/**
 * Checks a plan as it stands (after the manager's changes) against the
 * planner's rules, and says what each broken rule is about.
 */
export function checkPlan(input: CheckInput): PlanWarning[] {
  const warnings: PlanWarning[] = [];
  const working = new Set(input.workingDays);
  const windows = windowsOfDay(input.settings);
  const insideHours = (start: string, end: string) =>
    (start >= input.settings.officeHours.start && end <= input.settings.lunch.start) ||
    (start >= input.settings.lunch.end && end <= input.settings.officeHours.end);
  const lastPairs = new Set(input.lastMonthPairs.map((p) => `${p.unitId}:${p.testerId}`));
  const load = new Map<number, number>([...input.testers.keys()].map((id) => [id, 0]));
  const booked = new Map<string, number>();

  for (const a of input.assignments) {
    const unit = input.units.get(a.unitId);
    const p: Params = { unit: unit?.code ?? String(a.unitId) };
    if (a.testerId === null || a.date === null || a.windowStart === null || a.windowEnd === null) {
      warnings.push({ rule: 'testers', key: 'plan.check.incomplete', params: p });
      continue;
    }
    const tester = input.testers.get(a.testerId);
    if (!tester) {
      warnings.push({ rule: 'testers', key: 'plan.check.notATester', params: p });
      continue;
    }
    const tp = { ...p, tester: tester.name, date: a.date };
    if (!working.has(a.date)) warnings.push({ rule: 'workingDays', key: 'plan.check.dayOff', params: tp });
    if (!insideHours(a.windowStart, a.windowEnd) || windows.length === 0) warnings.push({ rule: 'workingDays', key: 'plan.check.window', params: tp });
    if (unit && isOwnUnit(tester, { ...unit, id: a.unitId, part: 'unit', lastTestedOn: null })) warnings.push({ rule: 'ownUnit', key: 'plan.check.ownUnit', params: tp });
    if (tester.unavailable.includes(a.date)) warnings.push({ rule: 'unavailable', key: 'plan.check.unavailable', params: tp });
    if (a.retestPreviousTesterId === a.testerId) warnings.push({ rule: 'retestTester', key: 'plan.check.retestTester', params: tp });
    if (lastPairs.has(`${a.unitId}:${a.testerId}`)) warnings.push({ rule: 'repeatPair', key: 'plan.warn.repeatPair', params: p });
    const slot = `${a.testerId}:${a.date}:${a.windowStart}`;
    if (booked.has(slot)) warnings.push({ rule: 'testers', key: 'plan.check.doubleBooked', params: { ...tp, time: a.windowStart } });
    booked.set(slot, a.unitId);
    load.set(a.testerId, (load.get(a.testerId) ?? 0) + 1);
  }
  const loads = [...load.values()];
  if (loads.length > 1 && Math.max(...loads) - Math.min(...loads) > 1) {
    warnings.push({ rule: 'load', key: 'plan.warn.load', params: { max: Math.max(...loads), min: Math.min(...loads) } });
  }
  return warnings;
}
