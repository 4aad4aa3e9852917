import type { Knex } from 'knex';
import type { Db } from '../platform/db';

/**
 * The dashboard's queries. Survey figures come from the aggregates only (their
 * size depends on units × months × answer values, never on the number of
 * responses); the staff survey's respondent counts per unit come from the
 * responses themselves, which are few.
 */
export interface AggregateFilter {
  surveyKey: string;
  channelId: number | null;
  /**
   * The respondent units counted (0: a staff member who named none), or null
   * for every unit of the tree. Resolved once per page from the scope (and for
   * the staff survey from its suppression rule), so that the aggregate queries
   * need no join.
   */
  unitIds: number[] | null;
  /** Where unitIds holds 0: the channels whose "unit not given" answers belong to the scope (those of units in it). */
  zeroChannelIds?: number[];
  from: string;
  to: string;
}

export interface CountRow {
  month: string;
  questionKey: string;
  value: string;
  n: number;
}

export interface UnitCountRow {
  unitId: number;
  value: string;
  n: number;
}

export interface SectionRow {
  sectionKey: string;
  itemI: string;
  itemJ: string;
  sum: number;
}

export interface CellRow {
  cell: string;
  questionKey: string;
  value: string;
  n: number;
}

export class DashboardRepo {
  constructor(private readonly db: Db) {}

  /** Rows of an aggregate table within the filter. */
  private filtered(table: string, f: AggregateFilter): Knex.QueryBuilder {
    const q = this.db(table).where(`${table}.survey_key`, f.surveyKey).andWhere(`${table}.month`, '>=', f.from).andWhere(`${table}.month`, '<=', f.to);
    if (f.channelId !== null) q.andWhere(`${table}.channel_id`, f.channelId);
    const unitIds = f.unitIds;
    const zeroChannels = f.zeroChannelIds;
    if (unitIds !== null && unitIds.includes(0) && zeroChannels) {
      q.andWhere((w) => {
        void w.whereIn(`${table}.unit_id`, unitIds.filter((id) => id !== 0)).orWhere((z) => void z.where(`${table}.unit_id`, 0).whereIn(`${table}.channel_id`, zeroChannels));
      });
    } else if (unitIds !== null) q.whereIn(`${table}.unit_id`, unitIds);
    return q;
  }

  /** Answer counts per month, question and value. */
  async countsByMonth(f: AggregateFilter, questionKeys: string[]): Promise<CountRow[]> {
    const rows = await this.filtered('agg_counts', f)
      .whereIn('question_key', questionKeys)
      .groupBy('month', 'question_key', 'value')
      .select<{ month: string; question_key: string; value: string; n: number | string }[]>('month', 'question_key', 'value', this.db.raw('sum(n) as n'));
    return rows.map((r) => ({ month: r.month, questionKey: r.question_key, value: r.value, n: Number(r.n) }));
  }

  /** Answer counts of one question per unit. */
  async countsByUnit(f: AggregateFilter, questionKey: string): Promise<UnitCountRow[]> {
    const rows = await this.filtered('agg_counts', f)
      .where('question_key', questionKey)
      .groupBy('unit_id', 'value')
      .select<{ unit_id: number; value: string; n: number | string }[]>('unit_id', 'value', this.db.raw('sum(n) as n'));
    return rows.map((r) => ({ unitId: r.unit_id, value: r.value, n: Number(r.n) }));
  }

  /**
   * Complete-case section sums (Cronbach's α, dimension scores), per month:
   * grouped in the index's order, so that the database sorts nothing. A key
   * comes once for each month it has sums in; dimensions() adds them up.
   */
  async sections(f: AggregateFilter): Promise<SectionRow[]> {
    const rows = await this.filtered('agg_sections', f)
      .groupBy('month', 'section_key', 'item_i', 'item_j')
      .select<{ section_key: string; item_i: string; item_j: string; sum: number | string }[]>('section_key', 'item_i', 'item_j', this.db.raw('sum(sum) as sum'));
    return rows.map((r) => ({ sectionKey: r.section_key, itemI: r.item_i, itemJ: r.item_j, sum: Number(r.sum) }));
  }

  /** Weighting cells with their respondents and Likert answers. */
  async cells(f: AggregateFilter): Promise<CellRow[]> {
    const rows = await this.filtered('agg_cells', f)
      .groupBy('cell', 'question_key', 'value')
      .select<{ cell: string; question_key: string; value: string; n: number | string }[]>('cell', 'question_key', 'value', this.db.raw('sum(n) as n'));
    return rows.map((r) => ({ cell: r.cell, questionKey: r.question_key, value: r.value, n: Number(r.n) }));
  }

  /**
   * Counted staff-survey respondents per group and year, for the suppression
   * rule (raw rows: a staff survey has at most a few thousand). A group is the
   * unit the respondents named, or for those who named none the unit of the
   * channel they answered through (the agency), given as −(that unit's id):
   * one agency's unnamed staff are never pooled with another's.
   */
  async respondentsByUnitAndYear(surveyKey: string, scopePath: string, fromYear: number, toYear: number): Promise<{ unitId: number; year: number; n: number }[]> {
    const responses = await this.db('responses')
      .join('survey_versions', 'survey_versions.id', 'responses.survey_version_id')
      .join('channels', 'channels.id', 'responses.channel_id')
      .join('units as channel_unit', 'channel_unit.id', 'channels.unit_id')
      .leftJoin('units as respondent_unit', 'respondent_unit.id', 'responses.unit_id')
      .where('survey_versions.survey_key', surveyKey)
      .andWhere('responses.counted', true)
      .andWhere('responses.month', '>=', `${fromYear}-01`)
      .andWhere('responses.month', '<=', `${toYear}-12`)
      .andWhere((w) => {
        void w.where('respondent_unit.path', 'like', `${scopePath}%`).orWhere((z) => void z.where('responses.unit_id', 0).andWhere('channel_unit.path', 'like', `${scopePath}%`));
      })
      .groupBy('responses.unit_id', this.db.raw('case when responses.unit_id = 0 then channels.unit_id else 0 end'), this.db.raw('substr(responses.month, 1, 4)'))
      .select<{ unit_id: number; channel_unit: number; year: string; n: number | string }[]>(
        'responses.unit_id as unit_id',
        this.db.raw('case when responses.unit_id = 0 then channels.unit_id else 0 end as channel_unit'),
        this.db.raw('substr(responses.month, 1, 4) as year'),
        this.db.raw('count(*) as n'),
      );
    return responses.map((r) => ({ unitId: r.unit_id === 0 ? -r.channel_unit : r.unit_id, year: Number(r.year), n: Number(r.n) }));
  }

  async margins(unitId: number, surveyKey: string): Promise<{ margins: Record<string, Record<string, number>>; source: string; updatedAt: string } | undefined> {
    const row = await this.db('weighting_margins').where({ unit_id: unitId, survey_key: surveyKey }).first<{ margins: string; source: string; updated_at: string } | undefined>();
    return row ? { margins: JSON.parse(row.margins) as Record<string, Record<string, number>>, source: row.source, updatedAt: row.updated_at } : undefined;
  }

  async saveMargins(unitId: number, surveyKey: string, margins: Record<string, Record<string, number>>, source: string, userId: number, now: string): Promise<void> {
    await this.db('weighting_margins')
      .insert({ unit_id: unitId, survey_key: surveyKey, margins: JSON.stringify(margins), source, updated_by: userId, updated_at: now })
      .onConflict(['unit_id', 'survey_key'])
      .merge(['margins', 'source', 'updated_by', 'updated_at']);
  }

  async deleteMargins(unitId: number, surveyKey: string): Promise<void> {
    await this.db('weighting_margins').where({ unit_id: unitId, survey_key: surveyKey }).delete();
  }

  /** Improvement cases of units under a path opened, and closed, from one instant (inclusive) to another (exclusive). */
  async caseCounts(scopePath: string, from: string, until: string): Promise<{ opened: number; closed: number }> {
    const count = async (column: string) => {
      const [row] = await this.db('cases')
        .join('units', 'units.id', 'cases.unit_id')
        .where('units.path', 'like', `${scopePath}%`)
        .andWhere(column, '>=', from)
        .andWhere(column, '<', until)
        .count<{ n: number | string }[]>({ n: '*' });
      return Number(row?.n ?? 0);
    };
    return { opened: await count('cases.opened_at'), closed: await count('cases.closed_at') };
  }
}
