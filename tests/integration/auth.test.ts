import request from 'supertest';
import { DbSessionStore } from '../../server/auth/session-store';
import { PASSWORD, client, createTestApp, csrfFrom, seedUnit, seedUser, signedIn, type TestApp } from '../support/app';

function sidOf(res: request.Response): string | undefined {
  const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  return cookies.find((c) => c.startsWith('sid='))?.split(';')[0];
}

describe('first-run setup', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(() => t.close());

  const setupForm = (token: string) => ({
    token,
    agencyCode: 'TPE',
    agencyNameZh: '臺北市政府',
    agencyNameEn: 'Taipei City Government',
    name: '王小明',
    email: 'Admin@Example.gov.tw',
    password: PASSWORD,
    passwordConfirm: PASSWORD,
  });

  test('the one-time link creates the agency and the first administrator, once', async () => {
    const link = await t.services.auth.createSetupLink();
    expect(link).toMatch(/^http:\/\/localhost:3000\/setup\?token=[\w-]{43}$/);
    const token = new URL(link as string).searchParams.get('token') as string;

    const c = await client(t.app);
    expect((await c.agent.get(`/setup?token=${token}`)).status).toBe(200);
    expect((await c.agent.get('/setup?token=wrong')).status).toBe(404);

    const mismatch = await c.post('/setup', { ...setupForm(token), passwordConfirm: 'something else entirely' });
    expect(mismatch.status).toBe(422);
    expect(mismatch.text).toContain('兩次輸入的密碼不一致');
    expect(mismatch.text).toContain('value="臺北市政府"');
    expect(mismatch.text).not.toContain(PASSWORD);
    expect(Number((await t.testDb.db('users').count({ n: '*' }).first())?.n)).toBe(0);

    const done = await c.post('/setup', setupForm(token));
    expect(done.status).toBe(303);
    const home = await c.agent.get('/');
    expect(home.status).toBe(200);
    expect(home.text).toContain('王小明');

    const admin = await t.testDb.db('users').first();
    expect(admin).toMatchObject({ email: 'admin@example.gov.tw', role: 'admin' });
    expect(admin.password_hash).toMatch(/^\$argon2id\$/);
    const agency = await t.testDb.db('units').first();
    expect(agency).toMatchObject({ code: 'TPE', type: 'agency', parent_id: null, name_en: 'Taipei City Government' });

    // Spent: neither the same link nor a new one works once an administrator exists.
    const again = await client(t.app);
    expect((await again.agent.get(`/setup?token=${token}`)).status).toBe(404);
    expect((await again.post('/setup', setupForm(token))).status).toBe(404);
    expect(await t.services.auth.createSetupLink()).toBeNull();
  });

  test('a setup link expires after its validity', async () => {
    let now = new Date('2026-11-25T00:00:00Z');
    const timed = await createTestApp({}, () => now);
    try {
      const link = (await timed.services.auth.createSetupLink()) as string;
      const token = new URL(link).searchParams.get('token') as string;
      now = new Date('2026-11-25T00:59:00Z');
      expect(await timed.services.auth.isSetupTokenLive(token)).toBe(true);
      now = new Date('2026-11-25T01:00:01Z');
      expect(await timed.services.auth.isSetupTokenLive(token)).toBe(false);
    } finally {
      await timed.close();
    }
  });

  test('a newer setup link replaces the older one', async () => {
    const first = new URL((await t.services.auth.createSetupLink()) as string).searchParams.get('token') as string;
    const second = new URL((await t.services.auth.createSetupLink()) as string).searchParams.get('token') as string;
    expect(await t.services.auth.isSetupTokenLive(first)).toBe(false);
    expect(await t.services.auth.isSetupTokenLive(second)).toBe(true);
  });
});

describe('signing in and out', () => {
  let t: TestApp;
  let email: string;
  beforeEach(async () => {
    t = await createTestApp({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '3', LOGIN_MAX_FAILURES_PER_CLIENT: '5' });
    const agency = await seedUnit(t, { parentId: null });
    email = (await seedUser(t, 'manager', agency.id)).email;
  });
  afterEach(() => t.close());

  test('wrong e-mail and wrong password get the same answer', async () => {
    const c = await client(t.app);
    const wrongPassword = await c.post('/login', { email, password: 'not the password' });
    const wrongEmail = await c.post('/login', { email: 'nobody@example.gov.tw', password: PASSWORD });
    expect(wrongPassword.status).toBe(401);
    expect(wrongEmail.status).toBe(401);
    const message = (html: string) => /<div class="error-summary"[\s\S]*?<\/div>/.exec(html)?.[0];
    expect(message(wrongPassword.text)).toEqual(message(wrongEmail.text));
    expect(wrongPassword.text).toContain('電子郵件或密碼不正確');
  });

  test('the session id changes at sign-in, and sign-out ends the session', async () => {
    const agent = request.agent(t.app);
    const page = await agent.get('/login');
    const before = sidOf(page);
    expect(before).toBeDefined();
    const res = await agent.post('/login').type('form').send({ _csrf: csrfFrom(page.text), email: email.toUpperCase(), password: PASSWORD, next: '/units' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/units');
    const after = sidOf(res);
    expect(after).toBeDefined();
    expect(after).not.toEqual(before);
    const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('sid=')) ?? '';
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);

    const home = await agent.get('/');
    const out = await agent.post('/logout').type('form').send({ _csrf: csrfFrom(home.text) });
    expect(out.status).toBe(303);
    expect((await agent.get('/')).status).toBe(303);
  });

  test('an off-site next parameter is ignored', async () => {
    const c = await client(t.app);
    const res = await c.post('/login', { email, password: PASSWORD, next: '//evil.example/' });
    expect(res.headers.location).toBe('/');
  });

  test('failures per account are limited, with Retry-After, even for the right password', async () => {
    const c = await client(t.app);
    for (let i = 0; i < 3; i += 1) expect((await c.post('/login', { email, password: 'wrong wrong' })).status).toBe(401);
    const blocked = await c.post('/login', { email, password: PASSWORD });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(800);
    expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(900);
    expect(blocked.text).toContain('嘗試次數過多，請於 15 分鐘後再試');
  });

  test('failures per client are limited across accounts', async () => {
    const c = await client(t.app);
    for (let i = 0; i < 5; i += 1) await c.post('/login', { email: `someone${i}@example.gov.tw`, password: 'wrong wrong' });
    expect((await c.post('/login', { email, password: PASSWORD })).status).toBe(429);
  });

  test('a deactivated account cannot sign in and its open session ends', async () => {
    const c = await signedIn(t.app, email);
    await t.testDb.db('users').where({ email }).update({ active: false });
    expect((await c.agent.get('/')).status).toBe(303);
    const again = await client(t.app);
    expect((await again.post('/login', { email, password: PASSWORD })).status).toBe(401);
  });

  test('sessions are kept in the database and expire after the idle timeout', async () => {
    await signedIn(t.app, email);
    const rows = await t.testDb.db('sessions').whereNotNull('user_id');
    expect(rows).toHaveLength(1);
    const sid = rows[0].sid as string;
    const idle = t.config.sessionIdleMinutes * 60_000;
    const read = (store: DbSessionStore) =>
      new Promise((resolve, reject) => store.get(sid, (err, value) => (err ? reject(err) : resolve(value))));
    const expiresAt = Date.parse(rows[0].expires_at);
    expect(await read(new DbSessionStore(t.testDb.db, idle, () => new Date(expiresAt - 1000)))).toMatchObject({ userId: expect.any(Number) });
    expect(await read(new DbSessionStore(t.testDb.db, idle, () => new Date(expiresAt + 1000)))).toBeNull();
    expect(await new DbSessionStore(t.testDb.db, idle, () => new Date(expiresAt + 1000)).prune()).toBeGreaterThanOrEqual(1);
  });
});

describe('CSRF', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  test('a POST without a valid token gets the 403 page and changes nothing', async () => {
    const agency = await seedUnit(t, { parentId: null });
    const admin = await signedIn(t.app, (await seedUser(t, 'admin', agency.id)).email);
    const form = { code: 'X1', type: 'unit', parentId: String(agency.id), nameZh: '測試', nameEn: '' };
    for (const token of [undefined, 'forged-token', admin.csrf.slice(0, -1)]) {
      const res = await admin.agent.post('/units').type('form').send(token === undefined ? form : { ...form, _csrf: token });
      expect(res.status).toBe(403);
      expect(res.text).toContain('表單已過期或來源不明');
    }
    expect(await t.testDb.db('units').where({ code: 'X1' }).first()).toBeUndefined();
    expect((await admin.post('/units', form)).status).toBe(303);
    expect(await t.testDb.db('units').where({ code: 'X1' }).first()).toBeDefined();
  });

  test('a login POST without a token is refused', async () => {
    const res = await request(t.app).post('/login').type('form').send({ email: 'a@b.c', password: 'x' });
    expect(res.status).toBe(403);
  });
});

describe('passwords', () => {
  let t: TestApp;
  let email: string;
  let userId: number;
  beforeEach(async () => {
    t = await createTestApp();
    const agency = await seedUnit(t, { parentId: null });
    ({ email, id: userId } = await seedUser(t, 'tester', agency.id));
  });
  afterEach(() => t.close());

  test('a user changes his or her own password; other sessions end, this one stays', async () => {
    const here = await signedIn(t.app, email);
    const elsewhere = await signedIn(t.app, email);
    const wrong = await here.post('/account/password', { current: 'not it', password: 'a new password 123', passwordConfirm: 'a new password 123' });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('目前的密碼不正確');
    const ok = await here.post('/account/password', { current: PASSWORD, password: 'a new password 123', passwordConfirm: 'a new password 123' });
    expect(ok.status).toBe(303);
    expect((await here.agent.get('/')).status).toBe(200);
    expect((await elsewhere.agent.get('/')).status).toBe(303);
    await expect(signedIn(t.app, email)).rejects.toThrow();
    await signedIn(t.app, email, 'a new password 123');
  });

  test('a reset link sets a new password once, and a newer link cancels the older', async () => {
    const older = new URL(await t.services.auth.issueResetLink(null, userId)).searchParams.get('token') as string;
    const token = new URL(await t.services.auth.issueResetLink(null, userId)).searchParams.get('token') as string;
    const c = await client(t.app);
    expect((await c.agent.get(`/password/reset?token=${older}`)).status).toBe(404);
    const page = await c.agent.get(`/password/reset?token=${token}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(email);
    const short = await c.post('/password/reset', { token, password: 'short', passwordConfirm: 'short' });
    expect(short.status).toBe(422);
    expect(short.text).toContain('密碼至少需要 10 個字元');
    const done = await c.post('/password/reset', { token, password: 'brand new secret', passwordConfirm: 'brand new secret' });
    expect(done.status).toBe(303);
    expect((await c.agent.get('/')).status).toBe(200);
    const reuse = await client(t.app);
    expect((await reuse.post('/password/reset', { token, password: 'another one 123', passwordConfirm: 'another one 123' })).status).toBe(404);
    await signedIn(t.app, email, 'brand new secret');
  });
});

describe('language', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  test('zh-TW first; the switch is kept for the session and, once signed in, for the user', async () => {
    const c = await client(t.app);
    expect((await c.agent.get('/login')).text).toContain('<html lang="zh-TW">');
    expect((await c.post('/lang', { lang: 'en', next: '/login' })).headers.location).toBe('/login');
    const english = await c.agent.get('/login');
    expect(english.text).toContain('<html lang="en">');
    expect(english.text).toContain('Sign in');

    const agency = await seedUnit(t, { parentId: null });
    const { email } = await seedUser(t, 'manager', agency.id);
    const user = await signedIn(t.app, email);
    expect((await user.agent.get('/units')).text).toContain('<h1>單位</h1>');
    await user.post('/lang', { lang: 'en', next: '/units' });
    expect((await user.agent.get('/units')).text).toContain('<h1>Units</h1>');
    // A new session of the same user starts in English.
    const later = await signedIn(t.app, email);
    expect((await later.agent.get('/units')).text).toContain('<h1>Units</h1>');
  });

  test('error pages speak the user\'s language and show no stack trace', async () => {
    const c = await client(t.app);
    const zh = await c.agent.get('/no/such/page');
    expect(zh.status).toBe(404);
    expect(zh.text).toContain('找不到頁面');
    await c.post('/lang', { lang: 'en' });
    const en = await c.agent.get('/no/such/page');
    expect(en.text).toContain('Page not found');
    expect(en.text).not.toMatch(/at .*\.ts:\d+/);
  });
});

describe('administrators from the command line', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(() => t.close());

  test('create: a new agency on an empty database, or a given unit; the person sets the password through the link', async () => {
    expect(await t.services.auth.createAdministrator({ email: 'a@example.gov.tw', name: '甲' })).toEqual({ ok: false, problem: 'needUnit' });
    const first = await t.services.auth.createAdministrator({
      email: 'a@example.gov.tw',
      name: '甲',
      agency: { code: 'HQ', nameZh: '總部', nameEn: '' },
    });
    expect(first.ok).toBe(true);
    expect(await t.testDb.db('users').where({ email: 'a@example.gov.tw' }).first()).toMatchObject({ role: 'admin', password_hash: null });
    expect(await t.services.auth.createAdministrator({ email: 'A@example.gov.tw', name: '甲', unitCode: 'HQ' })).toEqual({ ok: false, problem: 'emailTaken' });
    expect(await t.services.auth.createAdministrator({ email: 'b@example.gov.tw', name: '乙', unitCode: 'NOPE' })).toEqual({ ok: false, problem: 'unknownUnit' });
    expect((await t.services.auth.createAdministrator({ email: 'b@example.gov.tw', name: '乙', unitCode: 'HQ' })).ok).toBe(true);

    const link = first.ok ? first.link : '';
    const c = await client(t.app);
    const token = new URL(link).searchParams.get('token') as string;
    expect((await c.post('/password/reset', { token, password: PASSWORD, passwordConfirm: PASSWORD })).status).toBe(303);
    await signedIn(t.app, 'a@example.gov.tw');
  });

  test('reset-password: a link for an existing account only', async () => {
    const agency = await seedUnit(t, { parentId: null });
    const { email } = await seedUser(t, 'manager', agency.id);
    expect(await t.services.auth.resetLinkFor(email.toUpperCase())).toMatch(/\/password\/reset\?token=/);
    expect(await t.services.auth.resetLinkFor('nobody@example.gov.tw')).toBeNull();
  });
});
