import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ADMIN, AGENCY, describeBrowser, expectAccessible, fillSetupForm, focused, hashAfterLink, launchBrowser, navigation, newContext, type RunningApp, startApp, text, visit, watchCsp } from '../support/browser';

/**
 * The first minutes of a new installation, in real Chromium: the one-time setup
 * link, signing out and in (also by keyboard alone), and the Content-Security-Policy.
 * The tests run in order: the first creates the administrator the others sign in as.
 */
describeBrowser('first run and signing in (Chromium)', () => {
  let app: RunningApp;
  let browser: Browser;
  // One user's journey through setup, sign-out and sign-in shares this context.
  let context: BrowserContext;
  let page: Page;
  let csp: { violations: string[] };

  beforeAll(async () => {
    app = await startApp();
    browser = await launchBrowser();
    context = await newContext(browser);
    csp = watchCsp(context);
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  afterEach(() => {
    expect(csp.violations).toEqual([]);
  });


  test('the setup link creates the agency and first administrator; a mismatched confirmation keeps the other answers', async () => {
    expect(await visit(page, app.setupUrl)).toBe(200);
    expect(await page.getAttribute('html', 'lang')).toBe('zh-TW');
    expect(await text(page, 'h1')).toBe('建立第一位系統管理者');
    await expectAccessible(page);

    await fillSetupForm(page, 'not the same password');
    expect(await navigation(page, () => page.click('main form button'))).toBe(422);

    const summary = page.locator('.error-summary');
    expect(await summary.getAttribute('role')).toBe('alert');
    expect(await text(page, '.error-summary h2')).toBe('請修正以下問題');
    const links = summary.locator('a');
    expect(await links.count()).toBe(1);
    expect(await links.first().getAttribute('href')).toBe('#passwordConfirm');
    expect(await text(page, '.error-summary a')).toBe('兩次輸入的密碼不一致');
    expect(await page.getAttribute('#passwordConfirm', 'aria-invalid')).toBe('true');
    expect(await page.getAttribute('#passwordConfirm', 'aria-describedby')).toBe('passwordConfirm-error');
    expect(await text(page, '#passwordConfirm-error')).toBe('錯誤：兩次輸入的密碼不一致');
    // Everything but the passwords is kept.
    expect(await page.inputValue('#agencyCode')).toBe(AGENCY.code);
    expect(await page.inputValue('#agencyNameZh')).toBe(AGENCY.nameZh);
    expect(await page.inputValue('#agencyNameEn')).toBe(AGENCY.nameEn);
    expect(await page.inputValue('#name')).toBe(ADMIN.name);
    expect(await page.inputValue('#email')).toBe(ADMIN.email);
    expect(await page.inputValue('#password')).toBe('');
    expect(await page.inputValue('#passwordConfirm')).toBe('');
    await expectAccessible(page);

    // The summary's link leads to the field.
    await links.first().click();
    expect(await hashAfterLink(page, '#passwordConfirm')).toBe('#passwordConfirm');
    expect((await focused(page)).id).toBe('passwordConfirm');

    await page.fill('#password', ADMIN.password);
    await page.fill('#passwordConfirm', ADMIN.password);
    expect(await navigation(page, () => page.click('main form button'))).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/');
    expect(await text(page, 'h1')).toBe(`${ADMIN.name}，您好`);
    expect(await text(page, '.notice')).toBe('系統管理者已建立，歡迎使用。');
    expect(await text(page, '.site-tools__user')).toBe(`${ADMIN.name} (系統管理者)`);
    await expectAccessible(page);

    // The link worked once and is now spent.
    expect(await visit(page, app.setupUrl)).toBe(404);
    expect(await text(page, 'h1')).toBe('找不到頁面');
    expect(await text(page, 'main p')).toBe('這個設定連結無效、已使用或已過期。請重新啟動伺服器以取得新的連結。');
    await expectAccessible(page);
  });

  test('after signing out, a wrong password and an unknown e-mail get the same answer; the right password signs in', async () => {
    expect(await navigation(page, () => page.getByRole('button', { name: '登出' }).click())).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(await text(page, '.notice')).toBe('您已登出。');
    await expectAccessible(page);

    // Signed out, a private page sends you to the login form and back afterwards.
    expect(await visit(page, `${app.url}/units`)).toBe(200);
    expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe('/login?next=%2Funits');
    await expectAccessible(page);

    const attempt = async (email: string, password: string) => {
      await page.fill('#email', email);
      await page.fill('#password', password);
      return navigation(page, () => page.click('main form button'));
    };
    const answer = async () => ({
      summary: await text(page, '.error-summary'),
      field: await text(page, '#email-error'),
      email: await page.inputValue('#email'),
      password: await page.inputValue('#password'),
    });

    expect(await attempt(ADMIN.email, 'a wrong password')).toBe(401);
    const wrongPassword = await answer();
    expect(wrongPassword).toEqual({
      summary: '請修正以下問題 電子郵件或密碼不正確',
      field: '錯誤：電子郵件或密碼不正確',
      email: ADMIN.email,
      password: '',
    });
    expect(await page.getAttribute('.error-summary a', 'href')).toBe('#email');
    await expectAccessible(page);

    expect(await attempt('nobody@example.gov.tw', ADMIN.password)).toBe(401);
    const unknownEmail = await answer();
    expect({ ...unknownEmail, email: ADMIN.email }).toEqual(wrongPassword);
    expect(unknownEmail.email).toBe('nobody@example.gov.tw');

    expect(await attempt(ADMIN.email, ADMIN.password)).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/units');
    expect(await text(page, 'h1')).toBe('單位');
    expect(await text(page, '.site-tools__user')).toBe(`${ADMIN.name} (系統管理者)`);
    await expectAccessible(page);
  });

  test('the login form works with the keyboard alone, starting from the skip link', async () => {
    const own = await newContext(browser);
    const ownCsp = watchCsp(own);
    try {
      const kb = await own.newPage();
      expect(await visit(kb, `${app.url}/login`)).toBe(200);

      await kb.keyboard.press('Tab');
      expect(await focused(kb)).toEqual({ tag: 'a', id: '', text: '跳到主要內容' });
      // Off-screen until focused, then on screen.
      const box = await kb.locator('.skip-link').boundingBox();
      expect(box).not.toBeNull();
      expect(box?.x).toBeGreaterThanOrEqual(0);
      expect(box?.y).toBeGreaterThanOrEqual(0);

      await kb.keyboard.press('Enter');
      expect((await focused(kb)).id).toBe('main');

      await kb.keyboard.press('Tab');
      expect((await focused(kb)).id).toBe('email');
      // The focused field shows it (WCAG 2.4.7).
      expect(await kb.evaluate(() => getComputedStyle(document.activeElement ?? document.body).outlineStyle)).toBe('solid');
      await kb.keyboard.type(ADMIN.email);
      await kb.keyboard.press('Tab');
      expect((await focused(kb)).id).toBe('password');
      await kb.keyboard.type(ADMIN.password);

      expect(await navigation(kb, () => kb.keyboard.press('Enter'))).toBe(200);
      expect(new URL(kb.url()).pathname).toBe('/');
      expect(await text(kb, 'h1')).toBe(`${ADMIN.name}，您好`);
      await expectAccessible(kb);
      expect(ownCsp.violations).toEqual([]);
    } finally {
      await own.close();
    }
  });

  test('every page is served with a CSP that forbids inline script, and the browser enforces it', async () => {
    const own = await newContext(browser);
    const ownCsp = watchCsp(own);
    try {
      const probe = await own.newPage();
      for (const path of ['/login', '/nope', '/static/css/app.css']) {
        const response = await probe.goto(`${app.url}${path}`);
        const header = response?.headers()['content-security-policy'] ?? '';
        const directives = new Map(
          header
            .split(';')
            .map((d) => d.trim().split(/\s+/))
            .map(([name = '', ...values]) => [name, values.join(' ')] as const),
        );
        expect({ path, scriptSrc: directives.get('script-src') }).toEqual({ path, scriptSrc: "'self'" });
        expect(header).toContain("script-src 'self'");
        expect(header).not.toContain('unsafe-inline');
        expect(header).not.toContain('unsafe-eval');
        expect(directives.get('object-src')).toBe("'none'");
      }
      expect(ownCsp.violations).toEqual([]);

      // An inline script slipped into the page does not run, and the console reports it.
      await visit(probe, `${app.url}/login`);
      const reported = probe.waitForEvent('console', (msg) => /Content Security Policy/.test(msg.text()));
      await probe.evaluate(() => {
        const script = document.createElement('script');
        script.textContent = 'document.documentElement.dataset.inlineRan = "yes"';
        document.body.append(script);
      });
      await reported;
      expect(await probe.getAttribute('html', 'data-inline-ran')).toBeNull();
      expect(ownCsp.violations.join('\n')).toMatch(/Content Security Policy/);
    } finally {
      await own.close();
    }
  });
});
