import { randomInt } from 'node:crypto';
import { z } from 'zod';
import { canReach, reachPath, type CurrentUser } from '../auth/current-user';
import type { AppSettingsRepo } from '../platform/app-settings';
import type { Db } from '../platform/db';
import { ConflictError, NotFoundError } from '../platform/errors';
import type { FieldError } from '../platform/http';
import type { NotificationsRepo } from '../platform/notifications';
import { taiwanDateTime } from '../platform/roc-date';
import type { ItemBias } from '../stats/calibration';
import type { RecordingsRepo } from '../telephony/recordings-repo';
import { comparisonsOf, historyOf, roundFigures, type RoundFigures } from './calibration-view';
import type { CalibrationRepo, CalibrationScore, CandidateCall, Rater, Round, RoundCall } from './calibration-repo';
import type { ResultsRepo, Revision } from './results-repo';
import { bandsOf } from './results-service';
import { ringDecisionOf, ringItemOf, type MeasuredRing, type RingTimes } from './ring-decision';
import { parseScoreForm } from './score-form';
import type { VersionedSheet } from './scoresheet';
import { score } from './scoring';
import type { TestersRepo, TesterRecord } from './testers-repo';

/** Which calls have a recording that can still be played: assignment id → its newest playable recording's id. */
export type RecordedCalls = Pick<RecordingsRepo, 'playableByAssignment'>;

/** How many recent scored calls the new-round page offers. */
const CANDIDATE_LIMIT = 200;

const toArray = (v: unknown) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const ids = z.preprocess(toArray, z.array(z.coerce.number().int().positive().max(2_147_483_647)));

export const newRoundSchema = z.object({
  calls: ids.pipe(z.array(z.number()).min(1, 'calibration.error.calls').max(20, 'calibration.error.tooManyCalls')),
  testers: ids.pipe(z.array(z.number()).min(2, 'calibration.error.testers').max(30, 'calibration.error.tooManyTesters')),
  due_on: z.string().trim().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'calibration.error.due'),
});

export const closeSchema = z.object({ confirm: z.literal('yes', { error: 'calibration.error.confirmClose' }) });

export interface NewRoundForm {
  candidates: CandidateCall[];
  testers: TesterRecord[];
}

/** Under this key a calibration score's reasons keep why the tester typed another ring time than the measured one. */
export const RING_REASON = 'ring_reason';

/** A tester's blind task, with the call's measured ring time for the form to show pre-filled with its source. */
export interface CalibrationTask {
  round: Round;
  call: RoundCall;
  sheet: VersionedSheet;
  recordingId: number | null;
  ring: MeasuredRing | null;
  /** The sheet's item the ring time goes into (the part's first measured item). */
  ringItem: string | null;
}

export interface TesterTask {
  round: Round;
  call: RoundCall;
}

export interface RoundView {
  round: Round;
  calls: (RoundCall & { recordingId: number | null; referenceTotal: number | null })[];
  raters: (Rater & { label: string; submitted: number; you: boolean })[];
  /** Submitted (call id, tester id) pairs, for the progress table (no scores in it). */
  submitted: Set<string>;
  /** The figures, once the round is over (complete, or closed early); never while it is open. */
  figures: RoundFigures | null;
  /** Per call, the raters' totals (only once the round is over). */
  totals: Map<number, Map<number, number>>;
  sheet: VersionedSheet;
  canManage: boolean;
}

export interface TesterHistory {
  tester: TesterRecord;
  rounds: number;
  items: (ItemBias & { text: { 'zh-TW': string; en: string } | null; points: number | null })[];
}

const isManager = (u: CurrentUser) => u.role === 'admin' || u.role === 'manager';

export class CalibrationService {
  constructor(
    private readonly db: Db,
    private readonly repo: CalibrationRepo,
    private readonly results: ResultsRepo,
    private readonly testers: TestersRepo,
    private readonly settings: AppSettingsRepo,
    private readonly notifications: NotificationsRepo,
    private readonly recorded: RecordedCalls | null,
    /** The ring time measured by the call through the bridge: the recording starts at the answer, so it cannot tell. */
    private readonly ringTimes: Pick<RingTimes, 'measuredFor'> | null,
    private readonly clock: () => Date,
    private readonly shuffle: (ids: readonly number[]) => number[] = randomOrder,
  ) {}

  private today(): string {
    return taiwanDateTime(this.clock()).date;
  }

  private reach(user: CurrentUser): string {
    const reach = isManager(user) ? reachPath(user) : null;
    if (reach === null) throw new NotFoundError();
    return reach;
  }

  /** Recorded (playable), counted calls in the manager's reach, and the testers who could score them. */
  async newRoundForm(user: CurrentUser): Promise<NewRoundForm> {
    const reach = this.reach(user);
    return { candidates: await this.repo.candidates(reach, CANDIDATE_LIMIT), testers: await this.testers.inSubtree(reach) };
  }

  async create(user: CurrentUser, body: unknown): Promise<{ ok: true; roundId: number } | { ok: false; errors: FieldError[] }> {
    const parsed = newRoundSchema.safeParse(body ?? {});
    const form = await this.newRoundForm(user);
    const errors: FieldError[] = [];
    if (!parsed.success) {
      const seen = new Set<string>();
      for (const issue of parsed.error.issues) {
        const field = String(issue.path[0] ?? 'form');
        if (seen.has(field)) continue;
        seen.add(field);
        const key = issue.message.startsWith('calibration.') ? issue.message : field === 'due_on' ? 'calibration.error.due' : field === 'calls' ? 'calibration.error.calls' : 'calibration.error.testers';
        errors.push({ field, key: key as FieldError['key'] });
      }
      return { ok: false, errors };
    }
    const { calls, testers, due_on: dueOn } = parsed.data;
    const chosen = [...new Set(calls)].map((id) => form.candidates.find((c) => c.resultId === id));
    const testerIds = [...new Set(testers)];
    if (chosen.some((c) => c === undefined)) errors.push({ field: 'calls', key: 'calibration.error.notRecorded' });
    else {
      const versions = new Set<number | undefined>();
      for (const c of chosen) versions.add((await this.results.findResult((c as CandidateCall).resultId))?.sheetVersionId ?? undefined);
      if (versions.size > 1) errors.push({ field: 'calls', key: 'calibration.error.sheetVersions' });
    }
    if (testerIds.length < 2) errors.push({ field: 'testers', key: 'calibration.error.testers' });
    else if (testerIds.some((id) => !form.testers.some((t) => t.id === id))) errors.push({ field: 'testers', key: 'calibration.error.unknownTester' });
    else if (chosen.some((c) => c && testerIds.includes(c.scoredBy))) errors.push({ field: 'testers', key: 'calibration.error.ownCall' });
    if (dueOn < this.today()) errors.push({ field: 'due_on', key: 'calibration.error.duePast' });
    else if (Number.isNaN(Date.parse(`${dueOn}T00:00:00Z`)) || new Date(`${dueOn}T00:00:00Z`).toISOString().slice(0, 10) !== dueOn) {
      errors.push({ field: 'due_on', key: 'calibration.error.due' });
    }
    if (errors.length > 0) return { ok: false, errors: order(errors) };
    const now = this.clock().toISOString();
    const roundId = await this.db.transaction(async (trx) => {
      // The letters the testers go by for each other are drawn at random and kept with the round.
      const lettered = this.shuffle(testerIds);
      const id = await this.repo.insertRound({ dueOn, createdBy: user.id, resultIds: chosen.map((c) => (c as CandidateCall).resultId), testerIds: lettered }, now, trx);
      await this.notifications.add(testerIds, 'notify.calibrationInvited', { due: dueOn }, '/calibration', now, trx);
      return id;
    });
    return { ok: true, roundId };
  }

  /** Rounds a manager can see: every call's unit in reach. */
  async list(user: CurrentUser): Promise<{ round: Round; calls: number; raters: number; scores: number; expected: number }[]> {
    const rounds = user.role === 'tester' ? await this.repo.roundsOfTester(user.id) : await this.repo.allRounds();
    const calls = await this.repo.callsOf(rounds.map((r) => r.id));
    const raters = await this.repo.ratersOf(rounds.map((r) => r.id));
    const scores = await this.repo.scoresOf(calls.map((c) => c.id));
    return rounds
      .filter((r) => user.role === 'tester' || calls.filter((c) => c.roundId === r.id).every((c) => canReach(user, c.unitPath)))
      .map((round) => {
        const own = calls.filter((c) => c.roundId === round.id);
        const k = raters.filter((x) => x.roundId === round.id).length;
        return { round, calls: own.length, raters: k, scores: scores.filter((s) => own.some((c) => c.id === s.callId)).length, expected: own.length * k };
      });
  }

  /** The calls a tester still has to score in open rounds, the earliest due first. */
  async tasks(user: CurrentUser): Promise<TesterTask[]> {
    if (user.role !== 'tester') return [];
    const rounds = (await this.repo.roundsOfTester(user.id)).filter((r) => r.status === 'open');
    const calls = await this.repo.callsOf(rounds.map((r) => r.id));
    const done = await this.repo.scoredBy(user.id, calls.map((c) => c.id));
    return calls
      .filter((c) => !done.has(c.id))
      .map((call) => ({ round: rounds.find((r) => r.id === call.roundId) as Round, call }))
      .sort((a, b) => a.round.dueOn.localeCompare(b.round.dueOn) || a.round.id - b.round.id || a.call.position - b.call.position);
  }

  private async sheetOf(call: RoundCall): Promise<VersionedSheet> {
    const v = await this.results.sheetVersion(call.sheetVersionId);
    return { sheet: v.sheet, version: v.version };
  }

  /** The reference score: the revision kept when the round was created (the latest, for a call stored without one). */
  private async referenceOf(call: RoundCall): Promise<Revision | undefined> {
    const revisions = await this.results.revisions(call.resultId);
    return call.referenceRevisionId === null ? revisions[revisions.length - 1] : revisions.find((r) => r.id === call.referenceRevisionId);
  }

  private async recordingOf(call: RoundCall): Promise<number | null> {
    return (await this.recorded?.playableByAssignment([call.assignmentId]))?.get(call.assignmentId) ?? null;
  }

  /**
   * A tester's blind task: invited, round open, not yet scored by them; anything else is 404 (or 409 once
   * scored or closed), so a URL reveals nothing about rounds the tester is not in.
   */
  async task(user: CurrentUser, roundId: number, callId: number): Promise<CalibrationTask> {
    const round = await this.repo.findRound(roundId);
    if (!round || user.role !== 'tester') throw new NotFoundError();
    const raters = await this.repo.ratersOf([round.id]);
    if (!raters.some((r) => r.testerId === user.id)) throw new NotFoundError();
    const call = (await this.repo.callsOf([round.id])).find((c) => c.id === callId);
    if (!call) throw new NotFoundError();
    if (round.status !== 'open') throw new ConflictError('calibration.error.roundOver');
    if ((await this.repo.scoredBy(user.id, [call.id])).has(call.id)) throw new ConflictError('calibration.error.alreadyScored');
    const sheet = await this.sheetOf(call);
    return { round, call, sheet, recordingId: await this.recordingOf(call), ring: await this.ringOf(call), ringItem: ringItemOf(sheet, call.part) };
  }

  /** The call's measured ring time, as the scoring form showed it to the tester who made the call. */
  private async ringOf(call: RoundCall): Promise<MeasuredRing | null> {
    return (await this.ringTimes?.measuredFor(call.assignmentId)) ?? null;
  }

  /** Stores a tester's blind score; the last one due completes the round, in the same transaction. */
  async submit(user: CurrentUser, roundId: number, callId: number, body: unknown): Promise<{ ok: true; complete: boolean } | { ok: false; errors: FieldError[] }> {
    const { call, sheet, ring, ringItem } = await this.task(user, roundId, callId);
    const parsed = parseScoreForm(sheet.sheet, [call.part], body);
    // A figure other than the measured ring time needs a reason, as on the scoring form; it is kept with the score.
    const decided = ringDecisionOf(body, ringItem, ring);
    if (!parsed.ok || !decided.ok) return { ok: false, errors: [...(parsed.ok ? [] : parsed.errors), ...(decided.ok ? [] : [decided.error])] };
    const override = decided.decision?.override;
    const reasons = override ? { ...parsed.data.reasons, [RING_REASON]: override.reason } : parsed.data.reasons;
    if (parsed.data.version !== sheet.version) throw new ConflictError('score.error.staleVersion');
    const s = score(sheet.sheet, [call.part], parsed.data.answers, parsed.data.flags, bandsOf(await this.settings.get()));
    const now = this.clock().toISOString();
    const complete = await this.db.transaction(async (trx) => {
      await this.repo.lockRound(roundId, trx);
      const round = await this.repo.findRound(roundId, trx);
      if (!round || round.status !== 'open') throw new ConflictError('calibration.error.roundOver');
      if ((await this.repo.scoredBy(user.id, [call.id], trx)).has(call.id)) throw new ConflictError('calibration.error.alreadyScored');
      await this.repo.insertScore({ callId: call.id, testerId: user.id, answers: parsed.data.answers, reasons, flags: parsed.data.flags, total: s.total }, now, trx);
      const calls = await this.repo.callsOf([roundId], trx);
      const raters = await this.repo.ratersOf([roundId], trx);
      const done = (await this.repo.countScores(roundId, trx)) >= calls.length * raters.length;
      if (done) await this.repo.markComplete(roundId, now, trx);
      return done;
    });
    return { ok: true, complete };
  }

  /**
   * The round page. Managers (calls in reach) always see its progress, and its figures once it is over;
   * an invited tester sees it only once it is over; anyone else gets 404.
   */
  async view(user: CurrentUser, roundId: number): Promise<RoundView> {
    const round = await this.repo.findRound(roundId);
    if (!round) throw new NotFoundError();
    const calls = await this.repo.callsOf([round.id]);
    const raters = await this.repo.ratersOf([round.id]);
    const over = round.status !== 'open';
    if (isManager(user)) {
      if (!calls.every((c) => canReach(user, c.unitPath))) throw new NotFoundError();
    } else if (user.role !== 'tester' || !over || !raters.some((r) => r.testerId === user.id)) {
      throw new NotFoundError();
    }
    const scores = await this.repo.scoresOf(calls.map((c) => c.id));
    const first = calls[0];
    if (!first) throw new NotFoundError();
    const sheet = await this.sheetOf(first);
    const references = new Map<number, { answers: CalibrationScore['answers']; total: number | null }>();
    if (over) {
      for (const c of calls) {
        const reference = await this.referenceOf(c);
        references.set(c.id, { answers: reference?.answers ?? {}, total: reference?.total ?? null });
      }
    }
    const recordings = this.recorded ? await this.recorded.playableByAssignment(calls.map((c) => c.assignmentId)) : new Map<number, number>();
    // Testers see the others as "Tester A, B, …" (the letters drawn when the round was created, listed in
    // that order) and themselves as "you"; managers see names, in name order.
    const ordered = isManager(user) ? raters : [...raters].sort((a, b) => a.labelPosition - b.labelPosition);
    const labelled = ordered.map((r) => ({
      testerId: r.testerId,
      name: r.name,
      labelPosition: r.labelPosition,
      label: isManager(user) ? r.name : letterOf(r.labelPosition),
      you: r.testerId === user.id,
      submitted: scores.filter((s) => s.testerId === r.testerId).length,
    }));
    const totals = new Map<number, Map<number, number>>();
    if (over) for (const s of scores) totals.set(s.callId, (totals.get(s.callId) ?? new Map<number, number>()).set(s.testerId, s.total));
    const figures = over
      ? roundFigures(
          sheet.sheet,
          calls.map((c) => ({
            part: c.part,
            reference: references.get(c.id) ?? { answers: {}, total: null },
            scores: scores.filter((s) => s.callId === c.id).map((s) => ({ testerId: s.testerId, answers: s.answers, total: s.total })),
          })),
          ordered.map((r) => r.testerId),
        )
      : null;
    return {
      round,
      calls: calls.map((c) => ({ ...c, recordingId: recordings.get(c.assignmentId) ?? null, referenceTotal: references.get(c.id)?.total ?? null })),
      raters: labelled,
      submitted: new Set(scores.map((s) => `${s.callId}:${s.testerId}`)),
      figures,
      totals,
      sheet,
      canManage: isManager(user),
    };
  }

  /** Ends an open round early, on a manager's explicit confirmation; who did not submit shows on the page. */
  async close(user: CurrentUser, roundId: number, body: unknown): Promise<{ ok: true } | { ok: false; errors: FieldError[] }> {
    const view = await this.view(user, roundId);
    if (!view.canManage) throw new NotFoundError();
    if (view.round.status !== 'open') throw new ConflictError('calibration.error.roundOver');
    if (!closeSchema.safeParse(body ?? {}).success) return { ok: false, errors: [{ field: 'confirm', key: 'calibration.error.confirmClose' }] };
    const closed = await this.db.transaction(async (trx) => {
      await this.repo.lockRound(roundId, trx);
      return this.repo.close(roundId, user.id, this.clock().toISOString(), trx);
    });
    if (!closed) throw new ConflictError('calibration.error.roundOver');
    return { ok: true };
  }

  /**
   * A tester's calibration history over the finished rounds the manager may see (every call's unit in
   * reach, as on the list); a round still open stays blind.
   */
  async history(user: CurrentUser, testerId: number): Promise<TesterHistory> {
    const reach = this.reach(user);
    const tester = (await this.testers.inSubtree(reach)).find((t) => t.id === testerId);
    if (!tester) throw new NotFoundError();
    const rounds = (await this.repo.roundsOfTester(testerId)).filter((r) => r.status !== 'open');
    const all = await this.repo.callsOf(rounds.map((r) => r.id));
    const hidden = new Set(all.filter((c) => !canReach(user, c.unitPath)).map((c) => c.roundId));
    const calls = all.filter((c) => !hidden.has(c.roundId));
    const scores = (await this.repo.scoresOf(calls.map((c) => c.id))).filter((s) => s.testerId === testerId);
    const sheets = new Map<number, VersionedSheet>();
    const comparisons = [];
    const itemInfo = new Map<string, { text: { 'zh-TW': string; en: string }; points: number }>();
    for (const s of scores) {
      const call = calls.find((c) => c.id === s.callId);
      if (!call) continue;
      const sheet = sheets.get(call.sheetVersionId) ?? (await this.sheetOf(call));
      sheets.set(call.sheetVersionId, sheet);
      for (const p of sheet.sheet.parts) for (const sec of p.sections) for (const i of sec.items) if (!itemInfo.has(i.key)) itemInfo.set(i.key, { text: i.text, points: i.points });
      const reference = (await this.referenceOf(call))?.answers ?? {};
      comparisons.push(...comparisonsOf(sheet.sheet, call.part, s.answers, reference));
    }
    const items = historyOf(comparisons).map((b) => ({ ...b, text: itemInfo.get(b.itemKey)?.text ?? null, points: itemInfo.get(b.itemKey)?.points ?? null }));
    return { tester, rounds: new Set(calls.filter((c) => scores.some((s) => s.callId === c.id)).map((c) => c.roundId)).size, items };
  }

  /** Testers in the manager's reach, for the history links. */
  async testersInReach(user: CurrentUser): Promise<TesterRecord[]> {
    return this.testers.inSubtree(this.reach(user));
  }

  /** The recording of a call of a round, if the user may hear it: managers in reach, and the round's invited testers. */
  async recordingFor(user: CurrentUser, roundId: number, callId: number): Promise<number> {
    const round = await this.repo.findRound(roundId);
    if (!round) throw new NotFoundError();
    const call = (await this.repo.callsOf([round.id])).find((c) => c.id === callId);
    if (!call) throw new NotFoundError();
    if (isManager(user)) {
      if (!canReach(user, call.unitPath)) throw new NotFoundError();
    } else if (!(await this.repo.ratersOf([round.id])).some((r) => r.testerId === user.id)) throw new NotFoundError();
    const id = await this.recordingOf(call);
    if (id === null) throw new NotFoundError();
    return id;
  }
}

/** A rater's letter: 1 → A, 2 → B, … (a round has at most 30 raters: then AA, AB, …). */
export function letterOf(position: number): string {
  const n = Math.max(1, Math.trunc(position)) - 1;
  return n < 26 ? String.fromCharCode(65 + n) : `${String.fromCharCode(64 + Math.floor(n / 26))}${String.fromCharCode(65 + (n % 26))}`;
}

/** The testers in a random order (Fisher–Yates with crypto.randomInt: nothing to predict it from). */
export function randomOrder(ids: readonly number[]): number[] {
  const out = [...ids];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = randomInt(i + 1);
    [out[i], out[j]] = [out[j] as number, out[i] as number];
  }
  return out;
}

const FIELD_ORDER = ['calls', 'testers', 'due_on'];
function order(errors: FieldError[]): FieldError[] {
  return [...errors].sort((a, b) => FIELD_ORDER.indexOf(a.field) - FIELD_ORDER.indexOf(b.field));
}
