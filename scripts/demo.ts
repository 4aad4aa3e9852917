/**
 * npm run demo: fills an empty database with the demo agency (see
 * server/demo/demo.ts) and prints how to sign in. Refuses a database that
 * already holds units, results or answers.
 */
import { buildServices } from '../server/app';
import { DemoRefused, seedDemo } from '../server/demo/demo';
import { createLogger } from '../server/platform/logger';
import { runCli, withDatabase } from './cli';

async function main(): Promise<number> {
  return withDatabase(async (db, config) => {
    const now = new Date();
    let current = now;
    const services = buildServices({ db, config, logger: createLogger('silent'), sessionSecret: 'unused-by-the-command-line', clock: () => current });
    const print = (line: string) => process.stdout.write(`${line}\n`);
    try {
      const started = Date.now();
      const { password } = await seedDemo(services, (d) => (current = d), now, print);
      print(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
      print(`Sign in as admin@demo.example.gov.tw, manager@demo.example.gov.tw, head-demo-hhr@demo.example.gov.tw or tester1@demo.example.gov.tw with the password ${password} (made for this run; change it or use a one-time link for anything but a demo).`);
      return 0;
    } catch (err) {
      if (err instanceof DemoRefused) {
        process.stderr.write(`${err.message}\n`);
        return 2;
      }
      throw err;
    }
  });
}

runCli(main);
