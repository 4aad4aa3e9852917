import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import type { Db } from './db';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/**
 * Migrations are the files in migrations/, named YYYYMMDDHHMMSS_what_changes.
 * They are recorded without their extension so that the same database can be
 * migrated from the TypeScript sources (tests) and from the compiled build.
 */
export class FolderMigrationSource implements Knex.MigrationSource<string> {
  constructor(private readonly dir: string) {}

  async getMigrations(): Promise<string[]> {
    const names = fs
      .readdirSync(this.dir)
      .filter((f) => /^\d{14}_[a-z0-9_]+\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'))
      .map((f) => f.replace(/\.(ts|js)$/, ''));
    return [...new Set(names)].sort();
  }

  getMigrationName(name: string): string {
    return name;
  }

  async getMigration(name: string): Promise<Migration> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(path.join(this.dir, name)) as Migration;
  }
}

export const migrationsDir = path.resolve(__dirname, '../../migrations');

export function migrationConfig(): Knex.MigratorConfig {
  return { migrationSource: new FolderMigrationSource(migrationsDir) };
}

export async function migrateLatest(db: Db): Promise<void> {
  await db.migrate.latest(migrationConfig());
}
