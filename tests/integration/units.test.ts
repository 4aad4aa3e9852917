import { createTestApp, seedUnit, seedUser, signedIn, type Client, type TestApp } from '../support/app';
import { UnitsRepo, type Unit } from '../../server/org/units-repo';

let t: TestApp;
let agencyA: Unit;
let agencyB: Unit;
let sectionA: Unit;
let sectionB: Unit;
let admin: Client;
let manager: Client;
let head: Client;

beforeAll(async () => {
  t = await createTestApp();
  agencyA = await seedUnit(t, { parentId: null, code: 'A', nameZh: '甲機關' });
  agencyB = await seedUnit(t, { parentId: null, code: 'B', nameZh: '乙機關' });
  sectionA = await seedUnit(t, { parentId: agencyA.id, code: 'A-SEC', nameZh: '甲秘書室' });
  sectionB = await seedUnit(t, { parentId: agencyB.id, code: 'B-SEC', nameZh: '乙秘書室' });
  admin = await signedIn(t.app, (await seedUser(t, 'admin', agencyA.id)).email);
  manager = await signedIn(t.app, (await seedUser(t, 'manager', agencyA.id)).email);
  head = await signedIn(t.app, (await seedUser(t, 'unit_head', sectionA.id)).email);
});
afterAll(() => t.close());

const count = async (code: string) => Number((await t.testDb.db('units').where({ code }).count({ n: '*' }).first())?.n);

describe('reach', () => {
  test("a manager sees his or her agency's subtree and never another agency", async () => {
    const page = (await manager.agent.get('/units')).text;
    expect(page).toContain('甲秘書室');
    expect(page).not.toContain('乙機關');
    expect(page).not.toContain('乙秘書室');
    expect((await manager.agent.get(`/units/${sectionB.id}/edit`)).status).toBe(404);
    expect((await manager.post(`/units/${sectionB.id}/deactivate`)).status).toBe(404);
    const csv = (await manager.agent.get('/units/export.csv')).text;
    expect(csv).toContain('A-SEC');
    expect(csv).not.toContain('B-SEC');
  });

  test("a unit head sees only the own unit's subtree, read-only", async () => {
    const page = (await head.agent.get('/units')).text;
    expect(page).toContain('甲秘書室');
    expect(page).not.toContain('甲機關');
    expect(page).not.toContain('/edit');
  });

  test('the administrator sees every agency', async () => {
    const page = (await admin.agent.get('/units')).text;
    expect(page).toContain('甲機關');
    expect(page).toContain('乙秘書室');
  });

  test('a manager cannot create a top-level agency nor place a unit in another agency', async () => {
    const top = await manager.post('/units', { code: 'TOP', type: 'agency', parentId: '', nameZh: '新機關' });
    expect(top.status).toBe(422);
    expect(top.text).toContain('只有系統管理者能新增最上層機關');
    const foreign = await manager.post('/units', { code: 'INB', type: 'unit', parentId: String(agencyB.id), nameZh: '越界' });
    expect(foreign.status).toBe(422);
    expect(foreign.text).toContain('上級單位不在您的管理範圍內');
    expect(await count('TOP')).toBe(0);
    expect(await count('INB')).toBe(0);
  });
});

describe('agencyOf', () => {
  test('the nearest agency at or above a unit, an agency within an agency included', async () => {
    const repo = new UnitsRepo(t.testDb.db);
    const branch = await seedUnit(t, { parentId: sectionA.id, code: 'A-BR', type: 'agency', nameZh: '甲分署' });
    const desk = await seedUnit(t, { parentId: branch.id, code: 'A-BR-1', nameZh: '甲分署服務台' });
    expect((await repo.agencyOf(sectionA.path)).id).toBe(agencyA.id);
    expect((await repo.agencyOf(agencyA.path)).id).toBe(agencyA.id);
    expect((await repo.agencyOf(desk.path)).nameZh).toBe('甲分署');
    expect((await repo.agencyOf(branch.path)).id).toBe(branch.id);
    expect((await repo.agencyOf(sectionB.path)).id).toBe(agencyB.id);
    // A path that reaches no agency (a broken tree) is an error, not a guess.
    await expect(repo.agencyOf(`/${sectionA.id}/`)).rejects.toThrow(RangeError);
    await t.testDb.db('units').whereIn('id', [desk.id, branch.id]).orderBy('id', 'desc').del();
  });
});

describe('the unit form', () => {
  test('creates a unit with its phone number normalised to E.164 and the extension kept', async () => {
    const res = await manager.post('/units', {
      code: 'A-PER',
      type: 'unit',
      parentId: String(agencyA.id),
      nameZh: '人事室',
      nameEn: 'Personnel Office',
      phone: '(02)23456789#123',
    });
    expect(res.status).toBe(303);
    const row = await t.testDb.db('units').where({ code: 'A-PER' }).first();
    expect(row).toMatchObject({ phone_e164: '+886223456789', phone_ext: '123', parent_id: agencyA.id, path: `${agencyA.path}${row.id}/` });
    expect((await manager.agent.get('/units')).text).toContain('02 2345 6789 分機 123');
  });

  test('a mistake re-renders the form with 422, every answer kept and a message per field', async () => {
    const res = await manager.post('/units', { code: 'bad code!', type: 'unit', parentId: String(agencyA.id), nameZh: '', nameEn: 'Kept English', phone: '12345' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('請修正以下問題');
    expect(res.text).toContain('href="#code"');
    expect(res.text).toContain('href="#nameZh"');
    expect(res.text).toContain('href="#phone"');
    expect(res.text).toContain('value="bad code!"');
    expect(res.text).toContain('value="Kept English"');
    expect(res.text).toContain('value="12345"');
    expect(res.text).toMatch(new RegExp(`<option value="${agencyA.id}" selected>`));
    expect(await count('bad code!')).toBe(0);
  });

  test('codes are unique', async () => {
    const res = await manager.post('/units', { code: 'A-SEC', type: 'unit', parentId: String(agencyA.id), nameZh: '重複' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('這個單位代碼已被使用');
  });

  test('nothing goes under a switchboard, and a unit cannot move below itself', async () => {
    expect((await manager.post('/units', { code: 'A-SW', type: 'switchboard', parentId: String(agencyA.id), nameZh: '總機' })).status).toBe(303);
    const sw = await t.testDb.db('units').where({ code: 'A-SW' }).first();
    const under = await manager.post('/units', { code: 'A-X', type: 'unit', parentId: String(sw.id), nameZh: '不行' });
    expect(under.status).toBe(422);
    const child = await seedUnit(t, { parentId: sectionA.id, code: 'A-SEC-1' });
    const loop = await manager.post(`/units/${sectionA.id}`, { code: 'A-SEC', type: 'unit', parentId: String(child.id), nameZh: '甲秘書室' });
    expect(loop.status).toBe(422);
    expect(loop.text).toContain('不能把單位移到它自己的下級單位之下');
  });

  test('moving a unit moves its subtree', async () => {
    const parent = await seedUnit(t, { parentId: agencyA.id, code: 'A-MOVE' });
    const leaf = await seedUnit(t, { parentId: parent.id, code: 'A-MOVE-LEAF' });
    const target = await seedUnit(t, { parentId: agencyA.id, code: 'A-TARGET' });
    const res = await admin.post(`/units/${parent.id}`, { code: 'A-MOVE', type: 'unit', parentId: String(target.id), nameZh: parent.nameZh, nameEn: parent.nameEn });
    expect(res.status).toBe(303);
    const moved = await t.testDb.db('units').where({ id: leaf.id }).first();
    expect(moved.path).toBe(`${target.path}${parent.id}/${leaf.id}/`);
  });

  test('deactivating keeps the unit and its history; it can be reactivated', async () => {
    const unit = await seedUnit(t, { parentId: agencyA.id, code: 'A-OLD' });
    expect((await manager.post(`/units/${unit.id}/deactivate`)).status).toBe(303);
    expect(Boolean((await t.testDb.db('units').where({ id: unit.id }).first()).active)).toBe(false);
    expect((await manager.post(`/units/${unit.id}/activate`)).status).toBe(303);
    expect(Boolean((await t.testDb.db('units').where({ id: unit.id }).first()).active)).toBe(true);
    const trail = await t.testDb.db('audit_events').where({ subject: `unit:${unit.id}` }).orderBy('id');
    expect(trail.map((e: { action: string }) => e.action)).toEqual(['unit.deactivate', 'unit.activate']);
  });
});

describe('CSV import', () => {
  const good = [
    '\uFEFF代碼,上級代碼,類型,中文名稱,英文名稱,電話',
    'A-IMP,A,單位,研考科,Research Section,02-2345-6789 分機 301',
    'A-IMP-1,A-IMP,單位,研考科第一股,,',
    'A-IMP-SW,A,總機,總機,Switchboard,(02)2345-6000',
  ].join('\r\n');

  test('previews, imports in one go, and importing the same file again changes nothing', async () => {
    const preview = await manager.agent
      .post('/units/import')
      .field('_csrf', manager.csrf)
      .attach('file', Buffer.from(good, 'utf8'), { filename: 'units.csv', contentType: 'text/csv' });
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('將新增 3 個、更新 0 個單位，0 個不變');
    expect(await count('A-IMP')).toBe(0);

    const done = await manager.post('/units/import/confirm', { csv: good });
    expect(done.status).toBe(303);
    const child = await t.testDb.db('units').where({ code: 'A-IMP-1' }).first();
    const parent = await t.testDb.db('units').where({ code: 'A-IMP' }).first();
    expect(child.path).toBe(`${parent.path}${child.id}/`);
    expect(parent).toMatchObject({ phone_e164: '+886223456789', phone_ext: '301', name_en: 'Research Section' });

    const snapshot = await t.testDb.db('units').orderBy('id');
    const again = await manager.post('/units/import', { csv: good });
    expect(again.text).toContain('將新增 0 個、更新 0 個單位，3 個不變');
    expect((await manager.post('/units/import/confirm', { csv: good })).status).toBe(303);
    expect(await t.testDb.db('units').orderBy('id')).toEqual(snapshot);
  });

  test('a bad file lists every problem by line and imports nothing, not even its good lines', async () => {
    const bad = [
      'code,parent_code,type,name_zh,name_en,phone',
      'A-OK,A,unit,好的一列,,',
      'A-BAD1,A,office,類型錯誤,,',
      'A-BAD2,NOPE,unit,找不到上級,,',
      'A-BAD3,A,unit,,,',
      'A-BAD4,A,unit,電話錯誤,,12345',
      'A-OK,A,unit,重複代碼,,',
      'B-SEC,B,unit,別的機關,,',
    ].join('\n');
    const res = await manager.post('/units/import', { csv: bad });
    expect(res.status).toBe(422);
    for (const expected of [
      '第 3 行 (type)',
      '第 4 行 (parent_code): 找不到上級單位代碼 NOPE',
      '第 5 行 (name_zh)',
      '第 6 行 (phone)',
      '第 7 行 (code): 單位代碼 A-OK 在檔案中重複',
      '第 8 行 (code): 單位 B-SEC 不在您的管理範圍內',
    ]) {
      expect(res.text).toContain(expected);
    }
    expect(res.text).not.toContain('確認匯入');
    const confirm = await manager.post('/units/import/confirm', { csv: bad });
    expect(confirm.status).toBe(422);
    expect(await count('A-OK')).toBe(0);
  });

  test('a file that is not UTF-8 (Big5 from Excel) is refused with advice', async () => {
    const big5 = Buffer.from([0x63, 0x6f, 0x64, 0x65, 0x0a, 0xa4, 0xa4, 0xa4, 0xe5]);
    const res = await manager.agent.post('/units/import').field('_csrf', manager.csrf).attach('file', big5, 'units.csv');
    expect(res.status).toBe(422);
    expect(res.text).toContain('檔案不是 UTF-8 編碼');
  });

  test('a malformed CSV names its line', async () => {
    const res = await manager.post('/units/import', { csv: 'code,parent_code,type,name_zh\nA-Q,A,unit,"未結束的引號\n' });
    expect(res.status).toBe(422);
    expect(res.text).toMatch(/第 \d 行: CSV 格式錯誤/);
  });

  test('the export imports back unchanged', async () => {
    const csv = (await admin.agent.get('/units/export.csv')).text;
    expect(csv.startsWith('\uFEFFcode,parent_code,type')).toBe(true);
    const res = await admin.post('/units/import', { csv });
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/將新增 0 個、更新 0 個單位，\d+ 個不變/);
  });
});
