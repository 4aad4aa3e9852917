import request from 'supertest';
import { startServer } from '../../server/main';
import { PASSWORD, csrfFrom, testConfig } from '../support/app';
import { createTestDb, type TestDb } from '../support/db';

/**
 * The whole start-up path, as `npm start` runs it: migrate, print the setup
 * link, serve; then a restart on the same database keeps everything.
 */
let t: TestDb;
beforeAll(async () => {
  t = await createTestDb({ migrate: false });
});
afterAll(() => t.drop());

function config() {
  return testConfig(t.dataDir, { PORT: '0', HOST: '127.0.0.1', ...(t.databaseUrl ? { DATABASE_URL: t.databaseUrl } : {}) });
}

async function form(agent: ReturnType<typeof request.agent>, path: string, fields: Record<string, string>, from = path) {
  const page = await agent.get(from);
  return agent.post(path).type('form').send({ _csrf: csrfFrom(page.text), ...fields });
}

test('first run: setup link → administrator → unit; after a restart all is still there', async () => {
  const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  let first;
  let printed: string;
  try {
    first = await startServer(config());
    printed = write.mock.calls.map((c) => String(c[0])).join('');
  } finally {
    write.mockRestore();
  }
  try {
    expect(first.setupLink).toBeTruthy();
    expect(printed).toContain(new URL(first.setupLink as string).search);
    expect((await request(first.url).get('/healthz')).body).toEqual({ status: 'ok', database: 'ok' });

    const agent = request.agent(first.url);
    const setupPath = new URL(first.setupLink as string);
    const token = setupPath.searchParams.get('token') as string;
    const setup = await form(
      agent,
      '/setup',
      { token, agencyCode: 'HQ', agencyNameZh: '測試機關', agencyNameEn: '', name: '管理者', email: 'root@example.gov.tw', password: PASSWORD, passwordConfirm: PASSWORD },
      `${setupPath.pathname}${setupPath.search}`,
    );
    expect(setup.status).toBe(303);
    const hq = await t.db('units').where({ code: 'HQ' }).first();
    expect((await form(agent, '/units', { code: 'HQ-SEC', type: 'unit', parentId: String(hq.id), nameZh: '秘書處', nameEn: '', phone: '' }, '/units/new')).status).toBe(303);
  } finally {
    await first.stop();
  }

  const second = await startServer(config());
  try {
    expect(second.setupLink).toBeNull();
    const agent = request.agent(second.url);
    expect((await form(agent, '/login', { email: 'root@example.gov.tw', password: PASSWORD })).status).toBe(303);
    expect((await agent.get('/units')).text).toContain('秘書處');
  } finally {
    await second.stop();
  }
});
