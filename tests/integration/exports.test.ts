import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type request from 'supertest';
import type { Unit } from '../../server/org/units-repo';
import { SurveysRepo } from '../../server/surveys/repo';
import type { Answers } from '../../server/surveys/submission';
import { createTestApp, seedUnit, seedUser, signedIn, type Client, type TestApp } from '../support/app';
import { readOds } from '../support/ods-reader';
import { seedPhoneResults } from '../support/results-seed';

/**
 * Exports through HTTP on a real database: every dataset in every format,
 * de-identification, the staff survey's suppression, the unit head's reach,
 * and the ODS read back by an independent reader with the CSV's values.
 */
let t: TestApp;
let agencyA: Unit;
let secretariat: Unit;
let secretariatDesk: Unit;
let personnel: Unit;
let agencyB: Unit;
let manager: Client;
let head: Client;
let managerB: Client;
const channel: Record<string, number> = {};

const CITIZEN_HEADER_ZH = [
  '序號', '月份', '填答日期', '填答日期(民國)', '單位代碼', '單位', '填答管道代碼',
  '洽公環境整潔舒適', '指標與動線清楚', '便民設施（座椅、飲水、無障礙設施等）完善', '服務人員態度親切有禮', '服務人員主動協助、耐心說明',
  '服務人員對業務熟悉、說明清楚', '辦理時間迅速', '線上申辦與資訊查詢方便', '申請書表簡明易填', '整體而言，您對本次服務的滿意程度',
  '您有多大可能推薦親友來此辦理（0 最不可能，10 最可能）', '本次洽公目的', '性別', '年齡', '其他意見或建議',
];
const LIKERT = ['env.clean', 'env.signs', 'env.facilities', 'cour.attitude', 'cour.attention', 'prof.knowledge', 'prof.efficiency', 'meas.online', 'meas.forms', 'overall'];

function citizenAnswers(likert: (string | null)[], extra: { recommend?: string; purpose?: string; sex?: string; age?: string; comment?: string } = {}): Answers {
  const answers: Answers = new Map();
  LIKERT.forEach((key, i) => {
    const v = likert[i];
    if (v !== null && v !== undefined) answers.set(key, { value: v, text: null });
  });
  for (const key of ['recommend', 'purpose', 'sex', 'age'] as const) if (extra[key] !== undefined) answers.set(key, { value: extra[key] as string, text: null });
  if (extra.comment !== undefined) answers.set('comment', { value: null, text: extra.comment });
  return answers;
}

/** Stores responses as a submission would, with a source hash and a flag where given. */
async function addResponses(surveyKey: string, channelId: number, unitId: number, items: { submittedAt: string; answers: Answers; flag?: 'burst' | null; sourceHash?: string }[]) {
  const survey = t.services.surveys.survey(surveyKey);
  const repo = new SurveysRepo(t.testDb.db);
  const versionId = await repo.ensureVersion(survey, '2026-01-01T00:00:00.000Z');
  await t.testDb.db.transaction((trx) =>
    repo.insertResponses(
      items.map((i) => ({
        response: { surveyVersionId: versionId, channelId, unitId, month: i.submittedAt.slice(0, 7), submittedAt: i.submittedAt, sourceHash: i.sourceHash ?? null, flag: i.flag ?? null },
        survey: survey.survey,
        answers: i.answers,
      })),
      trx,
    ),
  );
}

async function addChannel(code: string, surveyKey: string, unit: Unit, mode: 'personal' | 'staff'): Promise<number> {
  const [row] = await t.testDb.db('channels')
    .insert({ code, survey_key: surveyKey, unit_id: unit.id, counter_name: '', mode, codes_required: false, active: true, created_at: '2026-01-01T00:00:00.000Z' })
    .returning('id');
  channel[code] = (row as { id: number }).id;
  return channel[code] as number;
}

const SOURCE_HASH = 'c0ffee'.repeat(10);

/** Staff respondents per unit in 2026: 部門 with 6 (no free text), 人事室 11 (free text), 秘書室櫃台 3 (suppressed), unnamed 2 (suppressed). */
const STAFF_PLAN = [
  { unit: () => secretariat, n: 6 },
  { unit: () => personnel, n: 11 },
  { unit: () => secretariatDesk, n: 3 },
  { unit: () => null, n: 2 },
];

beforeAll(async () => {
  t = await createTestApp({}, () => new Date('2026-11-20T02:00:00Z'));
  agencyA = await seedUnit(t, { parentId: null, code: 'A', nameZh: '甲機關', nameEn: 'Agency A' });
  secretariat = await seedUnit(t, { parentId: agencyA.id, code: 'A-S', nameZh: '秘書室', nameEn: 'Secretariat' });
  secretariatDesk = await seedUnit(t, { parentId: secretariat.id, code: 'A-S1', nameZh: '秘書室櫃台', nameEn: 'Front desk' });
  personnel = await seedUnit(t, { parentId: agencyA.id, code: 'A-P', nameZh: '人事室', nameEn: 'Personnel' });
  agencyB = await seedUnit(t, { parentId: null, code: 'B', nameZh: '乙機關', nameEn: 'Agency B' });

  await addChannel('CITS', 'citizen', secretariat, 'personal');
  await addChannel('CITD', 'citizen', secretariatDesk, 'personal');
  await addChannel('CITP', 'citizen', personnel, 'personal');
  await addChannel('CITB', 'citizen', agencyB, 'personal');
  await addResponses('citizen', channel.CITS as number, secretariat.id, [
    // 2026-07-14T17:30Z is 01:30 on the 15th in Taiwan: the date is Taiwan's.
    { submittedAt: '2026-07-14T17:30:00.000Z', sourceHash: SOURCE_HASH, answers: citizenAnswers(['5', '4', 'na', '5', '5', '4', '3', 'na', '4', '5'], { recommend: '9', purpose: 'application', sex: 'female', age: 'age30_49', comment: '櫃檯很親切，電話 [電話] 已遮蔽' }) },
    { submittedAt: '2026-08-03T02:00:00.000Z', answers: citizenAnswers(['2', '3', '1', '2', '1', '2', '2', '3', '3', '2'], { recommend: '0', sex: 'male', comment: '=大排長龍\n下次再來' }) },
    { submittedAt: '2026-08-04T02:00:00.000Z', flag: 'burst', answers: citizenAnswers(['1', '1', '1', '1', '1', '1', '1', '1', '1', '1'], { comment: '洗版' }) },
    { submittedAt: '2026-10-01T02:00:00.000Z', answers: citizenAnswers(['4', '4', '4', '4', '4', '4', '4', '4', '4', '4']) },
  ]);
  await addResponses('citizen', channel.CITD as number, secretariatDesk.id, [{ submittedAt: '2026-09-30T15:59:00.000Z', answers: citizenAnswers(['3', '3', '3', '3', '3', '3', '3', '3', '3', '3'], { age: 'age65_plus', comment: '  兩個空白開頭\t與定位字元' }) }]);
  await addResponses('citizen', channel.CITP as number, personnel.id, [
    { submittedAt: '2026-07-01T00:00:00.000Z', answers: citizenAnswers(['5', '5', '5', '5', '5', '5', '5', '5', '5', '4'], { recommend: '10', purpose: 'inquiry' }) },
    { submittedAt: '2026-07-02T00:00:00.000Z', answers: citizenAnswers(['4', '4', '4', '4', '4', '4', '4', '4', '4', '4'], { purpose: 'inquiry' }) },
  ]);
  await addResponses('citizen', channel.CITB as number, agencyB.id, [{ submittedAt: '2026-07-20T02:00:00.000Z', answers: citizenAnswers(['1', '1', '1', '1', '1', '1', '1', '1', '1', '1'], { comment: '乙機關的意見' }) }]);

  // The staff survey: one link for agency A; respondents name their unit or not.
  const staffChannel = await addChannel('STAFFA', 'staff', agencyA, 'staff');
  let k = 0;
  for (const plan of STAFF_PLAN) {
    const unit = plan.unit();
    const items = Array.from({ length: plan.n }, () => {
      k += 1;
      const answers: Answers = new Map();
      for (const key of ['work.space', 'work.safety', 'lead.direction', 'lead.fairness', 'train.access', 'train.useful', 'comm.info', 'comm.voice', 'overall']) answers.set(key, { value: String(1 + (k % 6)), text: null });
      if (unit) answers.set('unit', { value: String(unit.id), text: null });
      answers.set('comment', { value: null, text: `同仁意見${k}` });
      return { submittedAt: `2026-${String(1 + (k % 12)).padStart(2, '0')}-10T02:00:00.000Z`, answers };
    });
    await addResponses('staff', staffChannel, unit ? unit.id : 0, items);
  }

  // Phone tests of agency A's units in Q3.
  const tester = await seedUser(t, 'tester', personnel.id);
  await seedPhoneResults(t.testDb.db, agencyA.id, tester.id, [
    { unitId: secretariat.id, date: '2026-07-10', total: 66.5, deductions: [{ itemKey: 'un.surname', lost: 3 }] },
    { unitId: personnel.id, date: '2026-07-11', total: 100 },
    { unitId: secretariatDesk.id, date: '2026-08-12', total: null },
  ]);

  manager = await signedIn(t.app, (await seedUser(t, 'manager', agencyA.id)).email);
  head = await signedIn(t.app, (await seedUser(t, 'unit_head', secretariat.id)).email);
  managerB = await signedIn(t.app, (await seedUser(t, 'manager', agencyB.id)).email);
});

afterAll(() => t.close());

type Query = Record<string, string>;
const download = (c: Client, q: Query) => c.agent.get(`/exports/download?${new URLSearchParams(q).toString()}`);

function binary(req: request.Test): request.Test {
  return req.buffer(true).parse((res, done) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => done(null, Buffer.concat(chunks)));
  });
}

function csvRows(text: string): string[][] {
  expect(text.startsWith('\uFEFF')).toBe(true);
  return parse(text, { bom: true, relaxColumnCount: false }) as string[][];
}

const citizenQ3 = { dataset: 'responses', format: 'csv', survey: 'citizen', scope: '', period: '2026Q3' };

describe('survey responses', () => {
  test('CSV: headers in Chinese, ISO and ROC dates, codes and masked text, no hash, no flagged response, only the scope', async () => {
    const res = await download(manager, { ...citizenQ3, scope: String(agencyA.id) });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toContain(`responses-citizen-A-2026Q3.csv`);
    const rows = csvRows(res.text);
    expect(rows[0]).toEqual(CITIZEN_HEADER_ZH);
    // In id order: 秘書室's July and August answers (the burst is left out), the desk's, 人事室's two. October is outside Q3; agency B is outside the scope.
    expect(rows.slice(1)).toEqual([
      ['1', '2026-07', '2026-07-15', '民國115年7月15日', 'A-S', '秘書室', 'CITS', '5', '4', 'na', '5', '5', '4', '3', 'na', '4', '5', '9', 'application', 'female', 'age30_49', '櫃檯很親切，電話 [電話] 已遮蔽'],
      // A cell a spreadsheet would run as a formula gets a leading quote in CSV.
      ['2', '2026-08', '2026-08-03', '民國115年8月3日', 'A-S', '秘書室', 'CITS', '2', '3', '1', '2', '1', '2', '2', '3', '3', '2', '0', '', 'male', '', "'=大排長龍\n下次再來"],
      ['3', '2026-09', '2026-09-30', '民國115年9月30日', 'A-S1', '秘書室櫃台', 'CITD', '3', '3', '3', '3', '3', '3', '3', '3', '3', '3', '', '', '', 'age65_plus', '  兩個空白開頭\t與定位字元'],
      ['4', '2026-07', '2026-07-01', '民國115年7月1日', 'A-P', '人事室', 'CITP', '5', '5', '5', '5', '5', '5', '5', '5', '5', '4', '10', 'inquiry', '', '', ''],
      ['5', '2026-07', '2026-07-02', '民國115年7月2日', 'A-P', '人事室', 'CITP', '4', '4', '4', '4', '4', '4', '4', '4', '4', '4', '', 'inquiry', '', '', ''],
    ]);
    expect(res.text).not.toContain(SOURCE_HASH);
    expect(res.text).not.toContain('洗版');
    const refs = (await t.testDb.db('responses').select('ref')) as { ref: string }[];
    for (const { ref } of refs) expect(res.text).not.toContain(ref);
  });

  test('the ROC period 115Q3 gives the same file; English headers for an English reader', async () => {
    const western = (await download(manager, { ...citizenQ3, scope: String(agencyA.id) })).text;
    expect((await download(manager, { ...citizenQ3, scope: String(agencyA.id), period: '115Q3' })).text).toBe(western);
    const en = await signedIn(t.app, (await seedUser(t, 'manager', agencyA.id)).email);
    await en.post('/lang', { lang: 'en', next: '/' });
    const rows = csvRows((await download(en, { ...citizenQ3, scope: String(agencyA.id) })).text);
    expect(rows[0]?.slice(0, 8)).toEqual(['No.', 'Month', 'Date answered', 'Date answered (ROC)', 'Unit code', 'Unit', 'Channel code', 'The office is clean and comfortable']);
    expect(rows[4]?.slice(0, 6)).toEqual(['4', '2026-07', '2026-07-01', '民國115年7月1日', 'A-P', 'Personnel']);
  });

  test('JSON: column keys and headers, numbers as numbers, empty cells null', async () => {
    const res = await download(manager, { ...citizenQ3, scope: String(agencyA.id), format: 'json' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = res.body as { dataset: string; period: string; survey: string; columns: { key: string; header: string }[]; rows: Record<string, unknown>[] };
    expect(body.dataset).toBe('responses-citizen-A-2026Q3');
    expect(body.period).toBe('2026Q3');
    expect(body.columns.slice(0, 8).map((c) => c.key)).toEqual(['no', 'month', 'date', 'roc_date', 'unit_code', 'unit', 'channel', 'env.clean']);
    expect(body.columns.map((c) => c.header)).toEqual(CITIZEN_HEADER_ZH);
    expect(body.rows).toHaveLength(5);
    expect(body.rows[1]).toMatchObject({ no: 2, date: '2026-08-03', 'env.clean': 2, recommend: 0, purpose: null, sex: 'male', comment: '=大排長龍\n下次再來' });
    expect(body.rows[0]).toMatchObject({ 'env.facilities': 'na', overall: 5 });
  });

  test('the ODS reads back through an independent reader with exactly the values of the CSV', async () => {
    const q = { ...citizenQ3, scope: String(agencyA.id) };
    const csv = csvRows((await download(manager, q)).text);
    const res = await binary(download(manager, { ...q, format: 'ods' }));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.oasis.opendocument.spreadsheet');
    const bytes = res.body as Buffer;
    // The first entry is "mimetype", stored uncompressed with no extra field, so the type shows at byte 38.
    expect(bytes.readUInt16LE(8)).toBe(0);
    expect(bytes.readUInt16LE(28)).toBe(0);
    expect(bytes.subarray(30, 38).toString('ascii')).toBe('mimetype');
    expect(bytes.subarray(38, 38 + 46).toString('ascii')).toBe('application/vnd.oasis.opendocument.spreadsheet');
    const ods = readOds(bytes);
    expect(ods.entries[0]).toBe('mimetype');
    expect(ods.entries).toEqual(expect.arrayContaining(['META-INF/manifest.xml', 'content.xml']));
    expect(ods.sheets).toHaveLength(1);
    const sheet = ods.sheets[0]?.rows ?? [];
    expect(sheet).toHaveLength(csv.length);
    sheet.forEach((row, r) => {
      expect(row).toHaveLength(CITIZEN_HEADER_ZH.length);
      row.forEach((cell, c) => {
        const expected = csv[r]?.[c] ?? '';
        // The only difference allowed: the CSV's protective quote before a formula-like text.
        expect(cell.text).toBe(expected.startsWith("'=") ? expected.slice(1) : expected);
        if (r > 0 && /^-?\d+(\.\d+)?$/.test(expected)) {
          expect(cell.type).toBe('float');
          expect(Number(cell.value)).toBe(Number(expected));
        } else if (expected !== '') expect(cell.type).toBe('string');
        else expect(cell.type).toBeNull();
      });
    });
    expect(sheet[2]?.[21]?.text).toBe('=大排長龍\n下次再來');
    expect(sheet[3]?.[21]?.text).toBe('  兩個空白開頭\t與定位字元');
  });

  test('LibreOffice converts the ODS to the same CSV (where LibreOffice is installed)', async () => {
    const office = ['soffice', 'libreoffice'].find((name) => {
      try {
        execFileSync('which', [name], { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    });
    if (!office) {
      process.stderr.write('\n  SKIPPED: LibreOffice (soffice) is not installed on this machine, so the ODS was not opened in it; the independent reader above checked it.\n\n');
      return;
    }
    const q = { ...citizenQ3, scope: String(agencyA.id) };
    const csv = csvRows((await download(manager, q)).text);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ods-lo-'));
    try {
      fs.writeFileSync(path.join(dir, 'export.ods'), (await binary(download(manager, { ...q, format: 'ods' }))).body as Buffer);
      execFileSync(office, ['--headless', `-env:UserInstallation=file://${dir}/profile`, '--convert-to', 'csv:Text - txt - csv (StarCalc):44,34,76', '--outdir', dir, path.join(dir, 'export.ods')], { stdio: 'ignore', timeout: 120_000 });
      const converted = parse(fs.readFileSync(path.join(dir, 'export.csv'), 'utf8'), { bom: true }) as string[][];
      // Two known differences: the CSV guards formula-like text with a quote, and Calc keeps no tab
      // inside a cell (it drops the <text:tab/> that ODF writes for one; the independent reader sees it).
      const expected = csv.map((row) => row.map((cell) => (cell.startsWith("'=") ? cell.slice(1) : cell).replace(/\t/g, '')));
      expect(converted).toEqual(expected);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  test('pages of the database are joined without a gap or a repeat (more responses than one page)', async () => {
    t.services.exports.pageSize = 500;
    const many = Array.from({ length: 1234 }, (_, i) => ({ submittedAt: `2026-05-${String(1 + (i % 28)).padStart(2, '0')}T02:00:00.000Z`, answers: citizenAnswers(['4', '4', '4', '4', '4', '4', '4', '4', '4', String(1 + (i % 5))]) }));
    await addResponses('citizen', channel.CITB as number, agencyB.id, many);
    const rows = csvRows((await download(managerB, { ...citizenQ3, period: '2026-05' })).text).slice(1);
    expect(rows.map((r) => r[0])).toEqual(many.map((_, i) => String(i + 1)));
    expect(rows.map((r) => r[16])).toEqual(many.map((_, i) => String(1 + (i % 5))));
    const ods = readOds((await binary(download(managerB, { ...citizenQ3, period: '2026-05', format: 'ods' }))).body as Buffer);
    expect(ods.sheets[0]?.rows).toHaveLength(1235);
    t.services.exports.pageSize = 2000;
  });
});

describe('the staff survey', () => {
  const staffQ = { dataset: 'responses', format: 'csv', survey: 'staff', scope: '', period: '2026Q3' };

  test('responses: whole year, groups under 5 left out, free text only for groups of 10 or more', async () => {
    const res = await download(manager, staffQ);
    expect(res.headers['content-disposition']).toContain('responses-staff-A-2026.csv');
    const rows = csvRows(res.text);
    expect(rows[0]?.slice(0, 5)).toEqual(['序號', '年度', '年度（民國）', '單位代碼', '單位']);
    expect(rows[0]).not.toContain('您服務的單位（選填）');
    const data = rows.slice(1);
    const byUnit = new Map<string, string[][]>();
    for (const r of data) byUnit.set(r[3] as string, [...(byUnit.get(r[3] as string) ?? []), r]);
    expect([...byUnit.keys()].sort()).toEqual(['A-P', 'A-S']);
    expect(byUnit.get('A-S')).toHaveLength(6);
    expect(byUnit.get('A-P')).toHaveLength(11);
    for (const group of byUnit.values()) expect(group.length).toBeGreaterThanOrEqual(5);
    const comment = rows[0]?.indexOf('其他意見') as number;
    expect(byUnit.get('A-S')?.every((r) => r[comment] === '')).toBe(true);
    expect(byUnit.get('A-P')?.every((r) => /^同仁意見\d+$/.test(r[comment] as string))).toBe(true);
    expect(data.every((r) => r[1] === '2026' && r[2] === '民國115年')).toBe(true);
    expect(res.text).not.toContain('秘書室櫃台');
    expect(res.text).not.toContain('未填單位');
  });

  test('aggregates: only groups of 5 or more, by year, and their counts add up', async () => {
    const res = await download(manager, { ...staffQ, dataset: 'aggregates' });
    const rows = csvRows(res.text);
    expect(rows[0]).toEqual(['年度', '年度（民國）', '單位代碼', '單位', '題目代碼', '題目', '選項值', '選項', '人數']);
    const units = new Set(rows.slice(1).map((r) => r[2]));
    expect([...units].sort()).toEqual(['A-P', 'A-S']);
    const overall = (code: string) => rows.filter((r) => r[2] === code && r[4] === 'overall').reduce((sum, r) => sum + Number(r[8]), 0);
    expect(overall('A-S')).toBe(6);
    expect(overall('A-P')).toBe(11);
    expect(rows.some((r) => r[4] === 'unit')).toBe(false);
  });

  test('a unit head of a group under 5 gets nothing of it', async () => {
    const desk = await signedIn(t.app, (await seedUser(t, 'unit_head', secretariatDesk.id)).email);
    const rows = csvRows((await download(desk, staffQ)).text);
    expect(rows).toHaveLength(1);
    expect(csvRows((await download(desk, { ...staffQ, dataset: 'aggregates' })).text)).toHaveLength(1);
  });
});

describe('survey aggregates', () => {
  test('counts per month, unit, question and value, with labels, for the scope', async () => {
    const rows = csvRows((await download(manager, { dataset: 'aggregates', format: 'csv', survey: 'citizen', scope: String(personnel.id), period: '115-07' })).text);
    expect(rows[0]).toEqual(['月份', '月份（民國）', '單位代碼', '單位', '題目代碼', '題目', '選項值', '選項', '人數']);
    const overall = rows.filter((r) => r[4] === 'overall');
    // 人事室's two July answers to "overall": 4 and 4.
    expect(overall).toEqual([['2026-07', '民國115年7月', 'A-P', '人事室', 'overall', '整體而言，您對本次服務的滿意程度', '4', '滿意', '2']]);
    expect(rows.filter((r) => r[4] === 'purpose')).toEqual([['2026-07', '民國115年7月', 'A-P', '人事室', 'purpose', '本次洽公目的', 'inquiry', '諮詢', '2']]);
    expect(rows.filter((r) => r[4] === 'recommend').map((r) => [r[6], r[8]])).toEqual([['10', '1']]);
  });

  test('not applicable and text answers are counted apart, with their own labels', async () => {
    const rows = csvRows((await download(manager, { dataset: 'aggregates', format: 'csv', survey: 'citizen', scope: String(secretariat.id), period: '2026-07' })).text);
    expect(rows.find((r) => r[4] === 'env.facilities')?.slice(6)).toEqual(['na', '不適用', '1']);
    expect(rows.find((r) => r[4] === 'comment')?.slice(6)).toEqual(['__text', '有填寫文字', '1']);
  });
});

describe('phone tests', () => {
  test('results: one row per test with ISO and ROC dates, the score with one decimal, band and deductions', async () => {
    const rows = csvRows((await download(manager, { dataset: 'results', format: 'csv', scope: String(agencyA.id), period: '2026Q3' })).text);
    expect(rows[0]).toEqual(['測試日期', '測試日期(民國)', '月份', '單位代碼', '單位', '測試部分', '結果', '分數', '等第', '扣分項目']);
    expect(rows.slice(1)).toEqual([
      ['2026-07-10', '民國115年7月10日', '2026-07', 'A-S', '秘書室', '業務單位', '已評分', '66.5', '待改善', '請教來電者貴姓'],
      ['2026-07-11', '民國115年7月11日', '2026-07', 'A-P', '人事室', '業務單位', '已評分', '100.0', '優良', ''],
      ['2026-08-12', '民國115年8月12日', '2026-08', 'A-S1', '秘書室櫃台', '業務單位', '無法接通', '', '', ''],
    ]);
  });

  test('score tables: month by month, ranked within the agency', async () => {
    const rows = csvRows((await download(manager, { dataset: 'scores', format: 'csv', scope: String(agencyA.id), period: '2026Q3' })).text);
    expect(rows[0]).toEqual(['名次', '單位代碼', '受測單位', '測試次數', '分數', '等第', '前次分數', '與前次相比', '月份', '月份（民國）']);
    expect(rows.slice(1)).toEqual([
      ['1', 'A-P', '人事室', '1', '100.0', '優良', '', '', '2026-07', '民國115年7月'],
      ['2', 'A-S', '秘書室', '1', '66.5', '待改善', '', '', '2026-07', '民國115年7月'],
      ['', 'A-S1', '秘書室櫃台', '1', '', '', '', '', '2026-08', '民國115年8月'],
    ]);
  });

  test('allocation tables of published plans in the period', async () => {
    const managerUser = await t.services.auth.currentUser((await t.testDb.db('users').where({ role: 'manager', unit_id: agencyA.id }).first()).id);
    const { plan } = await t.services.plans.draft(null, agencyA.id, '2026-12');
    const draftRows = csvRows((await download(manager, { dataset: 'allocation', format: 'csv', scope: String(agencyA.id), period: '2026-12' })).text);
    expect(draftRows).toHaveLength(1);
    await t.services.plans.publish(managerUser as NonNullable<typeof managerUser>, plan.id);
    const assignments = await t.testDb.db('assignments').where({ plan_id: plan.id });
    const rows = csvRows((await download(manager, { dataset: 'allocation', format: 'csv', scope: String(agencyA.id), period: '2026-12' })).text);
    expect(rows[0]).toEqual(['月份', '單位代碼', '受測單位', '測試部分', '電話／分機', '測試人員', '日期', '日期（民國）', '時段', '排入原因']);
    expect(rows).toHaveLength(1 + assignments.length);
    expect(rows.slice(1).every((r) => r[0] === '2026-12' && /^2026-12-\d\d$/.test(r[6] as string) && (r[7] as string).startsWith('民國115年12月'))).toBe(true);
    // The plan's own CSV goes through the same export layer and holds the same lines.
    const own = csvRows((await manager.agent.get(`/plans/${plan.id}/allocation.csv`)).text);
    expect(own).toEqual(rows);
  });
});

describe("a unit head's reach", () => {
  test('only his subtree, in every dataset he may have', async () => {
    const responses = csvRows((await download(head, citizenQ3)).text).slice(1);
    expect(new Set(responses.map((r) => r[4]))).toEqual(new Set(['A-S', 'A-S1']));
    const aggregates = csvRows((await download(head, { ...citizenQ3, dataset: 'aggregates' })).text).slice(1);
    expect(new Set(aggregates.map((r) => r[2]))).toEqual(new Set(['A-S', 'A-S1']));
    const results = csvRows((await download(head, { dataset: 'results', format: 'csv', period: '2026Q3' })).text).slice(1);
    expect(results.map((r) => r[3])).toEqual(['A-S', 'A-S1']);
    const scores = csvRows((await download(head, { dataset: 'scores', format: 'csv', period: '2026Q3' })).text).slice(1);
    expect(scores.map((r) => r[1])).toEqual(['A-S', 'A-S1']);
    const staff = csvRows((await download(head, { ...citizenQ3, survey: 'staff' })).text).slice(1);
    expect(new Set(staff.map((r) => r[3]))).toEqual(new Set(['A-S']));
  });

  test('a scope outside it, or the allocation tables, are refused on the form with a message per field', async () => {
    const res = await download(head, { ...citizenQ3, scope: String(personnel.id) });
    expect(res.status).toBe(422);
    expect(res.text).toContain('請選擇您權限範圍內的單位');
    const allocation = await download(head, { dataset: 'allocation', format: 'csv', period: '2026-12' });
    expect(allocation.status).toBe(422);
    expect(allocation.text).toContain('請選擇您可匯出的資料集');
    expect((await head.agent.get('/exports')).text).not.toContain('value="allocation"');
    expect((await download(managerB, { ...citizenQ3, scope: String(agencyA.id) })).status).toBe(422);
  });
});

describe('the export page', () => {
  test('offers the datasets, formats and filters, linked from the navigation', async () => {
    const page = await manager.agent.get('/exports');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<form method="get" action="/exports/download"');
    for (const v of ['responses', 'aggregates', 'results', 'scores', 'allocation', 'csv', 'ods', 'json']) expect(page.text).toContain(`value="${v}"`);
    expect((await manager.agent.get('/dashboard')).text).toContain('href="/exports"');
  });

  test('bad input re-renders the form with the answers kept and a message per field', async () => {
    const res = await manager.agent.get('/exports/download?dataset=responses&format=xlsx&survey=nope&period=2026Q5');
    expect(res.status).toBe(422);
    expect(res.text).toContain('請選擇檔案格式');
    expect(res.text).toContain('請輸入期間，例如 2026Q3、115Q3、2026-07 或 2026');
    expect(res.text).toContain('href="#period"');
    expect(res.text).toContain('value="2026Q5"');
    expect(res.text).toMatch(/value="responses" checked/);
    const survey = await download(manager, { ...citizenQ3, survey: 'nope' });
    expect(survey.status).toBe(422);
    expect(survey.text).toContain('請選擇問卷');
    for (const weird of ['dataset[]=x', 'period=%00', 'scope=999999999999999&dataset=results&format=csv&period=2026']) {
      expect((await manager.agent.get(`/exports/download?${weird}`)).status).toBe(422);
    }
  });

  test('every dataset downloads in every format', async () => {
    const types = { csv: 'text/csv; charset=utf-8', ods: 'application/vnd.oasis.opendocument.spreadsheet', json: 'application/json; charset=utf-8' };
    for (const dataset of ['responses', 'aggregates', 'results', 'scores', 'allocation']) {
      for (const format of ['csv', 'ods', 'json'] as const) {
        const res = await binary(download(manager, { dataset, format, survey: 'citizen', scope: String(agencyA.id), period: '2026' }));
        expect([dataset, format, res.status]).toEqual([dataset, format, 200]);
        expect(res.headers['content-type']).toBe(types[format]);
        const body = res.body as Buffer;
        if (format === 'ods') expect(readOds(body).sheets[0]?.rows.length).toBeGreaterThan(1);
        if (format === 'json') expect((JSON.parse(body.toString('utf8')) as { rows: unknown[] }).rows.length).toBeGreaterThan(0);
        if (format === 'csv') expect(csvRows(body.toString('utf8')).length).toBeGreaterThan(1);
      }
    }
  });
});
