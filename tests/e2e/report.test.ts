import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildServices } from '../../server/app';
import { seedDemo } from '../../server/demo/demo';
import { UnitsRepo } from '../../server/org/units-repo';
import { loadConfig, type Config } from '../../server/platform/config';
import { createLogger } from '../../server/platform/logger';
import { NoChromiumError, printReport, ReportPrintError } from '../../server/reports/print';
import { describeBrowser, expectAccessible, launchBrowser, navigation, newContext, signIn, startApp, visit, watchCsp, type RunningApp } from '../support/browser';
import { pdfPages } from '../support/pdf-text';

/**
 * The service-quality report of a demo quarter in real Chromium: the demo
 * agency (4 months, 2026-07 to 2026-10, fewer answers than npm run demo), the
 * report page for 2026 Q3 checked by axe with no CSP violation, its charts
 * drawn and turned into images for print, printed to an A4 PDF whose text has
 * every section, each starting a page; and the function behind
 * `npm run report` writing the same report to a PDF file.
 */

const SECTIONS = ['1. Survey and sampling design', '2. Results and trends', '3. Channel health', '4. Phone courtesy tests', '5. Improvement cases and re-tests', '6. Review and improvements made', '7. How the figures are computed'];

describeBrowser('the report of a demo quarter in Chromium, printed to PDF', () => {
  let app: RunningApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let config: Config;
  let csp: { violations: string[] };
  let url = '';
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'report-e2e-'));

  beforeAll(async () => {
    app = await startApp();
    config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', LOG_REQUESTS: 'false', DATA_DIR: tmp });
    let current = new Date('2026-11-25T02:00:00Z');
    const services = buildServices({ db: app.db, config, logger: createLogger('silent'), sessionSecret: 'unused-by-seeding-0123456789abcdef', clock: () => current });
    const { password } = await seedDemo(services, (d) => (current = d), new Date('2026-11-25T02:00:00Z'), () => undefined, { months: 4, answersPerMonth: 12 });
    const [agency] = await new UnitsRepo(app.db).findByCodes(['DEMO']);
    url = `${app.url}/report?scope=${agency?.id}&period=2026Q3`;
    browser = await launchBrowser();
    context = await newContext(browser, { viewport: { width: 1280, height: 900 } });
    csp = watchCsp(context);
    page = await context.newPage();
    await signIn(page, app.url, 'manager@demo.example.gov.tw', password);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('the report page: axe finds nothing, no CSP violation, every chart drawn and made an image that only print shows', async () => {
    expect(await visit(page, url)).toBe(200);
    await page.waitForSelector('html[data-report-ready]', { state: 'attached' });
    await expectAccessible(page);
    expect(csp.violations).toEqual([]);
    const canvases = await page.locator('.report-chart canvas').count();
    expect(canvases).toBeGreaterThanOrEqual(8);
    expect(await page.locator('.report-chart canvas[data-drawn]').count()).toBe(canvases);
    expect(await page.locator('img.report-chart__image').count()).toBe(canvases);
    expect(await page.locator('img.report-chart__image').first().isVisible()).toBe(false);

    await page.emulateMedia({ media: 'print' });
    try {
      for (const hidden of ['.site-header', '.report-filters', '.report-chart canvas']) expect(await page.locator(hidden).first().isVisible()).toBe(false);
      const images = await page.locator('img.report-chart__image').evaluateAll((els) => els.map((e) => ({ width: (e as HTMLImageElement).naturalWidth, shown: getComputedStyle(e).display })));
      expect(images.every((i) => i.width > 0 && i.shown === 'block')).toBe(true);
      // Tables stay: the numbers are there without the pictures.
      expect(await page.locator('.report-chart table').first().isVisible()).toBe(true);
    } finally {
      await page.emulateMedia({ media: 'screen' });
    }
  });

  test('without JavaScript every figure and every chart\'s data table is there, and nothing waits for a chart', async () => {
    const noJs = await newContext(browser, { viewport: { width: 1280, height: 900 }, javaScriptEnabled: false, storageState: await context.storageState() });
    try {
      const plain = await noJs.newPage();
      expect(await visit(plain, url)).toBe(200);
      const figures = await plain.locator('.report-chart').count();
      expect(figures).toBeGreaterThanOrEqual(8);
      expect(await plain.locator('.report-chart table tbody tr').count()).toBeGreaterThan(figures);
      expect(await plain.locator('img.report-chart__image').count()).toBe(0);
      expect(await plain.locator('#report-phone .report-matrix tbody tr').count()).toBeGreaterThan(0);
    } finally {
      await noJs.close();
    }
  });

  test('printed to A4: the PDF has the cover and every section, each starting a page, and no navigation', async () => {
    // English: its text comes out of the PDF whatever fonts the machine has for Chinese.
    expect(await navigation(page, () => page.locator('button[name="lang"][value="en"]').click())).toBe(200);
    expect(await visit(page, url)).toBe(200);
    await page.waitForSelector('html[data-report-ready]', { state: 'attached' });
    await page.emulateMedia({ media: 'print' });
    const pdf = await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
    await page.emulateMedia({ media: 'screen' });
    const { pages, width, height } = await pdfPages(pdf);
    // A4 is 595.28 × 841.89 points.
    expect(Math.round(width)).toBe(595);
    expect(Math.round(height)).toBe(842);
    expect(pages[0]).toContain('Demo District Office, Taipei Service quality improvement report');
    expect(pages[0]).toContain('2026 Q3: 2026-07-01 (ROC 115) to 2026-09-30 (ROC 115)');
    for (const heading of SECTIONS) expect(pages.some((p) => p.startsWith(heading))).toBe(true);
    const all = pages.join('\n');
    expect(all).toContain('At the 95% confidence level, the sampling error is ±');
    expect(all).toContain('Monthly score table (2026 Q3)');
    expect(all).toContain("Cronbach's α");
    for (const nav of ['Sign out', 'Show the report', 'Skip to main content']) expect(all).not.toContain(nav);
  });

  test('npm run report\'s printer writes the report to a PDF file, signed in only for the print', async () => {
    const out = path.join(tmp, 'report.pdf');
    const sessionsBefore = Number((await app.db('sessions').count<{ n: number }[]>({ n: '*' }))[0]?.n);
    const done = await printReport({ db: app.db, config }, { scope: 'DEMO', period: '115Q3', out, lang: 'en' });
    expect(done.url).toMatch(/^\/report\?scope=\d+&period=2026Q3$/);
    const data = fs.readFileSync(out);
    expect(data.subarray(0, 5).toString()).toBe('%PDF-');
    expect(done.bytes).toBe(data.length);
    const { pages } = await pdfPages(data);
    expect(pages[0]).toContain('Service quality improvement report');
    for (const heading of SECTIONS) expect(pages.some((p) => p.startsWith(heading))).toBe(true);
    // Numbered pages: "1 / n" … "n / n".
    expect(pages[0]).toMatch(new RegExp(`1 / ${pages.length}$`));
    expect(pages[pages.length - 1]).toMatch(new RegExp(`${pages.length} / ${pages.length}$`));
    expect(Number((await app.db('sessions').count<{ n: number }[]>({ n: '*' }))[0]?.n)).toBe(sessionsBefore);

    await expect(printReport({ db: app.db, config }, { scope: 'DEMO', period: '2026-07', out })).rejects.toThrow(ReportPrintError);
    await expect(printReport({ db: app.db, config }, { scope: 'NOPE', period: '2026Q3', out })).rejects.toThrow('No unit NOPE');
    await expect(printReport({ db: app.db, config }, { scope: 'DEMO', period: '2026Q3', out, as: 'head-demo-hhr@demo.example.gov.tw' })).rejects.toThrow('No unit DEMO within the reach of head-demo-hhr@demo.example.gov.tw');
    const missing = printReport({ db: app.db, config, env: { CHROMIUM_PATH: path.join(tmp, 'no-chromium') } }, { scope: 'DEMO', period: '2026Q3', out });
    await expect(missing).rejects.toThrow(NoChromiumError);
    await expect(missing).rejects.toThrow(`No Chromium at ${path.join(tmp, 'no-chromium')}`);
  }, 120_000);
});
