/**
 * npm run bench: the figures the issues ask for, each next to a baseline
 * measured in the same run on the same machine, reported as a ratio.
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { officialMonth } from '../server/calendar/calendar';
import { parseDgpaCalendar } from '../server/calendar/dgpa';
import { planMonth, windowsOfDay, type PlannerInput, type PlannerTester, type PlannerUnit } from '../server/courtesy/planner';
import { DEFAULT_SETTINGS } from '../server/platform/app-settings';
import { plannerSettings } from '../server/courtesy/plans-service';
import { projectRoot } from '../server/platform/paths';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function time(runs: number, fn: () => void): number {
  fn(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const start = performance.now();
    fn();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

/** A year of plans for 1,000 units in 50 sections with 50 testers, every unit every month. */
function planningInputs(): PlannerInput[] {
  const file = path.join(projectRoot, '..', 'shared', 'fixtures', 'calendar', '2026.csv');
  const parsed = parseDgpaCalendar(fs.readFileSync(file, 'utf8'));
  if (!parsed.ok) throw new Error('calendar fixture did not parse');
  const units: PlannerUnit[] = Array.from({ length: 1000 }, (_, i) => ({
    id: 1000 + i,
    path: `/1/${i % 50}/${1000 + i}/`,
    code: `U${i}`,
    part: i % 50 === 0 ? 'switchboard' : 'unit',
    lastTestedOn: i % 3 === 0 ? null : `2025-${String((i % 12) + 1).padStart(2, '0')}-10`,
  }));
  const testers: PlannerTester[] = Array.from({ length: 50 }, (_, i) => ({
    id: i + 1,
    unitPath: `/1/${i}/`,
    unavailable: [`2026-${String((i % 12) + 1).padStart(2, '0')}-1${i % 9}`],
  }));
  const settings = { ...plannerSettings(DEFAULT_SETTINGS), unitsPerMonth: 'all' as const };
  return Array.from({ length: 12 }, (_, m) => {
    const month = `2026-${String(m + 1).padStart(2, '0')}`;
    return { month, seed: 'bench', units, testers, workingDays: officialMonth(month, parsed.days).workingDays, lastMonthPairs: [], settings };
  });
}

/**
 * Baseline: the least a planner must do, each unit given the least-loaded
 * tester outside it and the next slot in turn; no other rule, no spreading.
 */
function minimalPlanner(input: PlannerInput): number {
  const windows = windowsOfDay(input.settings);
  const load = new Map(input.testers.map((t) => [t.id, 0]));
  let n = 0;
  for (const unit of input.units) {
    let best: PlannerTester | undefined;
    for (const t of input.testers) {
      if (unit.path.startsWith(t.unitPath)) continue;
      if (!best || (load.get(t.id) ?? 0) < (load.get(best.id) ?? 0)) best = t;
    }
    const day = input.workingDays[n % input.workingDays.length];
    const w = windows[n % windows.length];
    if (best && day && w) {
      load.set(best.id, (load.get(best.id) ?? 0) + 1);
      n += 1;
    }
  }
  return n;
}

function benchPlanner(): void {
  const inputs = planningInputs();
  const planner = time(5, () => inputs.forEach((i) => planMonth(i)));
  const baseline = time(5, () => inputs.forEach((i) => minimalPlanner(i)));
  const plans = inputs.map((i) => planMonth(i));
  const tests = plans.reduce((sum, p) => sum + p.tests.length, 0);
  const warnings = plans.flatMap((p) => p.warnings.map((w) => w.rule));
  const loads = plans.map((p) => {
    const perTester = new Map<number, number>();
    for (const t of p.tests) if (t.testerId !== null) perTester.set(t.testerId, (perTester.get(t.testerId) ?? 0) + 1);
    return Math.max(...perTester.values()) - Math.min(...perTester.values());
  });
  process.stdout.write(
    [
      'planner: a year (12 months) for 1,000 units and 50 testers, every unit every month',
      `  tests planned        ${tests}; largest monthly load spread ${Math.max(...loads)}; warnings: ${warnings.length === 0 ? 'none' : [...new Set(warnings)].join(', ')}`,
      `  planner              ${planner.toFixed(1)} ms  (goal ≤ 1000 ms: ${planner <= 1000 ? 'met' : 'NOT MET'})`,
      `  baseline             ${baseline.toFixed(1)} ms  (least-loaded tester outside the unit, slots in turn, no other rule)`,
      `  ratio                ${(planner / baseline).toFixed(0)}× the baseline`,
      '',
    ].join('\n'),
  );
}

benchPlanner();
