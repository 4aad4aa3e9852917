import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * The text of each page of a PDF, whitespace collapsed, and the first page's size in points,
 * read by pdf.js (unpdf) in a child process (see pdf-text.mjs).
 */
export async function pdfPages(data: Uint8Array): Promise<{ pages: string[]; width: number; height: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pdf-text-'));
  try {
    const file = path.join(dir, 'in.pdf');
    fs.writeFileSync(file, data);
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(__dirname, 'pdf-text.mjs'), file], { maxBuffer: 64 * 1024 * 1024 });
    return JSON.parse(stdout) as { pages: string[]; width: number; height: number };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
