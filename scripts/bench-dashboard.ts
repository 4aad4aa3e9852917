/**
 * The dashboard's data time at 100,000 and at 1,000,000 citizen responses,
 * next to a plain GROUP BY over the raw answers measured on the same
 * database. Raw rows are generated inside SQLite (fast); the aggregates are
 * then made by the product's own rebuild, so they are what submissions would
 * have left.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildServices } from '../server/app';
import type { CurrentUser } from '../server/auth/current-user';
import { createLogger } from '../server/platform/logger';
import { loadConfig } from '../server/platform/config';
import { openDb, type Db } from '../server/platform/db';
import { migrateLatest } from '../server/platform/migrations';
import { UnitsRepo } from '../server/org/units-repo';
import { likertQuestions } from '../server/reports/survey-figures';
import { SurveysRepo } from '../server/surveys/repo';

const UNITS = 50;
const MONTHS = 24;

async function median(runs: number, fn: () => Promise<unknown>): Promise<number> {
  await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] as number;
}

/** Adds `count` responses with every Likert answer, sex and age band, spread over the units and 24 months (2025–2026). */
async function addResponses(db: Db, versionId: number, likert: string[], from: number, count: number): Promise<void> {
  // Consecutive responses share a unit and a month (as a day's answers at one counter do), spread evenly.
  const perCell = count / (UNITS * MONTHS);
  const step = 50_000;
  for (let start = from; start < from + count; start += step) {
    const n = Math.min(step, from + count - start);
    await db.transaction(async (trx) => {
      const cell = `CAST((i - ${from}) / ${perCell} AS INTEGER)`;
      await trx.raw(
        `WITH RECURSIVE seq(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
         INSERT INTO responses (ref, survey_version_id, channel_id, unit_id, month, submitted_at, source_hash, flag, counted)
         SELECT 'bench' || i, ?, m.channel_id, m.unit_id,
                printf('%04d-%02d', 2025 + (${cell} / ${UNITS}) / 12, (${cell} / ${UNITS}) % 12 + 1),
                printf('%04d-%02d-15T02:00:00.000Z', 2025 + (${cell} / ${UNITS}) / 12, (${cell} / ${UNITS}) % 12 + 1),
                NULL, NULL, 1
         FROM seq JOIN bench_map m ON m.k = ${cell} % ${UNITS}`,
        [start, start + n - 1, versionId],
      );
      const firstId = (await trx('responses').where('ref', `bench${start}`).first<{ id: number }>()).id;
      // Likert answers lean to satisfied (values 1–5, 5 and 4 most often), as real counters' answers do.
      const values = likert.map((k) => `SELECT '${k}' AS key`).join(' UNION ALL ');
      await trx.raw(
        `INSERT INTO response_answers (response_id, question_key, value, text)
         SELECT r.id, q.key, CAST(min(5, 1 + abs(random()) % 7) AS TEXT), NULL FROM responses r CROSS JOIN (${values}) q WHERE r.id >= ?`,
        [firstId],
      );
      await trx.raw(
        `INSERT INTO response_answers (response_id, question_key, value, text)
         SELECT id, 'sex', CASE abs(random()) % 2 WHEN 0 THEN 'female' ELSE 'male' END, NULL FROM responses WHERE id >= ?
         UNION ALL
         SELECT id, 'age', CASE abs(random()) % 4 WHEN 0 THEN 'under30' WHEN 1 THEN 'age30_49' WHEN 2 THEN 'age50_64' ELSE 'age65_plus' END, NULL FROM responses WHERE id >= ?`,
        [firstId, firstId],
      );
    });
  }
}

/** Prints each line as soon as it is known (seeding a million responses takes minutes). */
export async function benchDashboard(print: (line: string) => void): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'courtesy-bench-dash-'));
  const db = openDb({ dataDir });
  try {
    await migrateLatest(db);
    const config = loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'silent', DATA_DIR: dataDir });
    const services = buildServices({ db, config, logger: createLogger('silent'), sessionSecret: 'bench-secret-bench-secret-bench-secret', clock: () => new Date('2026-12-31T04:00:00Z') });
    const now = new Date().toISOString();
    const units = new UnitsRepo(db);
    const agency = await units.insert({ parentId: null, code: 'BENCH', type: 'agency', nameZh: '測試機關', nameEn: 'Bench Agency', phoneE164: null, phoneExt: null, active: true }, '/', now);
    await db.schema.createTable('bench_map', (t) => {
      t.integer('k').primary();
      t.integer('channel_id');
      t.integer('unit_id');
    });
    for (let k = 0; k < UNITS; k += 1) {
      const unit = await units.insert({ parentId: agency.id, code: `B${k}`, type: 'unit', nameZh: `單位${k}`, nameEn: `Unit ${k}`, phoneE164: null, phoneExt: null, active: true }, agency.path, now);
      const [row] = await db('channels').insert({ code: `BENCH${k}`, survey_key: 'citizen', unit_id: unit.id, counter_name: '', mode: 'personal', codes_required: false, active: true, created_at: now }).returning('id');
      await db('bench_map').insert({ k, channel_id: (row as { id: number }).id, unit_id: unit.id });
    }
    const citizen = services.surveys.survey('citizen');
    const versionId = await new SurveysRepo(db).ensureVersion(citizen, now);
    const likert = likertQuestions(citizen.survey).map((q) => q.key);
    const admin: CurrentUser = { id: 0, name: 'bench', email: 'bench@example.gov.tw', role: 'admin', unitId: agency.id, unitPath: agency.path, locale: 'zh-TW' };
    const query = { period: '2026', scope: String(agency.id), survey: 'citizen' };

    print(`dashboard data (citizen survey, ${UNITS} units × ${MONTHS} months, a year's view of the whole agency)`);
    let total = 0;
    const results: { n: number; dashboard: number; groupBy: number }[] = [];
    for (const target of [100_000, 1_000_000]) {
      const seedStart = performance.now();
      await addResponses(db, versionId, likert, total, target - total);
      total = target;
      await services.surveys.rebuildAggregates();
      // A running server's write-ahead log is folded back regularly; the seeding left a huge one behind.
      await db.raw('PRAGMA wal_checkpoint(TRUNCATE)');
      const seeded = (performance.now() - seedStart) / 1000;
      const dashboard = await median(5, () => services.dashboard.view(admin, query));
      const groupBy = await median(3, () =>
        db('response_answers')
          .join('responses', 'responses.id', 'response_answers.response_id')
          .where('responses.counted', true)
          .andWhere('responses.month', '>=', '2025-01')
          .andWhere('responses.month', '<=', '2026-12')
          .whereIn('response_answers.question_key', likert)
          .groupBy('responses.month', 'response_answers.question_key', 'response_answers.value')
          .select('responses.month', 'response_answers.question_key', 'response_answers.value', db.raw('count(*) as n')),
      );
      results.push({ n: target, dashboard, groupBy });
      print(
        `  ${target.toLocaleString('en').padStart(9)} responses: dashboard data ${dashboard.toFixed(1)} ms (goal ≤ 100 ms: ${dashboard <= 100 ? 'met' : 'NOT MET'}); plain GROUP BY over raw answers ${groupBy.toFixed(0)} ms (${(groupBy / dashboard).toFixed(0)}× the dashboard); seeded in ${seeded.toFixed(0)} s`,
      );
    }
    const [small, large] = results as [(typeof results)[number], (typeof results)[number]];
    const growth = large.dashboard / small.dashboard;
    print(`  flat: 1,000,000 takes ${growth.toFixed(2)}× the time of 100,000 (${growth <= 1.5 ? 'flat' : 'NOT FLAT'}); the raw GROUP BY grows ${(large.groupBy / small.groupBy).toFixed(1)}×\n`);
  } finally {
    await db.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
