/**
 * npm run bench: the figures the issues ask for, each next to a baseline
 * measured in the same run on the same machine, reported as a ratio.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fork, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { officialMonth } from '../server/calendar/calendar';
import { parseDgpaCalendar } from '../server/calendar/dgpa';
import { planMonth, windowsOfDay, type PlannerInput, type PlannerTester, type PlannerUnit } from '../server/courtesy/planner';
import { DEFAULT_SETTINGS } from '../server/platform/app-settings';
import { plannerSettings } from '../server/courtesy/plans-service';
import { projectRoot } from '../server/platform/paths';
import { benchDashboard } from './bench-dashboard';
import { benchExport } from './bench-export';

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

/** A server in a child process (one core for it, one for the load generator). */
function spawnServer(mode: 'hello' | 'app'): Promise<{ child: ChildProcess; port: number; code?: string }> {
  const child = fork(path.join(__dirname, 'bench-server.js'), [mode], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (msg) => resolve({ child, ...(msg as { port: number; code?: string }) }));
    child.once('error', reject);
  });
}

function ask<T>(child: ChildProcess, message: string): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (msg) => resolve(msg as T));
    child.send(message);
  });
}

const ANSWERS = new URLSearchParams({
  _csrf: 'benchmarktokenbenchmarktoken',
  'q_env.clean': '5', 'q_env.signs': '4', 'q_env.facilities': 'na', 'q_cour.attitude': '5', 'q_cour.attention': '4',
  'q_prof.knowledge': '4', 'q_prof.efficiency': '3', 'q_meas.online': '4', 'q_meas.forms': '4', q_overall: '5', q_recommend: '9',
  q_comment: '櫃檯人員很親切',
}).toString();

/** Requests sent so far: each has its own address, in every round (a second answer from one address could count as a burst). */
let sent = 0;

/** 50 connections for a few seconds, each request from its own address (as phones behind a proxy are). */
async function load(port: number, code: string, seconds: number): Promise<autocannon.Result> {
  return autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: 50,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path: `/s/${code}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: 'svt=benchmarktokenbenchmarktoken' },
        body: ANSWERS,
        setupRequest: (req) => {
          sent += 1;
          return { ...req, headers: { ...req.headers, 'x-forwarded-for': `10.${(sent >> 16) & 255}.${(sent >> 8) & 255}.${sent & 255}` } };
        },
      },
    ],
  });
}

/**
 * Hello-world and the app, each warmed up and then measured in three rounds
 * taken in turn (hello, app, hello, app…), so that a passing slowdown of the
 * machine touches both; the figures compared are each side's median round.
 */
async function benchSubmissions(): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 6);
  const rounds = 3;
  const hello = await spawnServer('hello');
  const app = await spawnServer('app');
  const code = app.code ?? '';
  const page = await fetch(`http://127.0.0.1:${app.port}/s/${code}`);
  const html = await page.text();
  const assets = [...html.matchAll(/(?:href|src)="(\/static\/[^"]+)"/g)].map((m) => m[1] as string);
  let bytes = Buffer.byteLength(html);
  for (const a of assets) bytes += Buffer.byteLength(await (await fetch(`http://127.0.0.1:${app.port}${a}`)).text());
  // A short round each first, not counted: the JIT compiles the hot paths, SQLite fills its cache.
  await load(hello.port, 'BENCH1', 2);
  const warmUp = await load(app.port, code, 2);
  const base: autocannon.Result[] = [];
  const results: autocannon.Result[] = [];
  for (let i = 0; i < rounds; i += 1) {
    base.push(await load(hello.port, 'BENCH1', seconds));
    results.push(await load(app.port, code, seconds));
  }
  hello.child.kill();
  const { stored, flagged } = await ask<{ stored: number; flagged: number }>(app.child, 'count');
  app.child.send('stop');
  const acknowledgedOf = (r: autocannon.Result) => r.statusCodeStats?.['303']?.count ?? 0;
  const rate = (r: autocannon.Result) => acknowledgedOf(r) / r.duration;
  const baseRate = median(base.map(rate));
  const appRate = median(results.map(rate));
  const baseP99 = median(base.map((r) => r.latency.p99));
  const appP99 = median(results.map((r) => r.latency.p99));
  const acknowledged = [warmUp, ...results].reduce((sum, r) => sum + acknowledgedOf(r), 0);
  const problems = results.reduce((sum, r) => sum + r.errors + r.timeouts, 0);
  const otherStatuses = results.reduce((sum, r) => sum + r.non2xx - acknowledgedOf(r), 0);
  const ratio = appRate / baseRate;
  const each = (rs: autocannon.Result[]) => rs.map((r) => `${rate(r).toFixed(0)}/${r.latency.p99}`).join(', ');
  process.stdout.write(
    [
      `survey submissions: 50 connections, the same form body, ${rounds} rounds of ${seconds} s each, in turn (req/s / p99 ms)`,
      `  bare Express hello-world   median ${baseRate.toFixed(0)} req/s, p99 ${baseP99} ms   (rounds ${each(base)})`,
      `  POST /s/<code> (SQLite)    median ${appRate.toFixed(0)} req/s, p99 ${appP99} ms   (rounds ${each(results)}), errors ${problems}, other statuses ${otherStatuses}`,
      `  ratio                      ${ratio.toFixed(2)} of hello-world (goal ≥ 0.5: ${ratio >= 0.5 ? 'met' : 'NOT MET'}); p99 goal < 25 ms: ${appP99 < 25 ? 'met' : 'NOT MET'}`,
      `  acknowledged ${acknowledged} (warm-up included), stored ${stored}: ${stored >= acknowledged ? 'every acknowledged response stored (requests still in flight when a round ended may be stored too)' : 'SOME ACKNOWLEDGED RESPONSES MISSING'}; flagged ${flagged} (each request has its own address, so none should be)`,
      `  public page and what it loads: ${(bytes / 1024).toFixed(1)} KB (goal ≤ 30 KB: ${bytes <= 30 * 1024 ? 'met' : 'NOT MET'})`,
      '',
    ].join('\n'),
  );
}

const BENCHMARKS: Record<string, () => void | Promise<void>> = {
  planner: benchPlanner,
  submissions: benchSubmissions,
  dashboard: () => benchDashboard((line) => process.stdout.write(`${line}\n`)),
  export: () => benchExport((line) => process.stdout.write(`${line}\n`)),
};

/** Every benchmark, or only those named (`npm run bench -- submissions dashboard`). */
async function main(): Promise<void> {
  const names = process.argv.slice(2);
  const unknown = names.filter((name) => !(name in BENCHMARKS));
  if (unknown.length > 0) {
    process.stderr.write(`unknown benchmark ${unknown.join(', ')}; choose from ${Object.keys(BENCHMARKS).join(', ')}\n`);
    process.exitCode = 2;
    return;
  }
  for (const [name, run] of Object.entries(BENCHMARKS)) {
    if (names.length === 0 || names.includes(name)) await run();
  }
}

void main();
