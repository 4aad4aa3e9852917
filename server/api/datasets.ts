import { z } from 'zod';
import type { Db } from '../platform/db';

/**
 * What the open-data API publishes, dataset by dataset: the unit directory,
 * each survey's results, and the phone-test summaries. An administrator marks
 * which of them anyone may read without a token; by default none.
 */
export type Dataset = 'units' | 'phone-tests' | `survey:${string}`;

export function surveyDataset(key: string): Dataset {
  return `survey:${key}`;
}

/** Every dataset there is, given the survey keys loaded. */
export function allDatasets(surveyKeys: readonly string[]): Dataset[] {
  return ['units', ...surveyKeys.map(surveyDataset), 'phone-tests'];
}

const SETTING_KEY = 'api_public';
const stored = z.array(z.string().max(80)).max(100);

/** The administrator's choice of public datasets, kept in the settings table (one JSON value). */
export class PublicDatasetsRepo {
  private cached: { at: number; value: ReadonlySet<string> } | undefined;

  constructor(
    private readonly db: Db,
    private readonly cacheMs = 5000,
  ) {}

  async get(): Promise<ReadonlySet<string>> {
    if (this.cached && Date.now() - this.cached.at < this.cacheMs) return this.cached.value;
    const row = await this.db('settings').where({ key: SETTING_KEY }).first<{ value: string } | undefined>();
    let value: ReadonlySet<string> = new Set();
    if (row) {
      const parsed = stored.safeParse(JSON.parse(row.value));
      if (parsed.success) value = new Set(parsed.data);
    }
    this.cached = { at: Date.now(), value };
    return value;
  }

  async save(datasets: readonly string[], now: string, trx: Db = this.db): Promise<void> {
    this.cached = undefined;
    await trx('settings')
      .insert({ key: SETTING_KEY, value: JSON.stringify([...datasets]), updated_at: now })
      .onConflict('key')
      .merge(['value', 'updated_at']);
  }
}
