import type { Writable } from 'node:stream';
import { CSV_BOM, csvCell, csvLine } from '../platform/csv-write';
import { writeOds } from './ods';
import { ChunkedOutput } from './output';
import { cellText, type Column, type ExportTable, type Format } from './table';

/** UTF-8 CSV with a BOM and CRLF line ends; numbers as they are (a negative number is not a formula). */
export async function writeCsv(table: ExportTable, sink: Writable): Promise<void> {
  const out = new ChunkedOutput(sink);
  await out.write(CSV_BOM + csvLine(table.columns.map((c) => c.header)));
  const columns = table.columns;
  for await (const batch of table.batches) {
    let text = '';
    for (const row of batch) {
      let line = '';
      for (let i = 0; i < columns.length; i += 1) {
        const cell = row[i] ?? null;
        if (i > 0) line += ',';
        line += typeof cell === 'number' ? cellText(cell, columns[i] as Column) : cell === null ? '' : csvCell(cell);
      }
      text += `${line}\r\n`;
    }
    await out.write(text);
  }
  await out.end();
}

/**
 * JSON: the columns (key and header) and the rows as objects keyed by column
 * key; numbers are numbers, empty cells null. Written as it goes.
 */
export async function writeJson(table: ExportTable, sink: Writable, meta: Record<string, unknown> = {}): Promise<void> {
  const out = new ChunkedOutput(sink);
  const head = { ...meta, dataset: table.name, columns: table.columns.map((c) => ({ key: c.key, header: c.header })) };
  await out.write(`${JSON.stringify(head).slice(0, -1)},"rows":[`);
  const keys = table.columns.map((c) => JSON.stringify(c.key));
  let first = true;
  for await (const batch of table.batches) {
    let text = '';
    for (const row of batch) {
      let obj = '{';
      for (let i = 0; i < keys.length; i += 1) obj += `${i > 0 ? ',' : ''}${keys[i]}:${JSON.stringify(row[i] ?? null)}`;
      text += `${first ? '' : ','}\n${obj}}`;
      first = false;
    }
    await out.write(text);
  }
  await out.write('\n]}\n');
  await out.end();
}

export function writeExport(format: Format, table: ExportTable, sink: Writable, meta: Record<string, unknown> = {}): Promise<void> {
  if (format === 'ods') return writeOds(table, sink);
  if (format === 'json') return writeJson(table, sink, meta);
  return writeCsv(table, sink);
}
