import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import {
  ADMIN,
  AGENCY,
  completeSetup,
  describeBrowser,
  expectAccessible,
  focused,
  launchBrowser,
  navigation,
  newContext,
  signIn,
  startApp,
  text,
  visit,
  watchCsp,
  widths,
  type RunningApp,
} from '../support/browser';

/**
 * An administrator at work in real Chromium: units through the form, every admin
 * page checked with axe, a phone-sized screen, and switching language.
 */
describeBrowser('units, admin pages and language (Chromium)', () => {
  let app: RunningApp;
  let browser: Browser;
  /** Cookies of a signed-in administrator, shared by tests that do not change the session's language. */
  let signedIn: BrowserContextOptions['storageState'];
  const contexts: BrowserContext[] = [];
  const cspWatchers: { violations: string[] }[] = [];

  beforeAll(async () => {
    app = await startApp();
    browser = await launchBrowser();
    const context = await newContext(browser);
    await completeSetup(await context.newPage(), app.setupUrl);
    signedIn = await context.storageState();
    await context.close();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  /** A new page in its own context, CSP-watched and closed after the test. */
  const openPage = async (options: BrowserContextOptions = {}): Promise<Page> => {
    const context = await newContext(browser, options);
    contexts.push(context);
    cspWatchers.push(watchCsp(context));
    return context.newPage();
  };
  const adminPage = (options: BrowserContextOptions = {}) => openPage({ storageState: signedIn, ...options });

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
    expect(cspWatchers.splice(0).flatMap((w) => w.violations)).toEqual([]);
  });

  const path = (page: Page) => new URL(page.url()).pathname;
  const agencyOption = `${AGENCY.nameZh} (${AGENCY.code})`;

  test('a unit created through the form appears in the tree with its formatted phone; a missing name keeps the answers', async () => {
    const page = await adminPage();
    expect(await visit(page, `${app.url}/units`)).toBe(200);
    expect(await text(page, 'h1')).toBe('單位');
    await expectAccessible(page);

    expect(await navigation(page, () => page.getByRole('link', { name: '新增單位', exact: true }).click())).toBe(200);
    expect(path(page)).toBe('/units/new');
    expect(await text(page, 'h1')).toBe('新增單位');
    await expectAccessible(page);

    await page.fill('#code', 'SEC1');
    await page.selectOption('#type', { label: '業務單位' });
    await page.selectOption('#parentId', { label: agencyOption });
    await page.fill('#phone', '02-2345-6789 分機 123');
    expect(await navigation(page, () => page.getByRole('button', { name: '儲存' }).click())).toBe(422);

    expect(await text(page, '.error-summary h2')).toBe('請修正以下問題');
    const links = page.locator('.error-summary a');
    expect(await links.count()).toBe(1);
    expect(await links.first().getAttribute('href')).toBe('#nameZh');
    expect(await text(page, '.error-summary a')).toBe('此欄必填');
    expect(await text(page, '#nameZh-error')).toBe('錯誤：此欄必填');
    expect(await page.getAttribute('#nameZh', 'aria-invalid')).toBe('true');
    expect(await page.inputValue('#code')).toBe('SEC1');
    expect(await page.locator('#type option:checked').textContent()).toBe('業務單位');
    expect(await page.locator('#parentId option:checked').textContent()).toBe(agencyOption);
    expect(await page.inputValue('#phone')).toBe('02-2345-6789 分機 123');
    await expectAccessible(page);

    await links.first().click();
    expect((await focused(page)).id).toBe('nameZh');
    await page.keyboard.type('秘書室');
    expect(await navigation(page, () => page.getByRole('button', { name: '儲存' }).click())).toBe(200);
    expect(path(page)).toBe('/units');
    expect(await text(page, '.notice')).toBe('已新增「秘書室」。');

    const row = page.locator('.tree__row', { has: page.locator('.tree__name', { hasText: '秘書室' }) });
    expect(await row.count()).toBe(1);
    expect(await text(page, '.tree__row:has(.tree__name:text-is("秘書室")) .tree__phone')).toBe('02 2345 6789 分機 123');
    expect(await text(page, '.tree__row:has(.tree__name:text-is("秘書室")) .tag')).toBe('業務單位');
    expect(await text(page, '.tree__row:has(.tree__name:text-is("秘書室")) .tree__code')).toBe('SEC1');
    // It hangs under the agency.
    const parentName = await row.evaluate((el) => el.closest('li')?.parentElement?.closest('li')?.querySelector('.tree__name')?.textContent ?? null);
    expect(parentName).toBe(AGENCY.nameZh);
    await expectAccessible(page);

    // Its edit form shows the number as stored, formatted.
    expect(await navigation(page, () => page.getByRole('link', { name: '編輯 秘書室' }).click())).toBe(200);
    expect(await text(page, 'h1')).toBe('編輯單位：秘書室');
    expect(await page.inputValue('#phone')).toBe('02 2345 6789 分機 123');
    expect(await page.locator('#parentId option:checked').textContent()).toBe(agencyOption);
    await expectAccessible(page);
  });

  test('an empty unit form lists every problem, in form order, each linking to its field', async () => {
    const page = await adminPage();
    await visit(page, `${app.url}/units/new`);
    await page.fill('#phone', 'not a number');
    expect(await navigation(page, () => page.getByRole('button', { name: '儲存' }).click())).toBe(422);
    const summary = await page.locator('.error-summary a').evaluateAll((as) => as.map((a) => [a.getAttribute('href'), a.textContent?.trim()]));
    expect(summary).toEqual([
      ['#code', '此欄必填'],
      ['#nameZh', '此欄必填'],
      ['#phone', '請輸入正確的臺灣電話號碼，例如 02-2345-6789 分機 123'],
    ]);
    for (const [href] of summary) expect(await page.locator(String(href)).count()).toBe(1);
    expect(await page.inputValue('#phone')).toBe('not a number');
    await expectAccessible(page);
  });

  test('on a phone-sized screen (390×844) the units pages fit without sideways scrolling', async () => {
    const page = await adminPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 3 });
    const fits = async (where: string) => {
      const w = await widths(page);
      expect({ where, fits: w.scrollWidth <= w.clientWidth, ...w }).toEqual({ where, fits: true, ...w });
      expect(w.clientWidth).toBe(390);
    };

    await visit(page, `${app.url}/units`);
    await fits('/units');
    await expectAccessible(page);

    await visit(page, `${app.url}/units/new`);
    await fits('/units/new');
    await expectAccessible(page);

    expect(await navigation(page, () => page.getByRole('button', { name: '儲存' }).click())).toBe(422);
    await fits('/units/new with errors');
    await expectAccessible(page);

    await visit(page, `${app.url}/`);
    await fits('/');
    await expectAccessible(page);
  });

  /** Opens a path, checks status and heading, and runs axe. */
  const check = async (page: Page, url: string, h1: string, status = 200) => {
    expect({ url, status: await visit(page, `${app.url}${url}`) }).toEqual({ url, status });
    expect(await text(page, 'h1')).toBe(h1);
    await expectAccessible(page);
  };
  /** Presses a form's button, checks the answer's status, and runs axe on it. */
  const submit = async (page: Page, button: string, status: number) => {
    expect(await navigation(page, () => page.getByRole('button', { name: button, exact: true }).click())).toBe(status);
    await expectAccessible(page);
  };

  test('the import page: nothing chosen, a clean preview that imports, and a file with a problem', async () => {
    const page = await adminPage();
    await check(page, '/units/import', '匯入單位');
    await submit(page, '預覽', 422);
    expect(await text(page, '.error-summary a')).toBe('請選擇檔案或貼上內容');
    expect(await page.getAttribute('.error-summary a', 'href')).toBe('#file');

    await page.fill('#csv', `code,parent_code,type,name_zh,phone\nPER1,${AGENCY.code},unit,人事室,02-2345-6789#200\n`);
    await submit(page, '預覽', 200);
    expect(await text(page, 'h1')).toBe('匯入單位：預覽');
    expect(await text(page, 'main p')).toBe('將新增 1 個、更新 0 個單位，0 個不變。');
    await submit(page, '確認匯入', 200);
    expect(path(page)).toBe('/units');
    expect(await text(page, '.notice')).toBe('匯入完成：新增 1 個、更新 0 個，0 個不變。');
    expect(await text(page, '.tree__row:has(.tree__name:text-is("人事室")) .tree__phone')).toBe('02 2345 6789 分機 200');

    await visit(page, `${app.url}/units/import`);
    await page.fill('#csv', 'code,parent_code,type,name_zh\nBAD1,NOPE,unit,壞掉的\n');
    await submit(page, '預覽', 422);
    expect(await text(page, '.error-summary h2')).toBe('檔案有 1 個問題，未匯入任何資料');
    expect(await text(page, '.error-summary li')).toBe('第 2 行 (parent_code): 找不到上級單位代碼 NOPE');
  });

  test('the users list and the user form with errors pass axe and keep the answers', async () => {
    const page = await adminPage();
    await check(page, '/', `${ADMIN.name}，您好`);
    await check(page, '/users', '使用者');
    expect(await text(page, 'tbody tr td:nth-child(2)')).toBe(ADMIN.email);
    await check(page, '/users/new', '新增使用者');
    await page.fill('#email', 'not-an-address');
    await submit(page, '儲存', 422);
    expect(await page.locator('.error-summary a').evaluateAll((as) => as.map((a) => a.getAttribute('href')))).toEqual(['#name', '#email', '#unitId']);
    expect(await page.inputValue('#email')).toBe('not-an-address');
  });

  test('change password with a wrong current password, and the error pages, pass axe', async () => {
    const page = await adminPage();
    await check(page, '/account/password', '變更密碼');
    await page.fill('#current', 'not my password');
    await page.fill('#password', 'a brand new password');
    await page.fill('#passwordConfirm', 'a brand new password');
    await submit(page, '變更密碼', 422);
    expect(await text(page, '.error-summary a')).toBe('目前的密碼不正確');
    expect(await page.getAttribute('.error-summary a', 'href')).toBe('#current');

    await check(page, '/nope', '找不到頁面', 404);
    await check(page, '/units/999999/edit', '找不到頁面', 404);

    // The same error page for someone not signed in, and the login page that /users sends them to.
    const anonymous = await openPage();
    await check(anonymous, '/nope', '找不到頁面', 404);
    await check(anonymous, '/users', '登入');
    expect(path(anonymous)).toBe('/login');
  });

  test('every page has a <title> that names the page, not just the application (WCAG 2.4.2)', async () => {
    const page = await adminPage();
    const appName = '電話禮貌測試與滿意度調查';
    const titles: { url: string; title: string }[] = [];
    for (const url of ['/', '/units', '/units/new', '/units/1/edit', '/units/import', '/users', '/users/new', '/account/password', '/nope']) {
      await visit(page, `${app.url}${url}`);
      titles.push({ url, title: await page.title() });
    }
    const unnamed = titles.filter((t) => !t.title.endsWith(` – ${appName}`) || t.title === ` – ${appName}`);
    expect(unnamed).toEqual([]);
  });

  test('switching to English and back changes <html lang> and the texts, and the choice follows you around', async () => {
    // Its own session: the choice is stored with the session and the account.
    const page = await openPage();
    await signIn(page, app.url);
    const lang = () => page.getAttribute('html', 'lang');

    await visit(page, `${app.url}/units`);
    expect(await lang()).toBe('zh-TW');
    expect(await text(page, 'h1')).toBe('單位');
    const toEnglish = page.locator('.site-tools button[name="lang"]');
    expect(await toEnglish.textContent()).toBe('English');
    expect(await toEnglish.getAttribute('lang')).toBe('en');

    expect(await navigation(page, () => toEnglish.click())).toBe(200);
    expect(path(page)).toBe('/units');
    expect(await lang()).toBe('en');
    expect(await text(page, 'h1')).toBe('Units');
    expect(await text(page, `.tree__row:has(.tree__name:text-is("${AGENCY.nameEn}")) .tag`)).toBe('Agency');
    const toChinese = page.locator('.site-tools button[name="lang"]');
    expect(await toChinese.textContent()).toBe('中文');
    expect(await toChinese.getAttribute('lang')).toBe('zh-TW');
    await expectAccessible(page);

    // Following links keeps English.
    expect(await navigation(page, () => page.getByRole('link', { name: 'Add a unit', exact: true }).click())).toBe(200);
    expect(await lang()).toBe('en');
    expect(await text(page, 'label[for="type"]')).toBe('Type *');
    await expectAccessible(page);
    expect(await navigation(page, () => page.locator('.site-nav').getByRole('link', { name: 'Home' }).click())).toBe(200);
    expect(await text(page, 'h1')).toBe(`Welcome, ${ADMIN.name}`);
    await expectAccessible(page);
    await visit(page, `${app.url}/nope`);
    expect(await lang()).toBe('en');
    expect(await text(page, 'h1')).toBe('Page not found');
    await expectAccessible(page);

    // Signing out keeps it for the login page, and the account remembers it at the next sign-in.
    await visit(page, `${app.url}/`);
    expect(await navigation(page, () => page.getByRole('button', { name: 'Sign out' }).click())).toBe(200);
    expect(await lang()).toBe('en');
    expect(await text(page, 'h1')).toBe('Sign in');
    await expectAccessible(page);
    await signIn(page, app.url);
    expect(await lang()).toBe('en');
    expect(await text(page, 'h1')).toBe(`Welcome, ${ADMIN.name}`);

    // And back.
    await visit(page, `${app.url}/units`);
    expect(await navigation(page, () => page.getByRole('button', { name: '中文' }).click())).toBe(200);
    expect(path(page)).toBe('/units');
    expect(await lang()).toBe('zh-TW');
    expect(await text(page, 'h1')).toBe('單位');
    await expectAccessible(page);
    await visit(page, `${app.url}/`);
    expect(await lang()).toBe('zh-TW');
    expect(await text(page, 'h1')).toBe(`${ADMIN.name}，您好`);
  });

  test('a browser that prefers English gets English before anyone chooses', async () => {
    const page = await openPage({ locale: 'en-US' });
    await visit(page, `${app.url}/login`);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await text(page, 'h1')).toBe('Sign in');
    expect(await page.locator('.site-tools button[name="lang"]').textContent()).toBe('中文');
    await expectAccessible(page);
  });
});
