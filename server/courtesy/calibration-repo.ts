import { forUpdate, type Db } from '../platform/db';
import { playableByAssignmentQuery } from '../telephony/recordings-repo';
import type { Part } from './planner';
import type { Answers } from './scoring';

export type RoundStatus = 'open' | 'complete' | 'closed';

export interface Round {
  id: number;
  dueOn: string;
  status: RoundStatus;
  createdBy: number;
  createdByName: string;
  createdAt: string;
  completedAt: string | null;
  closedAt: string | null;
}

/** A call of a round: the scored result it is, with what the page needs to name it. */
export interface RoundCall {
  id: number;
  roundId: number;
  position: number;
  resultId: number;
  /** The result's revision that is the reference score: the latest one when the round was created. */
  referenceRevisionId: number | null;
  assignmentId: number;
  /** Who gave the reference score (never invited to the same round). */
  scoredBy: number;
  sheetVersionId: number;
  part: Part;
  testedOn: string;
  unitId: number;
  unitPath: string;
  unitNameZh: string;
  unitNameEn: string;
}

export interface Rater {
  testerId: number;
  name: string;
  /** The rater's letter for the other testers (1 = A), drawn at random when the round was created. */
  labelPosition: number;
}

export interface CalibrationScore {
  callId: number;
  testerId: number;
  answers: Answers;
  reasons: Record<string, string>;
  flags: string[];
  total: number;
  submittedAt: string;
}

/** A scored result that could be calibrated: counted, with a recording that can be played. */
export interface CandidateCall {
  resultId: number;
  assignmentId: number;
  /** The assignment's newest playable recording. */
  recordingId: number;
  scoredBy: number;
  scoredByName: string;
  part: Part;
  testedOn: string;
  unitPath: string;
  unitNameZh: string;
  unitNameEn: string;
}

interface RoundRow {
  id: number;
  due_on: string;
  status: RoundStatus;
  created_by: number;
  created_by_name: string;
  created_at: string;
  completed_at: string | null;
  closed_at: string | null;
}

const toRound = (r: RoundRow): Round => ({
  id: r.id,
  dueOn: r.due_on,
  status: r.status,
  createdBy: r.created_by,
  createdByName: r.created_by_name,
  createdAt: r.created_at,
  completedAt: r.completed_at,
  closedAt: r.closed_at,
});

interface CallRow {
  id: number;
  round_id: number;
  position: number;
  result_id: number;
  reference_revision_id: number | null;
  assignment_id: number;
  tester_id: number;
  sheet_version_id: number;
  part: Part;
  tested_on: string;
  unit_id: number;
  unit_path: string;
  name_zh: string;
  name_en: string;
}

const toCall = (r: CallRow): RoundCall => ({
  id: r.id,
  roundId: r.round_id,
  position: r.position,
  resultId: r.result_id,
  referenceRevisionId: r.reference_revision_id === null ? null : Number(r.reference_revision_id),
  assignmentId: r.assignment_id,
  scoredBy: r.tester_id,
  sheetVersionId: r.sheet_version_id,
  part: r.part,
  testedOn: r.tested_on,
  unitId: r.unit_id,
  unitPath: r.unit_path,
  unitNameZh: r.name_zh,
  unitNameEn: r.name_en,
});

/**
 * The only code that reads or writes the calibration tables. Candidate calls are read from the results
 * tables here (a read-only join), so that results-repo keeps to the scoring flow.
 */
export class CalibrationRepo {
  constructor(private readonly db: Db) {}

  private rounds(trx: Db) {
    return trx('calibration_rounds').join('users', 'users.id', 'calibration_rounds.created_by').select('calibration_rounds.*', 'users.name as created_by_name');
  }

  async findRound(id: number, trx: Db = this.db): Promise<Round | undefined> {
    const row = await this.rounds(trx).where('calibration_rounds.id', id).first<RoundRow | undefined>();
    return row ? toRound(row) : undefined;
  }

  /** The round's row, locked until the transaction ends (so that two last submissions cannot both miss completing it). */
  async lockRound(id: number, trx: Db): Promise<void> {
    await forUpdate(trx, trx('calibration_rounds').where({ id }).select('id'));
  }

  async allRounds(trx: Db = this.db): Promise<Round[]> {
    const rows = await this.rounds(trx).orderBy('calibration_rounds.id', 'desc');
    return (rows as RoundRow[]).map(toRound);
  }

  async roundsOfTester(testerId: number, trx: Db = this.db): Promise<Round[]> {
    const rows = await this.rounds(trx)
      .join('calibration_raters', 'calibration_raters.round_id', 'calibration_rounds.id')
      .where('calibration_raters.tester_id', testerId)
      .orderBy('calibration_rounds.id', 'desc');
    return (rows as RoundRow[]).map(toRound);
  }

  private callsQuery(trx: Db) {
    return trx('calibration_calls')
      .join('results', 'results.id', 'calibration_calls.result_id')
      .join('assignments', 'assignments.id', 'results.assignment_id')
      .join('units', 'units.id', 'results.unit_id')
      .select(
        'calibration_calls.id',
        'calibration_calls.round_id',
        'calibration_calls.position',
        'calibration_calls.result_id',
        'calibration_calls.reference_revision_id',
        'results.assignment_id',
        'results.tester_id',
        'results.sheet_version_id',
        'assignments.part',
        'results.tested_on',
        'results.unit_id',
        'units.path as unit_path',
        'units.name_zh',
        'units.name_en',
      );
  }

  async callsOf(roundIds: number[], trx: Db = this.db): Promise<RoundCall[]> {
    if (roundIds.length === 0) return [];
    const rows = await this.callsQuery(trx).whereIn('calibration_calls.round_id', roundIds).orderBy(['calibration_calls.round_id', 'calibration_calls.position']);
    return (rows as CallRow[]).map(toCall);
  }

  async ratersOf(roundIds: number[], trx: Db = this.db): Promise<(Rater & { roundId: number })[]> {
    if (roundIds.length === 0) return [];
    const rows = await trx('calibration_raters')
      .join('users', 'users.id', 'calibration_raters.tester_id')
      .whereIn('calibration_raters.round_id', roundIds)
      .orderBy(['calibration_raters.round_id', 'users.name', 'users.id'])
      .select('calibration_raters.round_id', 'calibration_raters.tester_id', 'calibration_raters.label_position', 'users.name');
    return rows.map((r: { round_id: number; tester_id: number; label_position: number | string | null; name: string }) => ({
      roundId: r.round_id,
      testerId: r.tester_id,
      name: r.name,
      labelPosition: Number(r.label_position ?? 0),
    }));
  }

  async scoresOf(callIds: number[], trx: Db = this.db): Promise<CalibrationScore[]> {
    if (callIds.length === 0) return [];
    const rows = await trx('calibration_scores').whereIn('call_id', callIds).orderBy('id');
    return rows.map(
      (r: { call_id: number; tester_id: number; answers: string; reasons: string; flags: string; total_tenths: number; submitted_at: string }): CalibrationScore => ({
        callId: r.call_id,
        testerId: r.tester_id,
        answers: JSON.parse(r.answers) as Answers,
        reasons: JSON.parse(r.reasons) as Record<string, string>,
        flags: JSON.parse(r.flags) as string[],
        total: r.total_tenths / 10,
        submittedAt: r.submitted_at,
      }),
    );
  }

  /** Ids of the calls of these rounds that the tester has scored. */
  async scoredBy(testerId: number, callIds: number[], trx: Db = this.db): Promise<Set<number>> {
    if (callIds.length === 0) return new Set();
    const rows = await trx('calibration_scores').where({ tester_id: testerId }).whereIn('call_id', callIds).select('call_id');
    return new Set(rows.map((r: { call_id: number }) => r.call_id));
  }

  async countScores(roundId: number, trx: Db = this.db): Promise<number> {
    const row = await trx('calibration_scores')
      .join('calibration_calls', 'calibration_calls.id', 'calibration_scores.call_id')
      .where('calibration_calls.round_id', roundId)
      .count<{ n: number | string }>({ n: '*' })
      .first();
    return Number(row?.n ?? 0);
  }

  /** A new round (`testerIds` in the order of their letters); each call keeps its result's latest revision (read in the same transaction) as its reference. */
  async insertRound(r: { dueOn: string; createdBy: number; resultIds: number[]; testerIds: number[] }, now: string, trx: Db): Promise<number> {
    const [row] = await trx('calibration_rounds').insert({ due_on: r.dueOn, status: 'open', created_by: r.createdBy, created_at: now }).returning<{ id: number }[]>('id');
    if (!row) throw new Error('insert returned no id');
    const latest = await trx('result_revisions')
      .whereIn('result_id', r.resultIds)
      .groupBy('result_id')
      .select('result_id')
      .max({ number: 'number' });
    const revisionIds = new Map<number, number>();
    for (const l of latest as { result_id: number; number: number | string }[]) {
      const rev = await trx('result_revisions').where({ result_id: l.result_id, number: Number(l.number) }).first<{ id: number } | undefined>('id');
      if (rev) revisionIds.set(Number(l.result_id), rev.id);
    }
    await trx('calibration_calls').insert(
      r.resultIds.map((resultId, i) => ({ round_id: row.id, result_id: resultId, position: i + 1, reference_revision_id: revisionIds.get(resultId) ?? null })),
    );
    // The testers in the order of their letters (the service draws it): the first is A.
    await trx('calibration_raters').insert(r.testerIds.map((testerId, i) => ({ round_id: row.id, tester_id: testerId, label_position: i + 1 })));
    return row.id;
  }

  async insertScore(s: Omit<CalibrationScore, 'submittedAt'>, now: string, trx: Db): Promise<void> {
    await trx('calibration_scores').insert({
      call_id: s.callId,
      tester_id: s.testerId,
      answers: JSON.stringify(s.answers),
      reasons: JSON.stringify(s.reasons),
      flags: JSON.stringify(s.flags),
      total_tenths: Math.round(s.total * 10),
      submitted_at: now,
    });
  }

  async markComplete(roundId: number, now: string, trx: Db): Promise<void> {
    await trx('calibration_rounds').where({ id: roundId, status: 'open' }).update({ status: 'complete', completed_at: now });
  }

  /** Closes an open round; false if it was no longer open. */
  async close(roundId: number, userId: number, now: string, trx: Db): Promise<boolean> {
    const n = await trx('calibration_rounds').where({ id: roundId, status: 'open' }).update({ status: 'closed', closed_by: userId, closed_at: now });
    return Number(n) > 0;
  }

  /**
   * Scored, counted (not withdrawn) results of units under `path` whose call has a playable recording,
   * newest first: the calls a round could take.
   */
  async candidates(path: string, limit: number, trx: Db = this.db): Promise<CandidateCall[]> {
    const rows = await trx('results')
      .join(playableByAssignmentQuery(trx).as('playable'), 'playable.assignment_id', 'results.assignment_id')
      .join('assignments', 'assignments.id', 'results.assignment_id')
      .join('units', 'units.id', 'results.unit_id')
      .join('users', 'users.id', 'results.tester_id')
      .where('units.path', 'like', `${path}%`)
      .where('results.kind', 'scored')
      .whereNull('results.withdrawn_at')
      .whereNotNull('results.sheet_version_id')
      .orderBy([
        { column: 'results.tested_on', order: 'desc' },
        { column: 'results.id', order: 'desc' },
      ])
      .limit(limit)
      .select('results.id', 'results.assignment_id', 'playable.recording_id', 'results.tester_id', 'users.name as tester_name', 'assignments.part', 'results.tested_on', 'units.path', 'units.name_zh', 'units.name_en');
    return rows.map(
      (r: { id: number; assignment_id: number; recording_id: number | string; tester_id: number; tester_name: string; part: Part; tested_on: string; path: string; name_zh: string; name_en: string }) => ({
        resultId: r.id,
        assignmentId: r.assignment_id,
        recordingId: Number(r.recording_id),
        scoredBy: r.tester_id,
        scoredByName: r.tester_name,
        part: r.part,
        testedOn: r.tested_on,
        unitPath: r.path,
        unitNameZh: r.name_zh,
        unitNameEn: r.name_en,
      }),
    );
  }
}
