import fs from 'node:fs';
import nodePath from 'node:path';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import type { Role } from '../../server/auth/current-user';
import { hashPassword } from '../../server/auth/passwords';
import { UnitsRepo, type Unit, type UnitType } from '../../server/org/units-repo';
import { UsersRepo } from '../../server/org/users-repo';
import {
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
 * The monthly test plan in real Chromium: the official calendar imported by an
 * administrator, a manager drafting, correcting and publishing a plan, testers
 * seeing only their own calls, the printable allocation table and its CSV, and
 * the plan on a phone. People and units are put straight into the database:
 * the unit and user forms have their own suite.
 */

const CALENDAR_CSV = nodePath.resolve(__dirname, '../../../shared/fixtures/calendar/2026.csv');
const PASSWORD = 'a long enough test password';

/** "YYYY-MM" n months after `month`. */
function addMonths(month: string, n: number): string {
  const d = new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)) - 1 + n, 1));
  return d.toISOString().slice(0, 7);
}
const taiwanToday = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
/** 民國116年1月 for "2027-01", written out here rather than taken from the server's formatter. */
const rocMonth = (month: string) => `民國${Number(month.slice(0, 4)) - 1911}年${Number(month.slice(5, 7))}月`;
const rocDate = (iso: string) => `${rocMonth(iso.slice(0, 7))}${Number(iso.slice(8, 10))}日`;
const ROC_DATE = /^民國\d{3}年\d{1,2}月\d{1,2}日$/;

/** Months the calendar test drafts: one in the imported year, one in a year never imported. */
const IMPORTED_MONTH = '2026-06';
const UNIMPORTED_MONTH = '2027-03';
/**
 * The month the manager plans: at least two months ahead, because the server drafts next
 * month by itself and /my/assignments lists calls from today on; and clear of the calendar
 * test's plans, which would otherwise be found instead of drafted or count as last month's.
 */
const PLAN_MONTH = (() => {
  const month = [2, 3, 4, 5, 6]
    .map((n) => addMonths(taiwanToday.slice(0, 7), n))
    .find((m) => ![m, addMonths(m, -1)].some((x) => x === IMPORTED_MONTH || x === UNIMPORTED_MONTH));
  if (!month) throw new Error('no month to plan');
  return month;
})();

/** Working days of a month in the DGPA file (是否放假 = 0). */
function officialWorkingDays(month: string): number {
  const prefix = month.replace('-', '');
  return fs
    .readFileSync(CALENDAR_CSV, 'utf8')
    .split(/\r?\n/)
    .filter((line) => line.startsWith(prefix) && line.split(',')[2] === '0').length;
}

interface Person {
  id: number;
  name: string;
  email: string;
  /** Name of the person's unit. */
  unit: string;
}

interface SectionSpec {
  code: string;
  nameZh: string;
  nameEn: string;
  type: UnitType;
  ext: string;
  active?: boolean;
}

/** The agency's units: a switchboard and six sections to test, and one closed section that must never be planned. */
const SECTIONS: SectionSpec[] = [
  { code: 'SWB', nameZh: '總機', nameEn: 'Switchboard', type: 'switchboard', ext: '' },
  { code: 'SEC', nameZh: '秘書室', nameEn: 'Secretariat', type: 'unit', ext: '101' },
  { code: 'PER', nameZh: '人事室', nameEn: 'Personnel Office', type: 'unit', ext: '102' },
  { code: 'ACC', nameZh: '會計室', nameEn: 'Accounting Office', type: 'unit', ext: '103' },
  { code: 'ETH', nameZh: '政風室', nameEn: 'Ethics Office', type: 'unit', ext: '104' },
  { code: 'ITS', nameZh: '資訊室', nameEn: 'IT Office', type: 'unit', ext: '105' },
  { code: 'PWD', nameZh: '工務科', nameEn: 'Public Works Division', type: 'unit', ext: '106' },
  { code: 'OLD', nameZh: '舊檔案室', nameEn: 'Old Archives', type: 'unit', ext: '107', active: false },
];
const PLANNABLE = SECTIONS.filter((s) => s.active !== false);
const CLOSED = SECTIONS.filter((s) => s.active === false);

/** One assignment as a table row shows it. */
interface Row {
  unit: string;
  part: string;
  phone: string;
  tester: string;
  date: string;
  window: string;
  reason: string;
}

// A workflow through a dozen pages, each with an axe run, in one test: room for a busy machine.
jest.setTimeout(60_000);

describeBrowser('monthly test plans (Chromium)', () => {
  let app: RunningApp;
  let browser: Browser;
  let manager: Person;
  let unitHead: Person;
  /** Three testers, each in a different section. */
  let testers: Person[];
  /** Cookies of each signed-in user, by e-mail. */
  const sessions = new Map<string, BrowserContextOptions['storageState']>();
  const contexts: BrowserContext[] = [];
  const cspWatchers: { violations: string[] }[] = [];

  /** The plan the manager drafts, and the same plan once published, for the tests after. */
  let drafted: { path: string; rows: Row[] } | undefined;
  let published: { path: string; rows: Row[] } | undefined;
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`this test needs ${what}`);
    return value;
  };
  /** The tester who belongs to a section, if any. */
  const testerOf = (unitName: string): Person | undefined => testers.find((t) => t.unit === unitName);

  beforeAll(async () => {
    app = await startApp();
    browser = await launchBrowser();
    const context = await newContext(browser);
    await completeSetup(await context.newPage(), app.setupUrl);
    sessions.set('admin', await context.storageState());
    await context.close();

    const units = new UnitsRepo(app.db);
    const users = new UsersRepo(app.db);
    const now = new Date().toISOString();
    const [agency] = await units.findByCodes([AGENCY.code]);
    if (!agency) throw new Error('setup made no agency');
    const byCode = new Map<string, Unit>();
    for (const s of SECTIONS) {
      const phoneE164 = s.type === 'switchboard' ? '+886223456700' : '+886223456789';
      const fields = { parentId: agency.id, code: s.code, type: s.type, nameZh: s.nameZh, nameEn: s.nameEn, phoneE164, phoneExt: s.ext || null, active: s.active ?? true };
      byCode.set(s.code, await units.insert(fields, agency.path, now));
    }
    const hash = await hashPassword(PASSWORD);
    const person = async (role: Role, name: string, email: string, unit: Unit): Promise<Person> => {
      const id = await users.insert({ email, name, role, unitId: unit.id, phoneE164: null, phoneExt: null, active: true }, now, app.db, hash);
      return { id, name, email, unit: unit.nameZh };
    };
    const section = (code: string): Unit => {
      const unit = byCode.get(code);
      if (!unit) throw new Error(`no unit ${code}`);
      return unit;
    };
    manager = await person('manager', '李管考', 'manager@example.gov.tw', agency);
    unitHead = await person('unit_head', '張主任', 'head@example.gov.tw', section('ETH'));
    testers = [
      await person('tester', '陳測試', 'tester.sec@example.gov.tw', section('SEC')),
      await person('tester', '林測試', 'tester.per@example.gov.tw', section('PER')),
      await person('tester', '黃測試', 'tester.acc@example.gov.tw', section('ACC')),
    ];

    for (const p of [manager, unitHead, ...testers]) {
      const c = await newContext(browser);
      await signIn(await c.newPage(), app.url, p.email, PASSWORD);
      sessions.set(p.email, await c.storageState());
      await c.close();
    }
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
    expect(cspWatchers.splice(0).flatMap((w) => w.violations)).toEqual([]);
  });

  /** A new page, signed in as `who` ('admin' or an e-mail address), in its own CSP-watched context. */
  const pageAs = async (who: string, options: BrowserContextOptions = {}): Promise<Page> => {
    const context = await newContext(browser, { storageState: sessions.get(who), ...options });
    contexts.push(context);
    cspWatchers.push(watchCsp(context));
    return context.newPage();
  };
  const path = (page: Page) => new URL(page.url()).pathname;
  /** Opens a path, checks status and heading, and runs axe. */
  const check = async (page: Page, url: string, h1: string, status = 200) => {
    expect({ url, status: await visit(page, `${app.url}${url}`) }).toEqual({ url, status });
    expect(await text(page, 'h1')).toBe(h1);
    await expectAccessible(page);
  };
  /** Opens a path that must be refused (the 403 page itself is checked with axe once, for the unit head). */
  const forbidden = async (page: Page, url: string) => {
    expect({ url, status: await visit(page, `${app.url}${url}`) }).toEqual({ url, status: 403 });
    expect(await text(page, 'h1')).toBe('沒有權限');
  };
  /** Presses Enter on a link or button and returns the status of the page it leads to. */
  const enter = (page: Page, target: ReturnType<Page['locator']>) => navigation(page, () => target.press('Enter'));
  const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });
  const link = (page: Page, name: string) => page.getByRole('link', { name, exact: true });
  /** The "official calendar not imported" notice. */
  const calendarNotice = (page: Page) => page.locator('main .warning-box[role="note"]');
  /** The box listing the rules the plan breaks. */
  const problems = (page: Page) => page.locator('main .warning-box[role="status"]');

  /** Drafts a plan through the form on /plans and returns the plan page's path. */
  const draft = async (page: Page, month: string): Promise<string> => {
    // The list page gets its axe run in the manager's test; here only the new plan's page does.
    expect(await visit(page, `${app.url}/plans`)).toBe(200);
    expect(await page.locator('#scopeId option:checked').textContent()).toBe(`${AGENCY.nameZh} (${AGENCY.code})`);
    await page.fill('#month', month);
    expect(await enter(page, button(page, '產生草稿'))).toBe(200);
    expect(path(page)).toMatch(/^\/plans\/\d+$/);
    expect(await text(page, 'h1')).toBe(`${AGENCY.nameZh} ${rocMonth(month)} 電話禮貌測試計畫`);
    await expectAccessible(page);
    return path(page);
  };

  const rowsOf = (page: Page): Promise<Row[]> =>
    page.locator('main table tbody tr').evaluateAll((trs) =>
      trs.map((tr) => {
        const cells = Array.from(tr.querySelectorAll('td')).map((td) => (td.textContent ?? '').replace(/\s+/g, ' ').trim());
        const first = tr.querySelector('td');
        return {
          unit: (first?.firstChild?.textContent ?? '').trim(),
          part: (first?.querySelector('.tag')?.textContent ?? '').trim(),
          phone: cells[1] ?? '',
          tester: cells[2] ?? '',
          date: cells[3] ?? '',
          window: cells[4] ?? '',
          reason: cells[5] ?? '',
        };
      }),
    );

  test('the official calendar: until it is imported, plans say they use the fallback; 2026 imported through /calendar', async () => {
    const page = await pageAs('admin');

    // Default planning settings, as the planner will use them.
    await check(page, '/settings', '設定');
    expect(await page.inputValue('#unitsCount')).toBe('5');
    expect(await page.inputValue('#officeStart')).toBe('08:30');
    expect(await page.inputValue('#lunchStart')).toBe('12:00');
    expect(await page.inputValue('#lunchEnd')).toBe('13:30');
    expect(await page.inputValue('#officeEnd')).toBe('17:30');
    expect(await page.inputValue('#windowMinutes')).toBe('60');

    // Before any import, a 2026 plan says its working days are only estimated.
    const plan2026 = await draft(page, IMPORTED_MONTH);
    expect(await calendarNotice(page).count()).toBe(1);
    expect(await text(page, 'main .warning-box[role="note"]')).toBe(
      '尚未匯入官方辦公日曆。 2026 年暫以週末與國定假日推算，補行上班日與彈性放假日要等匯入官方檔案後才會正確。',
    );

    // The import page, with nothing imported yet.
    await check(page, '/calendar', '辦公日曆');
    expect(await page.locator('main table').count()).toBe(0);
    await page.setInputFiles('#file', CALENDAR_CSV);
    expect(await enter(page, button(page, '匯入'))).toBe(200);
    expect(path(page)).toBe('/calendar');
    const days = officialWorkingDays('2026');
    expect(await text(page, '.notice')).toBe(`已匯入 2026 年辦公日曆：${days} 個上班日。`);
    const year = await page.locator('main table tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td')).slice(0, 2).map((td) => td.textContent?.trim())));
    expect(year).toEqual([['民國115年（2026）', String(days)]]);
    await expectAccessible(page);

    // The 2026 plan now counts the official working days and the notice is gone.
    await check(page, plan2026, `${AGENCY.nameZh} ${rocMonth(IMPORTED_MONTH)} 電話禮貌測試計畫`);
    expect(await calendarNotice(page).count()).toBe(0);
    expect(await text(page, 'main > p')).toContain(`本月 ${officialWorkingDays(IMPORTED_MONTH)} 個上班日。`);

    // A year nobody imported still says so.
    await draft(page, UNIMPORTED_MONTH);
    expect(await text(page, 'main .warning-box[role="note"]')).toContain('尚未匯入官方辦公日曆。 2027 年暫以週末與國定假日推算');
  });

  test('a manager drafts a plan through the form: five never-tested units, each with a tester from another section', async () => {
    const page = await pageAs(manager.email);

    // A month that is not a month is refused, and the error leads back to the field.
    await check(page, '/plans', '電話禮貌測試計畫');
    expect(await page.locator('#scopeId option').allTextContents()).toEqual([`${AGENCY.nameZh} (${AGENCY.code})`]);
    await page.fill('#month', '');
    expect(await enter(page, button(page, '產生草稿'))).toBe(422);
    expect(await page.locator('.error-summary a').evaluateAll((as) => as.map((a) => [a.getAttribute('href'), a.textContent?.trim()]))).toEqual([
      ['#month', '請輸入年月，例如 2026-03'],
    ]);
    expect(await page.getAttribute('#month', 'aria-invalid')).toBe('true');
    await expectAccessible(page);
    await page.locator('.error-summary a').first().press('Enter');
    expect((await focused(page)).id).toBe('month');

    const planPath = await draft(page, PLAN_MONTH);
    expect(await text(page, '.notice')).toBe(`已產生 ${PLAN_MONTH} 的計畫草稿。`);
    expect(await text(page, 'main .tag')).toBe('草稿');
    const rows = await rowsOf(page);
    expect(rows).toHaveLength(5);
    const names = new Set(PLANNABLE.map((s) => s.nameZh));
    for (const row of rows) {
      expect({ row, plannable: names.has(row.unit) }).toEqual({ row, plannable: true });
      expect(row.reason).toBe('從未受測');
      expect(testers.map((t) => t.name)).toContain(row.tester);
      expect({ row, ownTester: testerOf(row.unit)?.name ?? null }).not.toEqual({ row, ownTester: row.tester });
      expect(row.date).toMatch(ROC_DATE);
      expect(row.date.startsWith(rocMonth(PLAN_MONTH))).toBe(true);
      expect(row.window).toMatch(/^(08:30|09:30|10:30|13:30|14:30|15:30|16:30)–\d{2}:30$/);
      expect(row.part).toBe(row.unit === '總機' ? '總機' : '業務單位');
    }
    expect(new Set(rows.map((r) => r.unit)).size).toBe(5);
    expect(await problems(page).count()).toBe(0);
    drafted = { path: planPath, rows };

    // Adding a unit offers the two active units left out, never the closed one.
    expect(await enter(page, link(page, '加入單位'))).toBe(200);
    expect(await text(page, 'h1')).toBe('加入單位');
    const offered = (await page.locator('#unitId option').allTextContents()).slice(1);
    const left = PLANNABLE.filter((s) => !rows.some((r) => r.unit === s.nameZh)).map((s) => `${s.nameZh} (${s.code})`);
    expect(offered.sort()).toEqual(left.sort());
    expect(offered.some((o) => CLOSED.some((c) => o.startsWith(c.nameZh)))).toBe(false);
    await expectAccessible(page);
    expect(await enter(page, link(page, '取消'))).toBe(200);
    expect(path(page)).toBe(planPath);
  });

  test('giving a unit to a tester of that unit is saved but named as a broken rule; putting it back clears it', async () => {
    const plan = need(drafted, 'the plan drafted by the test above');
    const page = await pageAs(manager.email);
    await check(page, plan.path, `${AGENCY.nameZh} ${rocMonth(PLAN_MONTH)} 電話禮貌測試計畫`);

    // Seven units and three testers' sections, five planned: at least one planned unit is a tester's own.
    const target = plan.rows.find((r) => testerOf(r.unit));
    const own = target && testerOf(target.unit);
    const planned = target && testers.find((t) => t.name === target.tester);
    if (!target || !own || !planned) throw new Error(`no planned unit has a tester: ${plan.rows.map((r) => r.unit).join(', ')}`);
    const code = SECTIONS.find((s) => s.nameZh === target.unit)?.code;

    const editTo = async (tester: Person): Promise<number> => {
      expect(await enter(page, link(page, `編輯 ${target.unit}`))).toBe(200);
      expect(await text(page, 'h1')).toBe(`調整：${target.unit}`);
      expect(await text(page, 'main > p')).toBe('從未受測');
      expect(await page.locator('#date option:checked').textContent()).toBe(target.date);
      expect(await page.locator('#windowStart option:checked').textContent()).toBe(target.window);
      await expectAccessible(page);
      await page.selectOption('#testerId', { label: tester.name });
      return enter(page, button(page, '儲存'));
    };

    expect(await editTo(own)).toBe(200);
    expect(path(page)).toBe(plan.path);
    expect(await text(page, '.notice')).toMatch(/^已儲存；有 \d+ 項規則未符合，請見下方說明。$/);
    expect(await problems(page).locator('li').allTextContents()).toContain(`${code}：${own.name} 屬於該單位，不得測試`);
    expect((await rowsOf(page)).find((r) => r.unit === target.unit)?.tester).toBe(own.name);
    await expectAccessible(page);

    expect(await editTo(planned)).toBe(200);
    expect(await text(page, '.notice')).toBe('已儲存，所有規則都符合。');
    expect(await problems(page).count()).toBe(0);
    expect(await rowsOf(page)).toEqual(plan.rows);
    await expectAccessible(page);
    const history = (await page.locator('main .timeline li').allTextContents()).map((s) => s.replace(/\s+/g, ' ').trim().replace(/^.*? · /, ''));
    expect(history).toEqual([`${manager.name} · 產生草稿（5 通）`, `${manager.name} · 調整 ${code}`, `${manager.name} · 調整 ${code}`]);
  });

  test('publishing notifies each tester, who sees exactly his or her own calls and not the plan', async () => {
    const plan = need(drafted, 'the plan drafted by the tests above');
    const page = await pageAs(manager.email);
    await check(page, plan.path, `${AGENCY.nameZh} ${rocMonth(PLAN_MONTH)} 電話禮貌測試計畫`);
    expect(await enter(page, button(page, '公布計畫'))).toBe(200);
    expect(path(page)).toBe(plan.path);
    expect(await text(page, '.notice')).toBe(`${PLAN_MONTH} 的計畫已公布，測試人員已收到通知。`);
    expect(await text(page, 'main .tag')).toBe('已公布');
    expect(await button(page, '公布計畫').count()).toBe(0);
    expect(await page.locator('main .timeline li').last().textContent()).toContain(`${manager.name} · 公布（5 通）`);
    await expectAccessible(page);
    published = plan;

    for (const tester of testers) {
      const mine = plan.rows.filter((r) => r.tester === tester.name);
      const tp = await pageAs(tester.email);
      await check(tp, '/notifications', '通知');
      const notices = await tp.locator('main .plain-list li a').allTextContents();
      if (mine.length === 0) {
        expect(notices).toEqual([]);
        await check(tp, '/my/assignments', '我的測試任務');
        expect(await text(tp, 'main > p:not(.actions)')).toBe('目前沒有已公布的測試任務。');
      } else {
        expect({ tester: tester.name, notices }).toEqual({ tester: tester.name, notices: [`${PLAN_MONTH} 的電話禮貌測試計畫已公布：您有 ${mine.length} 通電話要打`] });
        expect(await enter(tp, tp.locator('main .plain-list li a').first())).toBe(200);
        expect(path(tp)).toBe('/my/assignments');
        expect(await text(tp, 'h1')).toBe('我的測試任務');
        await expectAccessible(tp);
      }
      const cards = await tp.locator('main .card').evaluateAll((lis) =>
        lis.map((li) => {
          // The first paragraph: tags (the call's state, its part), then date and window.
          const when = li.querySelector('p')?.cloneNode(true);
          const tags = when instanceof Element ? Array.from(when.querySelectorAll('.tag')) : [];
          for (const tag of tags) tag.remove();
          return {
            unit: li.querySelector('h2')?.textContent?.trim() ?? '',
            tags: tags.map((tag) => tag.textContent?.trim() ?? ''),
            when: (when?.textContent ?? '').replace(/\s+/g, ' ').trim(),
            tel: li.querySelector('a[href^="tel:"]')?.getAttribute('href') ?? null,
          };
        }),
      );
      const expected = mine.map((r) => {
        const ext = SECTIONS.find((s) => s.nameZh === r.unit)?.ext;
        return { unit: r.unit, tags: expect.arrayContaining([r.part]), when: `${r.date} ${r.window}`, tel: ext ? `tel:+886223456789,${ext}` : 'tel:+886223456700' };
      });
      const byUnit = (a: { unit: string }, b: { unit: string }) => a.unit.localeCompare(b.unit);
      expect({ tester: tester.name, cards: cards.sort(byUnit) }).toEqual({ tester: tester.name, cards: expected.sort(byUnit) });
      // The whole plan is not theirs to see.
      await forbidden(tp, plan.path);
    }
  });

  test('a unit head may not see plans at all (tests are not announced to the units)', async () => {
    const plan = need(drafted, 'the plan drafted by the tests above');
    const head = await pageAs(unitHead.email);
    await check(head, '/plans', '沒有權限', 403);
    await forbidden(head, plan.path);
    await forbidden(head, `${plan.path}/allocation`);
    expect((await head.request.get(`${app.url}${plan.path}/allocation.csv`)).status()).toBe(403);
    expect(await head.locator('.site-nav a[href="/plans"]').count()).toBe(0);
  });

  test('the allocation table shows ROC dates and prints without the site around it; the CSV has a BOM and Chinese headers', async () => {
    const plan = need(published, 'the plan published by the tests above');
    const page = await pageAs(manager.email);
    await check(page, plan.path, `${AGENCY.nameZh} ${rocMonth(PLAN_MONTH)} 電話禮貌測試計畫`);
    expect(await enter(page, link(page, '分配表（列印）'))).toBe(200);
    expect(path(page)).toBe(`${plan.path}/allocation`);
    expect(await text(page, 'h1')).toBe(`${AGENCY.nameZh} ${rocMonth(PLAN_MONTH)} 電話禮貌測試分配表`);
    // The date itself is checked across midnight in the next test.
    expect(await text(page, '.print-sheet > p')).toMatch(/^已公布 · 公布日期 民國\d{3}年\d{1,2}月\d{1,2}日$/);
    await expectAccessible(page);

    const table = await page.locator('main table tbody tr').evaluateAll((trs) =>
      trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => (td.textContent ?? '').replace(/\s+/g, ' ').trim())),
    );
    expect(table).toEqual(plan.rows.map((r, i) => [String(i + 1), `${r.unit}（${r.part}）`, r.phone, r.tester, r.date, r.window]));
    for (const row of table) expect(row[4]).toMatch(ROC_DATE);
    expect(await page.locator('.site-header').isVisible()).toBe(true);
    expect(await page.locator('.print-only').isVisible()).toBe(false);

    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.site-header').isVisible()).toBe(false);
    expect(await page.locator('.site-nav').isVisible()).toBe(false);
    expect(await page.locator('.site-footer').isVisible()).toBe(false);
    expect(await page.locator('main .actions').isVisible()).toBe(false);
    expect(await page.locator('main table').isVisible()).toBe(true);
    expect(await page.locator('main h1').isVisible()).toBe(true);
    expect(await text(page, '.print-only')).toBe('本表僅供測試人員與管考人員使用，請勿提供受測單位（測試不預先通知）。');
    expect(await page.locator('.print-only').isVisible()).toBe(true);
    await page.emulateMedia({ media: 'screen' });

    // The CSV, downloaded from the same page.
    const [download] = await Promise.all([page.waitForEvent('download'), link(page, '下載 CSV').press('Enter')]);
    expect(download.suggestedFilename()).toBe(`allocation-${AGENCY.code}-${PLAN_MONTH}.csv`);
    const saved = await download.path();
    const bytes = fs.readFileSync(saved);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString('utf8').split('\r\n');
    expect(lines[0]).toBe('月份,單位代碼,受測單位,測試部分,電話／分機,測試人員,日期,日期（民國）,時段,排入原因');
    expect(lines.slice(1)).toEqual([
      ...plan.rows.map((r) => {
        const section = SECTIONS.find((s) => s.nameZh === r.unit);
        // The ISO date for data, the ROC date for people.
        const iso = /^民國(\d+)年(\d+)月(\d+)日$/.exec(r.date);
        const isoDate = iso ? `${Number(iso[1]) + 1911}-${String(iso[2]).padStart(2, '0')}-${String(iso[3]).padStart(2, '0')}` : '?';
        return [PLAN_MONTH, section?.code, r.unit, r.part, r.phone, r.tester, isoDate, r.date, r.window, r.reason].join(',');
      }),
      '',
    ]);
  });

  test('the publication date on the allocation table is the date in Taiwan, also just after midnight', async () => {
    const plan = need(published, 'the plan published by the tests above');
    const id = Number(plan.path.split('/').pop());
    const row = await app.db('plans').where({ id }).first<{ published_at: string } | undefined>();
    if (!row) throw new Error(`no plan ${id}`);
    // Published at 00:30 on 1 December in Taiwan, which is still 30 November in UTC. Set in the
    // table because the clock cannot be moved in a running server.
    await app.db('plans').where({ id }).update({ published_at: '2026-11-30T16:30:00.000Z' });
    try {
      const page = await pageAs(manager.email);
      await check(page, `${plan.path}/allocation`, `${AGENCY.nameZh} ${rocMonth(PLAN_MONTH)} 電話禮貌測試分配表`);
      expect(await text(page, '.print-sheet > p')).toBe(`已公布 · 公布日期 ${rocDate('2026-12-01')}`);
    } finally {
      await app.db('plans').where({ id }).update({ published_at: row.published_at });
    }
  });

  test('on a phone-sized screen (390×844) the plan and the tester\'s calls fit without sideways scrolling', async () => {
    const plan = need(published, 'the plan published by the tests above');
    const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 3 };
    const fits = async (page: Page, where: string) => {
      const w = await widths(page);
      expect({ where, fits: w.scrollWidth <= w.clientWidth, ...w }).toEqual({ where, fits: true, ...w });
      expect(w.clientWidth).toBe(390);
    };

    const page = await pageAs(manager.email, phone);
    await check(page, plan.path, `${AGENCY.nameZh} ${rocMonth(PLAN_MONTH)} 電話禮貌測試計畫`);
    await fits(page, plan.path);
    await check(page, '/plans', '電話禮貌測試計畫');
    await fits(page, '/plans');

    const busiest = [...testers].sort((a, b) => plan.rows.filter((r) => r.tester === b.name).length - plan.rows.filter((r) => r.tester === a.name).length)[0];
    if (!busiest) throw new Error('no testers');
    const tp = await pageAs(busiest.email, phone);
    await check(tp, '/my/assignments', '我的測試任務');
    expect(await tp.locator('main .card').count()).toBeGreaterThan(0);
    await fits(tp, '/my/assignments');
  });
});
