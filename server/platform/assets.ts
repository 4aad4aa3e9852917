import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from './paths';

export const publicDir = path.join(projectRoot, 'public');

/** Browser files served straight from installed packages (never copied into the repository), by their URL under /static/. */
export const vendorFiles: Record<string, string> = {
  'vendor/chart.umd.min.js': path.join(projectRoot, 'node_modules', 'chart.js', 'dist', 'chart.umd.min.js'),
};

export interface Assets {
  /** URL of a file under public/, with a content hash so it can be cached for a year. */
  url(file: string): string;
}

/** Hashes public/ once at start; a file that does not exist is a programming error caught in tests. */
export function loadAssets(dir = publicDir): Assets {
  const hashes = new Map<string, string>();
  const walk = (sub: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = path.posix.join(sub, entry.name);
      if (entry.isDirectory()) walk(rel);
      else hashes.set(rel, crypto.createHash('sha256').update(fs.readFileSync(path.join(dir, rel))).digest('hex').slice(0, 12));
    }
  };
  walk('');
  if (dir === publicDir) {
    for (const [file, full] of Object.entries(vendorFiles)) hashes.set(file, crypto.createHash('sha256').update(fs.readFileSync(full)).digest('hex').slice(0, 12));
  }
  return {
    url(file) {
      const hash = hashes.get(file);
      if (!hash) throw new Error(`no such asset: ${file}`);
      return `/static/${file}?v=${hash}`;
    },
  };
}
