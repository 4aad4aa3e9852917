import { planUnitImport, type ImportedUnit, type ImportPlan } from '../../server/org/unit-import';
import { asImported, imported, storedUnit } from './unit-fixtures';

// The stored tree:  ROOT (agency) ─┬─ DEPT (agency, a manager's reach '/1/5/') ─┬─ SEC (unit)
//                                  │                                             └─ SW (switchboard)
//                                  └─ OTHER (unit)
const root = storedUnit(1, 'ROOT', 'agency', null);
const dept = storedUnit(5, 'DEPT', 'agency', root);
const other = storedUnit(6, 'OTHER', 'unit', root);
const sec = storedUnit(7, 'SEC', 'unit', dept, { phoneE164: '+886223456789', phoneExt: '12' });
const sw = storedUnit(8, 'SW', 'switchboard', dept);
const existing = [root, dept, other, sec, sw];
const ADMIN = '/';
const MANAGER = dept.path;

const summary = (plan: ImportPlan) => plan.items.map((i) => `${i.unit.code}:${i.action}`);

describe('planUnitImport: what happens to each unit', () => {
  it('creates new codes, updates changed ones and leaves identical ones alone', () => {
    const plan = planUnitImport(
      [
        asImported(root, null, 2),
        imported(3, 'NEW', 'SEC', 'unit'),
        asImported({ ...sec, nameZh: '秘書室' }, 'DEPT', 4),
        asImported(other, 'DEPT', 5),
      ],
      existing,
      ADMIN,
    );
    expect(plan.issues).toEqual([]);
    expect(summary(plan)).toEqual(['ROOT:unchanged', 'SEC:update', 'OTHER:update', 'NEW:create']);
  });

  it.each<[string, Partial<ImportedUnit>]>([
    ['English name', { nameEn: 'Secretariat' }],
    ['phone', { phoneE164: '+886223456780' }],
    ['extension', { phoneExt: null }],
    ['active flag', { active: false }],
    ['type', { type: 'agency' }],
  ])('counts a change of %s as an update', (_field, change) => {
    const plan = planUnitImport([{ ...asImported(sec, 'DEPT', 2), ...change }], existing, ADMIN);
    expect(summary(plan)).toEqual(['SEC:update']);
  });

  it('keeps the first of two lines with the same code and reports the second', () => {
    const plan = planUnitImport([imported(2, 'NEW', 'SEC', 'unit'), imported(3, 'NEW', 'DEPT', 'unit')], existing, ADMIN);
    expect(plan.items).toEqual([{ unit: expect.objectContaining({ line: 2, parentCode: 'SEC' }), action: 'create' }]);
    expect(plan.issues).toEqual([{ line: 3, column: 'code', key: 'import.duplicateCode', params: { code: 'NEW' } }]);
  });

  it('reports a parent code found neither in the file nor in the database', () => {
    const plan = planUnitImport([imported(2, 'NEW', 'NOPE', 'unit')], existing, ADMIN);
    expect(plan).toEqual({ items: [], issues: [{ line: 2, column: 'parent_code', key: 'import.unknownParent', params: { code: 'NOPE' } }] });
  });

  it('reports units whose parents form a cycle inside the file', () => {
    const plan = planUnitImport(
      [imported(2, 'X', 'Y', 'unit'), imported(3, 'Y', 'X', 'unit'), imported(4, 'Z', 'Z', 'unit')],
      existing,
      ADMIN,
    );
    expect(plan.items).toEqual([]);
    expect(plan.issues).toEqual([
      { line: 2, column: 'parent_code', key: 'import.cycle', params: { code: 'X' } },
      { line: 3, column: 'parent_code', key: 'import.cycle', params: { code: 'Y' } },
      { line: 4, column: 'parent_code', key: 'import.cycle', params: { code: 'Z' } },
    ]);
  });

  it('reports a unit moved under its own stored descendant', () => {
    const plan = planUnitImport([asImported(dept, 'SEC', 2)], existing, ADMIN);
    expect(plan.issues).toEqual([{ line: 2, column: 'parent_code', key: 'import.cycle', params: { code: 'DEPT' } }]);
  });

  it('lists parents before children whatever the order of the file, and issues by line', () => {
    const plan = planUnitImport(
      [imported(2, 'C', 'B', 'unit'), imported(3, 'BAD', 'NOPE', 'unit'), imported(4, 'B', 'A', 'unit'), imported(5, 'A', 'SEC', 'unit'), imported(6, 'B', 'SEC', 'unit')],
      existing,
      ADMIN,
    );
    expect(summary(plan)).toEqual(['A:create', 'B:create', 'C:create']);
    expect(plan.issues.map((i) => [i.line, i.key])).toEqual([
      [3, 'import.unknownParent'],
      [6, 'import.duplicateCode'],
    ]);
  });
});

describe('planUnitImport: where units may sit', () => {
  it('lets an administrator put an agency at the root, and nothing else', () => {
    const plan = planUnitImport(
      [imported(2, 'AG', null, 'agency'), imported(3, 'U', null, 'unit'), imported(4, 'S', null, 'switchboard'), asImported(dept, null, 5)],
      existing,
      ADMIN,
    );
    expect(summary(plan)).toEqual(['AG:create', 'DEPT:update']);
    expect(plan.issues).toEqual([
      { line: 3, column: 'parent_code', key: 'unit.error.rootNotAgency' },
      { line: 4, column: 'parent_code', key: 'unit.error.rootNotAgency' },
    ]);
  });

  it('keeps a unit at the root an agency when only its type changes', () => {
    const plan = planUnitImport([{ ...asImported(root, null, 2), type: 'unit' }], existing, ADMIN);
    expect(plan.issues).toEqual([{ line: 2, column: 'parent_code', key: 'unit.error.rootNotAgency' }]);
  });

  it('puts nothing under a switchboard', () => {
    const plan = planUnitImport([imported(2, 'NEW', 'SW', 'unit'), asImported(sec, 'SW', 3)], existing, ADMIN);
    expect(plan.items).toEqual([]);
    expect(plan.issues).toEqual([
      { line: 2, column: 'parent_code', key: 'unit.error.parentSwitchboard' },
      { line: 3, column: 'parent_code', key: 'unit.error.parentSwitchboard' },
    ]);
  });

  it('does not turn a unit with children into a switchboard, whether the children are stored or in the file', () => {
    const plan = planUnitImport(
      [{ ...asImported(dept, 'ROOT', 2), type: 'switchboard' }, imported(3, 'NSW', 'SEC', 'switchboard'), imported(4, 'KID', 'NSW', 'unit')],
      existing,
      ADMIN,
    );
    expect(plan.items).toEqual([]);
    expect(plan.issues).toEqual([
      { line: 2, column: 'type', key: 'unit.error.switchboardHasChildren' },
      { line: 3, column: 'type', key: 'unit.error.switchboardHasChildren' },
      { line: 4, column: 'parent_code', key: 'unit.error.parentSwitchboard' },
    ]);
  });

  it('turns a unit into a switchboard once the file moves its children away', () => {
    const plan = planUnitImport([{ ...asImported(dept, 'ROOT', 2), type: 'switchboard' }, asImported(sec, 'ROOT', 3), asImported(sw, 'ROOT', 4)], existing, ADMIN);
    expect(plan.issues).toEqual([]);
    expect(summary(plan)).toEqual(['DEPT:update', 'SEC:update', 'SW:update']);
  });
});

describe("planUnitImport: a manager's reach", () => {
  it('lets a manager change, create and move units inside the reach', () => {
    const plan = planUnitImport(
      [
        { ...asImported(dept, 'ROOT', 2), nameEn: 'Department' },
        imported(3, 'TEAM', 'DEPT', 'unit'),
        asImported(sec, 'TEAM', 4),
        imported(5, 'DESK', 'SEC', 'unit'),
        asImported(sw, 'DEPT', 6),
      ],
      existing,
      MANAGER,
    );
    expect(plan.issues).toEqual([]);
    expect(summary(plan)).toEqual(['DEPT:update', 'TEAM:create', 'SW:unchanged', 'SEC:update', 'DESK:create']);
  });

  it('refuses stored units outside the reach, even unchanged ones', () => {
    const plan = planUnitImport([asImported(other, 'ROOT', 2), asImported(root, null, 3)], existing, MANAGER);
    expect(plan).toEqual({
      items: [],
      issues: [
        { line: 2, column: 'code', key: 'import.outOfReach', params: { code: 'OTHER' } },
        { line: 3, column: 'code', key: 'import.outOfReach', params: { code: 'ROOT' } },
      ],
    });
  });

  it('refuses to put units outside the reach or at the root', () => {
    const plan = planUnitImport(
      [
        imported(2, 'N1', 'OTHER', 'unit'),
        imported(3, 'N2', 'ROOT', 'unit'),
        asImported(sec, 'OTHER', 4),
        asImported(dept, null, 5),
        imported(6, 'AG', null, 'agency'),
        imported(7, 'N3', 'N1', 'unit'),
      ],
      existing,
      MANAGER,
    );
    expect(plan.items).toEqual([]);
    expect(plan.issues).toEqual([
      { line: 2, column: 'parent_code', key: 'unit.error.parentOutOfReach' },
      { line: 3, column: 'parent_code', key: 'unit.error.parentOutOfReach' },
      { line: 4, column: 'parent_code', key: 'unit.error.parentOutOfReach' },
      { line: 5, column: 'parent_code', key: 'unit.error.rootNotAllowed' },
      { line: 6, column: 'parent_code', key: 'unit.error.rootNotAllowed' },
      { line: 7, column: 'parent_code', key: 'unit.error.parentOutOfReach' },
    ]);
  });

  it('treats a reach one level down as a different subtree ("/1/5/" is not "/1/50/")', () => {
    const neighbour = storedUnit(50, 'N50', 'unit', root);
    const plan = planUnitImport([asImported(neighbour, 'ROOT', 2), imported(3, 'KID', 'N50', 'unit')], [...existing, neighbour], MANAGER);
    expect(plan.issues.map((i) => i.key)).toEqual(['import.outOfReach', 'unit.error.parentOutOfReach']);
  });
});
