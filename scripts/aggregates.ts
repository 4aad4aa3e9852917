/**
 * npm run aggregates -- rebuild
 * Recomputes every survey aggregate from the raw responses (after a restore,
 * or to check that the kept ones are right). In one transaction.
 */
import path from 'node:path';
import { projectRoot } from '../server/platform/paths';
import { AppSettingsRepo } from '../server/platform/app-settings';
import { UnitsRepo } from '../server/org/units-repo';
import { loadSurveys } from '../server/surveys/definition';
import { SurveysRepo } from '../server/surveys/repo';
import { SurveysService } from '../server/surveys/service';
import { runCli, withDatabase } from './cli';

async function main(argv: string[]): Promise<number> {
  if (argv[0] !== 'rebuild') {
    process.stderr.write('Usage: npm run aggregates -- rebuild\n');
    return 2;
  }
  return withDatabase(async (db) => {
    const surveys = new SurveysService(db, new SurveysRepo(db), new UnitsRepo(db), new AppSettingsRepo(db), loadSurveys(path.join(projectRoot, 'surveys')), 'unused', () => new Date());
    const started = Date.now();
    const n = await surveys.rebuildAggregates();
    process.stdout.write(`Rebuilt the aggregates from ${n} counted responses in ${Date.now() - started} ms.\n`);
    return 0;
  });
}

runCli(main);
