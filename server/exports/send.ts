import type { Response } from 'express';
import { ExportAborted } from './output';
import { CONTENT_TYPES, type ExportTable, type Format } from './table';
import { writeExport } from './writers';

/**
 * Sends a table as a download, streamed. A failure once the first bytes are
 * out cannot become an error page: the connection is cut instead, so that the
 * reader gets a broken download rather than a short file that looks whole.
 */
export async function sendExport(res: Response, format: Format, table: ExportTable, meta: Record<string, unknown> = {}): Promise<void> {
  res.attachment(`${table.name}.${format}`).type(CONTENT_TYPES[format]);
  res.set('Cache-Control', 'no-store');
  try {
    await writeExport(format, table, res, meta);
  } catch (err) {
    if (!res.headersSent) {
      // Nothing sent yet: the error page is a page, not a download.
      res.removeHeader('Content-Disposition');
      res.removeHeader('Content-Type');
      throw err;
    }
    res.destroy();
    if (err instanceof ExportAborted) return;
    throw err;
  }
}
