import type { Browser, BrowserContext, Page } from 'playwright-core';
import { UnitsRepo } from '../../server/org/units-repo';
import type { Db } from '../../server/platform/db';
import { createTelephonyClient } from '../../server/telephony/client';
import { FAKE_ACCOUNT_SID, FAKE_AUTH_TOKEN, FakeTwilio, playWebhooks } from '../support/fake-twilio';
import { AGENCY, completeSetup, describeBrowser, expectAccessible, launchBrowser, navigation, newContext, text, visit, watchCsp, type RunningApp, startApp } from '../support/browser';

/**
 * The managers' SMS list in real Chromium, on the real server with the real
 * Twilio SDK against the local fake: a message handed to the fake and
 * reported undelivered by a signed callback to the server, beside a skipped
 * landline; axe on the list and on the filtered list, the filter used from
 * the keyboard, and no CSP violation. (Dispatching is tested in
 * tests/integration/sms-outbox.test.ts with a controlled clock; here the
 * server's own dispatcher runs on the real clock, so nothing is left pending.)
 */
const PUBLIC = 'https://courtesy.example.gov.tw';

describeBrowser('the SMS list (Chromium)', () => {
  let fake: FakeTwilio;
  let running: RunningApp;
  let db: Db;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let csp: { violations: string[] };
  let messageSid: string;

  beforeAll(async () => {
    fake = await FakeTwilio.start();
    running = await startApp(
      { PUBLIC_BASE_URL: PUBLIC, TWILIO_ACCOUNT_SID: FAKE_ACCOUNT_SID, TWILIO_AUTH_TOKEN: FAKE_AUTH_TOKEN, TWILIO_CALLER_ID: '+886277001234' },
      { twilioHttpClient: fake.httpClient },
    );
    db = running.db;
    browser = await launchBrowser();
    context = await newContext(browser);
    csp = watchCsp(context);
    page = await context.newPage();
    await completeSetup(page, running.setupUrl);
    const [agency] = await new UnitsRepo(db).findByCodes([AGENCY.code]);
    if (!agency) throw new Error('setup made no agency');
    // Arranged as the outbox leaves them: one handed to Twilio (through the SDK and the fake), one skipped landline.
    const now = new Date().toISOString();
    const body = `【${AGENCY.nameZh}】改善案件 #1 即將到期`;
    const client = createTelephonyClient({ accountSid: FAKE_ACCOUNT_SID, authToken: FAKE_AUTH_TOKEN }, { httpClient: fake.httpClient });
    const row = { purpose: 'reminder.caseDue', unit_id: agency.id, segments: 1, attempts: 1, send_after: now, created_at: now, updated_at: now };
    const [queued] = await db('sms_messages')
      .insert({ ...row, reference: 'case:1', to_phone: '+886912345678', body, status: 'sending' })
      .returning<{ id: number }[]>('id');
    const sent = await client.sendSms({ to: '+886912345678', from: '+886277001234', body, statusCallbackUrl: `${PUBLIC}/twilio/sms/${queued?.id}/status` });
    await db('sms_messages').where({ id: queued?.id }).update({ status: 'queued', message_sid: sent.messageSid });
    messageSid = sent.messageSid;
    await db('sms_messages').insert({ ...row, reference: 'case:2', to_phone: '+886223456789', body: `【${AGENCY.nameZh}】改善案件 #2 即將到期`, status: 'skipped', reason: 'landline' });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await running?.stop();
    await fake?.close();
  });

  test('a message Twilio reported undelivered is highlighted, and the page passes axe', async () => {
    const answers = await playWebhooks(running.url, fake.messageCallbacks(messageSid, 'undelivered', PUBLIC));
    expect(answers.map((a) => a.status)).toEqual([204, 204]);

    expect(await visit(page, `${running.url}/sms`)).toBe(200);
    expect(await text(page, 'h1')).toBe('簡訊紀錄');
    expect(await text(page, 'tr.row--problem')).toContain('0912***678');
    expect(await text(page, 'tr.row--problem')).toContain('無法送達');
    expect(await text(page, 'tr.row--problem')).toContain('Twilio 錯誤碼 30003');
    expect(await page.locator('tbody tr').count()).toBe(2);
    await expectAccessible(page);

    await page.locator('#status').focus();
    await page.locator('#status').selectOption('problems');
    const status = await navigation(page, () => page.locator('form.filters button').press('Enter'));
    expect(status).toBe(200);
    expect(new URL(page.url()).search).toBe('?status=problems');
    expect(await page.locator('tbody tr').count()).toBe(1);
    await expectAccessible(page);
    expect(csp.violations).toEqual([]);
  });
});
