/**
 * OpenDocument spreadsheet (ODS), written as a stream: the zip (yazl) is sent
 * while content.xml is still being produced, one page of rows at a time, so
 * an export of a million rows takes no more memory than one of a hundred.
 */
import { PassThrough, pipeline, type Writable } from 'node:stream';
import { ZipFile } from 'yazl';
import { ChunkedOutput, ExportAborted, finished } from './output';
import { cellText, type Cell, type Column, type ExportTable } from './table';

export const ODS_MIME = 'application/vnd.oasis.opendocument.spreadsheet';

/** Rows a spreadsheet program opens in one sheet (LibreOffice, Excel): longer exports continue on the next sheet. */
export const MAX_SHEET_ROWS = 1_048_576;

const NS = [
  'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"',
  'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"',
  'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"',
  'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"',
  'xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"',
  'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"',
].join(' ');

const MANIFEST = `<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">
 <manifest:file-entry manifest:full-path="/" manifest:version="1.3" manifest:media-type="${ODS_MIME}"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
 <manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>
 <manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>
</manifest:manifest>
`;

const STYLES = `<?xml version="1.0" encoding="UTF-8"?>
<office:document-styles ${NS} office:version="1.3"><office:styles/></office:document-styles>
`;

const META = `<?xml version="1.0" encoding="UTF-8"?>
<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" office:version="1.3"><office:meta><meta:generator>courtesy-toolkit</meta:generator></office:meta></office:document-meta>
`;

// Characters XML 1.0 cannot carry at all (control characters other than tab and line ends, lone surrogates, U+FFFE/F).
// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function escapeXml(text: string): string {
  return text.replace(NOT_XML, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** ODF collapses white space inside a paragraph: runs of spaces and tabs are written as elements so they survive. */
function keepSpaces(escaped: string): string {
  return escaped
    .replace(/\t/g, '<text:tab/>')
    .replace(/ {2,}/g, (run) => ` <text:s text:c="${run.length - 1}"/>`)
    .replace(/^ /, '<text:s/>')
    .replace(/ $/, '<text:s/>');
}

/** A cell's text as paragraphs (one per line). */
export function paragraphs(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => (line === '' ? '<text:p/>' : `<text:p>${keepSpaces(escapeXml(line))}</text:p>`))
    .join('');
}

function styleName(decimals: number): string {
  return `ce${decimals}`;
}

function automaticStyles(columns: readonly Column[]): string {
  const decimals = [...new Set(columns.map((c) => c.decimals).filter((d): d is number => d !== undefined))];
  return decimals
    .map(
      (d) =>
        `<number:number-style style:name="N${d}"><number:number number:decimal-places="${d}" number:min-integer-digits="1"/></number:number-style>` +
        `<style:style style:name="${styleName(d)}" style:family="table-cell" style:parent-style-name="Default" style:data-style-name="N${d}"/>`,
    )
    .join('');
}

export function odsCell(cell: Cell, column: Column): string {
  if (cell === null || cell === '') return '<table:table-cell/>';
  if (typeof cell === 'number') {
    const style = column.decimals === undefined ? '' : ` table:style-name="${styleName(column.decimals)}"`;
    return `<table:table-cell office:value-type="float" office:value="${cell}"${style}>${paragraphs(cellText(cell, column))}</table:table-cell>`;
  }
  return `<table:table-cell office:value-type="string">${paragraphs(cell)}</table:table-cell>`;
}

function sheetStart(name: string, columns: readonly Column[]): string {
  const header = columns.map((c) => `<table:table-cell office:value-type="string">${paragraphs(c.header)}</table:table-cell>`).join('');
  return `<table:table table:name="${escapeXml(name)}"><table:table-column table:number-columns-repeated="${columns.length}"/><table:table-row>${header}</table:table-row>`;
}

/** Writes the table as an ODS file to the stream, and ends it. */
export async function writeOds(table: ExportTable, sink: Writable, options: { sheetName?: string; maxSheetRows?: number } = {}): Promise<void> {
  const sheetName = options.sheetName ?? table.name;
  const maxRows = options.maxSheetRows ?? MAX_SHEET_ROWS;
  const zip = new ZipFile();
  const content = new PassThrough();
  const entry = { forceDosTimestamp: true, mtime: new Date() };
  // The mimetype entry comes first and uncompressed, so that a program can tell what the file is from its first bytes.
  zip.addBuffer(Buffer.from(ODS_MIME, 'ascii'), 'mimetype', { ...entry, compress: false });
  zip.addBuffer(Buffer.from(MANIFEST, 'utf8'), 'META-INF/manifest.xml', entry);
  zip.addBuffer(Buffer.from(STYLES, 'utf8'), 'styles.xml', entry);
  zip.addBuffer(Buffer.from(META, 'utf8'), 'meta.xml', entry);
  zip.addReadStream(content, 'content.xml', { ...entry, compressionLevel: 1 });
  zip.end();

  let failed: Error | undefined;
  const piped = new Promise<void>((resolve) => {
    pipeline(zip.outputStream as NodeJS.ReadableStream & PassThrough, sink, (err) => {
      // The reader went away or the stream broke: stop producing rows (a write waiting for room fails).
      if (err) {
        failed = new ExportAborted();
        content.destroy(failed);
      }
      resolve();
    });
  });

  const out = new ChunkedOutput(content);
  await out.write(`<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content ${NS} office:version="1.3">`);
  await out.write(`<office:automatic-styles>${automaticStyles(table.columns)}</office:automatic-styles><office:body><office:spreadsheet>`);
  let sheet = 1;
  let rowsInSheet = 1;
  await out.write(sheetStart(sheetName, table.columns));
  for await (const batch of table.batches) {
    if (failed) throw failed;
    for (const row of batch) {
      if (rowsInSheet === maxRows) {
        sheet += 1;
        rowsInSheet = 1;
        await out.write(`</table:table>${sheetStart(`${sheetName} (${sheet})`, table.columns)}`);
      }
      let xml = '<table:table-row>';
      for (let i = 0; i < table.columns.length; i += 1) xml += odsCell(row[i] ?? null, table.columns[i] as Column);
      await out.write(`${xml}</table:table-row>`);
      rowsInSheet += 1;
    }
  }
  await out.write('</table:table></office:spreadsheet></office:body></office:document-content>');
  await out.end();
  await piped;
  if (failed) throw failed;
  await finished(sink);
}
