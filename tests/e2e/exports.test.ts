import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { UnitsRepo } from '../../server/org/units-repo';
import { loadSurveys } from '../../server/surveys/definition';
import { AGENCY, completeSetup, describeBrowser, expectAccessible, launchBrowser, navigation, newContext, visit, watchCsp, type RunningApp, startApp } from '../support/browser';
import { seedResponses } from '../support/survey-seed';

/**
 * The export page in real Chromium, without any script of its own: axe finds
 * nothing on the form or on its error state, a bad period comes back with the
 * choices kept, and a good request downloads a CSV with a BOM and the rows.
 */
describeBrowser('the export page in Chromium', () => {
  let app: RunningApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let csp: { violations: string[] };

  beforeAll(async () => {
    app = await startApp();
    browser = await launchBrowser();
    context = await newContext(browser, { acceptDownloads: true });
    csp = watchCsp(context);
    page = await context.newPage();
    await completeSetup(page, app.setupUrl);
    const [agency] = await new UnitsRepo(app.db).findByCodes([AGENCY.code]);
    if (!agency) throw new Error('setup made no agency');
    const [row] = await app.db('channels')
      .insert({ code: 'E2EXP1', survey_key: 'citizen', unit_id: agency.id, counter_name: '', mode: 'personal', codes_required: false, active: true, created_at: new Date().toISOString() })
      .returning<{ id: number }[]>('id');
    const citizen = loadSurveys(path.resolve(__dirname, '../../surveys')).find((s) => s.survey.key === 'citizen');
    if (!citizen || !row) throw new Error('no citizen survey or channel');
    const answers = new Map([
      ['overall', { value: '5', text: null }],
      ['comment', { value: null, text: '很好' }],
    ]);
    await seedResponses(app.db, citizen, { id: row.id, unitId: agency.id }, [
      { month: '2026-07', answers },
      { month: '2026-08', answers },
    ]);
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await app?.stop();
  });

  test('the form is accessible, keeps the choices on a bad period, and downloads the CSV', async () => {
    expect(await visit(page, `${app.url}/exports`)).toBe(200);
    expect(await page.locator('nav a[href="/exports"]').getAttribute('aria-current')).toBe('page');
    await expectAccessible(page);

    await page.check('input[name="format"][value="json"]');
    await page.fill('#period', '2026Q9');
    expect(await navigation(page, () => page.click('button.button'))).toBe(422);
    await expect(page.locator('.error-summary').textContent()).resolves.toContain('請輸入期間');
    expect(await page.inputValue('#period')).toBe('2026Q9');
    expect(await page.isChecked('input[name="format"][value="json"]')).toBe(true);
    await expectAccessible(page);

    await page.check('input[name="format"][value="csv"]');
    await page.fill('#period', '115Q3');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('button.button')]);
    expect(download.suggestedFilename()).toMatch(/^responses-citizen-.+-2026Q3\.csv$/);
    const file = await download.path();
    const csv = fs.readFileSync(file, 'utf8');
    expect(csv.startsWith('\uFEFF序號,月份,填答日期,填答日期(民國),')).toBe(true);
    expect(csv.trim().split('\r\n')).toHaveLength(3);
    expect(csv).toContain('2026-07-15,民國115年7月15日');
    expect(csp.violations).toEqual([]);
  }, 60_000);
});
