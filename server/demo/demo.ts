/**
 * A believable demo agency, so that every page, chart and report has content:
 * a district office with a switchboard and about 20 units, testers, unit heads
 * and a manager; 14 months of plans made by the real planner, calls scored
 * with the real scoring sheet, improvement cases filed, accepted and closed by
 * re-tests; about 30,000 citizen answers with the seasons in them, a unit that
 * improves and one that slips; a year of the staff survey with headcounts.
 * Everything goes through the product's own services and repositories, with
 * the clock moved along, so the data is what a year of real use would leave.
 */
import crypto from 'node:crypto';
import type { Services } from '../app';
import { hashPassword } from '../auth/passwords';
import type { CurrentUser } from '../auth/current-user';
import { rng } from '../courtesy/random';
import { ResultsRepo } from '../courtesy/results-repo';
import { score, type Answers as SheetAnswers } from '../courtesy/scoring';
import type { SheetItem } from '../courtesy/scoresheet';
import { UnitsRepo, type Unit } from '../org/units-repo';
import { UsersRepo } from '../org/users-repo';
import { monthsEnding } from '../reports/period';
import { taiwanMonth } from '../platform/roc-date';
import { SurveysRepo } from '../surveys/repo';
import { syntheticAnswers } from '../surveys/synthetic';

export class DemoRefused extends Error {}

const UNITS: { code: string; zh: string; en: string; ext?: string }[] = [
  { code: 'CIV', zh: '民政課', en: 'Civil Affairs Section', ext: '201' },
  { code: 'HHR', zh: '戶政事務所', en: 'Household Registration Office' },
  { code: 'SOC', zh: '社會課', en: 'Social Affairs Section', ext: '301' },
  { code: 'ECO', zh: '經建課', en: 'Economic Development Section', ext: '401' },
  { code: 'HUM', zh: '人文課', en: 'Culture and Education Section', ext: '402' },
  { code: 'ADM', zh: '行政課', en: 'Administration Section', ext: '101' },
  { code: 'SEC', zh: '秘書室', en: 'Secretariat', ext: '100' },
  { code: 'PER', zh: '人事室', en: 'Personnel Office', ext: '110' },
  { code: 'ACC', zh: '會計室', en: 'Accounting Office', ext: '120' },
  { code: 'ETH', zh: '政風室', en: 'Ethics Office', ext: '130' },
  { code: 'LAN', zh: '地政事務所', en: 'Land Administration Office' },
  { code: 'TAX', zh: '稅務分處', en: 'Tax Branch' },
  { code: 'HEA', zh: '健康服務中心', en: 'Health Centre' },
  { code: 'LIB', zh: '圖書分館', en: 'Branch Library' },
  { code: 'CLN', zh: '清潔隊', en: 'Sanitation Squad', ext: '501' },
  { code: 'PRK', zh: '公園管理所', en: 'Parks Office', ext: '502' },
  { code: 'SRV', zh: '聯合服務中心', en: 'One-stop Service Centre' },
  { code: 'SEN', zh: '老人服務中心', en: 'Senior Citizens Centre' },
  { code: 'YTH', zh: '青少年活動中心', en: 'Youth Centre', ext: '601' },
];

/** How well a unit does, 0–1, in the i-th of n months: 戶政事務所 improves, 社會課 slips, the rest hold steady. */
function quality(code: string, i: number, n: number, random: () => number): number {
  const t = n > 1 ? i / (n - 1) : 0;
  const base = code === 'HHR' ? 0.55 + 0.4 * t : code === 'SOC' ? 0.93 - 0.35 * t : 0.8 + ((code.charCodeAt(0) + code.charCodeAt(1)) % 10) / 100;
  return Math.min(1, Math.max(0, base + (random() - 0.5) * 0.1));
}

/** Answers to the sheet's items for one call at a quality level. */
function callAnswers(items: readonly SheetItem[], q: number, random: () => number): { answers: SheetAnswers; ringSeconds: number } {
  const answers: Record<string, SheetAnswers[string]> = {};
  let ringSeconds = 0;
  for (const item of items) {
    if (item.kind === 'measured') {
      ringSeconds = Math.max(2, Math.round(4 + (1 - q) * 18 + (random() - 0.5) * 6));
      answers[item.key] = item.allowNA && random() < 0.5 ? { na: true } : { seconds: ringSeconds };
    } else if (item.kind === 'yesno') {
      answers[item.key] = item.allowNA && random() < 0.15 ? { na: true } : { share: random() < 0.35 + 0.64 * q ? 1 : 0 };
    } else {
      const shares = item.levels.map((l) => l.share).sort((a, b) => a - b);
      const pickAt = Math.min(shares.length - 1, Math.floor((q * 0.8 + random() * 0.4) * shares.length));
      answers[item.key] = { share: shares[pickAt] as number };
    }
  }
  return { answers, ringSeconds };
}

/** Visits by month of the year: busy before the Lunar New Year and at tax time, quiet in February. */
const SEASON = [1.25, 0.7, 1.1, 1.0, 1.2, 0.95, 1.0, 1.05, 0.95, 1.0, 1.1, 1.0];

const CAUSES = [
  ['承辦人外出洽公，代理人不熟悉業務。', '建立代理人交接清單，每月抽測代理接聽。'],
  ['接聽時未報單位名稱，新進同仁不熟悉標準用語。', '於課務會議重新說明接聽標準用語，並張貼於話機旁。'],
  ['電話轉接時未告知分機，民眾重複撥打。', '轉接前一律告知分機號碼，並更新分機表。'],
  ['尖峰時段人力不足，響鈴過久。', '調整午間輪值，尖峰時段增派一人接聽。'],
];

export interface DemoSize {
  /** Months of tests and answers, ending with last month. */
  months: number;
  /** Citizens' answers per counter in an ordinary month (seasons move it up and down). */
  answersPerMonth: number;
}

export const DEMO_SIZE: DemoSize = { months: 14, answersPerMonth: 105 };

export async function seedDemo(services: Services, setClock: (d: Date) => void, now: Date, log: (line: string) => void, size: DemoSize = DEMO_SIZE): Promise<{ password: string }> {
  const db = services.db;
  const [units, results, responses] = await Promise.all(['units', 'results', 'responses'].map(async (table) => Number((await db(table).count<{ n: number | string }[]>({ n: '*' }))[0]?.n ?? 0)));
  if ((units ?? 0) > 0 || (results ?? 0) > 0 || (responses ?? 0) > 0) throw new DemoRefused('The database already holds units, results or answers: the demo only fills an empty database.');

  const random = rng('demo-agency');
  const password = crypto.randomBytes(9).toString('base64url');
  const hash = await hashPassword(password);
  const stamp = now.toISOString();
  const unitsRepo = new UnitsRepo(db);
  const usersRepo = new UsersRepo(db);
  const agency = await unitsRepo.insert({ parentId: null, code: 'DEMO', type: 'agency', nameZh: '臺北市示範區公所', nameEn: 'Demo District Office, Taipei', phoneE164: '+886227208889', phoneExt: null, active: true }, '/', stamp);
  const switchboard = await unitsRepo.insert({ parentId: agency.id, code: 'DEMO-SB', type: 'switchboard', nameZh: '總機', nameEn: 'Switchboard', phoneE164: '+886227208889', phoneExt: null, active: true }, agency.path, stamp);
  const made: Unit[] = [switchboard];
  for (const [i, u] of UNITS.entries()) {
    made.push(await unitsRepo.insert({ parentId: agency.id, code: `DEMO-${u.code}`, type: 'unit', nameZh: u.zh, nameEn: u.en, phoneE164: u.ext ? '+886227208889' : `+88622720${String(9000 + i * 7).padStart(4, '0')}`, phoneExt: u.ext ?? null, active: true }, agency.path, stamp));
  }
  const user = async (role: CurrentUser['role'], unitId: number, email: string, name: string, phone: string | null): Promise<CurrentUser> => {
    const id = await usersRepo.insert({ email, name, role, unitId, phoneE164: phone, phoneExt: null, active: true }, stamp, db, hash);
    const found = await services.auth.currentUser(id);
    if (!found) throw new Error(`demo user ${email} was not stored`);
    return found;
  };
  const admin = await user('admin', agency.id, 'admin@demo.example.gov.tw', '示範管理員', null);
  const manager = await user('manager', agency.id, 'manager@demo.example.gov.tw', '陳研考', '+886912000001');
  const heads = new Map<number, CurrentUser>();
  for (const u of made) heads.set(u.id, await user('unit_head', u.id, `head-${u.code.toLowerCase()}@demo.example.gov.tw`, `${u.nameZh}主管`, null));
  const testerNames = ['林志明', '王美玲', '張家豪', '李淑芬', '黃俊傑', '吳雅婷', '劉建宏', '蔡佩君'];
  // Testers are staff of the units (never testing their own): the planner keeps them off their own unit.
  const homes = ['ADM', 'SEC', 'PER', 'ACC', 'ETH', 'CIV', 'HUM', 'ECO'].map((code) => made.find((u) => u.code === `DEMO-${code}`)?.id ?? agency.id);
  for (const [i, name] of testerNames.entries()) await user('tester', homes[i % homes.length] as number, `tester${i + 1}@demo.example.gov.tw`, name, `+88691200${String(1001 + i)}`);
  log(`agency DEMO with ${made.length} units, ${testerNames.length} testers, ${heads.size} unit heads, a manager and an administrator`);

  // Months of phone tests (fourteen unless told), ending with last month; the demo agency tests every unit every month.
  await services.settings.save({ ...(await services.settings.get()), unitsPerMonth: 'all' }, stamp);
  const thisMonth = taiwanMonth(now);
  const months = monthsEnding(thisMonth, size.months + 1).slice(0, size.months);
  const { sheet, id: sheetVersionId } = await services.results.currentSheet();
  const resultsRepo = new ResultsRepo(db);
  const codeOf = new Map(made.map((u) => [u.id, u.code.replace('DEMO-', '')]));
  let calls = 0;
  let cases = 0;
  for (const [mi, month] of months.entries()) {
    setClock(new Date(`${month}-01T01:00:00Z`));
    const { plan } = await services.plans.draft(null, agency.id, month);
    await services.plans.publish(admin, plan.id);
    const assignments = (await services.plans.view(admin, plan.id)).assignments;
    for (const a of assignments) {
      if (a.date === null || a.testerId === null) continue;
      const at = new Date(`${a.date}T${a.windowStart ?? '10:00'}:00+08:00`);
      setClock(at);
      const items = sheet.sheet.parts.filter((p) => p.key === a.part).flatMap((p) => p.sections.flatMap((s) => s.items));
      const { answers, ringSeconds } = callAnswers(items, quality(codeOf.get(a.unitId) ?? '', mi, months.length, random), random);
      const s = score(sheet.sheet, [a.part], answers, []);
      await db.transaction(async (trx) => {
        const id = await resultsRepo.insertResult({ assignmentId: a.id, unitId: a.unitId, testerId: a.testerId as number, sheetVersionId, kind: 'scored', testedOn: a.date as string }, at.toISOString(), trx);
        const reasons = Object.fromEntries(s.deductions.map((d) => [d.itemKey, '示範資料']));
        await resultsRepo.addRevision(id, { answers, reasons, flags: [], ringSeconds, total: s.total, band: s.band, deductions: s.deductions, createdBy: a.testerId as number, reason: null }, at.toISOString(), trx);
        if (s.needsFollowUp) {
          await services.cases.openFor({ id, unitId: a.unitId, unitPath: a.unitPath }, at, trx);
          cases += 1;
        }
        if (a.retestCaseId !== null) await services.cases.closeWithRetest(a.retestCaseId, id, at, trx);
      });
      calls += 1;
    }
    // Within the month, the unit heads report on their cases and the manager accepts them: next month's plan re-tests those units.
    setClock(new Date(`${month}-27T02:00:00Z`));
    for (const c of await services.cases.list(admin)) {
      if (c.status !== 'open') continue;
      const head = heads.get(c.unitId);
      if (!head) continue;
      const [cause, actions] = CAUSES[Math.floor(random() * CAUSES.length)] as [string, string];
      await services.cases.fileReport(head, c.id, cause, actions);
      await services.cases.decide(manager, c.id, 'accept', '改善措施可行，下月複測。');
    }
  }
  log(`${months.length} months of plans (${months[0]} to ${months[months.length - 1]}), ${calls} calls scored, ${cases} improvement cases`);

  // Citizens' answers at every counter, and a year of the staff survey.
  const surveysRepo = new SurveysRepo(db);
  const citizen = services.surveys.survey('citizen');
  const staff = services.surveys.survey('staff');
  const citizenVersion = await surveysRepo.ensureVersion(citizen, stamp);
  const staffVersion = await surveysRepo.ensureVersion(staff, stamp);
  let answered = 0;
  const counters = made.filter((u) => u.type === 'unit');
  for (const u of counters) {
    const kiosk = u.code.endsWith('HHR') || u.code.endsWith('LAN');
    const channelId = await surveysRepo.insertChannel(
      { code: `D${u.code.replace('DEMO-', '')}${kiosk ? 'K' : ''}`, surveyKey: 'citizen', unitId: u.id, counterName: kiosk ? '一樓櫃檯' : '', mode: kiosk ? 'kiosk' : 'personal', kioskKey: kiosk ? crypto.randomBytes(12).toString('base64url') : null, codesRequired: false, createdBy: manager.id },
      stamp,
      db,
    );
    for (const [mi, month] of months.entries()) {
      const count = Math.round(size.answersPerMonth * (SEASON[Number(month.slice(5, 7)) - 1] ?? 1) * (0.85 + random() * 0.3));
      // Citizens are kinder than testers' sheets, but not that much kinder.
      const level = 0.85 * quality(u.code.replace('DEMO-', ''), mi, months.length, random);
      const items = Array.from({ length: count }, (_, k) => ({
        response: { surveyVersionId: citizenVersion, channelId, unitId: u.id, month, submittedAt: `${month}-${String(1 + (k % 27)).padStart(2, '0')}T0${1 + (k % 8)}:00:00.000Z`, sourceHash: null, flag: null },
        survey: citizen.survey,
        answers: syntheticAnswers(citizen.survey, random, { level }),
      }));
      await db.transaction((trx) => surveysRepo.insertResponses(items, trx));
      answered += count;
    }
  }
  const staffChannel = await surveysRepo.insertChannel({ code: 'DSTAFF', surveyKey: 'staff', unitId: agency.id, counterName: '', mode: 'staff', kioskKey: null, codesRequired: false, createdBy: manager.id }, stamp, db);
  const staffYear = Number(months[months.length - 1]?.slice(0, 4));
  let staffAnswers = 0;
  for (const u of counters) {
    const headcount = 8 + Math.floor(random() * 20);
    await surveysRepo.setHeadcount(u.id, staffYear, headcount);
    const count = Math.round(headcount * (0.4 + random() * 0.5));
    const items = Array.from({ length: count }, () => {
      const answers = syntheticAnswers(staff.survey, random, { level: 0.65, units: [u.id] });
      return { response: { surveyVersionId: staffVersion, channelId: staffChannel, unitId: Number(answers.get('unit')?.value ?? 0), month: `${staffYear}-05`, submittedAt: `${staffYear}-05-12T03:00:00.000Z`, sourceHash: null, flag: null }, survey: staff.survey, answers };
    });
    await db.transaction((trx) => surveysRepo.insertResponses(items, trx));
    staffAnswers += count;
  }
  log(`${answered} citizen answers at ${counters.length} counters (two kiosks), ${staffAnswers} staff answers in ${staffYear} with headcounts`);
  return { password };
}
