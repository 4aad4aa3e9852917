import type { Browser, Page } from 'playwright-core';
import { completeSetup, describeBrowser, expectAccessible, launchBrowser, navigation, newContext, startApp, text, visit, watchCsp, type RunningApp } from '../support/browser';

/**
 * An administrator makes an API token in real Chromium, copies it from the
 * page that shows it once, uses it, revokes it, and marks a dataset public;
 * axe checks each page.
 */
describeBrowser('API tokens and public datasets (Chromium)', () => {
  let app: RunningApp;
  let browser: Browser;
  let page: Page;
  let csp: { violations: string[] };

  beforeAll(async () => {
    app = await startApp();
    browser = await launchBrowser();
    const context = await newContext(browser);
    csp = watchCsp(context);
    page = await context.newPage();
    await completeSetup(page, app.setupUrl);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  const get = (path: string, token?: string) => fetch(`${app.url}${path}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });

  test('make a token, see it once, use it, revoke it', async () => {
    expect(await visit(page, `${app.url}/account/tokens`)).toBe(200);
    expect(await text(page, 'h1')).toBe('我的 API 權杖');
    await expectAccessible(page);

    // No name: the form says so, and nothing is made.
    expect(await navigation(page, () => page.getByRole('button', { name: '建立權杖' }).click())).toBe(422);
    expect(await text(page, '.error-summary')).toContain('請輸入名稱');
    await expectAccessible(page);

    await page.fill('#name', '縣府儀表板');
    expect(await navigation(page, () => page.getByRole('button', { name: '建立權杖' }).click())).toBe(201);
    const token = await page.inputValue('#new-token');
    expect(token).toMatch(/^ctk_[A-Za-z0-9_-]{43}$/);
    expect(await text(page, '[role="status"]')).toContain('離開此頁後將無法再次顯示');
    await expectAccessible(page);
    expect((await get('/api/v1/units', token)).status).toBe(200);

    // Listed without the token, with its last use.
    expect(await visit(page, `${app.url}/account/tokens`)).toBe(200);
    expect(await page.content()).not.toContain(token);
    expect(await text(page, 'tbody tr')).toContain('縣府儀表板');
    expect(await text(page, 'tbody tr')).not.toContain('尚未使用');

    expect(await navigation(page, () => page.getByRole('button', { name: /撤銷/ }).click())).toBe(200);
    expect(await text(page, '.notice')).toContain('權杖已撤銷');
    expect(await text(page, 'tbody tr')).toContain('已撤銷');
    await expectAccessible(page);
    const refused = await get('/api/v1/units', token);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  test('mark a survey public: it answers without a token, the rest does not', async () => {
    expect((await get('/api/v1/surveys')).status).toBe(401);
    expect(await visit(page, `${app.url}/settings`)).toBe(200);
    expect(await navigation(page, () => page.getByRole('link', { name: '開放資料 API 的公開設定' }).click())).toBe(200);
    await expectAccessible(page);
    await page.getByLabel('調查結果：民眾洽公滿意度調查', { exact: false }).first().check();
    expect(await navigation(page, () => page.getByRole('button', { name: '儲存' }).click())).toBe(200);
    expect(await text(page, '.notice')).toContain('已儲存');
    const open = await get('/api/v1/surveys');
    expect(open.status).toBe(200);
    const body = (await open.json()) as { surveys: { key: string; public: boolean }[] };
    expect(body.surveys.map((s) => [s.key, s.public])).toEqual([['citizen', true]]);
    expect((await get('/api/v1/units')).status).toBe(401);
    expect(csp.violations).toEqual([]);
  });
});
