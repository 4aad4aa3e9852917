import type { MessageKey, Params } from '../platform/i18n';
import { weekdayOf } from '../calendar/dates';
import { rng, shuffle } from './random';

/**
 * The monthly plan of phone courtesy tests, computed from plain data: which
 * units are called, by whom, on which working day and in which time window.
 * Same inputs and seed, same plan. Every rule it could not keep is reported
 * as a warning naming the rule; nothing gives way silently.
 */

export type Part = 'switchboard' | 'unit';

export interface PlannerUnit {
  id: number;
  /** Materialised path ("/1/5/"), to tell a tester's own subtree. */
  path: string;
  code: string;
  part: Part;
  /** ISO date of the last test, or null if never tested. */
  lastTestedOn: string | null;
  /** A re-test due after an accepted improvement case. */
  retest?: Retest;
}

export interface Retest {
  caseId: number;
  /** The re-test must be on or before this date. */
  dueBy: string;
  /** The tester of the original test, who must not re-test. */
  previousTesterId: number | null;
  /** Half-day of the original test: the re-test is in the other one. */
  previousHalf: Half | null;
}

export interface PlannerTester {
  id: number;
  unitPath: string;
  /** ISO dates the tester cannot call. */
  unavailable: readonly string[];
}

export interface Clock {
  start: string;
  end: string;
}

export interface PlannerSettings {
  unitsPerMonth: number | 'all';
  testsPerUnit: number;
  parts: readonly Part[];
  officeHours: Clock;
  lunch: Clock;
  /** Length of a call window in minutes. */
  windowMinutes: number;
}

export interface PlannerInput {
  month: string;
  seed: string;
  units: readonly PlannerUnit[];
  testers: readonly PlannerTester[];
  workingDays: readonly string[];
  /** Tester–unit pairs of last month's plan, avoided where possible. */
  lastMonthPairs: readonly { unitId: number; testerId: number }[];
  settings: PlannerSettings;
}

export type Half = 'am' | 'pm';

export interface Slot {
  date: string;
  start: string;
  end: string;
  half: Half;
}

export interface Reason {
  key: MessageKey;
  params: Params;
}

export interface PlannedTest {
  unitId: number;
  part: Part;
  testerId: number | null;
  slot: Slot | null;
  reason: Reason;
  retestCaseId: number | null;
}

export type Rule = 'workingDays' | 'testers' | 'ownUnit' | 'unavailable' | 'load' | 'repeatPair' | 'retestTester' | 'retestDue' | 'retestHalf';

export interface PlanWarning {
  rule: Rule;
  key: MessageKey;
  params: Params;
}

export interface Plan {
  tests: PlannedTest[];
  warnings: PlanWarning[];
}

const minutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const hhmm = (m: number): string => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

/** Call windows of one day: inside office hours, none overlapping the lunch break. */
export function windowsOfDay(settings: Pick<PlannerSettings, 'officeHours' | 'lunch' | 'windowMinutes'>): Omit<Slot, 'date'>[] {
  const out: Omit<Slot, 'date'>[] = [];
  const spans: [number, number, Half][] = [
    [minutes(settings.officeHours.start), minutes(settings.lunch.start), 'am'],
    [minutes(settings.lunch.end), minutes(settings.officeHours.end), 'pm'],
  ];
  for (const [from, to, half] of spans) {
    for (let s = from; s + settings.windowMinutes <= to; s += settings.windowMinutes) {
      out.push({ start: hhmm(s), end: hhmm(s + settings.windowMinutes), half });
    }
  }
  return out;
}

export function isOwnUnit(tester: PlannerTester, unit: PlannerUnit): boolean {
  return unit.path.startsWith(tester.unitPath);
}

function reasonFor(unit: PlannerUnit): Reason {
  if (unit.retest) return { key: 'plan.reason.retest', params: { caseId: unit.retest.caseId } };
  if (!unit.lastTestedOn) return { key: 'plan.reason.never', params: {} };
  return { key: 'plan.reason.since', params: { month: unit.lastTestedOn.slice(0, 7) } };
}

/** Units first in line: re-tests due, then those not tested for longest (never tested first); ties by seed. */
export function selectUnits(input: PlannerInput, random: () => number): PlannerUnit[] {
  const eligible = shuffle(
    input.units.filter((u) => input.settings.parts.includes(u.part)),
    random,
  );
  const retests = eligible.filter((u) => u.retest).sort((a, b) => (a.retest?.dueBy ?? '').localeCompare(b.retest?.dueBy ?? ''));
  const others = eligible.filter((u) => !u.retest).sort((a, b) => (a.lastTestedOn ?? '').localeCompare(b.lastTestedOn ?? ''));
  const wanted = input.settings.unitsPerMonth === 'all' ? others.length : Math.max(0, input.settings.unitsPerMonth - retests.length);
  return [...retests, ...others.slice(0, wanted)];
}

interface Pending {
  unit: PlannerUnit;
  /** Index of the working day this test is aimed at, spreading tests over the month. */
  targetDay: number;
  half: Half;
  candidates: PlannerTester[];
}

export function planMonth(input: PlannerInput): Plan {
  const random = rng(`${input.seed}:${input.month}`);
  const warnings: PlanWarning[] = [];
  const warn = (rule: Rule, key: MessageKey, params: Params = {}) => warnings.push({ rule, key, params });
  const units = selectUnits(input, random);
  const days = [...input.workingDays].sort();
  const windows = windowsOfDay(input.settings);

  // Each selected unit gets its tests (a re-test is one test), aimed at evenly spaced working days,
  // alternating morning and afternoon so that both halves and every weekday get their share.
  const tests = units.flatMap((unit) => Array.from({ length: unit.retest ? 1 : input.settings.testsPerUnit }, () => unit));
  if (days.length === 0 || windows.length === 0) {
    if (tests.length > 0) warn('workingDays', days.length === 0 ? 'plan.warn.noWorkingDays' : 'plan.warn.noWindows', { month: input.month });
    return { tests: tests.map((unit) => unplanned(unit)), warnings };
  }
  if (input.testers.length === 0 && tests.length > 0) warn('testers', 'plan.warn.noTesters');

  const offset = Math.floor(random() * 2);
  const pending: Pending[] = tests.map((unit, i) => ({
    unit,
    targetDay: Math.min(days.length - 1, Math.floor(((i + 0.5) * days.length) / tests.length)),
    half: (i + offset) % 2 === 0 ? 'am' : 'pm',
    candidates: input.testers.filter((t) => !isOwnUnit(t, unit) && t.id !== unit.retest?.previousTesterId),
  }));
  // Retests keep their half-day rule: the other half from the original test.
  for (const p of pending) {
    const prev = p.unit.retest?.previousHalf;
    if (prev) p.half = prev === 'am' ? 'pm' : 'am';
  }

  const load = new Map(input.testers.map((t) => [t.id, 0]));
  const busy = new Set<string>();
  const lastPairs = new Set(input.lastMonthPairs.map((p) => `${p.unitId}:${p.testerId}`));
  const usedForUnit = new Map<number, Set<number>>();
  const tieBreak = new Map(input.testers.map((t) => [t.id, random()]));
  const results = new Map<Pending, PlannedTest>();

  // The most constrained tests choose first.
  const order = [...pending].sort((a, b) => a.candidates.length - b.candidates.length || a.targetDay - b.targetDay);
  for (const p of order) {
    const unit = p.unit;
    if (p.candidates.length === 0) {
      if (input.testers.length > 0) {
        const onlyPrevious = input.testers.some((t) => t.id === unit.retest?.previousTesterId && !isOwnUnit(t, unit));
        if (onlyPrevious) warn('retestTester', 'plan.warn.retestNoOtherTester', { unit: unit.code });
        else warn('ownUnit', 'plan.warn.onlyOwnTesters', { unit: unit.code });
      }
      results.set(p, { ...unplanned(unit), slot: slotAt(days, windows, p.targetDay, p.half, random) });
      continue;
    }
    const dueBy = unit.retest?.dueBy;
    const dayOrder = dayPreference(days, p.targetDay, dueBy);
    // Load first: the best-ranked tester takes the test on the nearest day he or she can,
    // so that an unavailable date moves the test rather than unbalancing the load.
    const ranked = rankTesters(p.candidates, unit, load, lastPairs, usedForUnit, tieBreak);
    let chosen: { tester: PlannerTester; slot: Slot } | null = null;
    // The aimed-at half first, then the other, for each tester in turn: a tester whose half-days of
    // one kind are full takes the test in the other half rather than pass it to a busier tester.
    const halves = [p.half, p.half === 'am' ? 'pm' : 'am'] as Half[];
    const halfWindows = halves.map((half) => windows.filter((w) => w.half === half));
    const startAt = halfWindows.map((ws) => Math.floor(random() * Math.max(1, ws.length)));
    for (const tester of ranked) {
      for (const [h, ws] of halfWindows.entries()) {
        for (const dayIndex of dayOrder) {
          const date = days[dayIndex] as string;
          if (tester.unavailable.includes(date)) continue;
          for (let k = 0; k < ws.length && !chosen; k += 1) {
            const w = ws[((startAt[h] as number) + k) % ws.length] as Omit<Slot, 'date'>;
            if (!busy.has(`${tester.id}:${date}:${w.start}`)) chosen = { tester, slot: { ...w, date } };
          }
          if (chosen) break;
        }
        if (chosen) break;
      }
      if (chosen) break;
    }
    if (chosen && unit.retest?.previousHalf && chosen.slot.half === unit.retest.previousHalf) warn('retestHalf', 'plan.warn.retestSameHalf', { unit: unit.code });
    if (!chosen) {
      warn('unavailable', 'plan.warn.allUnavailable', { unit: unit.code });
      results.set(p, { ...unplanned(unit), slot: slotAt(days, windows, p.targetDay, p.half, random) });
      continue;
    }
    const { tester, slot } = chosen;
    if (dueBy && slot.date > dueBy) warn('retestDue', 'plan.warn.retestLate', { unit: unit.code, dueBy });
    if (lastPairs.has(`${unit.id}:${tester.id}`)) warn('repeatPair', 'plan.warn.repeatPair', { unit: unit.code });
    load.set(tester.id, (load.get(tester.id) ?? 0) + 1);
    busy.add(`${tester.id}:${slot.date}:${slot.start}`);
    const used = usedForUnit.get(unit.id) ?? new Set<number>();
    used.add(tester.id);
    usedForUnit.set(unit.id, used);
    results.set(p, { unitId: unit.id, part: unit.part, testerId: tester.id, slot, reason: reasonFor(unit), retestCaseId: unit.retest?.caseId ?? null });
  }

  const loads = [...load.values()];
  if (loads.length > 1 && Math.max(...loads) - Math.min(...loads) > 1) {
    warn('load', 'plan.warn.load', { max: Math.max(...loads), min: Math.min(...loads) });
  }
  const planned = pending.map((p) => results.get(p) as PlannedTest);
  planned.sort((a, b) => (a.slot?.date ?? '').localeCompare(b.slot?.date ?? '') || (a.slot?.start ?? '').localeCompare(b.slot?.start ?? '') || a.unitId - b.unitId);
  return { tests: planned, warnings };
}

function unplanned(unit: PlannerUnit): PlannedTest {
  return { unitId: unit.id, part: unit.part, testerId: null, slot: null, reason: reasonFor(unit), retestCaseId: unit.retest?.caseId ?? null };
}

function slotAt(days: readonly string[], windows: Omit<Slot, 'date'>[], dayIndex: number, half: Half, random: () => number): Slot | null {
  const date = days[dayIndex];
  const inHalf = windows.filter((w) => w.half === half);
  const pool = inHalf.length > 0 ? inHalf : windows;
  const w = pool[Math.floor(random() * pool.length)];
  return date && w ? { ...w, date } : null;
}

/** Working-day indexes from the aimed-at one outwards; days after a re-test's due date come last. */
function dayPreference(days: readonly string[], target: number, dueBy: string | undefined): number[] {
  const order = days.map((_, i) => i).sort((a, b) => Math.abs(a - target) - Math.abs(b - target) || a - b);
  if (!dueBy) return order;
  return [...order.filter((i) => (days[i] as string) <= dueBy), ...order.filter((i) => (days[i] as string) > dueBy)];
}

/** Least loaded first; then one who did not test this unit last month or already this month; then the seed. */
function rankTesters(
  candidates: PlannerTester[],
  unit: PlannerUnit,
  load: Map<number, number>,
  lastPairs: Set<string>,
  usedForUnit: Map<number, Set<number>>,
  tieBreak: Map<number, number>,
): PlannerTester[] {
  const used = usedForUnit.get(unit.id);
  const score = (t: PlannerTester): number[] => [
    load.get(t.id) ?? 0,
    lastPairs.has(`${unit.id}:${t.id}`) ? 1 : 0,
    used?.has(t.id) ? 1 : 0,
    tieBreak.get(t.id) ?? 0,
  ];
  return candidates
    .map((t) => ({ t, s: score(t) }))
    .sort((a, b) => compareScores(a.s, b.s))
    .map(({ t }) => t);
}

function compareScores(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i += 1) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Weekday (0–6) of a planned test, for reports that check the spread. */
export function weekdayOfTest(test: PlannedTest): number | null {
  return test.slot ? weekdayOf(test.slot.date) : null;
}
