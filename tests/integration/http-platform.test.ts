import express from 'express';
import request from 'supertest';
import { errorHandler, languageMiddleware, localsMiddleware } from '../../server/platform/http';
import { loadAssets } from '../../server/platform/assets';
import { PASSWORD, client, createTestApp, seedUnit, seedUser } from '../support/app';
import { capturingLogger } from '../support/logs';

test('request logs carry method, path and status, never a query string, a password or a cookie', async () => {
  const { logger, text } = capturingLogger();
  const t = await createTestApp({ LOG_REQUESTS: 'true' }, undefined, logger);
  try {
    const agency = await seedUnit(t, { parentId: null });
    const { email } = await seedUser(t, 'manager', agency.id);
    const c = await client(t.app);
    await c.agent.get('/setup?token=very-secret-token-value');
    await c.post('/login', { email, password: PASSWORD });
    const log = text();
    expect(log).toContain('GET /setup 404');
    expect(log).toContain('POST /login 303');
    expect(log).not.toContain('very-secret-token-value');
    expect(log).not.toContain(PASSWORD);
    expect(log).not.toMatch(/sid=/);
    expect(log).not.toContain(c.csrf);
  } finally {
    await t.close();
  }
});

test('an unexpected error is logged and shown as a plain 500 page in the user\'s language, without a stack trace', async () => {
  const { logger, text } = capturingLogger();
  const app = express();
  app.use((req, _res, next) => {
    req.session = { lang: 'en' } as typeof req.session;
    next();
  });
  app.use(languageMiddleware);
  app.use((_req, res, next) => {
    res.locals.csrfToken = undefined;
    next();
  });
  app.use(localsMiddleware(loadAssets()));
  app.get('/boom', () => {
    throw new Error('database exploded at secret.ts:42');
  });
  app.get('/i/:token', () => {
    throw new Error('invitation lookup failed');
  });
  app.use(errorHandler(logger, loadAssets()));
  const res = await request(app).get('/boom');
  expect(res.status).toBe(500);
  expect(res.text).toContain('Something went wrong');
  expect(res.text).not.toContain('exploded');
  expect(res.text).not.toContain('secret.ts');
  expect(text()).toContain('database exploded');
  // An invitation's token is a key to answer: never in the log, not even from a 500.
  const token = 'abcdefghijklmnopqrstuvwxyzABCDEF';
  expect((await request(app).get(`/i/${token}`)).status).toBe(500);
  expect(text()).toContain('invitation lookup failed');
  expect(text()).toContain('"path":"/i/…"');
  expect(text()).not.toContain(token);
});

test('behind a TLS proxy (TRUST_PROXY) the session cookie is Secure; without it, not', async () => {
  const proxied = await createTestApp({ TRUST_PROXY: '1' });
  const direct = await createTestApp();
  try {
    const viaProxy = await request(proxied.app).get('/login').set('X-Forwarded-Proto', 'https');
    expect(String(viaProxy.headers['set-cookie'])).toMatch(/; Secure/);
    expect(viaProxy.headers['strict-transport-security']).toBeDefined();
    const plain = await request(direct.app).get('/login');
    expect(String(plain.headers['set-cookie'])).not.toMatch(/; Secure/);
  } finally {
    await proxied.close();
    await direct.close();
  }
});

test('every page is sent with a strict Content-Security-Policy and no inline script', async () => {
  const t = await createTestApp();
  try {
    const res = await request(t.app).get('/login');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(res.text).not.toMatch(/\sstyle="/);
  } finally {
    await t.close();
  }
});

test("every response carries helmet's headers, the citizen's fast pages and redirects as much as the staff's", async () => {
  const t = await createTestApp({ TRUST_PROXY: '1' });
  try {
    const unit = await seedUnit(t, { parentId: null });
    await t.testDb.db('channels').insert({ code: 'HDRS01', survey_key: 'citizen', unit_id: unit.id, counter_name: '', mode: 'personal', codes_required: false, active: true, created_at: new Date().toISOString() });
    const security = (headers: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(headers).filter(([name]) => /^(content-security-policy|cross-origin-|origin-agent-cluster|referrer-policy|strict-transport-security|x-)/.test(name)));
    const staff = security((await request(t.app).get('/login')).headers);
    // What helmet sends for our settings, header by header (helmet 8's defaults, our CSP).
    expect(staff).toEqual({
      'content-security-policy': "default-src 'self';script-src 'self';style-src 'self';img-src 'self' data:;font-src 'self';connect-src 'self';form-action 'self';frame-ancestors 'none';base-uri 'none';object-src 'none'",
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
      'origin-agent-cluster': '?1',
      'referrer-policy': 'no-referrer',
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
      'x-content-type-options': 'nosniff',
      'x-dns-prefetch-control': 'off',
      'x-download-options': 'noopen',
      'x-frame-options': 'SAMEORIGIN',
      'x-permitted-cross-domain-policies': 'none',
      'x-xss-protection': '0',
    });
    const page = await request(t.app).get('/s/HDRS01');
    expect(security(page.headers)).toEqual(staff);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    const cookie = String(page.headers['set-cookie']).split(';')[0] ?? '';
    const posted = await request(t.app).post('/s/HDRS01').set('Cookie', cookie).type('form').send({
      _csrf: token,
      ...Object.fromEntries(['env.clean', 'env.signs', 'env.facilities', 'cour.attitude', 'cour.attention', 'prof.knowledge', 'prof.efficiency', 'meas.online', 'meas.forms', 'overall'].map((k) => [`q_${k}`, '4'])),
    });
    expect(posted.status).toBe(303);
    expect(posted.headers.location).toBe('/s/HDRS01/thanks');
    expect(security(posted.headers)).toEqual(staff);
    expect(security((await request(t.app).get('/s/NOSUCH')).headers)).toEqual(staff);
    expect(security((await request(t.app).get('/no/such/page')).headers)).toEqual(staff);
    expect((await request(t.app).get('/login')).headers['x-powered-by']).toBeUndefined();
  } finally {
    await t.close();
  }
});

test('/healthz checks the database', async () => {
  const t = await createTestApp();
  try {
    expect((await request(t.app).get('/healthz')).body).toEqual({ status: 'ok', database: 'ok' });
    await t.testDb.db.destroy();
    const down = await request(t.app).get('/healthz');
    expect(down.status).toBe(503);
  } finally {
    await t.close().catch(() => undefined);
  }
});

test('static files are served with a content hash and a long cache', async () => {
  const t = await createTestApp();
  try {
    const page = await request(t.app).get('/login');
    const href = /href="(\/static\/css\/app\.css\?v=[0-9a-f]{12})"/.exec(page.text)?.[1];
    expect(href).toBeDefined();
    const css = await request(t.app).get(href as string);
    expect(css.status).toBe(200);
    expect(css.headers['cache-control']).toContain('max-age=31536000');
  } finally {
    await t.close();
  }
});
