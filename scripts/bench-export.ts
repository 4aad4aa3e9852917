/**
 * Exporting a year of citizen responses to CSV through the product's export
 * code, at 100,000 and at 1,000,000 responses: time, and peak memory (RSS and
 * heap, sampled during the run, RSS also the kernel's peak), each in a process
 * of its own. The baseline, measured on the same database in the same run, is
 * a naive export: every row and answer read into memory, joined, and written
 * as one string; it runs at 100,000 only (at 1,000,000 it needs gigabytes and
 * minutes). Raw rows are generated inside SQLite (fast).
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadSurveys } from '../server/surveys/definition';
import { openDb, type Db } from '../server/platform/db';
import { migrateLatest } from '../server/platform/migrations';
import { UnitsRepo } from '../server/org/units-repo';
import { projectRoot } from '../server/platform/paths';
import { SurveysRepo } from '../server/surveys/repo';
import type { WorkerReport } from './bench-export-worker';

const UNITS = 50;
const LIKERT = ['env.clean', 'env.signs', 'env.facilities', 'cour.attitude', 'cour.attention', 'prof.knowledge', 'prof.efficiency', 'meas.online', 'meas.forms', 'overall'];

/** Adds responses `from`…`from + count − 1`, spread over the units and the 12 months of 2026, each with 14 answers (a comment on one in ten). */
export async function addResponses(db: Db, versionId: number, from: number, count: number): Promise<void> {
  const step = 100_000;
  for (let start = from; start < from + count; start += step) {
    const n = Math.min(step, from + count - start);
    await db.transaction(async (trx) => {
      await trx.raw(
        `WITH RECURSIVE seq(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
         INSERT INTO responses (ref, survey_version_id, channel_id, unit_id, month, submitted_at, source_hash, flag, counted)
         SELECT 'bx' || i, ?, m.channel_id, m.unit_id, printf('2026-%02d', i % 12 + 1),
                printf('2026-%02d-%02dT%02d:%02d:00.000Z', i % 12 + 1, i % 28 + 1, i % 10, i % 60), NULL, NULL, 1
         FROM seq JOIN bench_export_map m ON m.k = i % ${UNITS}`,
        [start, start + n - 1, versionId],
      );
      const firstId = (await trx('responses').where('ref', `bx${start}`).first<{ id: number }>()).id;
      const likert = LIKERT.map((k) => `SELECT '${k}' AS key`).join(' UNION ALL ');
      await trx.raw(
        `INSERT INTO response_answers (response_id, question_key, value, text)
         SELECT r.id, q.key, CAST(min(5, 1 + abs(random()) % 7) AS TEXT), NULL FROM responses r CROSS JOIN (${likert}) q WHERE r.id >= ?`,
        [firstId],
      );
      await trx.raw(
        `INSERT INTO response_answers (response_id, question_key, value, text)
         SELECT id, 'recommend', CAST(abs(random()) % 11 AS TEXT), NULL FROM responses WHERE id >= ?
         UNION ALL SELECT id, 'sex', CASE abs(random()) % 2 WHEN 0 THEN 'female' ELSE 'male' END, NULL FROM responses WHERE id >= ?
         UNION ALL SELECT id, 'age', CASE abs(random()) % 4 WHEN 0 THEN 'under30' WHEN 1 THEN 'age30_49' WHEN 2 THEN 'age50_64' ELSE 'age65_plus' END, NULL FROM responses WHERE id >= ?
         UNION ALL SELECT id, 'comment', NULL, '櫃檯人員很親切，說明清楚，謝謝 [電話]' FROM responses WHERE id >= ? AND id % 10 = 0`,
        [firstId, firstId, firstId, firstId],
      );
    });
  }
}

function measure(mode: 'export' | 'naive', dataDir: string, agencyId: number): Promise<WorkerReport | { error: string }> {
  // The baseline may need more than the default heap at a million rows; the product's export gets the default.
  const execArgv = mode === 'naive' ? ['--max-old-space-size=8192'] : [];
  const child = fork(path.join(__dirname, 'bench-export-worker.js'), [mode, dataDir, String(agencyId)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv });
  return new Promise((resolve) => {
    let answered = false;
    child.once('message', (msg) => {
      answered = true;
      resolve(msg as WorkerReport | { error: string });
    });
    child.once('exit', (code, signal) => {
      if (!answered) resolve({ error: `the process ended (${signal ?? `exit code ${code}`}) without a result, out of memory most likely` });
    });
  });
}

/** The machine's load average over 1, 5 and 15 minutes: timings on a shared machine mean little without it. */
function loadAverage(): string {
  return os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(', ');
}

interface Figure {
  what: string;
  report: WorkerReport | { error: string };
  load: string;
}

/** The figures side by side: one line per run. */
function summary(figures: Figure[]): string[] {
  const head = `  ${'run'.padEnd(26)}${'time'.padStart(8)}${'CPU'.padStart(8)}${'peak RSS'.padStart(10)}${'peak heap'.padStart(11)}   load average (1, 5, 15 min) after`;
  return [
    head,
    ...figures.map(({ what, report, load }) =>
      'error' in report
        ? `  ${what.padEnd(26)}failed: ${report.error}`
        : `  ${what.padEnd(26)}${`${(report.ms / 1000).toFixed(1)} s`.padStart(8)}${`${(report.cpuMs / 1000).toFixed(1)} s`.padStart(8)}${`${report.peakRssMb} MB`.padStart(10)}${`${report.peakHeapMb} MB`.padStart(11)}   ${load}`,
    ),
  ];
}

export async function benchExport(print: (line: string) => void): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'courtesy-bench-export-'));
  const db = openDb({ dataDir });
  try {
    await migrateLatest(db);
    const now = new Date().toISOString();
    const units = new UnitsRepo(db);
    const agency = await units.insert({ parentId: null, code: 'BENCH', type: 'agency', nameZh: '測試機關', nameEn: 'Bench Agency', phoneE164: null, phoneExt: null, active: true }, '/', now);
    await db.schema.createTable('bench_export_map', (t) => {
      t.integer('k').primary();
      t.integer('channel_id');
      t.integer('unit_id');
    });
    for (let k = 0; k < UNITS; k += 1) {
      const unit = await units.insert({ parentId: agency.id, code: `B${k}`, type: 'unit', nameZh: `單位${k}`, nameEn: `Unit ${k}`, phoneE164: null, phoneExt: null, active: true }, agency.path, now);
      const [row] = await db('channels').insert({ code: `BX${k}`, survey_key: 'citizen', unit_id: unit.id, counter_name: '', mode: 'personal', codes_required: false, active: true, created_at: now }).returning('id');
      await db('bench_export_map').insert({ k, channel_id: (row as { id: number }).id, unit_id: unit.id });
    }
    const citizen = loadSurveys(path.join(projectRoot, 'surveys')).find((s) => s.survey.key === 'citizen');
    if (!citizen) throw new Error('no citizen survey');
    const versionId = await new SurveysRepo(db).ensureVersion(citizen, now);

    print(`export: a year of citizen responses to CSV (${UNITS} units, 14 answers each), GET /exports/download's code into a counting sink, each run in its own process`);
    print(`  load average (1, 5, 15 min) at the start: ${loadAverage()} (${os.cpus().length} CPUs)`);
    const figures: Figure[] = [];
    let total = 0;
    const peaks: { n: number; rss: number; heap: number; ms: number }[] = [];
    for (const target of [100_000, 1_000_000]) {
      const seedStart = performance.now();
      await addResponses(db, versionId, total, target - total);
      total = target;
      await db.raw('PRAGMA wal_checkpoint(TRUNCATE)');
      const seeded = (performance.now() - seedStart) / 1000;
      const n = target.toLocaleString('en').padStart(9);
      const real = await measure('export', dataDir, agency.id);
      figures.push({ what: `${n} export`, report: real, load: loadAverage() });
      const naive = target === 100_000 ? await measure('naive', dataDir, agency.id) : null;
      if (naive) figures.push({ what: `${n} baseline (naive)`, report: naive, load: loadAverage() });
      if ('error' in real) {
        print(`  ${n} responses: the export FAILED: ${real.error}`);
        continue;
      }
      peaks.push({ n: target, rss: real.peakRssMb, heap: real.peakHeapMb, ms: real.ms });
      const goal = target === 1_000_000 ? ` (goal ≤ 15 s: ${real.ms <= 15_000 ? 'met' : 'NOT MET'})` : '';
      print(
        `  ${n} responses: export ${(real.ms / 1000).toFixed(1)} s${goal} (CPU ${(real.cpuMs / 1000).toFixed(1)} s), ${real.rows.toLocaleString('en')} rows, ${(real.bytes / 1e6).toFixed(0)} MB; peak RSS ${real.peakRssMb} MB (process at start ${real.startRssMb} MB), peak heap ${real.peakHeapMb} MB; seeded in ${seeded.toFixed(0)} s`,
      );
      if (naive) {
        const pad = ' '.repeat(21);
        print(
          'error' in naive
            ? `${pad}baseline, naive in-memory join: ${naive.error}`
            : `${pad}baseline, naive in-memory join: ${(naive.ms / 1000).toFixed(1)} s (CPU ${(naive.cpuMs / 1000).toFixed(1)} s), peak RSS ${naive.peakRssMb} MB, peak heap ${naive.peakHeapMb} MB (${real.rows === naive.rows ? 'same rows' : `ROWS DIFFER: ${naive.rows}`})`,
        );
      }
    }
    for (const line of summary(figures)) print(line);
    const [small, large] = peaks;
    if (small && large) {
      const growth = large.rss / small.rss;
      print(`  memory: 10× the rows, peak RSS ${growth.toFixed(2)}× (${growth <= 1.5 ? 'flat' : 'NOT FLAT'}), peak heap ${(large.heap / small.heap).toFixed(2)}×; time ${(large.ms / small.ms).toFixed(1)}×\n`);
    }
  } finally {
    await db.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) void benchExport((line) => process.stdout.write(`${line}\n`));
