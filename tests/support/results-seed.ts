import path from 'node:path';
import { ResultsRepo } from '../../server/courtesy/results-repo';
import { loadScoresheets } from '../../server/courtesy/scoresheet';
import { bandOf } from '../../server/courtesy/scoring';
import type { Db } from '../../server/platform/db';

export interface SeedResult {
  unitId: number;
  /** ISO date of the test. */
  date: string;
  /** Null: the unit could not be reached. */
  total: number | null;
  deductions?: { itemKey: string; lost: number }[];
}

/**
 * Stores scored phone tests as the scoring form would leave them (a result
 * and its first revision), each on an assignment of a published plan of its
 * month for the agency.
 */
export async function seedPhoneResults(db: Db, agencyId: number, testerId: number, items: readonly SeedResult[]): Promise<void> {
  const now = new Date().toISOString();
  const results = new ResultsRepo(db);
  const [sheet] = loadScoresheets(path.resolve(__dirname, '../../surveys/scoresheets'));
  if (!sheet) throw new Error('no scoresheet');
  const sheetVersionId = await results.ensureSheetVersion(sheet, now);
  const plans = new Map<string, number>();
  for (const item of items) {
    const month = item.date.slice(0, 7);
    let planId = plans.get(month) ?? (await db('plans').where({ scope_unit_id: agencyId, month }).first<{ id: number } | undefined>())?.id;
    if (planId === undefined) {
      const [plan] = await db('plans')
        .insert({ scope_unit_id: agencyId, month, status: 'published', seed: `seed-${month}`, warnings: '[]', created_by: testerId, created_at: now, published_by: testerId, published_at: now })
        .returning<{ id: number }[]>('id');
      planId = plan?.id ?? 0;
    }
    plans.set(month, planId);
    await db.transaction(async (trx) => {
      const [assignment] = await trx('assignments')
        .insert({ plan_id: planId, unit_id: item.unitId, part: 'unit', tester_id: testerId, date: item.date, window_start: '09:30', window_end: '10:30', reason_key: 'plan.reason.never', reason_params: '{}', retest_case_id: null, created_at: now, updated_at: now })
        .returning<{ id: number }[]>('id');
      const kind = item.total === null ? 'unreachable' : 'scored';
      const resultId = await results.insertResult({ assignmentId: assignment?.id ?? 0, unitId: item.unitId, testerId, sheetVersionId, kind, testedOn: item.date }, now, trx);
      await results.addRevision(
        resultId,
        { answers: {}, reasons: {}, flags: [], ringSeconds: 8, total: item.total, band: item.total === null ? null : bandOf(item.total), deductions: item.deductions ?? [], createdBy: testerId, reason: null },
        now,
        trx,
      );
    });
  }
}
