import fs from 'node:fs';
import path from 'node:path';

/** The folder with package.json: views/ and public/ live there, whether running from sources or from dist/. */
function findRoot(start: string): string {
  let dir = start;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${start}`);
    dir = up;
  }
  return dir;
}

export const projectRoot = findRoot(__dirname);
