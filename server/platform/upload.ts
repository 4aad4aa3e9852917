import type { Request } from 'express';

/** The CSV text of an upload (UTF-8 only) or pasted text; null when the file is not UTF-8. */
export function uploadedText(req: Request): string | null {
  if (req.file && req.file.size > 0) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(req.file.buffer);
    } catch {
      return null;
    }
  }
  const csv = (req.body as { csv?: unknown } | undefined)?.csv;
  return typeof csv === 'string' ? csv : '';
}
