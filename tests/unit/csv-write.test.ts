import fc from 'fast-check';
import { readCsv, type CsvColumn } from '../../server/platform/csv';
import { toCsv } from '../../server/platform/csv-write';

describe('toCsv', () => {
  it('starts with a BOM and ends every row with CRLF', () => {
    expect(toCsv([['code', 'name'], ['A1', '總務處']])).toBe('\uFEFFcode,name\r\nA1,總務處\r\n');
  });

  it('quotes cells with commas, quotes or line breaks, doubling the quotes', () => {
    expect(toCsv([['a,b', 'say "hi"', 'two\nlines', 'cr\rhere', 'plain']])).toBe(
      '\uFEFF"a,b","say ""hi""","two\nlines","cr\rhere",plain\r\n',
    );
  });

  it.each([
    ['=SUM(A1:A9)', "'=SUM(A1:A9)"],
    ['+886223456789', "'+886223456789"],
    ['-1', "'-1"],
    ['@cmd', "'@cmd"],
    ['\tindented', "'\tindented"],
    ['\r=1', '"\'\r=1"'],
    ['=HYPERLINK("http://x","y")', '"\'=HYPERLINK(""http://x"",""y"")"'],
  ])('stops a spreadsheet from running %j as a formula', (value, written) => {
    expect(toCsv([[value]])).toBe(`\uFEFF${written}\r\n`);
  });

  it('leaves cells alone when the formula character is not the first one', () => {
    expect(toCsv([['a=b', '02-2345-6789', "'quoted"]])).toBe("\uFEFFa=b,02-2345-6789,'quoted\r\n");
  });
});

describe('toCsv read back by readCsv', () => {
  const columns: readonly CsvColumn[] = ['c0', 'c1', 'c2'].map((name) => ({ name, aliases: [], required: true }));
  const header = columns.map((c) => c.name);
  const readBack = (rows: string[][]) => {
    const result = readCsv(toCsv([header, ...rows]), columns);
    if (!result.ok) throw new Error(`readCsv failed: ${JSON.stringify(result)}`);
    return result.records.map((r) => [r.values.c0, r.values.c1, r.values.c2]);
  };
  // Ordinary text mixed with the characters that CSV and spreadsheets treat specially.
  const text = fc
    .array(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 3 }), fc.constantFrom(',', '"', '\n', '\r', '\r\n', ' ', '\t', '\u3000', "'", '=')), {
      maxLength: 6,
    })
    .map((parts) => parts.join(''));
  const row = (cell: fc.Arbitrary<string>) => fc.tuple(cell, cell, cell).map((cells) => [...cells]);

  it('gives back every value (trimmed, as readCsv trims) when none starts like a formula', () => {
    const cell = text.filter((s) => !/^[=+\-@\t\r]/.test(s));
    fc.assert(
      fc.property(fc.array(row(cell), { maxLength: 6 }), (rows) => {
        expect(readBack(rows)).toEqual(rows.map((r) => r.map((v) => v.trim())));
      }),
    );
  });

  it('gives back values that start like a formula with the protecting quote in front', () => {
    const cell = fc
      .tuple(fc.constantFrom('=', '+', '-', '@', '\t', '\r'), text)
      .map(([first, rest]) => first + rest);
    fc.assert(
      fc.property(fc.array(row(cell), { minLength: 1, maxLength: 4 }), (rows) => {
        expect(readBack(rows)).toEqual(rows.map((r) => r.map((v) => `'${v}`.trim())));
      }),
    );
  });
});
