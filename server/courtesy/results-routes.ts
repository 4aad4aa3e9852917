import type { Request, Response } from 'express';
import { z } from 'zod';
import type { CurrentUser } from '../auth/current-user';
import { NotFoundError } from '../platform/errors';
import { parseForm, renderFormErrors, renderPage, setFlash, type FieldError } from '../platform/http';
import { get, idOf, me, post, type Route } from '../platform/routes';
import type { CasesService } from './cases-service';
import { ATTEMPT_OUTCOMES } from './results-repo';
import type { ResultsService } from './results-service';
import { ringSourceText } from '../telephony/call-texts';
import { ringItemOf } from './ring-decision';
import { formValuesOf } from './score-form';
import type { RecordingsService } from '../telephony/recordings-service';
import { scoreTableColumns, scoreTableRows } from './score-table';
import { sendExport } from '../exports/send';
import { tableOf } from '../exports/table';

const MANAGE = ['admin', 'manager'] as const;
const TESTER = ['tester'] as const;
const SEE_RESULTS = ['admin', 'manager', 'tester', 'unit_head'] as const;
const CASES = ['admin', 'manager', 'unit_head'] as const;

const attemptSchema = z.object({ outcome: z.enum(ATTEMPT_OUTCOMES, { error: 'validation.choose' }) });
const reasonSchema = z.object({ reason: z.string().trim().min(1, 'result.error.reasonRequired').max(1000, 'validation.tooLong') });
const reportSchema = z.object({
  cause: z.string().trim().min(1, 'validation.required').max(4000, 'validation.tooLong'),
  actions: z.string().trim().min(1, 'validation.required').max(4000, 'validation.tooLong'),
});
const decisionSchema = z
  .object({ decision: z.enum(['accept', 'return'], { error: 'validation.choose' }), comment: z.string().trim().max(2000, 'validation.tooLong').default('') })
  .refine((v) => v.decision === 'accept' || v.comment.length > 0, { path: ['comment'], message: 'case.error.commentRequired' });
const tableSchema = z.object({
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/).optional(),
  scope: z.coerce.number().int().positive().optional(),
});



/**
 * `calling`: testers call through Twilio (else manual mode, and the pages say so).
 * `calibrationTasks`: how many calibration calls the tester still has to score (shown on the day page).
 */
export function resultsRoutes(
  results: ResultsService,
  cases: CasesService,
  calling: boolean,
  recordings: RecordingsService,
  calibrationTasks: (user: CurrentUser) => Promise<number> = async () => 0,
): Route[] {
  const scoreForm = async (req: Request, res: Response, errors: FieldError[], values: unknown, status = 200) => {
    const { assignment, sheet, attempts, ring } = await results.formFor(me(req), idOf(req, 'id'));
    // A ring time measured by a call through the bridge is filled in, with where it comes from beside it.
    const ringItem = ringItemOf(sheet, assignment.part);
    const measured = ring && ringItem ? { item: ringItem, seconds: ring.seconds, source: ringSourceText(ring, req.t) } : null;
    const initial = { version: sheet.version, ...(measured && measured.seconds !== null ? { [`a_${measured.item}`]: String(measured.seconds) } : {}) };
    const locals = { assignment, sheet, attempts, action: `/assignments/${assignment.id}/score`, errors, values: values ?? initial, ring: measured, calling };
    await renderPage(res, 'courtesy/score-form', locals, status);
  };
  const casePage = async (req: Request, res: Response, errors: FieldError[] = [], values: unknown = {}, status = 200) => {
    const { record, events } = await cases.get(me(req), idOf(req, 'id'));
    await renderPage(res, 'courtesy/case', { record, events, errors, values }, status);
  };

  return [
    get('/my/assignments', TESTER, async (req, res) => {
      const calibration = await calibrationTasks(me(req));
      await renderPage(res, 'courtesy/my-assignments', { items: await results.myDay(me(req)), outcomes: ATTEMPT_OUTCOMES, calling, recording: await recordings.recordingOn(), calibration });
    }),

    post('/assignments/:id/attempts', TESTER, async (req, res) => {
      const form = parseForm(attemptSchema, req.body);
      const recorded = form.ok ? await results.recordAttempt(me(req), idOf(req, 'id'), form.data.outcome) : form;
      if (!recorded.ok) {
        const errors = recorded.errors.map((e) => ({ ...e, field: `outcome-${idOf(req, 'id')}` }));
        const locals = { items: await results.myDay(me(req)), outcomes: ATTEMPT_OUTCOMES, calling, recording: await recordings.recordingOn() };
        return renderFormErrors(res, 'courtesy/my-assignments', errors, req.body, locals);
      }
      setFlash(req, recorded.unreachable ? 'attempt.unreachable' : 'attempt.recorded');
      res.redirect(303, '/my/assignments');
    }),

    get('/assignments/:id/score', TESTER, async (req, res) => {
      await scoreForm(req, res, [], undefined);
    }),

    post('/assignments/:id/score', TESTER, async (req, res) => {
      const preview = await results.preview(me(req), idOf(req, 'id'), req.body);
      if (!preview.form.ok) return scoreForm(req, res, preview.form.errors, req.body, 422);
      const values: Record<string, string | string[]> = formValuesOf(preview.sheet.sheet, [preview.assignment.part], preview.form.data);
      // The reason for changing a measured ring time goes through the confirmation with the answers.
      const override = preview.form.ringDecision?.override;
      if (override) values.ring_reason = override.reason;
      await renderPage(res, 'courtesy/score-confirm', { assignment: preview.assignment, sheet: preview.sheet, score: preview.form.score, values });
    }),

    post('/assignments/:id/score/edit', TESTER, async (req, res) => {
      await scoreForm(req, res, [], req.body);
    }),

    post('/assignments/:id/score/confirm', TESTER, async (req, res) => {
      const saved = await results.submit(me(req), idOf(req, 'id'), req.body);
      if (!saved.ok) return scoreForm(req, res, saved.errors, req.body, 422);
      setFlash(req, 'result.saved');
      res.redirect(303, `/results/${saved.resultId}`);
    }),

    get('/results/overdue', MANAGE, async (req, res) => {
      await renderPage(res, 'courtesy/overdue', { rows: await results.overdue(me(req)) });
    }),

    get('/scores', MANAGE, async (req, res) => {
      const query = tableSchema.safeParse(req.query);
      const table = await results.scoreTable(me(req), query.success ? query.data : {});
      await renderPage(res, 'courtesy/scores', { table });
    }),

    get('/scores.csv', MANAGE, async (req, res) => {
      const query = tableSchema.safeParse(req.query);
      const table = await results.scoreTable(me(req), query.success ? query.data : {});
      await sendExport(res, 'csv', tableOf(`scores-${table.scope?.code ?? 'all'}-${table.month}`, scoreTableColumns(req.t), scoreTableRows(table, req.lang, req.t)));
    }),

    get('/results/:id', SEE_RESULTS, async (req, res) => {
      const view = await results.view(me(req), idOf(req, 'id'));
      await renderPage(res, 'courtesy/result', { view, recordings: await recordings.ofAssignment(me(req), view.assignment.id) });
    }),

    get('/results/:id/revise', ['admin', 'manager', 'tester'], async (req, res) => {
      const view = await results.view(me(req), idOf(req, 'id'));
      const latest = view.revisions[view.revisions.length - 1];
      if (!latest || view.result.kind !== 'scored' || view.result.withdrawnAt) throw new NotFoundError();
      const values = formValuesOf(view.sheet.sheet, [view.assignment.part], { version: view.sheet.version, answers: latest.answers, reasons: latest.reasons, flags: latest.flags });
      await renderPage(res, 'courtesy/result-revise', { view, sheet: view.sheet, assignment: view.assignment, action: `/results/${view.result.id}/revise`, values });
    }),

    post('/results/:id/revise', ['admin', 'manager', 'tester'], async (req, res) => {
      const id = idOf(req, 'id');
      const reason = typeof req.body?.reason === 'string' ? req.body.reason : '';
      const saved = await results.revise(me(req), id, req.body, reason);
      if (!saved.ok) {
        const view = await results.view(me(req), id);
        return renderFormErrors(res, 'courtesy/result-revise', saved.errors, req.body, { view, sheet: view.sheet, assignment: view.assignment, action: `/results/${id}/revise` });
      }
      setFlash(req, 'result.revised');
      res.redirect(303, `/results/${id}`);
    }),

    post('/results/:id/withdraw', MANAGE, async (req, res) => {
      const id = idOf(req, 'id');
      const form = parseForm(reasonSchema, req.body);
      const done = form.ok ? await results.withdraw(me(req), id, form.data.reason) : form;
      if (!done.ok) return renderFormErrors(res, 'courtesy/result', done.errors, req.body, { view: await results.view(me(req), id) });
      setFlash(req, 'result.withdrawn');
      res.redirect(303, `/results/${id}`);
    }),

    get('/cases', CASES, async (req, res) => {
      await renderPage(res, 'courtesy/cases', { cases: await cases.list(me(req)) });
    }),

    get('/cases/:id', CASES, async (req, res) => {
      await casePage(req, res);
    }),

    post('/cases/:id/report', ['unit_head'], async (req, res) => {
      const form = parseForm(reportSchema, req.body);
      if (!form.ok) return casePage(req, res, form.errors, req.body, 422);
      await cases.fileReport(me(req), idOf(req, 'id'), form.data.cause, form.data.actions);
      setFlash(req, 'case.reported');
      res.redirect(303, `/cases/${idOf(req, 'id')}`);
    }),

    post('/cases/:id/decision', MANAGE, async (req, res) => {
      const form = parseForm(decisionSchema, req.body);
      if (!form.ok) return casePage(req, res, form.errors, req.body, 422);
      await cases.decide(me(req), idOf(req, 'id'), form.data.decision, form.data.comment);
      setFlash(req, form.data.decision === 'accept' ? 'case.accepted' : 'case.returned');
      res.redirect(303, `/cases/${idOf(req, 'id')}`);
    }),
  ];
}
