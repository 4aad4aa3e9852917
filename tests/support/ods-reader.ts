/**
 * An ODS reader for tests, independent of the product's writer: the zip is
 * opened with fflate (the product writes with yazl) and content.xml parsed
 * with a real XML parser (@xmldom/xmldom), read as the OpenDocument standard
 * says: repeated rows and cells expanded, <text:s>, <text:tab> and
 * <text:line-break> turned back into characters, one line per paragraph.
 */
import { DOMParser, type Element, type Node } from '@xmldom/xmldom';
import { strFromU8, unzipSync } from 'fflate';

const OFFICE = 'urn:oasis:names:tc:opendocument:xmlns:office:1.0';
const TABLE = 'urn:oasis:names:tc:opendocument:xmlns:table:1.0';
const TEXT = 'urn:oasis:names:tc:opendocument:xmlns:text:1.0';

export interface OdsCell {
  /** office:value-type (float, string, …), or null for an empty cell. */
  type: string | null;
  /** office:value of a number. */
  value: string | null;
  /** The text the cell shows: its paragraphs joined by line ends. */
  text: string;
}

export interface OdsFile {
  /** Entry names in the order they are stored. */
  entries: string[];
  mimetype: string;
  sheets: { name: string; rows: OdsCell[][] }[];
}

function children(node: Node, ns: string, name: string): Element[] {
  const out: Element[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === 1 && (c as Element).namespaceURI === ns && (c as Element).localName === name) out.push(c as Element);
  }
  return out;
}

function textOf(node: Node): string {
  let out = '';
  for (let c = node.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === 3) out += c.nodeValue ?? '';
    else if (c.nodeType === 1) {
      const e = c as Element;
      if (e.namespaceURI === TEXT && e.localName === 's') out += ' '.repeat(Number(e.getAttributeNS(TEXT, 'c') || '1'));
      else if (e.namespaceURI === TEXT && e.localName === 'tab') out += '\t';
      else if (e.namespaceURI === TEXT && e.localName === 'line-break') out += '\n';
      else out += textOf(e);
    }
  }
  return out;
}

export function readOds(file: Uint8Array): OdsFile {
  const files = unzipSync(file);
  const entries = Object.keys(files);
  const content = files['content.xml'];
  const mimetype = files.mimetype;
  if (!content || !mimetype) throw new Error(`not an ODS file: entries ${entries.join(', ')}`);
  const doc = new DOMParser({ onError: (level, message) => { if (level !== 'warning') throw new Error(`content.xml: ${message}`); } }).parseFromString(strFromU8(content), 'text/xml');
  const root = doc.documentElement;
  if (!root) throw new Error('content.xml has no root');
  const body = children(root, OFFICE, 'body')[0];
  const spreadsheet = body ? children(body, OFFICE, 'spreadsheet')[0] : undefined;
  if (!spreadsheet) throw new Error('content.xml has no spreadsheet');
  const sheets = children(spreadsheet, TABLE, 'table').map((table) => {
    const rows: OdsCell[][] = [];
    for (const row of children(table, TABLE, 'table-row')) {
      const cells: OdsCell[] = [];
      for (const cell of children(row, TABLE, 'table-cell')) {
        const type = cell.getAttributeNS(OFFICE, 'value-type') || null;
        const parsed: OdsCell = { type, value: cell.getAttributeNS(OFFICE, 'value') || null, text: children(cell, TEXT, 'p').map(textOf).join('\n') };
        const repeat = Number(cell.getAttributeNS(TABLE, 'number-columns-repeated') || '1');
        for (let i = 0; i < repeat; i += 1) cells.push(parsed);
      }
      const repeat = Number(row.getAttributeNS(TABLE, 'number-rows-repeated') || '1');
      for (let i = 0; i < repeat; i += 1) rows.push(cells);
    }
    return { name: table.getAttributeNS(TABLE, 'name') ?? '', rows };
  });
  return { entries, mimetype: strFromU8(mimetype), sheets };
}
