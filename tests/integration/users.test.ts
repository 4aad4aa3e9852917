import { client, createTestApp, seedUnit, seedUser, signedIn, type Client, type TestApp } from '../support/app';
import type { Unit } from '../../server/org/units-repo';

let t: TestApp;
let agency: Unit;
let section: Unit;
let admin: Client;
let adminId: number;

beforeAll(async () => {
  t = await createTestApp();
  agency = await seedUnit(t, { parentId: null, code: 'A' });
  section = await seedUnit(t, { parentId: agency.id, code: 'A-SEC' });
  const seeded = await seedUser(t, 'admin', agency.id);
  adminId = seeded.id;
  admin = await signedIn(t.app, seeded.email);
});
afterAll(() => t.close());

const linkIn = (html: string) => /<code>(http[^<]+)<\/code>/.exec(html)?.[1] ?? '';

test('an administrator creates a user, who sets his or her own password through the one-time link', async () => {
  const res = await admin.post('/users', { name: '陳測試', email: 'Tester@Example.gov.tw', role: 'tester', unitId: String(section.id), phone: '0912-345-678' });
  expect(res.status).toBe(200);
  const link = linkIn(res.text);
  expect(link).toMatch(/\/password\/reset\?token=/);
  const row = await t.testDb.db('users').where({ email: 'tester@example.gov.tw' }).first();
  expect(row).toMatchObject({ role: 'tester', unit_id: section.id, phone_e164: '+886912345678', password_hash: null });

  const invitee = await client(t.app);
  const token = new URL(link).searchParams.get('token') as string;
  expect((await invitee.post('/password/reset', { token, password: 'my own secret 1', passwordConfirm: 'my own secret 1' })).status).toBe(303);
  expect((await invitee.agent.get('/')).text).toContain('陳測試');
  // The administrator's pages never show a password or a hash.
  expect((await admin.agent.get('/users')).text).not.toMatch(/argon2/);
});

test('bad input keeps the answers and stores nothing', async () => {
  const res = await admin.post('/users', { name: '', email: 'not-an-email', role: 'boss', unitId: '999999', phone: '' });
  expect(res.status).toBe(422);
  expect(res.text).toContain('value="not-an-email"');
  for (const field of ['name', 'email', 'role']) expect(res.text).toContain(`href="#${field}"`);
  const unknownUnit = await admin.post('/users', { name: '某人', email: 'someone@example.gov.tw', role: 'tester', unitId: '999999' });
  expect(unknownUnit.status).toBe(422);
  expect(await t.testDb.db('users').where({ email: 'someone@example.gov.tw' }).first()).toBeUndefined();
});

test('e-mail addresses are unique regardless of case', async () => {
  await seedUser(t, 'manager', agency.id, 'taken@example.gov.tw');
  const res = await admin.post('/users', { name: '重複', email: 'TAKEN@example.gov.tw', role: 'manager', unitId: String(agency.id) });
  expect(res.status).toBe(422);
  expect(res.text).toContain('這個電子郵件已有帳號');
});

test('editing changes role and unit; deactivating ends the user\'s sessions at once', async () => {
  const { id, email } = await seedUser(t, 'tester', section.id);
  const session = await signedIn(t.app, email);
  expect((await session.agent.get('/units')).status).toBe(403);
  const edit = await admin.post(`/users/${id}`, { name: '升任主管', email, role: 'unit_head', unitId: String(section.id) });
  expect(edit.status).toBe(303);
  expect((await session.agent.get('/units')).status).toBe(200);
  expect((await admin.post(`/users/${id}/deactivate`)).status).toBe(303);
  expect((await session.agent.get('/')).status).toBe(303);
});

test('the last active administrator can be neither demoted nor deactivated, and nobody deactivates himself', async () => {
  const me = await t.testDb.db('users').where({ id: adminId }).first();
  const demote = await admin.post(`/users/${adminId}`, { name: me.name, email: me.email, role: 'manager', unitId: String(agency.id) });
  expect(demote.status).toBe(422);
  expect(demote.text).toContain('至少要保留一位使用中的系統管理者');
  await admin.post(`/users/${adminId}/deactivate`);
  expect(Boolean((await t.testDb.db('users').where({ id: adminId }).first()).active)).toBe(true);
  expect((await admin.agent.get('/users')).text).toContain('不能停用自己的帳號');
});

test('unknown ids are 404, not errors', async () => {
  expect((await admin.agent.get('/users/999999/edit')).status).toBe(404);
  expect((await admin.agent.get('/users/abc/edit')).status).toBe(404);
  expect((await admin.post('/users/999999/reset-link')).status).toBe(404);
});
