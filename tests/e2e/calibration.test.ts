import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Role } from '../../server/auth/current-user';
import { hashPassword } from '../../server/auth/passwords';
import { UnitsRepo, type Unit } from '../../server/org/units-repo';
import { UsersRepo } from '../../server/org/users-repo';
import { AGENCY, completeSetup, describeBrowser, expectAccessible, focused, launchBrowser, navigation, newContext, signIn, startApp, text, visit, watchCsp, type RunningApp } from '../support/browser';
import { seedRecordedResult } from '../support/calibration-seed';

/**
 * A calibration round in real Chromium: the manager creates it, two testers score the recorded calls
 * blind (the first with the keyboard alone, through an error and its summary), and the manager reads
 * the result. Every page is checked with axe. The tests run in order, as one journey.
 */

const PASSWORD = 'a long enough test password';

interface Person {
  id: number;
  email: string;
}

describeBrowser('a calibration round: blind scoring and the result (Chromium, keyboard, axe)', () => {
  let app: RunningApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const csp: { violations: string[] }[] = [];
  let agency: Unit;
  let unit: Unit;
  let manager: Person;
  let t1: Person;
  let t2: Person;
  let results: number[];
  let roundId: number;

  const addUser = async (role: Role, name: string, email: string, unitId: number): Promise<Person> => {
    const id = await new UsersRepo(app.db).insert({ email, name, role, unitId, phoneE164: null, phoneExt: null, active: true }, new Date().toISOString(), app.db, await hashPassword(PASSWORD));
    return { id, email };
  };

  const open = async (who: Person): Promise<Page> => {
    const context = await newContext(browser);
    contexts.push(context);
    csp.push(watchCsp(context));
    const page = await context.newPage();
    await signIn(page, app.url, who.email, PASSWORD);
    return page;
  };

  const tabTo = async (page: Page, selector: string, max: number): Promise<void> => {
    for (let n = 1; n <= max; n += 1) {
      await page.keyboard.press('Tab');
      if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    }
    throw new Error(`${max} × Tab did not reach ${selector}; focus is on ${JSON.stringify(await focused(page))}`);
  };

  /** Tab into a radio group (its first option when none is checked) and move with the arrow keys to `value`. */
  const choose = async (page: Page, name: string, value: string): Promise<void> => {
    await tabTo(page, `input[type="radio"][name="${name}"]`, 3);
    const values = await page.evaluate((n) => Array.from(document.querySelectorAll<HTMLInputElement>(`input[type="radio"][name="${n}"]`)).map((r) => r.value), name);
    const at = await page.evaluate((n) => Array.from(document.querySelectorAll<HTMLInputElement>(`input[type="radio"][name="${n}"]`)).findIndex((r) => r === document.activeElement), name);
    const steps = values.indexOf(value) - at;
    if (steps === 0) await page.keyboard.press('Space');
    for (let i = 0; i < steps; i += 1) await page.keyboard.press('ArrowRight');
    expect(await page.evaluate((n) => document.querySelector<HTMLInputElement>(`input[type="radio"][name="${n}"]:checked`)?.value ?? null, name)).toBe(value);
  };

  beforeAll(async () => {
    app = await startApp();
    browser = await launchBrowser();
    const setup = await newContext(browser);
    await completeSetup(await setup.newPage(), app.setupUrl);
    await setup.close();
    const units = new UnitsRepo(app.db);
    const [found] = await units.findByCodes([AGENCY.code]);
    if (!found) throw new Error('setup made no agency');
    agency = found;
    unit = await units.insert({ code: 'HR', type: 'unit', nameZh: '戶政科', nameEn: 'Household Registration', phoneE164: '+886223456789', phoneExt: '200', active: true, parentId: agency.id }, agency.path, new Date().toISOString());
    manager = await addUser('manager', '陳管考', 'manager@example.gov.tw', agency.id);
    const scorer = await addUser('tester', '林原評', 'scorer@example.gov.tw', unit.id);
    t1 = await addUser('tester', '張測試', 't1@example.gov.tw', unit.id);
    t2 = await addUser('tester', '李測試', 't2@example.gov.tw', unit.id);
    results = [];
    for (const date of ['2026-10-05', '2026-10-07']) results.push((await seedRecordedResult(app.db, { agencyId: agency.id, unitId: unit.id, testerId: scorer.id, date })).resultId);
  });

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await app?.stop();
  });

  it('the manager creates a round of two recorded calls for two testers', async () => {
    const page = await open(manager);
    await visit(page, `${app.url}/calibration`);
    await expectAccessible(page);
    await navigation(page, () => page.getByRole('link', { name: '新增校準回合' }).click());
    await expectAccessible(page);
    for (const id of results) await page.check(`input[name="calls"][value="${id}"]`);
    await page.check(`input[name="testers"][value="${t1.id}"]`);
    // One tester only: the form comes back with the choices kept and the error summary.
    await page.fill('#due_on', '2099-12-31');
    expect(await navigation(page, () => page.getByRole('button', { name: '建立校準回合' }).click())).toBe(422);
    expect(await text(page, '.error-summary')).toContain('請至少選兩位測試人員');
    expect(await page.isChecked(`input[name="calls"][value="${results[0]}"]`)).toBe(true);
    await expectAccessible(page);
    await page.check(`input[name="testers"][value="${t2.id}"]`);
    expect(await navigation(page, () => page.getByRole('button', { name: '建立校準回合' }).click())).toBe(200);
    roundId = Number(/\/calibration\/(\d+)$/.exec(new URL(page.url()).pathname)?.[1]);
    expect(roundId).toBeGreaterThan(0);
    expect(await text(page, 'main')).toContain('所有受邀者送出前');
    await expectAccessible(page);
  });

  it('a tester scores the first call blind with the keyboard alone', async () => {
    const page = await open(t1);
    await visit(page, `${app.url}/my/assignments`);
    expect(await text(page, 'main')).toContain('您有 2 通校準電話待盲評');
    await visit(page, `${app.url}/calibration`);
    await expectAccessible(page);
    // Keyboard: skip link into <main>, then Tab to the first task's button and Enter.
    await page.focus('a.skip-link');
    await page.keyboard.press('Enter');
    await tabTo(page, 'main a.button[href*="/calls/"]', 10);
    expect(await navigation(page, () => page.keyboard.press('Enter'))).toBe(200);
    expect(await text(page, 'h1')).toContain('盲評');
    expect(await page.locator('audio[controls]').count()).toBe(1);
    await expectAccessible(page);

    // Into the form: the answer time first.
    await tabTo(page, '#a_un\\.answer', 20);
    await page.keyboard.type('6');
    await choose(page, 'a_un.identify', 'yes');
    await choose(page, 'a_un.greeting', 'no');
    await choose(page, 'a_un.surname', 'yes');
    await choose(page, 'a_un.message', 'na');
    await choose(page, 'a_un.hold', 'na');
    // Closing left out on purpose; hang-up and the rest answered.
    await tabTo(page, 'input[type="radio"][name="a_un.hangup"]', 6);
    await page.keyboard.press('Space');
    await choose(page, 'a_un.tone', '2');
    await choose(page, 'a_un.answer_quality', '2');
    await choose(page, 'a_un.referral', 'yes');
    await tabTo(page, 'main form button.button:not(.button--secondary)', 12);
    expect(await navigation(page, () => page.keyboard.press('Enter'))).toBe(422);
    // The summary takes focus and links to the missing item; the answers are kept.
    expect(await text(page, '.error-summary')).toContain('請回答這一項');
    expect(await page.isChecked('input[name="a_un.greeting"][value="no"]')).toBe(true);
    await expectAccessible(page);
    await page.locator('.error-summary a[href="#a_un.closing"]').focus();
    await page.keyboard.press('Enter');
    await choose(page, 'a_un.closing', 'yes');
    await tabTo(page, 'main form button.button:not(.button--secondary)', 25);
    expect(await navigation(page, () => page.keyboard.press('Enter'))).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/calibration');
    expect(await text(page, '.notice, [role="status"], main')).toContain('評分已送出');
    // The round's page stays closed to the tester until everyone has submitted.
    expect(await visit(page, `${app.url}/calibration/${roundId}`)).toBe(404);
  });

  it('the rest of the scores arrive and the manager reads the result', async () => {
    const fill = async (page: Page, overrides: Record<string, string> = {}) => {
      const answers: Record<string, string> = { 'a_un.identify': 'yes', 'a_un.greeting': 'yes', 'a_un.surname': 'yes', 'a_un.message': 'na', 'a_un.hold': 'na', 'a_un.closing': 'yes', 'a_un.hangup': 'yes', 'a_un.tone': '2', 'a_un.answer_quality': '2', 'a_un.referral': 'yes', ...overrides };
      await page.fill('#a_un\\.answer', '6');
      for (const [name, value] of Object.entries(answers)) await page.check(`input[name="${name}"][value="${value}"]`);
      expect(await navigation(page, () => page.getByRole('button', { name: '送出評分' }).click())).toBe(200);
    };
    const p1 = contexts[1]?.pages()[0] as Page;
    await visit(p1, `${app.url}/calibration`);
    await navigation(p1, () => p1.locator('main a.button[href*="/calls/"]').first().click());
    await fill(p1);
    const p2 = await open(t2);
    for (const overrides of [{ 'a_un.tone': '1' }, {}] as Record<string, string>[]) {
      await visit(p2, `${app.url}/calibration`);
      await navigation(p2, () => p2.locator('main a.button[href*="/calls/"]').first().click());
      await fill(p2, overrides);
    }
    expect(await text(p2, 'main')).toContain('回合已完成');

    const page = contexts[0]?.pages()[0] as Page;
    expect(await visit(page, `${app.url}/calibration/${roundId}`)).toBe(200);
    const main = await text(page, 'main');
    // The same scores as tests/integration/calibration.test.ts, whose comments give the independent values.
    expect(main).toContain('0.80（95% 信賴區間 -0.63 至 1.00；2 通電話，2 位測試人員）');
    expect(main).toContain('96.9%');
    expect(main).toContain('98.5%');
    await expectAccessible(page);
    await navigation(page, () => page.getByRole('link', { name: '張測試 的校準紀錄' }).click());
    expect(await text(page, 'main')).toContain('-1.50');
    await expectAccessible(page);
    expect(csp.flatMap((c) => c.violations)).toEqual([]);
  });
});
