import type { Db } from '../platform/db';

/** What the API asks of the data beyond the dashboard's queries: which months hold any. */
export class ApiRepo {
  constructor(private readonly db: Db) {}

  /** Months with survey answers per survey, from the aggregates; `unitIds` null: every unit. */
  async surveyMonths(unitIds: number[] | null): Promise<{ surveyKey: string; month: string }[]> {
    const q = this.db('agg_counts').distinct('survey_key', 'month');
    if (unitIds !== null) q.whereIn('unit_id', unitIds);
    const rows = await q.select<{ survey_key: string; month: string }[]>();
    return rows.map((r) => ({ surveyKey: r.survey_key, month: r.month }));
  }

  /** Months with phone-test results of units under a path. */
  async resultMonths(path: string): Promise<string[]> {
    const rows = await this.db('results')
      .join('units', 'units.id', 'results.unit_id')
      .where('units.path', 'like', `${path}%`)
      .whereNull('results.withdrawn_at')
      .distinct(this.db.raw('substr(results.tested_on, 1, 7) as month'))
      .select<{ month: string }[]>();
    return rows.map((r) => r.month);
  }
}
