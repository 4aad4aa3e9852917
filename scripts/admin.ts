/**
 * Account tasks from the command line (no administrator ever sees a password):
 *   npm run admin -- create --email E --name N (--unit CODE | --agency-code C --agency-name-zh Z [--agency-name-en E])
 *   npm run admin -- reset-password --email E
 * Both print a one-time link with which the person sets his or her own password.
 */
import { parseArgs } from 'node:util';
import { buildServices } from '../server/app';
import { cliAdminSchema } from '../server/auth/schema';
import { isMessageKey, translator } from '../server/platform/i18n';
import { createLogger } from '../server/platform/logger';
import { runCli, withDatabase } from './cli';

const USAGE = `Usage:
  npm run admin -- create --email E --name N --unit CODE
  npm run admin -- create --email E --name N --agency-code C --agency-name-zh Z [--agency-name-en E]   (empty database)
  npm run admin -- reset-password --email E`;

const PROBLEMS = {
  emailTaken: 'An account with this e-mail already exists.',
  unknownUnit: 'No unit has this code.',
  needUnit: 'Give --unit CODE (or, on an empty database, --agency-code and --agency-name-zh).',
};

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      unit: { type: 'string' },
      'agency-code': { type: 'string' },
      'agency-name-zh': { type: 'string' },
      'agency-name-en': { type: 'string' },
    },
  });
  const command = positionals[0];
  const email = values.email;
  if ((command !== 'create' && command !== 'reset-password') || !email || (command === 'create' && !values.name)) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  return withDatabase(async (db, config) => {
    const { auth } = buildServices({ db, config, logger: createLogger('silent'), sessionSecret: 'unused-by-the-command-line' });
    if (command === 'reset-password') {
      const link = await auth.resetLinkFor(email);
      if (!link) {
        process.stderr.write('No account has this e-mail.\n');
        return 1;
      }
      process.stdout.write(`One-time link to set a new password (valid ${config.resetLinkValidMinutes} minutes):\n  ${link}\n`);
      return 0;
    }
    const agency =
      values['agency-code'] && values['agency-name-zh']
        ? { code: values['agency-code'], nameZh: values['agency-name-zh'], nameEn: values['agency-name-en'] ?? '' }
        : undefined;
    const input = cliAdminSchema.safeParse({ email, name: values.name, unit: values.unit, agency });
    if (!input.success) {
      const t = translator('en');
      for (const issue of input.error.issues) {
        process.stderr.write(`--${issue.path.join('-')}: ${isMessageKey(issue.message) ? t(issue.message) : issue.message}\n`);
      }
      return 2;
    }
    const result = await auth.createAdministrator({ ...input.data, unitCode: input.data.unit });
    if (!result.ok) {
      process.stderr.write(`${PROBLEMS[result.problem]}\n`);
      return 1;
    }
    process.stdout.write(`Administrator created. One-time link to set the password (valid ${config.resetLinkValidMinutes} minutes):\n  ${result.link}\n`);
    return 0;
  });
}

runCli(main);
