/**
 * Imports the DGPA working calendar from the command line:
 *   npm run calendar -- import FILE
 * All of the file or nothing; a year imported before is replaced.
 */
import fs from 'node:fs';
import { CalendarRepo } from '../server/calendar/repo';
import { CalendarService } from '../server/calendar/service';
import { translator } from '../server/platform/i18n';
import { runCli, withDatabase } from './cli';

async function main(argv: string[]): Promise<number> {
  const [command, file] = argv;
  if (command !== 'import' || !file) {
    process.stderr.write('Usage: npm run calendar -- import FILE\n');
    return 2;
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(fs.readFileSync(file));
  } catch (err) {
    process.stderr.write(`${file}: ${err instanceof TypeError ? 'not UTF-8; save it as CSV UTF-8' : (err as Error).message}\n`);
    return 1;
  }
  return withDatabase(async (db) => {
    const result = await new CalendarService(db, new CalendarRepo(db), () => new Date()).importCsv(text, null);
    const t = translator('en');
    if (!result.ok) {
      for (const issue of result.issues) process.stderr.write(`${file}:${issue.line}: ${t(issue.key, issue.params)}\n`);
      process.stderr.write('Nothing was imported.\n');
      return 1;
    }
    process.stdout.write(`${t(result.replaced ? 'calendar.replaced' : 'calendar.imported', { year: result.year, days: result.workingDays })}\n`);
    return 0;
  });
}

runCli(main);
