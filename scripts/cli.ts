import { loadConfig, type Config } from '../server/platform/config';
import { openDb, type Db } from '../server/platform/db';
import { migrateLatest } from '../server/platform/migrations';

/** Runs a command-line main() and exits with its code; an unexpected error prints its message, not a stack. */
export function runCli(main: (argv: string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}

/** The server's database (as configured by the environment), migrated, for the length of `work`. */
export async function withDatabase<T>(work: (db: Db, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env);
  const db = openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateLatest(db);
    return await work(db, config);
  } finally {
    await db.destroy();
  }
}
