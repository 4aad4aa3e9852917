/**
 * What every export is: named columns and rows of cells, the rows arriving in
 * batches (read from the database page by page) so that no export holds more
 * than a page in memory. The writers (CSV, ODS, JSON) take this and nothing else.
 */

/** A cell: text, a number (written as a number in ODS and JSON), or empty. */
export type Cell = string | number | null;

export interface Column {
  /** Stable machine name: the JSON key. */
  key: string;
  /** Header in the reader's language. */
  header: string;
  /** Numbers shown with this many decimals (a score's 85.0); otherwise as they are. */
  decimals?: number;
}

export interface ExportTable {
  /** File name without extension (ASCII). */
  name: string;
  columns: Column[];
  /** Rows in batches; each row has one cell per column. */
  batches: AsyncIterable<Cell[][]>;
}

/** A table whose rows are already at hand (small exports: a plan's allocation, a month's score table). */
export function tableOf(name: string, columns: Column[], rows: Cell[][]): ExportTable {
  return {
    name,
    columns,
    batches: (async function* () {
      yield rows;
    })(),
  };
}

/** The text a cell shows: what the CSV holds, and what the ODS cell displays. */
export function cellText(cell: Cell, column: Column): string {
  if (cell === null) return '';
  if (typeof cell === 'number') return column.decimals === undefined ? String(cell) : cell.toFixed(column.decimals);
  return cell;
}

export const FORMATS = ['csv', 'ods', 'json'] as const;
export type Format = (typeof FORMATS)[number];

export const CONTENT_TYPES: Record<Format, string> = {
  csv: 'text/csv; charset=utf-8',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
  json: 'application/json; charset=utf-8',
};
