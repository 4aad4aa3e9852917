export const CSV_BOM = '\uFEFF';

/** One text cell: quoted when needed; cells a spreadsheet would run as a formula get a leading quote (CSV injection). */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One line of text cells, CRLF-terminated. */
export function csvLine(cells: readonly string[]): string {
  return cells.map(csvCell).join(',') + '\r\n';
}

/** UTF-8 CSV with a BOM (so Excel shows Chinese) and CRLF line ends. */
export function toCsv(rows: readonly (readonly string[])[]): string {
  return CSV_BOM + rows.map(csvLine).join('');
}
