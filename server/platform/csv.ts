import { parse } from 'csv-parse/sync';

export interface CsvRecord {
  /** 1-based line number in the file, for messages people can find. */
  line: number;
  /** Values by canonical column name; missing optional columns are absent. */
  values: Record<string, string>;
}

export type CsvReadResult =
  | { ok: true; records: CsvRecord[] }
  | { ok: false; line: number; problem: 'malformed' | 'missing-column' | 'empty'; column?: string };

export interface CsvColumn {
  name: string;
  /** Header spellings accepted for this column (compared trimmed, case-insensitive). */
  aliases: readonly string[];
  required: boolean;
}

/**
 * Reads a CSV file as people save it from Excel or LibreOffice: UTF-8 with or
 * without BOM, CRLF or LF, blank lines ignored, headers in any order and in
 * either language.
 */
export function readCsv(text: string, columns: readonly CsvColumn[]): CsvReadResult {
  let parsed: { record: string[]; info: { lines: number } }[];
  try {
    parsed = parse(text, { bom: true, info: true, skip_empty_lines: true, relax_column_count: true, trim: true }) as unknown as {
      record: string[];
      info: { lines: number };
    }[];
  } catch (err) {
    const line = typeof err === 'object' && err !== null && 'lines' in err && typeof err.lines === 'number' ? err.lines : 1;
    return { ok: false, line, problem: 'malformed' };
  }
  const [header, ...body] = parsed;
  if (!header) return { ok: false, line: 1, problem: 'empty' };
  const position = new Map<string, number>();
  header.record.forEach((cell, i) => {
    const label = cell.trim().toLowerCase();
    const column = columns.find((c) => c.name === label || c.aliases.some((a) => a.toLowerCase() === label));
    if (column && !position.has(column.name)) position.set(column.name, i);
  });
  const missing = columns.find((c) => c.required && !position.has(c.name));
  if (missing) return { ok: false, line: header.info.lines, problem: 'missing-column', column: missing.name };
  const records = body.map(({ record, info }) => {
    const values: Record<string, string> = {};
    for (const [name, i] of position) values[name] = (record[i] ?? '').trim();
    return { line: info.lines, values };
  });
  return { ok: true, records };
}
