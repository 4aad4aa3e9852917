import { parseUnitsCsv, type ImportedUnit } from '../../server/org/unit-import';
import { UNIT_TYPES } from '../../server/org/units-repo';
import { catalogs } from '../../server/platform/i18n';

const HEADER = 'code,parent_code,type,name_zh,name_en,phone,active';

/** The one unit parsed from a single data row, or the issues it raised. */
function parseRow(row: string): ImportedUnit | ReturnType<typeof parseUnitsCsv>['issues'] {
  const { units, issues } = parseUnitsCsv(`${HEADER}\n${row}\n`);
  return issues.length > 0 ? issues : (units[0] ?? []);
}

describe('parseUnitsCsv', () => {
  it('reads a file with English headers', () => {
    const text = [
      HEADER,
      'MOI,,agency,內政部,Ministry of the Interior,02-2345-6789 分機 100,1',
      'MOI-SW,MOI,switchboard,總機,,(02)23456789,',
    ].join('\n');
    expect(parseUnitsCsv(text)).toEqual({
      units: [
        {
          line: 2,
          code: 'MOI',
          parentCode: null,
          type: 'agency',
          nameZh: '內政部',
          nameEn: 'Ministry of the Interior',
          phoneE164: '+886223456789',
          phoneExt: '100',
          active: true,
        },
        {
          line: 3,
          code: 'MOI-SW',
          parentCode: 'MOI',
          type: 'switchboard',
          nameZh: '總機',
          nameEn: '',
          phoneE164: '+886223456789',
          phoneExt: null,
          active: true,
        },
      ],
      issues: [],
    });
  });

  it('reads a file saved by Excel with Chinese headers, a BOM, CRLF and blank lines', () => {
    const text = '\uFEFF單位代碼,上級單位代碼,單位類型,名稱,英文名稱,電話,啟用\r\n\r\nA,,機關,甲機關,,,是\r\nB,A,總機,乙,,,\r\n\r\nC,A,單位,丙,,,停用\r\nD,C,業務單位,丁,,,啟用\r\n';
    const { units, issues } = parseUnitsCsv(text);
    expect(issues).toEqual([]);
    expect(units.map((u) => [u.line, u.code, u.parentCode, u.type, u.active])).toEqual([
      [3, 'A', null, 'agency', true],
      [4, 'B', 'A', 'switchboard', true],
      [6, 'C', 'A', 'unit', false],
      [7, 'D', 'C', 'unit', true],
    ]);
  });

  it('accepts the name of each type as the unit pages show it, in both languages', () => {
    for (const type of UNIT_TYPES) {
      for (const lang of ['zh-TW', 'en'] as const) {
        const word = catalogs[lang][`unitType.${type}`];
        expect(parseRow(`X,,${word},名稱,,,`)).toMatchObject({ type });
      }
    }
    expect(parseRow('X,,SwitchBoard,名稱,,,')).toMatchObject({ type: 'switchboard' });
  });

  it.each(['', '1', 'true', 'TRUE', 'yes', 'Y', '是', '啟用'])('reads active %j as active', (word) => {
    expect(parseRow(`X,,agency,名稱,,,${word}`)).toMatchObject({ active: true });
  });

  it.each(['0', 'false', 'No', 'n', '否', '停用'])('reads active %j as inactive', (word) => {
    expect(parseRow(`X,,agency,名稱,,,${word}`)).toMatchObject({ active: false });
  });

  it('accepts codes of letters, digits and . _ - up to 64 characters, starting with a letter or digit', () => {
    for (const code of ['A01-SEC2', 'a.b_c', '9', 'X'.repeat(64)]) expect(parseRow(`${code},,agency,名稱,,,`)).toMatchObject({ code });
    for (const code of ['-A', '_A', 'A B', '代碼', 'X'.repeat(65)]) {
      expect(parseRow(`${code},,agency,名稱,,,`)).toEqual([{ line: 2, column: 'code', key: 'unit.error.code' }]);
    }
  });

  it('limits names to 200 characters', () => {
    expect(parseRow(`X,,agency,${'名'.repeat(200)},${'n'.repeat(200)},,`)).toMatchObject({ code: 'X' });
    expect(parseRow(`X,,agency,${'名'.repeat(201)},${'n'.repeat(201)},,`)).toEqual([
      { line: 2, column: 'name_zh', key: 'unit.error.nameZh' },
      { line: 2, column: 'name_en', key: 'unit.error.nameEn' },
    ]);
  });

  it('reports every faulty field with its line and column, and keeps the good lines', () => {
    const text = [HEADER, 'A,,agency,甲,,,', '', 'B C,A,office,,,12345,maybe', 'D,A,unit,丁,,not a phone,1', 'E,A,unit,戊,,,'].join('\n');
    expect(parseUnitsCsv(text)).toEqual({
      units: [expect.objectContaining({ line: 2, code: 'A' }), expect.objectContaining({ line: 6, code: 'E' })],
      issues: [
        { line: 4, column: 'code', key: 'unit.error.code' },
        { line: 4, column: 'type', key: 'unit.error.type' },
        { line: 4, column: 'name_zh', key: 'unit.error.nameZh' },
        { line: 4, column: 'phone', key: 'unit.error.phone' },
        { line: 4, column: 'active', key: 'unit.error.active' },
        { line: 5, column: 'phone', key: 'unit.error.phone' },
      ],
    });
  });

  it('names a missing required column', () => {
    expect(parseUnitsCsv('code,parent_code,name_zh\nA,,甲\n')).toEqual({
      units: [],
      issues: [{ line: 1, key: 'import.missingColumn', params: { column: 'type' } }],
    });
  });

  it('works without the optional columns', () => {
    const { units, issues } = parseUnitsCsv('代碼,上級代碼,類型,中文名稱\nA,,機關,甲\n');
    expect(issues).toEqual([]);
    expect(units).toEqual([
      { line: 2, code: 'A', parentCode: null, type: 'agency', nameZh: '甲', nameEn: '', phoneE164: null, phoneExt: null, active: true },
    ]);
  });

  it('reports a file without data rows as empty', () => {
    expect(parseUnitsCsv(`${HEADER}\r\n\r\n`).issues).toEqual([{ line: 1, key: 'import.empty' }]);
    expect(parseUnitsCsv('').issues).toEqual([expect.objectContaining({ line: 1, key: 'import.empty' })]);
  });

  it('reports broken quoting as malformed, with its line', () => {
    expect(parseUnitsCsv(`${HEADER}\nA,,agency,"甲,,,\n`).issues).toEqual([expect.objectContaining({ line: 2, key: 'import.malformed' })]);
  });
});
