import pino from 'pino';
import request from 'supertest';
import { CasesRepo } from '../../server/courtesy/cases-repo';
import { CasesService } from '../../server/courtesy/cases-service';
import type { Unit } from '../../server/org/units-repo';
import { AppSettingsRepo } from '../../server/platform/app-settings';
import type { Db } from '../../server/platform/db';
import { NotificationsRepo } from '../../server/platform/notifications';
import { testerRemindersJob, type CaseDueSms } from '../../server/telephony/sms-reminders';
import { createTestApp, seedUnit, seedUser, signedIn, type Client, type TestApp } from '../support/app';
import { FAKE_ACCOUNT_SID, FAKE_AUTH_TOKEN, FakeTwilio, webhookRequest, type TwilioWebhook } from '../support/fake-twilio';
import { seedPhoneResults } from '../support/results-seed';

/**
 * SMS reminders through the outbox with the real SDK against the fake Twilio:
 * testers on the morning of their calls, unit heads before a case is due, the
 * numbers that cannot receive one, and the managers' list of messages with
 * the delivery reports Twilio sent.
 */
const PUBLIC = 'https://courtesy.example.gov.tw/app';
const TWILIO_ENV = { TWILIO_ACCOUNT_SID: FAKE_ACCOUNT_SID, TWILIO_AUTH_TOKEN: FAKE_AUTH_TOKEN, TWILIO_CALLER_ID: '+886277001234', PUBLIC_BASE_URL: PUBLIC };
const DAY = '2026-12-07'; // a Monday

let now = new Date('2026-12-06T12:00:00Z');
let fake: FakeTwilio;
let t: TestApp;
let agency: Unit;
let section: Unit;
let otherAgency: Unit;
const people: Record<string, { id: number; email: string }> = {};
let manager: Client;
let foreignManager: Client;

const db = () => t.testDb.db;
const messages = (where: Record<string, unknown> = {}) => db()('sms_messages').where(where).orderBy('id');

async function play(hooks: readonly TwilioWebhook[]): Promise<number[]> {
  const statuses: number[] = [];
  for (const hook of hooks) statuses.push((await request(t.app).post(hook.path).set(webhookRequest(hook).headers).send(webhookRequest(hook).body)).status);
  return statuses;
}

async function assignment(testerId: number, date: string, windowStart: string | null): Promise<number> {
  const month = date.slice(0, 7);
  const plan =
    (await db()('plans').where({ scope_unit_id: agency.id, month }).first())?.id ??
    (await db()('plans').insert({ scope_unit_id: agency.id, month, status: 'published', seed: 's', warnings: '[]', created_at: now.toISOString(), published_at: now.toISOString() }).returning('id'))[0].id;
  const [row] = await db()('assignments')
    .insert({ plan_id: plan, unit_id: section.id, part: 'unit', tester_id: testerId, date, window_start: windowStart, window_end: windowStart === null ? null : '17:00', reason_key: 'plan.reason.never', reason_params: '{}', created_at: now.toISOString(), updated_at: now.toISOString() })
    .returning('id');
  return row.id;
}

beforeAll(async () => {
  fake = await FakeTwilio.start();
  t = await createTestApp(TWILIO_ENV, () => now, undefined, { twilioHttpClient: fake.httpClient });
  agency = await seedUnit(t, { parentId: null, code: 'A', nameZh: '甲機關' });
  section = await seedUnit(t, { parentId: agency.id, code: 'A-1', nameZh: '戶政課', nameEn: 'Household Registration' });
  otherAgency = await seedUnit(t, { parentId: null, code: 'B', nameZh: '乙機關' });
  for (const [name, role, unit, phone, locale] of [
    ['mobile', 'tester', agency, '+886912345678', 'zh-TW'],
    ['english', 'tester', agency, '+886987654321', 'en'],
    ['landline', 'tester', agency, '+886223456789', 'zh-TW'],
    ['none', 'tester', agency, null, 'zh-TW'],
    ['idle', 'tester', agency, '+886911111111', 'zh-TW'],
    ['head', 'unit_head', section, '+886922333444', 'zh-TW'],
    ['headNoPhone', 'unit_head', agency, null, 'zh-TW'],
    ['manager', 'manager', agency, null, 'zh-TW'],
    ['foreign', 'manager', otherAgency, null, 'zh-TW'],
  ] as const) {
    people[name] = await seedUser(t, role, unit.id);
    await db()('users').where({ id: people[name]?.id }).update({ phone_e164: phone, locale });
  }
});
afterAll(async () => {
  await t.close();
  await fake.close();
});

const id = (name: string) => people[name]?.id ?? 0;

describe('testers on the morning of their calls', () => {
  test('prepared once from 07:00, each with the day\'s calls and a full link; sent from 09:00', async () => {
    await assignment(id('mobile'), DAY, '14:00');
    await assignment(id('mobile'), DAY, '10:00');
    await assignment(id('english'), DAY, null);
    await assignment(id('landline'), DAY, '10:00');
    await assignment(id('none'), DAY, '10:00');
    await assignment(id('idle'), '2026-12-08', '10:00'); // tomorrow: no reminder today
    // A call already scored is not counted.
    await seedPhoneResults(db(), agency.id, id('mobile'), [{ unitId: section.id, date: DAY, total: 95 }]);

    const job = (iso: string) => {
      now = new Date(iso);
      return testerRemindersJob(db(), t.services.smsReminders, now);
    };
    expect(await job('2026-12-06T22:59:00Z')).toEqual({ ran: false, date: null, stored: 0 }); // 06:59 in Taipei
    expect(await job('2026-12-06T23:00:00Z')).toEqual({ ran: true, date: DAY, stored: 4 }); // 07:00
    expect(await job('2026-12-07T00:30:00Z')).toEqual({ ran: false, date: DAY, stored: 0 }); // 08:30: done already
    expect(await job('2026-12-07T09:00:00Z')).toEqual({ ran: false, date: null, stored: 0 }); // 17:00: too late to remind

    const rows = await messages({ purpose: 'reminder.tester' });
    const byTester = (name: string) => rows.find((r: { reference: string }) => r.reference === `tester:${id(name)}:${DAY}`);
    expect(rows).toHaveLength(4);
    expect(byTester('mobile')).toMatchObject({
      status: 'pending',
      to_phone: '+886912345678',
      unit_id: agency.id,
      send_after: '2026-12-07T01:00:00.000Z',
      body: '【甲機關】今天（民國115年12月7日）您有 2 通電話禮貌測試，第一通 10:00 起。請至 https://courtesy.example.gov.tw/app/my/assignments 查看。',
    });
    expect(byTester('english')).toMatchObject({
      status: 'pending',
      body: '【甲機關】You have 1 phone courtesy test call(s) today (2026-12-07). See https://courtesy.example.gov.tw/app/my/assignments',
    });
    expect(byTester('landline')).toMatchObject({ status: 'skipped', reason: 'landline', to_phone: '+886223456789' });
    expect(byTester('none')).toMatchObject({ status: 'skipped', reason: 'noPhone', to_phone: null });
    expect(byTester('idle')).toBeUndefined();

    expect(await t.services.smsOutbox.dispatchDue(new Date('2026-12-07T00:59:00Z'))).toEqual({ sent: 0, retried: 0, failed: 0 });
    expect(await t.services.smsOutbox.dispatchDue(new Date('2026-12-07T01:00:00Z'))).toEqual({ sent: 2, retried: 0, failed: 0 });
    expect(fake.messages.map((m) => m.params.To).sort()).toEqual(['+886912345678', '+886987654321']);
  });
});

describe('unit heads before a case is due', () => {
  test('an SMS to each head with a mobile beside the in-app reminder, once per case', async () => {
    now = new Date('2026-12-10T02:00:00Z');
    await seedPhoneResults(db(), agency.id, id('mobile'), [{ unitId: section.id, date: '2026-12-09', total: 60 }]);
    const result = await db()('results').where({ unit_id: section.id, tested_on: '2026-12-09' }).first();
    const [caseRow] = await db()('cases').insert({ unit_id: section.id, result_id: result.id, status: 'open', due_date: '2026-12-12', opened_at: now.toISOString() }).returning('id');
    const caseId: number = caseRow.id;

    expect(await t.services.cases.remindDue(now)).toBe(1);
    expect(await t.services.cases.remindDue(now)).toBe(0);
    const rows = await messages({ purpose: 'reminder.caseDue' });
    expect(rows.map((r: { to_phone: string | null; status: string; reason: string | null }) => [r.to_phone, r.status, r.reason]).sort()).toEqual([
      ['+886922333444', 'pending', null],
      [null, 'skipped', 'noPhone'],
    ]);
    expect(rows.find((r: { status: string }) => r.status === 'pending')).toMatchObject({
      unit_id: section.id,
      reference: `case:${caseId}`,
      body: `【甲機關】改善案件 #${caseId} 將於 民國115年12月12日 到期，請至 https://courtesy.example.gov.tw/app/cases/${caseId} 填寫改善報告。`,
    });
    expect(await db()('notifications').where({ message_key: 'notify.caseDue' })).toHaveLength(2);
  });

  test('an SMS that cannot be queued is undone and logged; the in-app reminder still goes, and so do the next cases', async () => {
    now = new Date('2026-12-10T02:00:00Z');
    await seedPhoneResults(db(), agency.id, id('mobile'), [
      { unitId: section.id, date: '2026-12-03', total: 60 },
      { unitId: section.id, date: '2026-12-04', total: 60 },
    ]);
    const caseIds: number[] = [];
    for (const day of ['2026-12-03', '2026-12-04']) {
      const result = await db()('results').where({ unit_id: section.id, tested_on: day }).first();
      const [row] = await db()('cases').insert({ unit_id: section.id, result_id: result.id, status: 'open', due_date: '2026-12-13', opened_at: now.toISOString() }).returning('id');
      caseIds.push(row.id);
    }
    // The first case's SMS writes its rows, then the database refuses a statement (which aborts a PostgreSQL transaction).
    const failing: CaseDueSms = {
      caseDue: async (c, heads, trx: Db) => {
        await t.services.smsReminders.caseDue(c, heads, trx);
        if (c.id === caseIds[0]) await trx.raw('select * from no_such_table');
      },
    };
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const cases = new CasesService(db(), new CasesRepo(db()), new AppSettingsRepo(db()), new NotificationsRepo(db()), () => now, failing, logger);

    expect(await cases.remindDue(now)).toBe(2);
    const [first, second] = caseIds;
    for (const caseId of caseIds) {
      expect((await db()('cases').where({ id: caseId }).first()).reminded_at).not.toBeNull();
      expect(await db()('notifications').where({ message_key: 'notify.caseDue', link: `/cases/${caseId}` })).toHaveLength(2);
    }
    expect(await messages({ reference: `case:${first}` })).toHaveLength(0);
    expect(await messages({ reference: `case:${second}` })).toHaveLength(2);
    const logged = lines.map((l) => JSON.parse(l) as { caseId?: number; msg: string }).filter((l) => l.caseId === first);
    expect(logged).toMatchObject([{ msg: 'the SMS of a case\'s due reminder could not be queued' }]);
  });
});

describe('the managers\' list', () => {
  test('delivered and failed reports are shown; numbers masked; failures highlighted and filterable; reach respected', async () => {
    now = new Date('2026-12-10T03:00:00Z');
    manager = await signedIn(t.app, people.manager?.email ?? '');
    foreignManager = await signedIn(t.app, people.foreign?.email ?? '');
    await t.services.smsOutbox.dispatchDue(now);
    const sidTo = (to: string) => fake.messages.find((m) => m.params.To === to)?.sid ?? '';
    const [mobileSid, englishSid] = [sidTo('+886912345678'), sidTo('+886987654321')];
    expect(await play(fake.messageCallbacks(mobileSid, 'delivered', PUBLIC))).toEqual([204, 204]);
    expect(await play(fake.messageCallbacks(englishSid, 'undelivered', PUBLIC))).toEqual([204, 204]);

    const page = await manager.agent.get('/sms');
    expect(page.status).toBe(200);
    expect(page.text).toContain('0912***678');
    expect(page.text).not.toContain('0912345678');
    expect(page.text).not.toContain('+886912345678');
    expect(page.text).toContain('已送達');
    expect(page.text).toContain('無法送達');
    expect(page.text).toContain('Twilio 錯誤碼 30003');
    expect(page.text).toContain('號碼是市話，無法接收簡訊');
    expect(page.text).toContain('收件人沒有電話號碼');
    expect(page.text).toContain('1 則簡訊未送達');
    expect(page.text).toContain('class="row--problem"');

    const problems = await manager.agent.get('/sms?status=problems');
    expect(problems.text).toContain('0987***321');
    expect(problems.text).not.toContain('0912***678');
    expect((problems.text.match(/class="row--problem"/g) ?? []).length).toBe(1);
    const delivered = await manager.agent.get('/sms?status=delivered');
    expect(delivered.text).toContain('0912***678');
    expect(delivered.text).not.toContain('0987***321');
    // A filter that is not one shows everything rather than an error.
    expect((await manager.agent.get('/sms?status=nonsense')).status).toBe(200);

    const foreign = await foreignManager.agent.get('/sms');
    expect(foreign.text).toContain('沒有符合的簡訊。');
    expect(foreign.text).not.toContain('***');
  });

  test('manual mode: nothing queued, and the page says so', async () => {
    const manual = await createTestApp();
    try {
      const unit = await seedUnit(manual, { parentId: null, code: 'M', nameZh: '丙機關' });
      const admin = await seedUser(manual, 'admin', unit.id);
      expect(await testerRemindersJob(manual.testDb.db, manual.services.smsReminders, new Date('2026-12-07T00:00:00Z'))).toEqual({ ran: false, date: DAY, stored: 0 });
      expect(await manual.testDb.db('job_runs')).toHaveLength(0);
      const page = await (await signedIn(manual.app, admin.email)).agent.get('/sms');
      expect(page.text).toContain('未設定 Twilio（人工模式）：系統不寄簡訊，簡訊提醒也不會排入佇列。');
    } finally {
      await manual.close();
    }
  });
});
