import crypto from 'node:crypto';
import type { Db } from '../platform/db';
import { column, commitWrites, JsonInsert, runWrites, type JsonWrite, type Row } from '../platform/json-rows';
import { deltaOf, Deltas } from './aggregate';
import type { Survey, VersionedSurvey } from './definition';
import type { Answers } from './submission';

export type ChannelMode = 'personal' | 'kiosk' | 'staff' | 'phone' | 'invitation';
/** Modes a manager creates on the channels page; invitation channels are made with the petition cases. */
export const CHANNEL_MODES = ['personal', 'kiosk', 'staff', 'phone'] as const;

export interface Channel {
  id: number;
  code: string;
  surveyKey: string;
  unitId: number;
  unitPath: string;
  unitCode: string;
  unitNameZh: string;
  unitNameEn: string;
  agencyNameZh: string;
  agencyNameEn: string;
  counterName: string;
  mode: ChannelMode;
  kioskKey: string | null;
  codesRequired: boolean;
  active: boolean;
}

/** A response with its answers, ready to be stored. */
export interface NewItem {
  response: NewResponse;
  survey: Survey;
  answers: Answers;
}

export interface NewResponse {
  surveyVersionId: number;
  channelId: number;
  unitId: number;
  month: string;
  submittedAt: string;
  sourceHash: string | null;
  flag: 'honeypot' | 'burst' | null;
}

interface ChannelRow {
  id: number;
  code: string;
  survey_key: string;
  unit_id: number;
  unit_path: string;
  unit_code: string;
  unit_name_zh: string;
  unit_name_en: string;
  counter_name: string;
  mode: ChannelMode;
  kiosk_key: string | null;
  codes_required: boolean | number;
  active: boolean | number;
}

const toChannel = (r: ChannelRow, agency: { nameZh: string; nameEn: string }): Channel => ({
  id: r.id,
  code: r.code,
  surveyKey: r.survey_key,
  unitId: r.unit_id,
  unitPath: r.unit_path,
  unitCode: r.unit_code,
  unitNameZh: r.unit_name_zh,
  unitNameEn: r.unit_name_en,
  agencyNameZh: agency.nameZh,
  agencyNameEn: agency.nameEn,
  counterName: r.counter_name,
  mode: r.mode,
  kioskKey: r.kiosk_key,
  codesRequired: Boolean(r.codes_required),
  active: Boolean(r.active),
});

const { text, integer } = column;
const AGG_BASE = [text('survey_key'), integer('channel_id'), integer('unit_id'), text('month')];

/** The writes of every submission, each one statement whatever the batch's size (platform/json-rows.ts). */
const insertResponseRows = new JsonInsert({
  table: 'responses',
  columns: [text('ref'), integer('survey_version_id'), integer('channel_id'), integer('unit_id'), text('month'), text('submitted_at'), text('source_hash'), text('flag'), column.boolean('counted')],
});
/** Answers name their response by its reference, so they go in the same script as the responses. */
const insertAnswerRows = new JsonInsert({
  table: 'response_answers',
  columns: [text('question_key'), text('value'), text('text')],
  lookup: { column: 'response_id', table: 'responses', key: 'ref' },
});
const addToAggregates = {
  counts: new JsonInsert({
    table: 'agg_counts',
    columns: [...AGG_BASE, text('question_key'), text('value'), integer('n')],
    conflict: { key: ['survey_key', 'channel_id', 'unit_id', 'month', 'question_key', 'value'], add: 'n' },
  }),
  sections: new JsonInsert({
    table: 'agg_sections',
    columns: [...AGG_BASE, text('section_key'), text('item_i'), text('item_j'), column.double('sum')],
    conflict: { key: ['survey_key', 'channel_id', 'unit_id', 'month', 'section_key', 'item_i', 'item_j'], add: 'sum' },
  }),
  cells: new JsonInsert({
    table: 'agg_cells',
    columns: [...AGG_BASE, text('cell'), text('question_key'), text('value'), integer('n')],
    conflict: { key: ['survey_key', 'channel_id', 'unit_id', 'month', 'cell', 'question_key', 'value'], add: 'n' },
  }),
};

/** The writes that add deltas to the aggregates. */
const aggregateWrites = (deltas: Deltas): JsonWrite[] => [
  { insert: addToAggregates.counts, rows: deltas.rows('counts') },
  { insert: addToAggregates.sections, rows: deltas.rows('sections') },
  { insert: addToAggregates.cells, rows: deltas.rows('cells') },
];

/**
 * References for new responses: the time in milliseconds, then six random
 * bytes, in hex (24 characters, sorting as they were made). In time order,
 * each batch adds to the end of the index on `ref` instead of to as many
 * scattered index pages as it has responses, each of which the commit would
 * write out whole. They say nothing the row's submitted_at does not.
 */
export function newRefs(n: number): string[] {
  const time = Date.now().toString(16).padStart(12, '0');
  const random = crypto.randomBytes(6 * n).toString('hex');
  return Array.from({ length: n }, (_, i) => time + random.slice(12 * i, 12 * i + 12));
}

/**
 * The writes that store responses with their answers and add what they
 * contribute to the aggregates (counted responses only), and each response's
 * reference: a random string set here, by which the answers find their
 * response and a caller can find it later.
 */
function responseWrites(items: readonly NewItem[]): { refs: string[]; writes: JsonWrite[] } {
  const refs = newRefs(items.length);
  const deltas = new Deltas();
  const answerRows: Row[] = [];
  const responseRows = items.map(({ response: r, survey, answers }, i) => {
    const ref = refs[i] as string;
    for (const [question_key, a] of answers) answerRows.push({ ref, question_key, value: a.value, text: a.text });
    if (r.flag === null) deltas.add({ surveyKey: survey.key, channelId: r.channelId, unitId: r.unitId, month: r.month }, deltaOf(survey, answers), 1);
    return { ref, survey_version_id: r.surveyVersionId, channel_id: r.channelId, unit_id: r.unitId, month: r.month, submitted_at: r.submittedAt, source_hash: r.sourceHash, flag: r.flag, counted: r.flag === null };
  });
  return { refs, writes: [{ insert: insertResponseRows, rows: responseRows }, { insert: insertAnswerRows, rows: answerRows }, ...aggregateWrites(deltas)] };
}

/** The only code that reads or writes survey_versions, channels, responses, answers, aggregates and staff codes. */
export class SurveysRepo {
  constructor(private readonly db: Db) {}

  async ensureVersion(v: VersionedSurvey, now: string): Promise<number> {
    await this.db('survey_versions').insert({ survey_key: v.survey.key, version: v.version, content: JSON.stringify(v.survey), created_at: now }).onConflict('version').ignore();
    const row = await this.db('survey_versions').where({ version: v.version }).first<{ id: number }>();
    return row.id;
  }

  async versionContent(id: number, trx: Db = this.db): Promise<Survey> {
    const row = await trx('survey_versions').where({ id }).first<{ content: string }>();
    return JSON.parse(row.content) as Survey;
  }

  private channels(trx: Db) {
    return trx('channels')
      .join('units', 'units.id', 'channels.unit_id')
      .select('channels.*', 'units.path as unit_path', 'units.code as unit_code', 'units.name_zh as unit_name_zh', 'units.name_en as unit_name_en');
  }

  /** The agency a unit belongs to: the nearest unit of type agency on its path. */
  private async agencyOf(path: string, trx: Db): Promise<{ nameZh: string; nameEn: string }> {
    return nearestAgency(path, await this.agencies(path.split('/').filter(Boolean).map(Number), trx));
  }

  private async agencies(ids: number[], trx: Db): Promise<Map<number, { nameZh: string; nameEn: string }>> {
    const rows = (await trx('units').whereIn('id', [...new Set(ids)]).andWhere({ type: 'agency' }).select('id', 'name_zh', 'name_en')) as { id: number; name_zh: string; name_en: string }[];
    return new Map(rows.map((r) => [r.id, { nameZh: r.name_zh, nameEn: r.name_en }]));
  }

  async findByCode(code: string, trx: Db = this.db): Promise<Channel | undefined> {
    const row = await this.channels(trx).where('channels.code', code).first<ChannelRow | undefined>();
    return row ? toChannel(row, await this.agencyOf(row.unit_path, trx)) : undefined;
  }

  async findChannel(id: number, trx: Db = this.db): Promise<Channel | undefined> {
    const row = await this.channels(trx).where('channels.id', id).first<ChannelRow | undefined>();
    return row ? toChannel(row, await this.agencyOf(row.unit_path, trx)) : undefined;
  }

  async channelsInReach(path: string, trx: Db = this.db): Promise<Channel[]> {
    const rows = (await this.channels(trx).where('units.path', 'like', `${path}%`).orderBy(['units.path', 'channels.id'])) as ChannelRow[];
    // One query for the agencies of all of them (a scope can hold hundreds of channels).
    const agencies = await this.agencies(rows.flatMap((r) => r.unit_path.split('/').filter(Boolean).map(Number)), trx);
    return rows.map((r) => toChannel(r, nearestAgency(r.unit_path, agencies)));
  }

  async insertChannel(c: { code: string; surveyKey: string; unitId: number; counterName: string; mode: ChannelMode; kioskKey: string | null; codesRequired: boolean; createdBy: number | null }, now: string, trx: Db): Promise<number> {
    const [row] = await trx('channels')
      .insert({
        code: c.code,
        survey_key: c.surveyKey,
        unit_id: c.unitId,
        counter_name: c.counterName,
        mode: c.mode,
        kiosk_key: c.kioskKey,
        codes_required: c.codesRequired,
        active: true,
        created_by: c.createdBy,
        created_at: now,
      })
      .returning<{ id: number }[]>('id');
    if (!row) throw new Error('insert returned no id');
    return row.id;
  }

  /** The channel of a survey, unit and mode made by the product itself (invitations), if there is one. */
  async findOwnChannel(surveyKey: string, unitId: number, mode: ChannelMode, trx: Db = this.db): Promise<number | undefined> {
    const row = await trx('channels').where({ survey_key: surveyKey, unit_id: unitId, mode }).orderBy('id').first<{ id: number } | undefined>();
    return row?.id;
  }

  async setChannelActive(id: number, active: boolean): Promise<void> {
    await this.db('channels').where({ id }).update({ active });
  }

  async lastSubmission(channelId: number, trx: Db = this.db): Promise<string | null> {
    const row = await trx('responses').where({ channel_id: channelId }).orderBy('submitted_at', 'desc').first<{ submitted_at: string } | undefined>();
    return row?.submitted_at ?? null;
  }

  /** Stores responses with their answers and aggregates in the caller's transaction; their references, in order. */
  async insertResponses(items: readonly NewItem[], trx: Db): Promise<string[]> {
    const { refs, writes } = responseWrites(items);
    await runWrites(trx, writes);
    return refs;
  }

  /** The same in a transaction of its own, sent to SQLite as one script (the group commit's write). */
  async commitResponses(items: readonly NewItem[]): Promise<string[]> {
    const { refs, writes } = responseWrites(items);
    await commitWrites(this.db, writes);
    return refs;
  }

  /** Counts a flagged response after all (a manager's decision), or takes one out again. */
  async setCounted(responseId: number, counted: boolean, survey: Survey, trx: Db): Promise<boolean> {
    const r = await trx('responses').where({ id: responseId }).first<{ channel_id: number; unit_id: number; month: string; counted: boolean | number } | undefined>();
    if (!r || Boolean(r.counted) === counted) return false;
    const answers: Answers = new Map(
      (await trx('response_answers').where({ response_id: responseId })).map((a: { question_key: string; value: string | null; text: string | null }) => [a.question_key, { value: a.value, text: a.text }]),
    );
    const deltas = new Deltas();
    deltas.add({ surveyKey: survey.key, channelId: r.channel_id, unitId: r.unit_id, month: r.month }, deltaOf(survey, answers), counted ? 1 : -1);
    await runWrites(trx, aggregateWrites(deltas));
    if (!counted) {
      // Taking a response out may empty some aggregates: remove them, as a rebuild would never create them.
      await trx('agg_counts').where({ n: 0 }).delete();
      await trx('agg_cells').where({ n: 0 }).delete();
      const emptied = await trx('agg_sections').where({ item_i: '#', item_j: '#', sum: 0 });
      for (const e of emptied as Record<string, unknown>[]) {
        await trx('agg_sections').where({ survey_key: e.survey_key, channel_id: e.channel_id, unit_id: e.unit_id, month: e.month, section_key: e.section_key }).delete();
      }
    }
    await trx('responses').where({ id: responseId }).update({ counted });
    return true;
  }

  /** Recomputes every aggregate from the raw rows (the rebuild command, and the test that proves the two agree). */
  async rebuildAggregates(surveyOf: (versionId: number) => Promise<Survey>, trx: Db): Promise<number> {
    await trx('agg_counts').delete();
    await trx('agg_sections').delete();
    await trx('agg_cells').delete();
    let done = 0;
    let lastId = 0;
    for (;;) {
      const batch = await trx('responses').where('id', '>', lastId).andWhere({ counted: true }).orderBy('id').limit(1000);
      if (batch.length === 0) break;
      const answerRows = await trx('response_answers').whereIn('response_id', batch.map((r: { id: number }) => r.id));
      const byResponse = new Map<number, Answers>();
      for (const a of answerRows as { response_id: number; question_key: string; value: string | null; text: string | null }[]) {
        const map = byResponse.get(a.response_id) ?? new Map();
        map.set(a.question_key, { value: a.value, text: a.text });
        byResponse.set(a.response_id, map);
      }
      const deltas = new Deltas();
      for (const r of batch as { id: number; survey_version_id: number; channel_id: number; unit_id: number; month: string }[]) {
        const survey = await surveyOf(r.survey_version_id);
        deltas.add({ surveyKey: survey.key, channelId: r.channel_id, unitId: r.unit_id, month: r.month }, deltaOf(survey, byResponse.get(r.id) ?? new Map()), 1);
        lastId = r.id;
        done += 1;
      }
      await runWrites(trx, aggregateWrites(deltas));
    }
    return done;
  }

  async storeStaffCodes(channelId: number, hashes: string[], now: string): Promise<void> {
    await this.db.batchInsert('staff_codes', hashes.map((code_hash) => ({ channel_id: channelId, code_hash, created_at: now })), 200);
  }

  /** Spends a staff code; false if unknown, used or for another channel. Nothing links it to the answer. */
  async spendStaffCode(channelId: number, hash: string, now: string, trx: Db): Promise<boolean> {
    const changed = await trx('staff_codes').where({ channel_id: channelId, code_hash: hash }).whereNull('used_at').update({ used_at: now });
    return changed === 1;
  }

  async setHeadcount(unitId: number, year: number, headcount: number): Promise<void> {
    await this.db('unit_headcounts').insert({ unit_id: unitId, year, headcount }).onConflict(['unit_id', 'year']).merge(['headcount']);
  }

  async headcounts(unitIds: number[], year: number): Promise<Map<number, number>> {
    if (unitIds.length === 0) return new Map();
    const rows = await this.db('unit_headcounts').whereIn('unit_id', unitIds).andWhere({ year });
    return new Map(rows.map((r: { unit_id: number; headcount: number }) => [r.unit_id, r.headcount]));
  }

  /** Per channel: the last response and the number of responses since a moment. */
  async channelActivity(channelIds: number[], since: string): Promise<{ last: Map<number, string>; recent: Map<number, number> }> {
    const last = new Map<number, string>();
    const recent = new Map<number, number>();
    if (channelIds.length === 0) return { last, recent };
    const lastRows = await this.db('responses').whereIn('channel_id', channelIds).groupBy('channel_id').select<{ channel_id: number; last: string }[]>('channel_id', this.db.raw('max(submitted_at) as last'));
    for (const r of lastRows) last.set(r.channel_id, r.last);
    const recentRows = await this.db('responses')
      .whereIn('channel_id', channelIds)
      .andWhere('submitted_at', '>=', since)
      .groupBy('channel_id')
      .select<{ channel_id: number; n: number | string }[]>('channel_id', this.db.raw('count(*) as n'));
    for (const r of recentRows) recent.set(r.channel_id, Number(r.n));
    return { last, recent };
  }

  /** Counted responses per channel in the listed months. */
  async respondents(channelIds: number[], months: string[]): Promise<Map<number, number>> {
    if (channelIds.length === 0) return new Map();
    const rows = await this.db('responses')
      .whereIn('channel_id', channelIds)
      .whereIn('month', months)
      .andWhere({ counted: true })
      .groupBy('channel_id')
      .select<{ channel_id: number; n: number | string }[]>('channel_id', this.db.raw('count(*) as n'));
    return new Map(rows.map((r) => [r.channel_id, Number(r.n)]));
  }

  /** Per channel, from the aggregates: how often each value was given to the listed questions in the listed months. */
  async valueCounts(channelIds: number[], months: string[], questionKeys: string[]): Promise<Map<number, Map<string, number>>> {
    const out = new Map<number, Map<string, number>>();
    if (channelIds.length === 0 || questionKeys.length === 0) return out;
    const rows = await this.db('agg_counts')
      .whereIn('channel_id', channelIds)
      .whereIn('month', months)
      .whereIn('question_key', questionKeys)
      .groupBy('channel_id', 'value')
      .select<{ channel_id: number; value: string; n: number | string }[]>('channel_id', 'value', this.db.raw('sum(n) as n'));
    for (const r of rows) {
      const m = out.get(r.channel_id) ?? new Map<string, number>();
      m.set(r.value, Number(r.n));
      out.set(r.channel_id, m);
    }
    return out;
  }

  async flagged(channelIds: number[]): Promise<{ id: number; channelId: number; submittedAt: string; flag: string; counted: boolean; surveyVersionId: number }[]> {
    if (channelIds.length === 0) return [];
    const rows = await this.db('responses').whereIn('channel_id', channelIds).whereNotNull('flag').orderBy('submitted_at', 'desc').limit(500);
    return rows.map((r: { id: number; channel_id: number; submitted_at: string; flag: string; counted: boolean | number; survey_version_id: number }) => ({
      id: r.id,
      channelId: r.channel_id,
      submittedAt: r.submitted_at,
      flag: r.flag,
      counted: Boolean(r.counted),
      surveyVersionId: r.survey_version_id,
    }));
  }
}

function nearestAgency(path: string, agencies: ReadonlyMap<number, { nameZh: string; nameEn: string }>): { nameZh: string; nameEn: string } {
  const ids = path.split('/').filter(Boolean).map(Number);
  for (let i = ids.length - 1; i >= 0; i -= 1) {
    const a = agencies.get(ids[i] as number);
    if (a) return a;
  }
  return { nameZh: '', nameEn: '' };
}
