import { readCsv, type CsvColumn } from '../../server/platform/csv';

const columns: readonly CsvColumn[] = [
  { name: 'code', aliases: ['代碼'], required: true },
  { name: 'name', aliases: ['名稱', 'Title'], required: true },
  { name: 'note', aliases: ['備註'], required: false },
];

describe('readCsv', () => {
  it('reads values by canonical column name, whatever the header order', () => {
    expect(readCsv('name,code,note\nOffice,A1,hello\n', columns)).toEqual({
      ok: true,
      records: [{ line: 2, values: { code: 'A1', name: 'Office', note: 'hello' } }],
    });
  });

  it('accepts aliases in either language, trimmed and in any case', () => {
    expect(readCsv(' 代碼 , title \nA1,Office\n', columns)).toEqual({
      ok: true,
      records: [{ line: 2, values: { code: 'A1', name: 'Office' } }],
    });
  });

  it('reads a file as Excel saves it: BOM, CRLF, blank lines, with line numbers that count every line', () => {
    const text = '\uFEFF\r\n代碼,名稱\r\n\r\nA1,總務處\r\n\r\n\r\nA2,人事室\r\n';
    expect(readCsv(text, columns)).toEqual({
      ok: true,
      records: [
        { line: 4, values: { code: 'A1', name: '總務處' } },
        { line: 7, values: { code: 'A2', name: '人事室' } },
      ],
    });
  });

  it('trims values, fills short rows with empty values and ignores extra cells', () => {
    expect(readCsv('code,name,note\n  A1 , Office ,\nA2\nA3,Hall,x,surplus\n', columns)).toEqual({
      ok: true,
      records: [
        { line: 2, values: { code: 'A1', name: 'Office', note: '' } },
        { line: 3, values: { code: 'A2', name: '', note: '' } },
        { line: 4, values: { code: 'A3', name: 'Hall', note: 'x' } },
      ],
    });
  });

  it('keeps commas, quotes and line breaks inside quoted values', () => {
    const result = readCsv('code,name\nA1,"Hall ""B"", 2F\nEast wing"\n', columns);
    expect(result.ok && result.records.map((r) => r.values.name)).toEqual(['Hall "B", 2F\nEast wing']);
  });

  it('uses the first of two columns that mean the same thing', () => {
    expect(readCsv('code,代碼,name\nfirst,second,N\n', columns)).toEqual({
      ok: true,
      records: [{ line: 2, values: { code: 'first', name: 'N' } }],
    });
  });

  it('names the first required column that is missing, on the header line', () => {
    expect(readCsv('\n\ncode,note\nA1,x\n', columns)).toEqual({ ok: false, line: 3, problem: 'missing-column', column: 'name' });
  });

  it('reports an empty file', () => {
    expect(readCsv('', columns)).toEqual({ ok: false, line: 1, problem: 'empty' });
    expect(readCsv('\uFEFF\r\n\r\n', columns)).toEqual({ ok: false, line: 1, problem: 'empty' });
  });

  it('gives a header without rows no records', () => {
    expect(readCsv('code,name\r\n', columns)).toEqual({ ok: true, records: [] });
  });

  it('reports broken quoting with the line where it is found', () => {
    expect(readCsv('code,name\nA1,Office\n"A2,Hall\n', columns)).toEqual({ ok: false, line: 3, problem: 'malformed' });
    expect(readCsv('code,name\nA1,"Off"ice\n', columns)).toEqual({ ok: false, line: 2, problem: 'malformed' });
  });
});
