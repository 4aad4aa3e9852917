import type { Browser, BrowserContext, Page } from 'playwright-core';
import { hashPassword } from '../../server/auth/passwords';
import { UnitsRepo, type Unit } from '../../server/org/units-repo';
import { UsersRepo } from '../../server/org/users-repo';
import type { Db } from '../../server/platform/db';
import {
  callLeg,
  callScenarios,
  callStatusParams,
  FAKE_ACCOUNT_SID,
  FAKE_AUTH_TOKEN,
  FakeTwilio,
  playWebhooks,
  recordingReady,
  sid,
  signWebhook,
  type TwilioWebhook,
} from '../support/fake-twilio';
import {
  ADMIN,
  AGENCY,
  completeSetup,
  describeBrowser,
  expectAccessible,
  launchBrowser,
  navigation,
  newContext,
  signIn,
  startApp,
  text,
  visit,
  watchCsp,
  type RunningApp,
} from '../support/browser';

/**
 * A call through the Twilio bridge in real Chromium, with the real server and
 * the real Twilio SDK pointed at the local fake: the tester presses Call, the
 * fake plays the call's webhooks (signed for the public address, sent to the
 * server's local one, as through a proxy), the call page follows by itself
 * (its script polls into a live region), and the scoring form shows the
 * measured ring time with its source. Then, with recording turned on by the
 * administrator, the tester ticks the consent box, calls again, and plays the
 * recording, streamed through the server, in the browser. Nothing reaches the internet.
 *
 * The tests run in order, as one call: each continues where the last stopped.
 */

const PUBLIC = 'https://courtesy.example.gov.tw';
const CALLER_ID = '+886277001234';
const TESTER_PHONE = '+886912345678';
const UNIT_PHONE = '+886223456789';
const PASSWORD = 'a long enough test password';
const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

describeBrowser('a phone test called through the Twilio bridge (Chromium)', () => {
  let fake: FakeTwilio;
  let running: RunningApp;
  let db: Db;
  let browser: Browser;
  let context: BrowserContext;
  let csp: { violations: string[] };
  let page: Page;
  let unit: Unit;
  let assignmentId: number;
  let callId: number;
  let callSid: string;
  const tester = { email: 'tester@example.gov.tw', name: '林測試' };

  /** Plays signed webhooks at the running server; every one must be accepted. */
  const deliver = async (hooks: TwilioWebhook[], status = 204): Promise<string[]> => {
    const answers = await playWebhooks(running.url, hooks);
    expect(answers.map((a) => a.status)).toEqual(hooks.map(() => status));
    return answers.map((a) => a.body);
  };
  const at = (seconds: number) => new Date(Date.now() + seconds * 1000);
  /** Waits until the live region's field reads `expected` (the page is not reloaded). */
  const liveField = async (field: string, expected: string): Promise<void> => {
    const selector = `#call-status [data-field="${field}"]`;
    try {
      await page.waitForFunction(([s, e]) => document.querySelector(s)?.textContent === e, [selector, expected] as const, { timeout: 10_000 });
    } catch {
      throw new Error(`${field} never read "${expected}"; it reads "${await text(page, selector)}"`);
    }
  };

  beforeAll(async () => {
    fake = await FakeTwilio.start();
    running = await startApp(
      { PUBLIC_BASE_URL: PUBLIC, TWILIO_ACCOUNT_SID: FAKE_ACCOUNT_SID, TWILIO_AUTH_TOKEN: FAKE_AUTH_TOKEN, TWILIO_CALLER_ID: CALLER_ID },
      { twilioHttpClient: fake.httpClient },
    );
    db = running.db;
    browser = await launchBrowser();
    const setup = await newContext(browser);
    await completeSetup(await setup.newPage(), running.setupUrl);
    await setup.close();

    const units = new UnitsRepo(db);
    const [agency] = await units.findByCodes([AGENCY.code]);
    if (!agency) throw new Error('setup made no agency');
    const now = new Date().toISOString();
    const section = (code: string, nameZh: string, phoneE164: string | null) =>
      units.insert({ code, type: 'unit', nameZh, nameEn: code, phoneE164, phoneExt: null, active: true, parentId: agency.id }, agency.path, now);
    unit = await section('SEC', '秘書室', UNIT_PHONE);
    const home = await section('RES', '研考科', '+886223456000');
    const testerId = await new UsersRepo(db).insert(
      { email: tester.email, name: tester.name, role: 'tester', unitId: home.id, phoneE164: TESTER_PHONE, phoneExt: null, active: true },
      now,
      db,
      await hashPassword(PASSWORD),
    );
    const [plan] = await db('plans')
      .insert({ scope_unit_id: agency.id, month: today.slice(0, 7), status: 'published', seed: 'e2e-telephony', warnings: '[]', created_at: now, published_at: now })
      .returning<{ id: number }[]>('id');
    const [row] = await db('assignments')
      .insert({
        plan_id: plan?.id,
        unit_id: unit.id,
        part: 'unit',
        tester_id: testerId,
        date: today,
        window_start: '09:00',
        window_end: '17:00',
        reason_key: 'plan.reason.never',
        reason_params: '{}',
        created_at: now,
        updated_at: now,
      })
      .returning<{ id: number }[]>('id');
    assignmentId = row?.id ?? 0;

    context = await newContext(browser);
    csp = watchCsp(context);
    page = await context.newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await running?.stop();
    await fake?.close();
  });

  afterEach(() => {
    expect(csp.violations.splice(0)).toEqual([]);
  });

  test("the tester presses Call; Twilio is asked to ring the tester's phone, and the call page says so", async () => {
    await visit(page, `${running.url}/login`);
    await page.fill('#email', tester.email);
    await page.fill('#password', PASSWORD);
    expect(await navigation(page, () => page.locator('main form button').click())).toBe(200);
    await visit(page, `${running.url}/my/assignments`);
    expect(await page.locator('main .info-box').count()).toBe(0); // not manual mode
    const button = page.locator(`#call-${assignmentId}`);
    expect(await text(page, `#call-${assignmentId}`)).toBe('由系統撥號 秘書室');

    expect(await navigation(page, () => button.click())).toBe(200);
    const match = /^\/calls\/(\d+)$/.exec(new URL(page.url()).pathname);
    expect(match).not.toBeNull();
    callId = Number(match?.[1]);
    const placed = fake.calls.at(-1);
    expect(placed?.params).toMatchObject({ To: TESTER_PHONE, From: CALLER_ID, Url: `${PUBLIC}/twilio/calls/${callId}/bridge`, StatusCallback: `${PUBLIC}/twilio/calls/${callId}/tester-status` });
    callSid = placed?.sid ?? '';
    expect(await text(page, 'h1')).toBe('撥打：秘書室');
    expect(await page.getAttribute('#call-status', 'role')).toBe('status');
    expect(await text(page, '#call-status [data-field="status"]')).toBe('正在撥打您的電話…');
    await expectAccessible(page);
  });

  test('as the tester answers and Twilio dials the unit, the page follows without a reload', async () => {
    const url = page.url();
    const testerLeg = callLeg({ callSid, to: TESTER_PHONE, from: CALLER_ID });
    const testerHook = (status: string, n: number) =>
      signWebhook(FAKE_AUTH_TOKEN, PUBLIC, `/twilio/calls/${callId}/tester-status`, callStatusParams(testerLeg, status, n, at(n)));
    await deliver([testerHook('initiated', 0), testerHook('ringing', 1)]);
    await liveField('status', '您的電話正在響，請接聽');
    await deliver([testerHook('in-progress', 2)]);
    await liveField('status', '您已接聽，正在撥打受測單位…');

    // Twilio fetches the bridge: the TwiML dials the unit.
    const [twiml] = await deliver([signWebhook(FAKE_AUTH_TOKEN, PUBLIC, `/twilio/calls/${callId}/bridge`, { CallSid: callSid, CallStatus: 'in-progress', AccountSid: FAKE_ACCOUNT_SID })], 200);
    expect(twiml).toContain(`<Number statusCallback="${PUBLIC}/twilio/calls/${callId}/unit-status"`);
    expect(twiml).toContain(`>${UNIT_PHONE}</Number>`);

    // The unit's leg: it rings 5 seconds, answers, and the conversation ends.
    const unitHooks = callScenarios.normalAnswer(
      { authToken: FAKE_AUTH_TOKEN, publicBaseUrl: PUBLIC, path: `/twilio/calls/${callId}/unit-status` },
      callLeg({ parentCallSid: callSid, to: UNIT_PHONE, from: CALLER_ID }),
      at(3),
    );
    await deliver(unitHooks.slice(0, 2));
    await liveField('status', '受測單位的電話正在響');
    await deliver(unitHooks.slice(2, 3));
    await liveField('status', '受測單位已接聽，通話中');
    await liveField('ringTime', '5 秒');
    await deliver(unitHooks.slice(3));
    await liveField('status', '通話已結束');
    expect(await text(page, '#call-status [data-field="outcome"]')).toBe('已接聽');
    expect(await text(page, '#call-status [data-field="source"]')).toBe('實測：從受測單位電話響起到接聽');
    expect(await page.getAttribute('#call-status', 'data-final')).toBe('true');
    expect(page.url()).toBe(url);
    await expectAccessible(page);
  });

  test('without JavaScript the page shows the same, and its refresh link reloads it', async () => {
    const noScript = await newContext(browser, { javaScriptEnabled: false });
    try {
      const p = await noScript.newPage();
      await visit(p, `${running.url}/login`);
      await p.fill('#email', tester.email);
      await p.fill('#password', PASSWORD);
      expect(await navigation(p, () => p.locator('main form button').click())).toBe(200);
      await visit(p, `${running.url}/calls/${callId}`);
      expect(await text(p, '#call-status [data-field="status"]')).toBe('通話已結束');
      expect(await text(p, '#call-status [data-field="ringTime"]')).toBe('5 秒');
      expect(await navigation(p, () => p.getByRole('link', { name: '重新整理狀態' }).click())).toBe(200);
      expect(new URL(p.url()).pathname).toBe(`/calls/${callId}`);
      expect(await text(p, '#call-status [data-field="source"]')).toBe('實測：從受測單位電話響起到接聽');
    } finally {
      await noScript.close();
    }
  });

  test('the scoring form has the measured ring time filled in, with its source beside it', async () => {
    expect(await navigation(page, () => page.getByRole('link', { name: '填寫評分表' }).click())).toBe(200);
    expect(new URL(page.url()).pathname).toBe(`/assignments/${assignmentId}/score`);
    expect(await page.inputValue('[id="a_un.answer"]')).toBe('5');
    expect(await text(page, '[id="a_un.answer-ring"]')).toBe('系統量得 5 秒。 實測：從受測單位電話響起到接聽');
    expect(await page.getAttribute('[id="a_un.answer"]', 'aria-describedby')).toBe('a_un.answer-hint a_un.answer-ring');
    expect(await page.locator('main .info-box').count()).toBe(0);
    await expectAccessible(page);
  });

  test("the administrator sees Twilio configured (never the token) and sends a test SMS to the mobile on the administrator's record", async () => {
    const adminContext = await newContext(browser);
    const adminCsp = watchCsp(adminContext);
    try {
      const p = await adminContext.newPage();
      await signIn(p, running.url);
      await db('users').where({ email: ADMIN.email }).update({ phone_e164: '+886912000111' });
      await visit(p, `${running.url}/settings`);
      expect(await text(p, '#telephony')).toBe('電話撥號（Twilio）');
      expect(await p.locator('main').textContent()).toContain('已設定 Twilio');
      expect(await p.content()).not.toContain(FAKE_AUTH_TOKEN);
      expect(await p.locator('main').textContent()).toContain('會寄到您帳號的手機：0912 000 111');
      await expectAccessible(p);
      const before = fake.messages.length;
      expect(await navigation(p, () => p.getByRole('button', { name: '寄出測試簡訊' }).click())).toBe(200);
      expect(await text(p, '.notice')).toBe('測試簡訊已寄往 0912 000 111（1 則）。送達狀態見「寄測試簡訊給我」下方。');
      expect(fake.messages).toHaveLength(before + 1);
      expect(fake.messages.at(-1)?.params.Body).toBe(`【${AGENCY.nameZh}】這是電話禮貌測試系統的測試簡訊，收到即表示簡訊設定正確。`);
      await expectAccessible(p);
      expect(adminCsp.violations).toEqual([]);
    } finally {
      await adminContext.close();
    }
  });

  test('with recording on, the tester ticks the consent box and calls; Twilio is asked for a dual-channel recording', async () => {
    const adminContext = await newContext(browser);
    const adminCsp = watchCsp(adminContext);
    try {
      const p = await adminContext.newPage();
      await signIn(p, running.url);
      await visit(p, `${running.url}/settings`);
      expect(await p.isChecked('#recordCalls-0')).toBe(true); // off by default
      await p.check('#recordCalls-1');
      expect(await p.inputValue('#recordingRetentionDays')).toBe('90');
      await expectAccessible(p);
      expect(await navigation(p, () => p.getByRole('button', { name: '儲存' }).click())).toBe(200);
      expect(await p.isChecked('#recordCalls-1')).toBe(true);
      expect(adminCsp.violations).toEqual([]);
    } finally {
      await adminContext.close();
    }

    await visit(page, `${running.url}/my/assignments`);
    const consent = page.locator(`#consent-${assignmentId}`);
    expect(await page.getAttribute(`#consent-${assignmentId}`, 'type')).toBe('checkbox');
    expect(await text(page, `label[for="consent-${assignmentId}"]`)).toBe('錄製本通電話：已依本機關作業規定告知受測單位或取得同意 秘書室');
    await expectAccessible(page);
    await consent.check();
    expect(await navigation(page, () => page.locator(`#call-${assignmentId}`).click())).toBe(200);
    callId = Number(/^\/calls\/(\d+)$/.exec(new URL(page.url()).pathname)?.[1]);
    callSid = fake.calls.at(-1)?.sid ?? '';
    expect(await page.locator('main').textContent()).toContain('本通電話錄音：您已於');
    const [twiml] = await deliver([signWebhook(FAKE_AUTH_TOKEN, PUBLIC, `/twilio/calls/${callId}/bridge`, { CallSid: callSid, CallStatus: 'in-progress', AccountSid: FAKE_ACCOUNT_SID })], 200);
    expect(twiml).toContain('record="record-from-answer-dual"');
    expect(twiml).toContain(`recordingStatusCallback="${PUBLIC}/twilio/calls/${callId}/recording"`);
  });

  test('once the recording is ready, the call page plays it from this server, and the browser can seek in it', async () => {
    const recordingSid = sid('RE');
    await deliver([recordingReady({ authToken: FAKE_AUTH_TOKEN, publicBaseUrl: PUBLIC, path: `/twilio/calls/${callId}/recording` }, { callSid, recordingSid, durationSeconds: 1 })]);
    await visit(page, `${running.url}/calls/${callId}`);
    const player = page.locator('main audio');
    expect(await player.count()).toBe(1);
    const src = (await player.getAttribute('src')) ?? '';
    expect(src).toMatch(/^\/recordings\/\d+\/audio$/);
    expect(await page.content()).not.toContain('twilio.com');
    await expectAccessible(page);
    const before = fake.mediaRequests.length;
    // The generated WAV lasts one second; seeking half-way makes the browser ask for a range.
    const duration = await page.evaluate(async () => {
      const audio = document.querySelector('main audio') as HTMLAudioElement;
      audio.preload = 'auto';
      audio.load();
      await new Promise<void>((resolve, reject) => {
        audio.addEventListener('loadedmetadata', () => resolve(), { once: true });
        audio.addEventListener('error', () => reject(new Error(`media error ${audio.error?.code ?? '?'}`)), { once: true });
      });
      audio.currentTime = 0.5;
      await new Promise<void>((resolve) => audio.addEventListener('seeked', () => resolve(), { once: true }));
      return audio.duration;
    });
    expect(duration).toBeCloseTo(1, 2);
    const asked = fake.mediaRequests.slice(before);
    expect(asked.length).toBeGreaterThan(0);
    expect(asked.every((r) => r.recordingSid === recordingSid)).toBe(true);
    expect(asked.some((r) => r.range !== null && /^bytes=\d+-\d*$/.test(r.range))).toBe(true);

    // The administrator's recordings page lists it with a player, and no deletion failures.
    const adminContext = await newContext(browser);
    try {
      const p = await adminContext.newPage();
      await signIn(p, running.url);
      await visit(p, `${running.url}/recordings`);
      expect(await text(p, 'h1')).toBe('通話錄音');
      expect(await p.locator('main').textContent()).toContain('無：超過保存期限的錄音皆已刪除。');
      expect(await p.getAttribute('main audio', 'src')).toBe(src);
      await expectAccessible(p);
    } finally {
      await adminContext.close();
    }
  });
});
