/**
 * One export measured in a process of its own (so that its memory is its
 * own): `export` runs the product's export code (the same service and CSV
 * writer as GET /exports/download) into a sink that counts what it is given;
 * `naive` is the baseline, every row and answer read into memory, joined in a
 * Map and written as one CSV string. Reports time, rows, bytes and peak memory.
 */
import { Writable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { buildServices } from '../server/app';
import type { CurrentUser } from '../server/auth/current-user';
import { writeExport } from '../server/exports/writers';
import { toCsv } from '../server/platform/csv-write';
import { loadConfig } from '../server/platform/config';
import { openDb } from '../server/platform/db';
import { translator } from '../server/platform/i18n';
import { createLogger } from '../server/platform/logger';

export interface WorkerReport {
  mode: string;
  ms: number;
  /** CPU time of the process (its main thread and the database's worker threads). */
  cpuMs: number;
  rows: number;
  bytes: number;
  peakRssMb: number;
  peakHeapMb: number;
  startRssMb: number;
}

/** Counts bytes and lines; takes its time like a network socket would not, so that only the export is measured. */
class CountingSink extends Writable {
  bytes = 0;
  lines = 0;
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.bytes += chunk.length;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) this.lines += 1;
    callback();
  }
}

async function main(): Promise<void> {
  const [mode, dataDir, agencyId] = process.argv.slice(2) as [string, string, string];
  const mb = (n: number) => Math.round(n / (1024 * 1024));
  let peakRss = 0;
  let peakHeap = 0;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const db = openDb({ dataDir });
  const config = loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'silent', DATA_DIR: dataDir });
  const services = buildServices({ db, config, logger: createLogger('silent'), sessionSecret: 'bench-secret-bench-secret-bench-secret', clock: () => new Date('2026-12-31T04:00:00Z') });
  await db.raw('select 1');
  const startRss = process.memoryUsage().rss;
  const sink = new CountingSink();
  const timer = setInterval(sample, 20);
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  if (mode === 'export') {
    const admin: CurrentUser = { id: 0, name: 'bench', email: 'bench@example.gov.tw', role: 'admin', unitId: Number(agencyId), unitPath: '/', locale: 'zh-TW' };
    const t = translator('zh-TW');
    const built = await services.exports.table(admin, { dataset: 'responses', format: 'csv', survey: 'citizen', scope: agencyId, period: '2026' }, 'zh-TW', t);
    if (!built.ok) throw new Error(`the export was refused: ${JSON.stringify(built.errors)}`);
    await writeExport('csv', built.table, sink);
  } else {
    // The baseline: everything in memory at once, then one string.
    const responses = (await db('responses').where('month', '>=', '2026-01').andWhere('month', '<=', '2026-12').andWhere('counted', true).orderBy('id')) as { id: number; unit_id: number; month: string; submitted_at: string }[];
    sample();
    const answers = (await db('response_answers').join('responses', 'responses.id', 'response_answers.response_id').where('responses.month', '>=', '2026-01').andWhere('responses.month', '<=', '2026-12').select('response_answers.*')) as { response_id: number; question_key: string; value: string | null; text: string | null }[];
    sample();
    const byId = new Map<number, Map<string, string>>();
    for (const a of answers) {
      let m = byId.get(a.response_id);
      if (!m) byId.set(a.response_id, (m = new Map()));
      m.set(a.question_key, a.value ?? a.text ?? '');
    }
    sample();
    const keys = [...new Set(answers.slice(0, 1000).map((a) => a.question_key))];
    const rows = responses.map((r, i) => [String(i + 1), r.month, r.submitted_at.slice(0, 10), String(r.unit_id), ...keys.map((k) => byId.get(r.id)?.get(k) ?? '')]);
    sample();
    const csv = toCsv([['no', 'month', 'date', 'unit', ...keys], ...rows]);
    sample();
    await new Promise<void>((resolve) => sink.end(Buffer.from(csv, 'utf8'), resolve));
  }
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  sample();
  clearInterval(timer);
  // The kernel's own peak (KB), which no sampling interval can miss.
  peakRss = Math.max(peakRss, process.resourceUsage().maxRSS * 1024);
  const report: WorkerReport = { mode, ms, cpuMs: (cpu.user + cpu.system) / 1000, rows: sink.lines - 1, bytes: sink.bytes, peakRssMb: mb(peakRss), peakHeapMb: mb(peakHeap), startRssMb: mb(startRss) };
  await db.destroy();
  process.send?.(report);
}

main().catch((err: unknown) => {
  process.send?.({ error: err instanceof Error ? err.message : String(err) });
  process.exitCode = 1;
});
