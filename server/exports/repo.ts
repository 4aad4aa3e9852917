import type { Knex } from 'knex';
import { isPostgres, type Db } from '../platform/db';
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

/** A response as read for export (column names as stored: no object is copied per row). */
export interface ResponseRow {
  id: number;
  unit_id: number;
  channel_id: number;
  month: string;
  submitted_at: string;
  /** Its answers packed: question key, U+001F, the value (or the text where there is no value); U+001E between answers. */
  answers: string | null;
}

/** The answers of a packed row into `out` (at `offset` + the question's index), each made a cell by `cell`. */
export function unpackAnswers<T>(packed: string | null, index: ReadonlyMap<string, number>, out: T[], offset: number, cell: (i: number, stored: string) => T): void {
  if (!packed) return;
  let start = 0;
  while (start < packed.length) {
    let end = packed.indexOf('\u001e', start);
    if (end === -1) end = packed.length;
    const cut = packed.indexOf('\u001f', start);
    if (cut !== -1 && cut < end) {
      const i = index.get(packed.slice(start, cut));
      if (i !== undefined) out[offset + i] = cell(i, packed.slice(cut + 1, end));
    }
    start = end + 1;
  }
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
   * The next page of counted responses after `afterId` (in id order), each
   * with its answers packed by the database into one string (key, unit
   * separator, answer; record separator between answers), read through the
   * answers' primary key: one row object per response however many questions
   * it has, which is what keeps a million rows to seconds. Stored answers
   * never hold these separators (control characters are removed from free
   * text before it is stored; values are codes); any that did are dropped here.
   */
  async responsePage(f: { versionIds: number[]; from: string; to: string; scope: ScopeFilter; afterId: number; limit: number }): Promise<ResponseRow[]> {
    if (f.versionIds.length === 0) return [];
    const pg = isPostgres(this.db);
    const [us, rs] = pg ? ['chr(31)', 'chr(30)'] : ['char(31)', 'char(30)'];
    const answer = `coalesce(a.value, replace(replace(a.text, ${us}, ''), ${rs}, ''), '')`;
    const packed = pg
      ? `(select string_agg(a.question_key || ${us} || ${answer}, ${rs}) from response_answers a where a.response_id = r.id)`
      : `(select group_concat(a.question_key || ${us} || ${answer}, ${rs}) from response_answers a where a.response_id = r.id)`;
    const q = this.db('responses as r')
      .whereIn('r.survey_version_id', f.versionIds)
      .andWhere('r.counted', true)
      .andWhere('r.month', '>=', f.from)
      .andWhere('r.month', '<=', f.to)
      .andWhere('r.id', '>', f.afterId)
      .orderBy('r.id')
      .limit(f.limit)
      .select('r.id', 'r.unit_id', 'r.channel_id', 'r.month', 'r.submitted_at', this.db.raw(`${packed} as answers`));
    this.inScope(q, 'r', f.scope);
    return (await q) as ResponseRow[];
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
