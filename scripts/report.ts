/**
 * Prints the service-quality report of a scope and period to PDF with the
 * system Chromium (see server/reports/print.ts):
 *   npm run report -- --scope DEMO --period 2026Q3 --pdf out.pdf [--lang en] [--as user@example.gov.tw]
 * Exit codes: 0 printed, 2 a wrong request (usage, period, scope, user), 3 no
 * Chromium or no playwright-core (a development dependency: see loadChromium).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { chromiumExecutable, loadChromium, printExitCode, printReport, ReportPrintError } from '../server/reports/print';
import { runCli, withDatabase } from './cli';

const USAGE = 'Usage: npm run report -- --scope UNIT_CODE --period 2026Q3 --pdf out.pdf [--lang zh-TW|en] [--as EMAIL]\n';

const args = z.object({
  scope: z.string().trim().min(1).max(64),
  period: z.string().trim().min(1).max(20),
  pdf: z.string().trim().min(1),
  lang: z.enum(['zh-TW', 'en']).default('zh-TW'),
  as: z.string().trim().email().optional(),
});

/** Whether fontconfig knows a font with Traditional Chinese glyphs (Chromium on Linux finds its fonts through it). */
function hasChineseFont(): boolean {
  try {
    return execFileSync('fc-list', [':lang=zh-tw', 'family'], { encoding: 'utf8', timeout: 10_000 }).trim() !== '';
  } catch {
    // No fontconfig to ask: say nothing rather than guess.
    return true;
  }
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = args.safeParse(parseArgs({ args: argv, options: { scope: { type: 'string' }, period: { type: 'string' }, pdf: { type: 'string' }, lang: { type: 'string' }, as: { type: 'string' } } }).values);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (!parsed.success) {
    process.stderr.write(`${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n')}\n${USAGE}`);
    return 2;
  }
  const chromium = chromiumExecutable();
  if (!chromium.found) {
    process.stderr.write(`No Chromium at ${chromium.path}: the PDF cannot be made here. Install Chromium (e.g. apt-get install chromium) or set CHROMIUM_PATH. Without it, open /report in a browser and print it (A4).\n`);
    return 3;
  }
  try {
    // Before the database is opened: a production install has no playwright-core.
    await loadChromium();
  } catch (err) {
    if (err instanceof ReportPrintError) {
      process.stderr.write(`${err.message}\n`);
      return printExitCode(err);
    }
    throw err;
  }
  const { scope, period, pdf, lang, as } = parsed.data;
  const out = path.resolve(pdf);
  try {
    const done = await withDatabase((db, config) => printReport({ db, config }, { scope, period, out, lang, as }));
    process.stdout.write(`${out}: ${done.bytes} bytes (${done.url})\n`);
    if (lang === 'zh-TW' && !hasChineseFont()) process.stderr.write('Warning: no Traditional Chinese font was found (fc-list :lang=zh-tw), so Chinese text prints as empty boxes. Install one, e.g. apt-get install fonts-noto-cjk, or print with --lang en.\n');
    return 0;
  } catch (err) {
    if (err instanceof ReportPrintError) {
      process.stderr.write(`${err.message}\n`);
      return printExitCode(err);
    }
    throw err;
  }
}

runCli(main);
