import path from 'node:path';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { rng } from '../../server/courtesy/random';
import type { Deduction } from '../../server/courtesy/scoring';
import { UnitsRepo, type Unit } from '../../server/org/units-repo';
import { loadSurveys, type VersionedSurvey } from '../../server/surveys/definition';
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
  text,
  visit,
  watchCsp,
  type RunningApp,
  startApp,
} from '../support/browser';
import { seedPhoneResults } from '../support/results-seed';
import { seedResponses, synthetic } from '../support/survey-seed';

/**
 * The statistics dashboard in real Chromium over demo-sized data: an agency of six
 * units, fourteen months of citizen answers (a few thousand) and phone tests, and a
 * staff survey. Every chart is drawn (and not blank), axe finds nothing, there are
 * no CSP violations or console errors; the data tables open by keyboard; filters are
 * changed by keyboard and kept in the URL; without JavaScript the figures and tables
 * are all there; the staff view never names a unit of fewer than 5 respondents; and
 * English has its own margin-of-error sentence.
 *
 * The server keeps real time, so the months are fixed around the date the suite was
 * written for (2026-11-25); the period asked for is always given in the URL.
 */

const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 900 } };
const CHART_IDS = ['chart-trend', 'chart-dimensions', 'chart-distribution', 'chart-units', 'chart-phone', 'chart-deductions'];

/** 2025-10 … 2026-11: fourteen months. */
const MONTHS = Array.from({ length: 14 }, (_, i) => new Date(Date.UTC(2025, 9 + i, 1)).toISOString().slice(0, 7));

/** The six units: five mostly satisfied, one not; phone-test level per unit (mean score around it). */
const UNITS = [
  { code: 'SEC', nameZh: '秘書室', nameEn: 'Secretariat', level: 0.8, phone: 88 },
  { code: 'PER', nameZh: '人事室', nameEn: 'Personnel', level: 0.8, phone: 84 },
  { code: 'ACC', nameZh: '會計室', nameEn: 'Accounting', level: 0.78, phone: 80 },
  { code: 'HRS', nameZh: '戶政科', nameEn: 'Household Registration', level: 0.82, phone: 90 },
  { code: 'SOC', nameZh: '社會科', nameEn: 'Social Affairs', level: 0.8, phone: 76 },
  { code: 'WRK', nameZh: '工務科', nameEn: 'Public Works', level: 0.5, phone: 68 },
] as const;

/** Staff respondents per unit in 2026: 會計室 has 3 (never shown); 社會科 exactly 5 (shown). */
const STAFF: Record<(typeof UNITS)[number]['code'], number> = { SEC: 12, PER: 8, ACC: 3, HRS: 6, SOC: 5, WRK: 10 };

const CITIZEN_PER_MONTH = 30; // 6 units × 14 months × 30 = 2,520 responses
const TESTS_PER_MONTH = 3; // 6 × 14 × 3 = 252 phone tests

/** Deductions that fit a total: the lower the score, the more items lost points (keys of surveys/scoresheets/standard.json). */
function deductionsOf(total: number, random: () => number): Deduction[] {
  const out: Deduction[] = [];
  if (total < 100) out.push({ itemKey: random() < 0.5 ? 'un.closing' : 'un.surname', lost: 3 });
  if (total < 90) out.push({ itemKey: 'un.greeting', lost: 3 });
  if (total < 80) out.push({ itemKey: random() < 0.6 ? 'un.identify' : 'un.hangup', lost: random() < 0.6 ? 5 : 2 });
  if (total < 70) out.push({ itemKey: 'un.answer', lost: 7.5 });
  return out;
}

describeBrowser('the dashboard in Chromium over demo-sized data, every chart drawn, axe finds nothing', () => {
  let app: RunningApp;
  let browser: Browser;
  let agency: Unit;
  /** The administrator's signed-in session, shared by the pages of the suite (signing in costs a password hash). */
  let session: BrowserContextOptions['storageState'];
  const unitsByCode = new Map<string, Unit>();
  const contexts: BrowserContext[] = [];
  const cspWatchers: { violations: string[] }[] = [];
  const consoleErrors: string[] = [];

  const unit = (code: string): Unit => {
    const u = unitsByCode.get(code);
    if (!u) throw new Error(`no unit ${code}`);
    return u;
  };

  beforeAll(async () => {
    app = await startApp();
    browser = await launchBrowser();
    const { db } = app;

    // The agency and its administrator through the setup link, as on a new installation.
    const setup = await newContext(browser);
    await completeSetup(await setup.newPage(), app.setupUrl);
    await setup.close();

    const units = new UnitsRepo(db);
    const [found] = await units.findByCodes([AGENCY.code]);
    if (!found) throw new Error('setup made no agency');
    agency = found;
    const admin = await db('users').where({ email: ADMIN.email }).first<{ id: number }>();
    const now = new Date().toISOString();
    for (const u of UNITS) {
      unitsByCode.set(u.code, await units.insert({ code: u.code, type: 'unit', nameZh: u.nameZh, nameEn: u.nameEn, phoneE164: '+886223456789', phoneExt: null, active: true, parentId: agency.id }, agency.path, now));
    }

    // Citizen answers: one personal-phone channel per unit, 14 months.
    const surveys = loadSurveys(path.resolve(__dirname, '../../surveys'));
    const survey = (key: string): VersionedSurvey => {
      const s = surveys.find((x) => x.survey.key === key);
      if (!s) throw new Error(`no survey ${key}`);
      return s;
    };
    const channel = async (code: string, surveyKey: string, unitId: number, mode: 'personal' | 'staff') =>
      (await db('channels').insert({ code, survey_key: surveyKey, unit_id: unitId, counter_name: '', mode, codes_required: false, active: true, created_by: admin.id, created_at: now }).returning<{ id: number }[]>('id'))[0]?.id ?? 0;
    const citizen = survey('citizen');
    for (const u of UNITS) {
      const id = unit(u.code).id;
      await seedResponses(db, citizen, { id: await channel(`C-${u.code}`, 'citizen', id, 'personal'), unitId: id }, synthetic(citizen, MONTHS, CITIZEN_PER_MONTH, `citizen-${u.code}`, { level: u.level }));
    }

    // Staff answers through the agency's staff channel; each respondent names his unit.
    const staff = survey('staff');
    const staffChannel = { id: await channel('STAFF01', 'staff', agency.id, 'staff'), unitId: agency.id };
    for (const u of UNITS) {
      const answers = synthetic(staff, ['2026-03'], STAFF[u.code], `staff-${u.code}`, { level: 0.7, skip: 0, units: [unit(u.code).id] });
      await seedResponses(db, staff, staffChannel, answers);
    }

    // Phone tests: a few scored tests per unit and month, on published plans.
    const random = rng('dashboard-phone');
    const tests = MONTHS.flatMap((month) =>
      UNITS.flatMap((u) =>
        Array.from({ length: TESTS_PER_MONTH }, (_, k) => {
          const total = Math.min(100, Math.max(55, Math.round((u.phone + (random() - 0.5) * 30) * 10) / 10));
          return { unitId: unit(u.code).id, date: `${month}-${String(5 + 7 * k).padStart(2, '0')}`, total, deductions: deductionsOf(total, random) };
        }),
      ),
    );
    await seedPhoneResults(db, agency.id, admin.id, tests);

    // Signed in once as that administrator; the pages reuse the session.
    const signing = await newContext(browser);
    await signIn(await signing.newPage(), app.url);
    session = await signing.storageState();
    await signing.close();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
    expect(cspWatchers.splice(0).flatMap((w) => w.violations)).toEqual([]);
    expect(consoleErrors.splice(0)).toEqual([]);
  });

  /**
   * A signed-in administrator's page in a desktop window, watched for CSP violations and
   * console errors: in the shared session, or with `ownSession` signed in anew.
   */
  const openPage = async (options: BrowserContextOptions = {}, ownSession = false): Promise<Page> => {
    const context = await newContext(browser, { ...DESKTOP, ...(ownSession ? {} : { storageState: session }), ...options });
    contexts.push(context);
    cspWatchers.push(watchCsp(context));
    const page = await context.newPage();
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(`${page.url()}: ${msg.text()}`);
    });
    page.on('pageerror', (err) => consoleErrors.push(`${page.url()}: ${err.message}`));
    if (ownSession) await signIn(page, app.url);
    return page;
  };

  const dashboard = (query: string) => `${app.url}/dashboard?${query}`;

  /** Waits until every chart canvas has been drawn (dashboard.js sets data-drawn). */
  const chartsDrawn = (page: Page) =>
    page.waitForFunction(() => {
      const canvases = Array.from(document.querySelectorAll('canvas[data-chart]'));
      return canvases.length > 0 && canvases.every((c) => c.hasAttribute('data-drawn'));
    });

  /** Each chart canvas: its id, data-drawn, size and whether any pixel is not transparent. */
  const canvases = (page: Page) =>
    page.evaluate(() =>
      Array.from(document.querySelectorAll<HTMLCanvasElement>('canvas[data-chart]')).map((c) => {
        const ctx = c.getContext('2d');
        let painted = false;
        if (ctx && c.width > 0 && c.height > 0) {
          const data = ctx.getImageData(0, 0, c.width, c.height).data;
          for (let i = 3; i < data.length; i += 4) {
            if (data[i] !== 0) {
              painted = true;
              break;
            }
          }
        }
        return { id: c.id, drawn: c.getAttribute('data-drawn'), width: c.width, height: c.height, painted };
      }),
    );

  test('all six charts are drawn and none is blank; no CSP violation, no console error; axe finds nothing', async () => {
    const page = await openPage();
    expect(await visit(page, dashboard(`period=2026&scope=${agency.id}`))).toBe(200);
    await chartsDrawn(page);
    expect(await text(page, '#survey-title')).toBe(`民眾洽公滿意度調查 · 115年 · ${AGENCY.nameZh}`);

    const drawn = await canvases(page);
    expect(drawn.map((c) => c.id).sort()).toEqual([...CHART_IDS].sort());
    for (const c of drawn) {
      expect({ id: c.id, drawn: Number(c.drawn) > 0, sized: c.width > 0 && c.height > 0, painted: c.painted }).toEqual({ id: c.id, drawn: true, sized: true, painted: true });
    }
    // Demo-sized: the figures rest on thousands of answers and hundreds of tests.
    const n = Number(/n = (\d+)/.exec(await text(page, '#survey-title ~ dl.figures'))?.[1]);
    expect(n).toBeGreaterThan(1500);
    expect(await text(page, '#phone-title ~ dl.figures')).toMatch(/\d+\.\d/);
    // All six units ranked in the units chart's table, the unsatisfied one last.
    const unitRows = page.locator('figure:has(#chart-units) tbody tr');
    expect(await unitRows.count()).toBe(6);
    expect(await unitRows.last().locator('td').first().textContent()).toBe('工務科');

    await expectAccessible(page);
  });

  test('a chart\'s 「數據表」 opens with the keyboard and shows its rows', async () => {
    const page = await openPage();
    expect(await visit(page, dashboard(`period=2026&scope=${agency.id}`))).toBe(200);
    await chartsDrawn(page);
    const details = page.locator('figure:has(#chart-trend) details');
    const table = details.locator('table');
    expect(await table.isVisible()).toBe(false);

    await details.locator('summary').focus();
    const summary = await focused(page);
    expect(summary.tag).toBe('summary');
    expect(summary.text).toContain('數據表');
    await page.keyboard.press('Enter');
    expect(await details.getAttribute('open')).toBe('');
    await table.waitFor({ state: 'visible' });
    // Twelve months of 2026, by ROC month; December has no answers yet.
    const rows = table.locator('tbody tr');
    expect(await rows.count()).toBe(12);
    expect(await rows.first().locator('th').textContent()).toBe('115年1月');
    expect(await rows.first().locator('td').first().textContent()).toBe(String(6 * CITIZEN_PER_MONTH));
    expect(await text(page, 'figure:has(#chart-trend) thead')).toContain('有效樣本數');
    await expectAccessible(page);
  });

  test('a quarter chosen and applied with the keyboard alone is kept in the URL, and the heading names it in ROC years', async () => {
    const page = await openPage();
    expect(await visit(page, dashboard(`period=2026&scope=${agency.id}`))).toBe(200);
    await chartsDrawn(page);

    await page.focus('#period');
    for (let i = 0; i < 10 && (await page.inputValue('#period')) !== '2026Q3'; i += 1) await page.keyboard.press('ArrowDown');
    expect(await page.inputValue('#period')).toBe('2026Q3');
    for (let i = 0; i < 10 && !(await page.evaluate(() => document.activeElement?.matches('form.filters button') ?? false)); i += 1) await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ tag: 'button', text: '套用' });
    expect(await navigation(page, () => page.keyboard.press('Enter'))).toBe(200);

    const url = new URL(page.url());
    expect(url.pathname).toBe('/dashboard');
    expect(url.searchParams.get('period')).toBe('2026Q3');
    expect(url.searchParams.get('scope')).toBe(String(agency.id));
    expect(await text(page, '#survey-title')).toBe(`民眾洽公滿意度調查 · 115年第3季 · ${AGENCY.nameZh}`);
    expect(await text(page, '#phone-title')).toContain('115年第3季');
    await chartsDrawn(page);
    expect((await canvases(page)).filter((c) => !c.painted)).toEqual([]);

    // The URL alone brings the same view back.
    const again = await openPage();
    expect(await visit(again, url.toString())).toBe(200);
    expect(await again.inputValue('#period')).toBe('2026Q3');
    expect(await again.inputValue('#scope')).toBe(String(agency.id));
    expect(await text(again, '#survey-title')).toContain('115年第3季');
  });

  test('without JavaScript the figures and every chart\'s data table are still there', async () => {
    const page = await openPage({ javaScriptEnabled: false });
    expect(await visit(page, dashboard(`period=2026&scope=${agency.id}`))).toBe(200);
    expect(await text(page, '#survey-title ~ dl.figures')).toMatch(/\d+\.\d% .*n = \d+/);
    expect(await text(page, '#survey-title ~ dl.figures')).toContain('在95%信心水準下，抽樣誤差為±');
    expect(await text(page, '#phone-title ~ dl.figures')).toMatch(/\d+\.\d/);
    for (const id of CHART_IDS) {
      const figure = page.locator(`figure:has(#${id})`);
      expect({ id, drawn: await page.getAttribute(`#${id}`, 'data-drawn') }).toEqual({ id, drawn: null });
      expect({ id, rows: (await figure.locator('tbody tr').count()) > 0 }).toEqual({ id, rows: true });
      expect({ id, caption: ((await figure.locator('figcaption').textContent()) ?? '').length > 0 }).toEqual({ id, caption: true });
    }
    // <details> needs no script: a click on its summary opens the table.
    await page.locator('figure:has(#chart-deductions) summary').click();
    await page.locator('figure:has(#chart-deductions) table').waitFor({ state: 'visible' });
    expect(await page.locator('figure:has(#chart-deductions) tbody tr').first().locator('th').textContent()).toBeTruthy();
  });

  test('the staff survey renders, is accessible, and never names a unit of fewer than 5 respondents', async () => {
    const page = await openPage();
    expect(await visit(page, dashboard(`period=2026&scope=${agency.id}&survey=staff`))).toBe(200);
    await chartsDrawn(page);
    expect(await text(page, '#survey-title')).toBe(`機關同仁內部滿意度調查 · 115年 · ${AGENCY.nameZh}`);
    expect(await text(page, '#survey-title ~ p.notice')).toContain('5');
    const drawn = await canvases(page);
    expect(drawn.filter((c) => !c.painted)).toEqual([]);
    expect(drawn.map((c) => c.id)).toContain('chart-units');

    // The staff survey's figures, charts and tables (the phone-test section names every tested unit, as it should).
    const report = (await page.locator('section[aria-labelledby="survey-title"], section[aria-labelledby="charts-title"]').allTextContents()).join('\n');
    // 會計室 has 3 respondents: nowhere in the figures, charts or tables.
    expect(report).not.toContain(unit('ACC').nameZh);
    // 社會科 has exactly 5, the others more: all shown.
    for (const code of ['SEC', 'PER', 'HRS', 'SOC', 'WRK']) expect({ code, shown: report.includes(unit(code).nameZh) }).toEqual({ code, shown: true });
    const unitRows = (await page.locator('figure:has(#chart-units) tbody tr td:first-of-type').allTextContents()).sort();
    expect(unitRows).toEqual(['人事室', '工務科', '戶政科', '社會科', '秘書室'].sort());
    const n = Number(/n = (\d+)/.exec(await text(page, '#survey-title ~ dl.figures'))?.[1]);
    expect(n).toBe(12 + 8 + 6 + 5 + 10);
    await expectAccessible(page);
  });

  test('English, switched with the language button: the English margin-of-error sentence', async () => {
    // Its own session: the language is kept in the session (and with the account), not in the shared one.
    const page = await openPage({}, true);
    expect(await visit(page, dashboard(`period=2026&scope=${agency.id}`))).toBe(200);
    expect(await navigation(page, () => page.locator('button[name="lang"][value="en"]').click())).toBe(200);
    try {
      expect(await page.getAttribute('html', 'lang')).toBe('en');
      await chartsDrawn(page);
      const figures = await text(page, '#survey-title ~ dl.figures');
      const n = Number(/n = (\d+)/.exec(figures)?.[1]);
      expect(n).toBeGreaterThan(1500);
      // Conservative margin: 1.96 × √(0.25 / n), in percentage points with one decimal.
      const moe = (1.959963984540054 * Math.sqrt(0.25 / n) * 100).toFixed(1);
      expect(figures).toContain(`At the 95% confidence level, the sampling error is ±${moe} percentage points.`);
      expect(await text(page, '#survey-title')).toBe(`Citizen satisfaction survey · 2026 (ROC 115) · ${AGENCY.nameEn}`);
      expect((await canvases(page)).filter((c) => !c.painted)).toEqual([]);
    } finally {
      // The choice is stored with the account: back to Chinese for whoever signs in next.
      await navigation(page, () => page.locator('button[name="lang"][value="zh-TW"]').click());
    }
  });
});
