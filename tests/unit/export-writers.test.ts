import { PassThrough, Writable } from 'node:stream';
import { writeOds, paragraphs, escapeXml } from '../../server/exports/ods';
import { tableOf, type Cell, type Column } from '../../server/exports/table';
import { writeCsv, writeJson } from '../../server/exports/writers';
import { answerCell, valueCell } from '../../server/exports/survey-columns';
import { unpackAnswers } from '../../server/exports/repo';
import { readOds } from '../support/ods-reader';

const COLUMNS: Column[] = [
  { key: 'name', header: '名稱' },
  { key: 'score', header: '分數', decimals: 1 },
  { key: 'change', header: '變化', decimals: 1 },
  { key: 'n', header: 'n' },
];
const ROWS: Cell[][] = [
  ['秘書室', 85, -2.5, 3],
  ['=SUM(A1)', null, 0.25, -1],
  ['a,"b"\nc', 100, null, 0],
];

/** Everything a writer writes, once it has ended the stream. */
async function collect(write: (sink: Writable) => Promise<void>): Promise<Buffer> {
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (c: Buffer) => chunks.push(c));
  await write(sink);
  return Buffer.concat(chunks);
}

describe('CSV writer', () => {
  it('writes a BOM, CRLF lines, numbers with their decimals and no formula quote, text quoted and neutralised', async () => {
    const out = (await collect((s) => writeCsv(tableOf('t', COLUMNS, ROWS), s))).toString('utf8');
    // 0.25 is exact in binary and toFixed rounds its half up: "0.3". −1 is a number, not a formula: no quote.
    expect(out).toBe('\uFEFF名稱,分數,變化,n\r\n秘書室,85.0,-2.5,3\r\n\'=SUM(A1),,0.3,-1\r\n"a,""b""\nc",100.0,,0\r\n');
  });
});

describe('JSON writer', () => {
  it('writes the columns and the rows as objects, numbers as they are, empty cells null', async () => {
    const out = JSON.parse((await collect((s) => writeJson(tableOf('t', COLUMNS, ROWS), s, { period: '2026Q3' }))).toString('utf8')) as unknown;
    expect(out).toEqual({
      period: '2026Q3',
      dataset: 't',
      columns: COLUMNS.map((c) => ({ key: c.key, header: c.header })),
      rows: [
        { name: '秘書室', score: 85, change: -2.5, n: 3 },
        { name: '=SUM(A1)', score: null, change: 0.25, n: -1 },
        { name: 'a,"b"\nc', score: 100, change: null, n: 0 },
      ],
    });
  });
});

describe('ODS writer', () => {
  it('keeps spaces, tabs and lines, and drops characters XML cannot carry', () => {
    expect(paragraphs('  a  b\tc \nd')).toBe('<text:p><text:s/><text:s text:c="1"/>a <text:s text:c="1"/>b<text:tab/>c<text:s/></text:p><text:p>d</text:p>');
    expect(escapeXml('a\u0001<b>&"c"\ud800')).toBe('a&lt;b&gt;&amp;&quot;c&quot;');
  });

  it('continues on a new sheet, with the header again, when a sheet is full', async () => {
    const rows: Cell[][] = Array.from({ length: 5 }, (_, i) => [`r${i}`, i, null, i]);
    const ods = readOds(await collect((s) => writeOds(tableOf('t', COLUMNS, rows), s, { sheetName: '資料', maxSheetRows: 3 })));
    expect(ods.sheets.map((s) => s.name)).toEqual(['資料', '資料 (2)', '資料 (3)']);
    expect(ods.sheets.map((s) => s.rows.map((r) => r[0]?.text))).toEqual([
      ['名稱', 'r0', 'r1'],
      ['名稱', 'r2', 'r3'],
      ['名稱', 'r4'],
    ]);
    expect(ods.sheets[1]?.rows[1]?.[1]).toEqual({ type: 'float', value: '2', text: '2.0' });
    expect(ods.mimetype).toBe('application/vnd.oasis.opendocument.spreadsheet');
  });
});

describe('answers as cells', () => {
  const likert = { key: 'q', type: 'likert' as const, text: { 'zh-TW': 'q', en: 'q' }, labels: new Map() };
  const multiple = { ...likert, type: 'multiple' as const };
  it('scale points are numbers, "na" stays text, several options are joined', () => {
    expect(answerCell(likert, '5')).toBe(5);
    expect(answerCell(likert, 'na')).toBe('na');
    expect(answerCell(likert, '05')).toBe('05');
    expect(answerCell(multiple, '["a","b"]')).toBe('a; b');
    expect(valueCell('__text')).toBe('__text');
    expect(valueCell('10')).toBe(10);
  });

  it('packed answers land in their columns; unknown keys and malformed parts are ignored', () => {
    const out: (string | null)[] = [null, null, null, null];
    unpackAnswers('b\u001f2\u001eold\u001f9\u001ea\u001f1\u001ebroken', new Map([['a', 0], ['b', 1], ['c', 2]]), out, 1, (_i, s) => s);
    expect(out).toEqual([null, '1', '2', null]);
  });
});

describe('a reader that goes away', () => {
  it.each([
    ['CSV', writeCsv],
    ['ODS', (table: Parameters<typeof writeCsv>[0], sink: Writable) => writeOds(table, sink)],
  ] as const)('stops the %s writer instead of leaving it waiting for room forever', async (_name, write) => {
    let produced = 0;
    const table = {
      name: 't',
      columns: COLUMNS,
      batches: (async function* () {
        for (;;) {
          produced += 1;
          yield Array.from({ length: 1000 }, (): Cell[] => ['x'.repeat(100), 1, 2, 3]);
        }
      })(),
    };
    // A reader that takes nothing and closes soon after the first bytes.
    const sink = new Writable({ highWaterMark: 1024, write: (_chunk, _enc, cb) => setTimeout(cb, 1_000_000).unref() });
    setTimeout(() => sink.destroy(), 50);
    await expect(write(table, sink)).rejects.toThrow('aborted');
    expect(produced).toBeLessThan(5);
  });
});
