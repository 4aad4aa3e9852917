/**
 * A server process for `npm run bench`: either a bare Express hello-world or
 * the real app on a fresh SQLite database with one survey channel. Reports its
 * port (and the channel code) to the parent over IPC.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { startServer } from '../server/main';
import { loadConfig } from '../server/platform/config';
import { UnitsRepo } from '../server/org/units-repo';

async function main(): Promise<void> {
  const mode = process.argv[2];
  if (mode === 'hello') {
    const app = express();
    app.post('/s/:code', (_req, res) => {
      res.status(303).location('/thanks').send('ok');
    });
    const server = app.listen(0, '127.0.0.1', () => {
      const address = server.address();
      process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
    });
    return;
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'courtesy-bench-'));
  const config = loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'silent', LOG_REQUESTS: 'false', DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', TRUST_PROXY: '1' });
  const stdout = process.stdout.write.bind(process.stdout);
  process.stdout.write = () => true; // the setup link is not for the benchmark's output
  const running = await startServer(config);
  process.stdout.write = stdout;
  const now = new Date().toISOString();
  const units = new UnitsRepo(running.db);
  const agency = await units.insert({ parentId: null, code: 'BENCH', type: 'agency', nameZh: '測試機關', nameEn: 'Bench Agency', phoneE164: null, phoneExt: null, active: true }, '/', now);
  const unit = await units.insert({ parentId: agency.id, code: 'BENCH-1', type: 'unit', nameZh: '服務台', nameEn: 'Service desk', phoneE164: null, phoneExt: null, active: true }, agency.path, now);
  await running.db('channels').insert({ code: 'BENCH1', survey_key: 'citizen', unit_id: unit.id, counter_name: '', mode: 'personal', codes_required: false, active: true, created_at: now });
  const address = running.server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0, code: 'BENCH1', dataDir });
  process.on('message', (msg: unknown) => {
    if (msg === 'count') {
      void running.db('responses')
        .select<{ n: number | string; flagged: number | string | null }[]>(running.db.raw('count(*) as n'), running.db.raw('sum(case when counted then 0 else 1 end) as flagged'))
        .then((rows) => process.send?.({ stored: Number(rows[0]?.n ?? 0), flagged: Number(rows[0]?.flagged ?? 0) }));
    }
    if (msg === 'stop') void running.stop().then(() => process.exit(0));
  });
}

void main();
