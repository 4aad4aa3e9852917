import crypto from 'node:crypto';
import path from 'node:path';
import { parseScoreForm } from '../../server/courtesy/score-form';
import { loadScoresheets } from '../../server/courtesy/scoresheet';
import { score } from '../../server/courtesy/scoring';
import type { Db } from '../../server/platform/db';
import { ResultsRepo } from '../../server/courtesy/results-repo';
import { CallsRepo } from '../../server/telephony/calls-repo';
import { RecordingsRepo } from '../../server/telephony/recordings-repo';
import { callEventFromParams } from '../../server/telephony/ring-time';
import { callLeg, callStatusParams, type CallLeg } from './fake-twilio';
import { fullMarksUnitAnswers } from './score-answers';

/** The unit leg's callbacks of an answered call: initiated, ringing, answered after ringSeconds, completed. */
function answeredLeg(leg: CallLeg, start: Date, ringSeconds: number, talkSeconds: number): Record<string, string>[] {
  const plus = (s: number) => new Date(start.getTime() + s * 1000);
  return [
    callStatusParams(leg, 'initiated', 0, start),
    callStatusParams(leg, 'ringing', 1, plus(1)),
    callStatusParams(leg, 'in-progress', 2, plus(1 + ringSeconds)),
    callStatusParams(leg, 'completed', 3, plus(1 + ringSeconds + talkSeconds), { CallDuration: String(talkSeconds) }),
  ];
}

/**
 * A scored phone test of a unit as the scoring form leaves it (a result whose first revision holds the
 * answers of `form`, full marks by default), on an assignment of a published plan, with a call through
 * the bridge and, unless `recorded` is false, a completed recording of it; with `ringSeconds`, the unit leg's
 * status callbacks of an answer after that many seconds of ringing.
 */
export async function seedRecordedResult(
  db: Db,
  o: { agencyId: number; unitId: number; testerId: number; date: string; recorded?: boolean; overrides?: Record<string, string>; ringSeconds?: number },
): Promise<{ resultId: number; assignmentId: number; recordingId: number | null; total: number }> {
  const now = new Date().toISOString();
  const sheet = loadScoresheets(path.resolve(__dirname, '../../surveys/scoresheets')).find((v) => v.sheet.key === 'standard');
  if (!sheet) throw new Error('no standard scoring sheet');
  const results = new ResultsRepo(db);
  const sheetVersionId = await results.ensureSheetVersion(sheet, now);
  const form = parseScoreForm(sheet.sheet, ['unit'], fullMarksUnitAnswers(sheet.version, o.overrides));
  if (!form.ok) throw new Error(`seed answers do not parse: ${JSON.stringify(form.errors)}`);
  const s = score(sheet.sheet, ['unit'], form.data.answers, form.data.flags);
  const month = o.date.slice(0, 7);
  let plan = await db('plans').where({ scope_unit_id: o.agencyId, month }).first<{ id: number } | undefined>();
  if (!plan) {
    [plan] = await db('plans')
      .insert({ scope_unit_id: o.agencyId, month, status: 'published', seed: `seed-${month}`, warnings: '[]', created_by: o.testerId, created_at: now, published_by: o.testerId, published_at: now })
      .returning<{ id: number }[]>('id');
  }
  return db.transaction(async (trx) => {
    const [assignment] = await trx('assignments')
      .insert({ plan_id: plan?.id, unit_id: o.unitId, part: 'unit', tester_id: o.testerId, date: o.date, window_start: '09:30', window_end: '10:30', reason_key: 'plan.reason.never', reason_params: '{}', retest_case_id: null, created_at: now, updated_at: now })
      .returning<{ id: number }[]>('id');
    const assignmentId = assignment?.id ?? 0;
    const resultId = await results.insertResult({ assignmentId, unitId: o.unitId, testerId: o.testerId, sheetVersionId, kind: 'scored', testedOn: o.date }, now, trx);
    await results.addRevision(
      resultId,
      { answers: form.data.answers, reasons: {}, flags: [], ringSeconds: form.data.ringSeconds, total: s.total, band: s.band, deductions: s.deductions, createdBy: o.testerId, reason: null },
      now,
      trx,
    );
    const calls = new CallsRepo(trx);
    const callId = await calls.insert({ assignmentId, testerId: o.testerId, answeredByMenu: false }, now, trx);
    if (o.ringSeconds !== undefined) {
      // The unit leg's status callbacks, as Twilio sends them: it rang for ringSeconds, then was answered.
      for (const params of answeredLeg(callLeg(), new Date(`${o.date}T01:40:00Z`), o.ringSeconds, 95)) {
        const event = callEventFromParams(params);
        if (!event) throw new Error('seed event does not parse');
        await calls.addEvent(callId, 'unit', event, params, now, trx);
      }
    }
    let recordingId: number | null = null;
    if (o.recorded !== false) {
      const sid = `RE${crypto.randomBytes(16).toString('hex')}`;
      const recordings = new RecordingsRepo(trx);
      await recordings.store(callId, { recordingSid: sid, status: 'completed', durationSeconds: 95, channels: 2, errorCode: null, startedAt: null }, now, trx);
      recordingId = (await recordings.findBySid(sid, trx))?.id ?? null;
    }
    return { resultId, assignmentId, recordingId, total: s.total };
  });
}
