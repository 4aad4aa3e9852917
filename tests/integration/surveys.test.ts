import crypto from 'node:crypto';
import request from 'supertest';
import type { Unit } from '../../server/org/units-repo';
import { createTestApp, seedUnit, seedUser, signedIn, TEST_SESSION_SECRET, type Client, type TestApp } from '../support/app';

let now = new Date('2026-12-01T02:00:00Z');
let t: TestApp;
let agency: Unit;
let counter: Unit;
let manager: Client;

beforeAll(async () => {
  // Behind a proxy, so that X-Forwarded-For tells one test citizen from another.
  t = await createTestApp({ TRUST_PROXY: '1' }, () => now);
  agency = await seedUnit(t, { parentId: null, code: 'A', nameZh: '甲區公所', nameEn: 'A District Office' });
  counter = await seedUnit(t, { parentId: agency.id, code: 'A-REG', nameZh: '戶政課', nameEn: 'Household Registration' });
  await seedUnit(t, { parentId: agency.id, code: 'A-SOC', nameZh: '社會課' });
  manager = await signedIn(t.app, (await seedUser(t, 'manager', agency.id)).email);
});
afterAll(() => t.close());

async function channel(mode: 'personal' | 'kiosk' | 'staff', surveyKey = 'citizen', extra: Record<string, string> = {}) {
  const res = await manager.post('/channels', { surveyKey, unitId: String(mode === 'staff' ? agency.id : counter.id), mode, counterName: '', ...extra });
  expect(res.status).toBe(303);
  return t.testDb.db('channels').orderBy('id', 'desc').first();
}

/** A citizen's phone: its own cookies, the form's token read from the page. */
async function citizen(path: string, ip = '203.0.113.7') {
  const agent = request.agent(t.app);
  const page = await agent.get(path).set('X-Forwarded-For', ip);
  const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
  return { agent, page, token, ip };
}

const ANSWERS = {
  'q_env.clean': '5',
  'q_env.signs': '4',
  'q_env.facilities': 'na',
  'q_cour.attitude': '5',
  'q_cour.attention': '4',
  'q_prof.knowledge': '4',
  'q_prof.efficiency': '3',
  'q_meas.online': '4',
  'q_meas.forms': '4',
  q_overall: '5',
  q_recommend: '9',
  q_sex: 'female',
  q_comment: '承辦人很親切，我的手機 0912-345-678，身分證 A123456789',
};

describe('the citizen survey at a counter', () => {
  let code: string;

  beforeAll(async () => {
    code = (await channel('personal')).code;
  });

  test('the public page is small, in both languages, with no script', async () => {
    const { page } = await citizen(`/s/${code}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('民眾洽公滿意度調查');
    expect(page.text).toContain('甲區公所 · 戶政課');
    expect(page.text).not.toContain('<script');
    const css = /href="(\/static\/css\/survey\.css\?v=\w+)"/.exec(page.text)?.[1] as string;
    const cssBytes = Buffer.byteLength((await request(t.app).get(css)).text);
    expect(Buffer.byteLength(page.text) + cssBytes).toBeLessThanOrEqual(30 * 1024);
    const english = await request(t.app).get(`/s/${code}?lang=en`);
    expect(english.text).toContain('<html lang="en">');
    expect(english.text).toContain('Citizen satisfaction survey');
    expect(english.text).toContain('A District Office · Household Registration');
  });

  test('a missing answer re-renders the form with a message and every other answer kept; nothing is stored', async () => {
    const c = await citizen(`/s/${code}`);
    const { q_overall: _skip, ...rest } = ANSWERS;
    void _skip;
    const res = await c.agent.post(`/s/${code}`).set('X-Forwarded-For', c.ip).type('form').send({ _csrf: c.token, ...rest });
    expect(res.status).toBe(422);
    expect(res.text).toContain('href="#q_overall"');
    expect(res.text).toContain('請回答這一題');
    expect(res.text).toContain('name="q_env.clean" value="5" checked');
    expect(res.text).toContain('承辦人很親切');
    expect(await t.testDb.db('responses')).toHaveLength(0);
  });

  test('a submission is stored with masked text, the aggregates move with it, and the phone is thanked', async () => {
    const c = await citizen(`/s/${code}`);
    const res = await c.agent.post(`/s/${code}`).set('X-Forwarded-For', c.ip).type('form').send({ _csrf: c.token, ...ANSWERS });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/s/${code}/thanks`);
    expect((await c.agent.get(res.headers.location as string)).text).toContain('感謝您的填答');
    const [response] = await t.testDb.db('responses');
    expect(response).toMatchObject({ unit_id: counter.id, month: '2026-12', flag: null });
    expect(response.source_hash).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.stringify(response)).not.toContain('203.0.113.7');
    const comment = await t.testDb.db('response_answers').where({ response_id: response.id, question_key: 'comment' }).first();
    expect(comment.text).toBe('承辦人很親切，我的手機 [電話]，身分證 [身分證號]');
    const overall = await t.testDb.db('agg_counts').where({ question_key: 'overall', value: '5' }).first();
    expect(overall.n).toBe(1);
    const na = await t.testDb.db('agg_counts').where({ question_key: 'env.facilities', value: 'na' }).first();
    expect(na.n).toBe(1);
    // The environment section has an N/A item, so it is not a complete case; courtesy is.
    expect(await t.testDb.db('agg_sections').where({ section_key: 'environment' })).toHaveLength(0);
    const courtesy = await t.testDb.db('agg_sections').where({ section_key: 'courtesy' });
    const get = (i: string, j: string) => courtesy.find((r: { item_i: string; item_j: string }) => r.item_i === i && r.item_j === j)?.sum;
    expect(get('#', '#')).toBe(1);
    expect(get('cour.attitude', '')).toBe(5);
    expect(get('cour.attitude', 'cour.attention')).toBe(20);
    expect(get('cour.attention', 'cour.attention')).toBe(16);

    // The same phone is gently told it has answered; it may answer again.
    const again = await c.agent.get(`/s/${code}`);
    expect(again.text).toContain('您已填答過');
    expect((await c.agent.get(`/s/${code}?again=1`)).text).toContain('name="q_overall"');
  });

  test("the source hash is an HMAC of the address under the Taiwan day's salt: the same all day, another the next", () => {
    // Independent of the service's code: HMAC-SHA256 keyed with "<salt>:<Taiwan date>", the first 32 hex digits.
    const expected = (ip: string, day: string) => crypto.createHmac('sha256', `${TEST_SESSION_SECRET}:${day}`).update(ip).digest('hex').slice(0, 32);
    const hash = (ip: string, iso: string) => t.services.surveys.sourceHash(ip, new Date(iso));
    // 2026-12-07 in Taiwan runs from 2026-12-06T16:00Z to 2026-12-07T16:00Z.
    expect(hash('203.0.113.7', '2026-12-06T16:00:00Z')).toBe(expected('203.0.113.7', '2026-12-07'));
    expect(hash('203.0.113.7', '2026-12-07T15:59:59Z')).toBe(expected('203.0.113.7', '2026-12-07'));
    expect(hash('203.0.113.8', '2026-12-07T15:59:59Z')).toBe(expected('203.0.113.8', '2026-12-07'));
    expect(hash('203.0.113.7', '2026-12-07T16:00:00Z')).toBe(expected('203.0.113.7', '2026-12-08'));
    expect(hash('203.0.113.7', '2026-12-07T16:00:00Z')).not.toBe(hash('203.0.113.7', '2026-12-07T15:59:59Z'));
    // Back to a day seen before (a clock set back): that day's salt again.
    expect(hash('203.0.113.7', '2026-12-07T12:00:00Z')).toBe(expected('203.0.113.7', '2026-12-07'));
  });

  test('a post without the form token is refused and stores nothing', async () => {
    const before = (await t.testDb.db('responses')).length;
    const res = await request(t.app).post(`/s/${code}`).type('form').send({ ...ANSWERS, _csrf: 'forged' });
    expect(res.status).toBe(403);
    expect(res.text).toContain('表單已過期');
    expect(await t.testDb.db('responses')).toHaveLength(before);
  });

  test('a filled honeypot is stored, flagged and left out until a manager counts it', async () => {
    const c = await citizen(`/s/${code}`, '198.51.100.1');
    const res = await c.agent.post(`/s/${code}`).set('X-Forwarded-For', c.ip).type('form').send({ _csrf: c.token, ...ANSWERS, website: 'http://spam.example' });
    expect(res.status).toBe(303);
    const flagged = await t.testDb.db('responses').where({ flag: 'honeypot' }).first();
    expect(Boolean(flagged.counted)).toBe(false);
    expect((await t.testDb.db('agg_counts').where({ question_key: 'overall', value: '5' }).first()).n).toBe(1);
    const review = await manager.agent.get('/channels/flagged');
    expect(review.text).toContain('填寫了隱藏欄位');
    expect((await manager.post(`/responses/${flagged.id}/count`)).status).toBe(303);
    expect((await t.testDb.db('agg_counts').where({ question_key: 'overall', value: '5' }).first()).n).toBe(2);
    expect((await manager.post(`/responses/${flagged.id}/uncount`)).status).toBe(303);
    expect((await t.testDb.db('agg_counts').where({ question_key: 'overall', value: '5' }).first()).n).toBe(1);
  });

  test('a burst from one source is flagged, and past the limit the source must wait', async () => {
    const ip = '192.0.2.50';
    const flags: (string | null)[] = [];
    for (let i = 0; i < 6; i += 1) {
      const c = await citizen(`/s/${code}?again=1`, ip);
      await c.agent.post(`/s/${code}`).set('X-Forwarded-For', ip).type('form').send({ _csrf: c.token, ...ANSWERS });
    }
    const rows = await t.testDb.db('responses').whereNotNull('source_hash').orderBy('id');
    for (const r of rows.slice(-6)) flags.push(r.flag);
    expect(flags).toEqual([null, null, null, null, 'burst', 'burst']);
  });

  test('an inactive channel says so', async () => {
    const extra = await channel('personal');
    await manager.post(`/channels/${extra.id}/deactivate`);
    const res = await request(t.app).get(`/s/${extra.code}`);
    expect(res.status).toBe(410);
    expect(res.text).toContain('這份問卷目前不開放');
    expect((await request(t.app).get('/s/NOPE42')).status).toBe(404);
  });

  test('the QR poster carries the QR code, both names, the address and the privacy notice', async () => {
    const ch = await t.testDb.db('channels').where({ code }).first();
    const res = await manager.agent.get(`/channels/${ch.id}/poster`);
    expect(res.text).toContain('<svg');
    expect(res.text).toContain(`/s/${code}`);
    expect(res.text).toContain('戶政課');
    expect(res.text).toContain('Household Registration');
    expect(res.text).toContain('本問卷不記名');
  });
});

describe('a kiosk tablet', () => {
  test('needs its key; waits the minimum gap; thanks and returns to the start by itself', async () => {
    const ch = await channel('kiosk');
    expect((await request(t.app).get(`/s/${ch.code}`)).status).toBe(403);
    expect((await request(t.app).get(`/s/${ch.code}?k=wrong`)).status).toBe(403);
    const tablet = request.agent(t.app);
    const form = await tablet.get(`/s/${ch.code}?k=${ch.kiosk_key}`);
    const token = /name="_csrf" value="([^"]+)"/.exec(form.text)?.[1] ?? '';
    const first = await tablet.post(`/s/${ch.code}`).type('form').send({ _csrf: token, k: ch.kiosk_key, ...ANSWERS });
    expect(first.status).toBe(303);
    const thanks = await tablet.get(first.headers.location as string);
    expect(thanks.text).toContain(`<meta http-equiv="refresh" content="5;url=/s/${ch.code}?k=${ch.kiosk_key}">`);
    const tooSoon = await tablet.post(`/s/${ch.code}`).type('form').send({ _csrf: token, k: ch.kiosk_key, ...ANSWERS });
    expect(tooSoon.status).toBe(429);
    expect(tooSoon.text).toContain('請稍候');
    expect(tooSoon.text).toContain('name="q_env.clean" value="5" checked');
    now = new Date(now.getTime() + 6000);
    expect((await tablet.post(`/s/${ch.code}`).type('form').send({ _csrf: token, k: ch.kiosk_key, ...ANSWERS })).status).toBe(303);
    // No repeat guard on a shared tablet.
    expect((await tablet.get(`/s/${ch.code}?k=${ch.kiosk_key}`)).text).toContain('name="q_overall"');
  });
});

describe('the staff survey', () => {
  test('single-use codes, never linked to the answer; the unit only if the respondent gives it', async () => {
    const ch = await channel('staff', 'staff', { codesRequired: 'yes' });
    const issued = await manager.post(`/channels/${ch.id}/codes`, { count: '3' });
    const codes = [...issued.text.matchAll(/<code>([A-Z0-9]{8})<\/code>/g)].map((m) => m[1] as string);
    expect(codes).toHaveLength(3);
    expect(JSON.stringify(await t.testDb.db('staff_codes'))).not.toContain(codes[0]);
    const staff = {
      'q_work.space': '6', 'q_work.safety': '5', 'q_lead.direction': '4', 'q_lead.fairness': '4', 'q_train.access': '3',
      'q_train.useful': '5', 'q_comm.info': '2', 'q_comm.voice': '3', q_overall: '5', q_unit: String(counter.id),
    };
    const c = await citizen(`/s/${ch.code}`, '10.0.0.9');
    const noCode = await c.agent.post(`/s/${ch.code}`).set('X-Forwarded-For', c.ip).type('form').send({ _csrf: c.token, ...staff });
    expect(noCode.status).toBe(422);
    expect(noCode.text).toContain('請輸入 8 個字元的代碼');
    const ok = await c.agent.post(`/s/${ch.code}`).set('X-Forwarded-For', c.ip).type('form').send({ _csrf: c.token, ...staff, code: codes[0] });
    expect(ok.status).toBe(303);
    const reused = await c.agent.post(`/s/${ch.code}`).set('X-Forwarded-For', c.ip).type('form').send({ _csrf: c.token, ...staff, code: codes[0] });
    expect(reused.status).toBe(422);
    expect(reused.text).toContain('這個代碼不正確或已經使用過');
    const stored = await t.testDb.db('responses').where({ channel_id: ch.id });
    expect(stored).toHaveLength(1);
    expect(stored[0].unit_id).toBe(counter.id);
    const { q_unit: _unit, ...withoutUnit } = staff;
    void _unit;
    expect((await c.agent.post(`/s/${ch.code}`).set('X-Forwarded-For', c.ip).type('form').send({ _csrf: c.token, ...withoutUnit, code: codes[1] })).status).toBe(303);
    expect((await t.testDb.db('responses').where({ channel_id: ch.id }).orderBy('id', 'desc').first()).unit_id).toBe(0);
    // The health table never shows a share for a staff channel under five answers.
    expect((await manager.agent.get('/channels')).text).toContain('少於 5 人，不顯示');
  });
});

describe('channel health', () => {
  test('a counter whose answers are all on one point is flagged one-sided; a mixed one is not', async () => {
    const svc = t.services.surveys;
    const allFive = Object.fromEntries(Object.entries(ANSWERS).map(([k, v]) => [k, /^\d$/.test(v) && k !== 'q_recommend' ? '5' : v]));
    const managerUser = await t.services.auth.currentUser((await t.testDb.db('users').where({ role: 'manager' }).first()).id);
    if (!managerUser) throw new Error('no manager');
    const codes: string[] = [];
    for (const answers of [allFive, ANSWERS]) {
      const ch = await channel('kiosk');
      codes.push(ch.code);
      const full = await svc.channelByCode(ch.code);
      if (!full) throw new Error('channel not found');
      for (let i = 0; i < 20; i += 1) {
        now = new Date(now.getTime() + 10_000);
        expect((await svc.submit(full, answers, { ip: '127.0.0.1' })).kind).toBe('stored');
      }
    }
    const health = await svc.health(managerUser);
    const [tampered, mixed] = codes.map((code) => health.find((h) => h.channel.code === code));
    expect(tampered).toMatchObject({ oneSided: true, lowestShare: 0, lastWeek: 20 });
    expect(mixed).toMatchObject({ oneSided: false });
    expect((await manager.agent.get('/channels')).text).toContain('答案過度集中');
  });
});

test('`aggregates rebuild` gives back exactly the aggregates kept along the way', async () => {
  const counts = await t.testDb.db('agg_counts').orderBy(['survey_key', 'channel_id', 'unit_id', 'month', 'question_key', 'value']);
  const sections = await t.testDb.db('agg_sections').orderBy(['survey_key', 'channel_id', 'unit_id', 'month', 'section_key', 'item_i', 'item_j']);
  expect(counts.length).toBeGreaterThan(0);
  await t.services.surveys.rebuildAggregates();
  expect(await t.testDb.db('agg_counts').orderBy(['survey_key', 'channel_id', 'unit_id', 'month', 'question_key', 'value'])).toEqual(counts);
  expect(await t.testDb.db('agg_sections').orderBy(['survey_key', 'channel_id', 'unit_id', 'month', 'section_key', 'item_i', 'item_j'])).toEqual(sections);
});

test('staff headcounts per unit are kept for the response rate; bad numbers are refused', async () => {
  const bad = await manager.post('/headcounts', { year: '2026', [`h_${counter.id}`]: 'many' });
  expect(bad.status).toBe(422);
  expect((await manager.post('/headcounts', { year: '2026', [`h_${counter.id}`]: '12' })).status).toBe(303);
  expect(await t.testDb.db('unit_headcounts').where({ unit_id: counter.id, year: 2026 }).first()).toMatchObject({ headcount: 12 });
  expect((await manager.agent.get('/headcounts?year=2026')).text).toContain('value="12"');
});

test('what the body parser refuses still gets a proper page: too many fields, too large a body', async () => {
  const code = (await t.testDb.db('channels').where({ mode: 'personal', active: true }).first()).code;
  const many = Object.fromEntries(Array.from({ length: 2100 }, (_, i) => [`f${i}`, '']));
  const res = await request(t.app).post(`/s/${code}`).type('form').send(many);
  expect(res.status).toBe(400);
  expect(res.headers['content-type']).toContain('text/html');
  expect(res.text).toContain('送出的欄位太多');
  const huge = await request(t.app).post(`/s/${code}`).type('form').send({ q_comment: 'x'.repeat(2_200_000) });
  expect(huge.status).toBe(413);
  expect(huge.text).toContain('<h1>');
});

test('a staff survey answered on a personal channel keeps the unit the respondent named', async () => {
  const ch = await channel('personal', 'staff');
  const c = await citizen(`/s/${ch.code}`, '10.9.9.9');
  const staff = {
    'q_work.space': '6', 'q_work.safety': '5', 'q_lead.direction': '4', 'q_lead.fairness': '4', 'q_train.access': '3',
    'q_train.useful': '5', 'q_comm.info': '2', 'q_comm.voice': '3', q_overall: '5', q_unit: String(counter.id), q_comment: 'a\u0000b',
  };
  const res = await c.agent.post(`/s/${ch.code}`).set('X-Forwarded-For', c.ip).type('form').send({ _csrf: c.token, ...staff });
  expect(res.status).toBe(303);
  const stored = await t.testDb.db('responses').where({ channel_id: ch.id }).first();
  expect(stored.unit_id).toBe(counter.id);
  const comment = await t.testDb.db('response_answers').where({ response_id: stored.id, question_key: 'comment' }).first();
  expect(comment.text).toBe('ab');
});
