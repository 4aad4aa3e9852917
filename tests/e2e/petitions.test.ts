import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { completeSetup, describeBrowser, expectAccessible, launchBrowser, navigation, newContext, startApp, text, visit, watchCsp, widths, type RunningApp } from '../support/browser';

/**
 * Petition invitations in real Chromium: a manager registers closed cases
 * through the form; a petitioner opens the link on a phone and answers; the
 * link refuses a second answer; case number + PIN work with JavaScript off.
 * axe on every page. Manual mode (no Twilio): the PIN is on the manager's list.
 */
const PHONE: BrowserContextOptions = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 3 };
const LIKERT = ['case.timeliness', 'case.clarity', 'case.attitude', 'case.outcome', 'overall'];

describeBrowser('petition invitations (Chromium)', () => {
  let app: RunningApp;
  let browser: Browser;
  let manager: Page;
  const contexts: BrowserContext[] = [];
  const csp: { violations: string[] }[] = [];

  const open = async (options: BrowserContextOptions): Promise<Page> => {
    const context = await newContext(browser, options);
    contexts.push(context);
    csp.push(watchCsp(context));
    return context.newPage();
  };
  const invitation = (caseNumber: string) =>
    app.db('invitations').join('petition_cases', 'petition_cases.id', 'invitations.case_id').where('petition_cases.case_number', caseNumber).select('invitations.*').first();
  /** axe needs script in the page: it checks an exact copy of what the script-less browser shows, at the same address. */
  const accessibleCopy = async (page: Page) => {
    const copy = await open(PHONE);
    const html = await page.content();
    const address = page.url();
    await copy.route((u) => u.href === address, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }));
    await visit(copy, address);
    expect(await text(copy, 'h1')).toBe(await text(page, 'h1'));
    await expectAccessible(copy);
  };
  const responses = async () => Number((await app.db('responses').count({ n: '*' }).first())?.n);

  beforeAll(async () => {
    app = await startApp();
    browser = await launchBrowser();
    manager = await open({ viewport: { width: 1280, height: 900 } });
    await completeSetup(manager, app.setupUrl);
  });
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await app?.stop();
  });
  afterEach(() => {
    expect(csp.flatMap((w) => w.violations)).toEqual([]);
  });

  test('a manager registers cases through the form (errors first), and sees each PIN while it waits', async () => {
    await visit(manager, `${app.url}/petitions/new`);
    await expectAccessible(manager);
    expect(await navigation(manager, () => manager.locator('main form button').click())).toBe(422);
    expect(await text(manager, '.error-summary')).toContain('案號須為 3 到 40 個英數字');
    await expectAccessible(manager);
    for (const number of ['115P0001', '115P0002']) {
      await visit(manager, `${app.url}/petitions/new`);
      await manager.fill('#case_number', number);
      await manager.selectOption('#unit_code', 'A01');
      await manager.fill('#closed_on', '2025-01-02');
      expect(await navigation(manager, () => manager.locator('main form button').first().click())).toBe(200);
      expect(new URL(manager.url()).pathname).toBe('/petitions');
    }
    await expectAccessible(manager);
    const listed = await text(manager, 'main');
    expect(listed).toContain('115P0001');
    expect(listed).toContain((await invitation('115P0002')).pin);
    await visit(manager, `${app.url}/petitions/import`);
    await expectAccessible(manager);
  });

  test('the petitioner opens the link on a phone, answers, and cannot answer again', async () => {
    const { token } = await invitation('115P0001');
    const page = await open(PHONE);
    expect(await visit(page, `${app.url}/i/${token}`)).toBe(200);
    expect(await text(page, 'h1')).toBe('陳情案件處理滿意度調查');
    const w = await widths(page);
    expect(w.scrollWidth).toBeLessThanOrEqual(w.clientWidth);
    await expectAccessible(page);
    for (const [i, key] of LIKERT.entries()) await page.locator(`input[name="q_${key}"][value="${5 - (i % 2)}"]`).tap();
    expect(await navigation(page, () => page.locator('#form button').tap())).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/i/thanks');
    expect(await text(page, 'h1')).toBe('感謝您的填答');
    await expectAccessible(page);
    expect(await responses()).toBe(1);

    expect(await visit(page, `${app.url}/i/${token}`)).toBe(410);
    expect(await text(page, 'h1')).toBe('這份問卷已經填答過了');
    expect(await page.locator('form').count()).toBe(0);
    await expectAccessible(page);
  });

  test('case number + PIN with JavaScript off: a wrong PIN is explained, the right one leads to the survey', async () => {
    const { pin } = await invitation('115P0002');
    const page = await open({ ...PHONE, javaScriptEnabled: false });
    expect(await visit(page, `${app.url}/i`)).toBe(200);
    await accessibleCopy(page);
    await page.fill('#case_number', '115p0002');
    await page.fill('#pin', pin === '000000' ? '000001' : '000000');
    expect(await navigation(page, () => page.locator('main form button').click())).toBe(422);
    expect(await text(page, '.sum')).toContain('案號或密碼不正確');
    expect(await page.inputValue('#case_number')).toBe('115p0002');
    await accessibleCopy(page);
    await page.fill('#pin', pin);
    expect(await navigation(page, () => page.locator('main form button').click())).toBe(200);
    expect(new URL(page.url()).pathname).toMatch(/^\/i\/[A-Za-z0-9_-]{32}$/);
    for (const key of LIKERT) await page.locator(`input[name="q_${key}"][value="3"]`).check();
    expect(await navigation(page, () => page.locator('#form button').click())).toBe(200);
    expect(await text(page, 'h1')).toBe('感謝您的填答');
    expect(await responses()).toBe(2);
    expect(await invitation('115P0002')).toMatchObject({ status: 'answered', pin: null, token: null });
    expect(await page.locator('script').count()).toBe(0);
  }, 60_000);
});
