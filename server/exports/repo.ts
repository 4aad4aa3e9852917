import type { Knex } from 'knex';
import type { Db } from '../platform/db';
import type { Survey } from '../surveys/definition';

/**
 * Reads for exports, page by page: never a whole dataset at once. Survey
 * responses come in pages of consecutive ids (keyset paging on the primary
 * key), each response's answers turned into columns by the database.
 */
export interface ScopeFilter {
  /** Units whose responses are in scope, or null for the whole tree. */
  unitIds: number[] | null;
  /** Channels whose staff answers without a unit (unit 0) are in scope. */
  zeroChannelIds: number[];
}

export interface ResponseRow {
  id: number;
  unitId: number;
  channelId: number;
  month: string;
  submittedAt: string;
  /** Per question asked for: the stored value and text. */
  values: (string | null)[];
  texts: (string | null)[];
}

export interface AggregateCount {
  month: string;
  unitId: number;
  channelId: number;
  questionKey: string;
  value: string;
  n: number;
}

type Raw = Record<string, string | number | null>;

export class ExportsRepo {
  constructor(private readonly db: Db) {}

  /** Ids of every stored version of a survey, and their contents (older versions may ask questions the current one does not). */
  async surveyVersions(surveyKey: string): Promise<{ id: number; survey: Survey }[]> {
    const rows = (await this.db('survey_versions').where({ survey_key: surveyKey }).orderBy('id')) as { id: number; content: string }[];
    return rows.map((r) => ({ id: r.id, survey: JSON.parse(r.content) as Survey }));
  }

  private inScope(q: Knex.QueryBuilder, prefix: string, scope: ScopeFilter): void {
    const unitIds = scope.unitIds;
    if (unitIds === null) return;
    void q.where((w) => {
      void w.whereIn(`${prefix}.unit_id`, unitIds.length > 0 ? unitIds : [-1]);
      if (scope.zeroChannelIds.length > 0) void w.orWhere((z) => void z.where(`${prefix}.unit_id`, 0).whereIn(`${prefix}.channel_id`, scope.zeroChannelIds));
    });
  }

  /**
   * The next page of counted responses after `afterId` (in id order), with the
   * answers to the listed questions as columns (one query; the answers are
   * read through their primary key).
   */
  async responsePage(
    f: { versionIds: number[]; from: string; to: string; scope: ScopeFilter; questionKeys: string[]; afterId: number; limit: number },
  ): Promise<ResponseRow[]> {
    if (f.versionIds.length === 0) return [];
    const page = this.db('responses as r')
      .whereIn('r.survey_version_id', f.versionIds)
      .andWhere('r.counted', true)
      .andWhere('r.month', '>=', f.from)
      .andWhere('r.month', '<=', f.to)
      .andWhere('r.id', '>', f.afterId)
      .orderBy('r.id')
      .limit(f.limit)
      .select('r.id', 'r.unit_id', 'r.channel_id', 'r.month', 'r.submitted_at');
    this.inScope(page, 'r', f.scope);
    const columns = f.questionKeys.flatMap((key, i) => [
      this.db.raw('max(case when a.question_key = ? then a.value end) as ??', [key, `v${i}`]),
      this.db.raw('max(case when a.question_key = ? then a.text end) as ??', [key, `t${i}`]),
    ]);
    const rows = (await this.db
      .from(page.as('p'))
      .leftJoin('response_answers as a', 'a.response_id', 'p.id')
      .groupBy('p.id', 'p.unit_id', 'p.channel_id', 'p.month', 'p.submitted_at')
      .orderBy('p.id')
      .select('p.id', 'p.unit_id', 'p.channel_id', 'p.month', 'p.submitted_at', ...columns)) as Raw[];
    const n = f.questionKeys.length;
    return rows.map((r) => {
      const values: (string | null)[] = new Array<string | null>(n);
      const texts: (string | null)[] = new Array<string | null>(n);
      for (let i = 0; i < n; i += 1) {
        values[i] = (r[`v${i}`] ?? null) as string | null;
        texts[i] = (r[`t${i}`] ?? null) as string | null;
      }
      return { id: Number(r.id), unitId: Number(r.unit_id), channelId: Number(r.channel_id), month: String(r.month), submittedAt: String(r.submitted_at), values, texts };
    });
  }

  /** One month's (or, with a year "YYYY", one year's) answer counts per unit, channel, question and value, from the aggregates. */
  async counts(f: { surveyKey: string; months: string[]; scope: ScopeFilter }): Promise<AggregateCount[]> {
    const q = this.db('agg_counts as c')
      .where('c.survey_key', f.surveyKey)
      .whereIn('c.month', f.months)
      .groupBy('c.month', 'c.unit_id', 'c.channel_id', 'c.question_key', 'c.value')
      .select('c.month', 'c.unit_id', 'c.channel_id', 'c.question_key', 'c.value', this.db.raw('sum(c.n) as n'));
    this.inScope(q, 'c', f.scope);
    const rows = (await q) as Raw[];
    return rows.map((r) => ({ month: String(r.month), unitId: Number(r.unit_id), channelId: Number(r.channel_id), questionKey: String(r.question_key), value: String(r.value), n: Number(r.n) }));
  }
}
