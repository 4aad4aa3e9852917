import crypto from 'node:crypto';
import type { Db } from '../platform/db';
import type { Scoresheet, VersionedSheet } from './scoresheet';
import type { Answers, Band, Deduction } from './scoring';

export type AttemptOutcome = 'no_answer' | 'busy' | 'voicemail';
export const ATTEMPT_OUTCOMES: readonly AttemptOutcome[] = ['no_answer', 'busy', 'voicemail'];

export interface Attempt {
  id: number;
  outcome: AttemptOutcome;
  attemptedAt: string;
}

export interface Revision {
  id: number;
  number: number;
  answers: Answers;
  reasons: Record<string, string>;
  flags: string[];
  ringSeconds: number | null;
  total: number | null;
  band: Band | null;
  deductions: Deduction[];
  createdBy: number;
  createdByName: string;
  createdAt: string;
  reason: string | null;
  hash: string;
}

export interface ResultRecord {
  id: number;
  assignmentId: number;
  unitId: number;
  testerId: number;
  sheetVersionId: number | null;
  kind: 'scored' | 'unreachable';
  testedOn: string;
  withdrawnAt: string | null;
  withdrawReason: string | null;
  createdAt: string;
}

/** What a new revision is made of; number, hash and time are added when it is stored. */
export type NewRevision = Omit<Revision, 'id' | 'number' | 'createdByName' | 'createdAt' | 'hash'>;

interface ResultRow {
  id: number;
  assignment_id: number;
  unit_id: number;
  tester_id: number;
  sheet_version_id: number | null;
  kind: 'scored' | 'unreachable';
  tested_on: string;
  withdrawn_at: string | null;
  withdraw_reason: string | null;
  created_at: string;
}

interface RevisionRow {
  id: number;
  number: number;
  answers: string;
  reasons: string;
  flags: string;
  ring_seconds: number | null;
  total_tenths: number | null;
  band: Band | null;
  deductions: string;
  created_by: number;
  created_by_name: string;
  created_at: string;
  reason: string | null;
  hash: string;
}

const toResult = (r: ResultRow): ResultRecord => ({
  id: r.id,
  assignmentId: r.assignment_id,
  unitId: r.unit_id,
  testerId: r.tester_id,
  sheetVersionId: r.sheet_version_id,
  kind: r.kind,
  testedOn: r.tested_on,
  withdrawnAt: r.withdrawn_at,
  withdrawReason: r.withdraw_reason,
  createdAt: r.created_at,
});

const toRevision = (r: RevisionRow): Revision => ({
  id: r.id,
  number: r.number,
  answers: JSON.parse(r.answers) as Answers,
  reasons: JSON.parse(r.reasons) as Record<string, string>,
  flags: JSON.parse(r.flags) as string[],
  ringSeconds: r.ring_seconds,
  total: r.total_tenths === null ? null : r.total_tenths / 10,
  band: r.band,
  deductions: JSON.parse(r.deductions) as Deduction[],
  createdBy: r.created_by,
  createdByName: r.created_by_name,
  createdAt: r.created_at,
  reason: r.reason,
  hash: r.hash,
});

/** SHA-256 over the previous revision's hash and this revision's content: a changed row breaks the chain. */
export function revisionHash(previous: string, resultId: number, number: number, rev: NewRevision, createdAt: string): string {
  const content = JSON.stringify([previous, resultId, number, rev.answers, rev.reasons, rev.flags, rev.ringSeconds, rev.total, rev.band, rev.createdBy, createdAt, rev.reason]);
  return crypto.createHash('sha256').update(content).digest('hex');
}

/** The only code that reads or writes scoresheet_versions, attempts, results and result_revisions. */
export class ResultsRepo {
  constructor(private readonly db: Db) {}

  /** Records a sheet version the first time it is seen; returns its id either way. */
  async ensureSheetVersion(v: VersionedSheet, now: string): Promise<number> {
    await this.db('scoresheet_versions')
      .insert({ sheet_key: v.sheet.key, version: v.version, content: JSON.stringify(v.sheet), created_at: now })
      .onConflict('version')
      .ignore();
    const row = await this.db('scoresheet_versions').where({ version: v.version }).first<{ id: number }>();
    return row.id;
  }

  async sheetVersion(id: number, trx: Db = this.db): Promise<VersionedSheet & { id: number }> {
    const row = await trx('scoresheet_versions').where({ id }).first<{ id: number; version: string; content: string }>();
    return { id: row.id, version: row.version, sheet: JSON.parse(row.content) as Scoresheet };
  }

  async attempts(assignmentId: number, trx: Db = this.db): Promise<Attempt[]> {
    const rows = await trx('attempts').where({ assignment_id: assignmentId }).orderBy('attempted_at');
    return rows.map((r: { id: number; outcome: AttemptOutcome; attempted_at: string }) => ({ id: r.id, outcome: r.outcome, attemptedAt: r.attempted_at }));
  }

  async attemptCounts(assignmentIds: number[]): Promise<Map<number, number>> {
    if (assignmentIds.length === 0) return new Map();
    const rows = await this.db('attempts').whereIn('assignment_id', assignmentIds).groupBy('assignment_id').select<{ assignment_id: number; n: number | string }[]>('assignment_id', this.db.raw('count(*) as n'));
    return new Map(rows.map((r) => [r.assignment_id, Number(r.n)]));
  }

  async addAttempt(assignmentId: number, outcome: AttemptOutcome, at: string, userId: number, trx: Db): Promise<number> {
    const [row] = await trx('attempts').insert({ assignment_id: assignmentId, outcome, attempted_at: at, recorded_by: userId }).returning<{ id: number }[]>('id');
    if (!row) throw new Error('insert returned no id');
    return row.id;
  }

  async insertResult(
    r: Pick<ResultRecord, 'assignmentId' | 'unitId' | 'testerId' | 'sheetVersionId' | 'kind' | 'testedOn'>,
    now: string,
    trx: Db,
  ): Promise<number> {
    const [row] = await trx('results')
      .insert({
        assignment_id: r.assignmentId,
        unit_id: r.unitId,
        tester_id: r.testerId,
        sheet_version_id: r.sheetVersionId,
        kind: r.kind,
        tested_on: r.testedOn,
        created_at: now,
      })
      .returning<{ id: number }[]>('id');
    if (!row) throw new Error('insert returned no id');
    return row.id;
  }

  /** Appends a revision, numbered after the last one and chained to its hash. */
  async addRevision(resultId: number, rev: NewRevision, now: string, trx: Db): Promise<number> {
    const last = await trx('result_revisions').where({ result_id: resultId }).orderBy('number', 'desc').first<{ number: number; hash: string } | undefined>();
    const number = (last?.number ?? 0) + 1;
    const hash = revisionHash(last?.hash ?? '', resultId, number, rev, now);
    await trx('result_revisions').insert({
      result_id: resultId,
      number,
      answers: JSON.stringify(rev.answers),
      reasons: JSON.stringify(rev.reasons),
      flags: JSON.stringify(rev.flags),
      ring_seconds: rev.ringSeconds,
      total_tenths: rev.total === null ? null : Math.round(rev.total * 10),
      band: rev.band,
      deductions: JSON.stringify(rev.deductions),
      created_by: rev.createdBy,
      created_at: now,
      reason: rev.reason,
      hash,
    });
    return number;
  }

  async findResult(id: number, trx: Db = this.db): Promise<ResultRecord | undefined> {
    const row = await trx<ResultRow>('results').where({ id }).first();
    return row ? toResult(row) : undefined;
  }

  async findByAssignment(assignmentId: number, trx: Db = this.db): Promise<ResultRecord | undefined> {
    const row = await trx<ResultRow>('results').where({ assignment_id: assignmentId }).first();
    return row ? toResult(row) : undefined;
  }

  async revisions(resultId: number, trx: Db = this.db): Promise<Revision[]> {
    const rows = await trx('result_revisions')
      .join('users', 'users.id', 'result_revisions.created_by')
      .where({ result_id: resultId })
      .orderBy('number')
      .select('result_revisions.*', 'users.name as created_by_name');
    return (rows as RevisionRow[]).map(toRevision);
  }

  async withdraw(resultId: number, userId: number, reason: string, now: string, trx: Db): Promise<void> {
    await trx('results').where({ id: resultId }).whereNull('withdrawn_at').update({ withdrawn_at: now, withdrawn_by: userId, withdraw_reason: reason });
  }

  /** Assignment ids among these that have a result. */
  async withResults(assignmentIds: number[]): Promise<Set<number>> {
    if (assignmentIds.length === 0) return new Set();
    const rows = await this.db('results').whereIn('assignment_id', assignmentIds).select('assignment_id');
    return new Set(rows.map((r: { assignment_id: number }) => r.assignment_id));
  }

  /**
   * The latest revision of every counted result (not withdrawn) of units under
   * `path` tested between two dates, with the unit and assignment it belongs to.
   */
  async latestInPeriod(path: string, from: string, to: string): Promise<
    { resultId: number; unitId: number; testedOn: string; kind: 'scored' | 'unreachable'; total: number | null; band: Band | null; deductions: Deduction[]; part: string }[]
  > {
    const latest = this.db('result_revisions').select('result_id').max({ number: 'number' }).groupBy('result_id').as('latest');
    const rows = await this.db('results')
      .join('units', 'units.id', 'results.unit_id')
      .join('assignments', 'assignments.id', 'results.assignment_id')
      .join(latest, 'latest.result_id', 'results.id')
      .join('result_revisions', (j) => j.on('result_revisions.result_id', '=', 'results.id').andOn('result_revisions.number', '=', 'latest.number'))
      .where('units.path', 'like', `${path}%`)
      .whereNull('results.withdrawn_at')
      .whereBetween('results.tested_on', [from, to])
      .orderBy('results.tested_on')
      .select(
        'results.id as result_id',
        'results.unit_id',
        'results.tested_on',
        'results.kind',
        'result_revisions.total_tenths',
        'result_revisions.band',
        'result_revisions.deductions',
        'assignments.part',
      );
    return rows.map(
      (r: { result_id: number; unit_id: number; tested_on: string; kind: 'scored' | 'unreachable'; total_tenths: number | null; band: Band | null; deductions: string; part: string }) => ({
        resultId: r.result_id,
        unitId: r.unit_id,
        testedOn: r.tested_on,
        kind: r.kind,
        total: r.total_tenths === null ? null : r.total_tenths / 10,
        band: r.band,
        deductions: JSON.parse(r.deductions) as Deduction[],
        part: r.part,
      }),
    );
  }
}
