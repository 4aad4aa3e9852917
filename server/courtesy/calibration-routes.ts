import type { Request, Response } from 'express';
import type { FieldError } from '../platform/http';
import { renderPage, setFlash } from '../platform/http';
import { get, idOf, me, post, type Route } from '../platform/routes';
import { ringSourceText } from '../telephony/call-texts';
import { sendRecording } from '../telephony/recordings-routes';
import type { RecordingsService } from '../telephony/recordings-service';
import type { CalibrationService } from './calibration-service';

const MANAGE = ['admin', 'manager'] as const;
const TESTER = ['tester'] as const;
const TAKE_PART = ['admin', 'manager', 'tester'] as const;

/** Calibration rounds: managers ask testers to score recorded calls blind, then read how they agree. */
export function calibrationRoutes(calibration: CalibrationService, recordings: RecordingsService): Route[] {
  const newForm = async (req: Request, res: Response, errors: FieldError[] = [], values: unknown = {}, status = 200) => {
    await renderPage(res, 'courtesy/calibration-new', { form: await calibration.newRoundForm(me(req)), errors, values }, status);
  };
  const scoreForm = async (req: Request, res: Response, errors: FieldError[], values: unknown, status = 200) => {
    const task = await calibration.task(me(req), idOf(req, 'id'), idOf(req, 'callId'));
    const action = `/calibration/${task.round.id}/calls/${task.call.id}`;
    // The ring time is not in the recording (it starts at the answer): the measured figure is filled in with
    // its source, as on the scoring form, so that every tester scores the answer speed from the same figure.
    const ring = task.ring && task.ringItem ? { item: task.ringItem, seconds: task.ring.seconds, source: ringSourceText(task.ring, req.t) } : null;
    const initial = { version: task.sheet.version, ...(ring && ring.seconds !== null ? { [`a_${ring.item}`]: String(ring.seconds) } : {}) };
    // score-fields.ejs reads the part from `assignment`.
    const locals = { task, sheet: task.sheet, assignment: { part: task.call.part }, action, errors, values: values ?? initial, ring, calling: true };
    await renderPage(res, 'courtesy/calibration-score', locals, status);
  };
  const roundPage = async (req: Request, res: Response, errors: FieldError[] = [], values: unknown = {}, status = 200) => {
    await renderPage(res, 'courtesy/calibration-round', { view: await calibration.view(me(req), idOf(req, 'id')), errors, values }, status);
  };

  return [
    get('/calibration', TAKE_PART, async (req, res) => {
      const user = me(req);
      const testers = user.role === 'tester' ? [] : await calibration.testersInReach(user);
      await renderPage(res, 'courtesy/calibration-list', { rounds: await calibration.list(user), tasks: await calibration.tasks(user), testers });
    }),

    get('/calibration/new', MANAGE, async (req, res) => {
      await newForm(req, res);
    }),

    post('/calibration', MANAGE, async (req, res) => {
      const created = await calibration.create(me(req), req.body);
      if (!created.ok) return newForm(req, res, created.errors, req.body, 422);
      setFlash(req, 'calibration.created');
      res.redirect(303, `/calibration/${created.roundId}`);
    }),

    get('/calibration/testers/:id', MANAGE, async (req, res) => {
      await renderPage(res, 'courtesy/calibration-history', { history: await calibration.history(me(req), idOf(req, 'id')) });
    }),

    get('/calibration/:id', TAKE_PART, async (req, res) => {
      await roundPage(req, res);
    }),

    post('/calibration/:id/close', MANAGE, async (req, res) => {
      const closed = await calibration.close(me(req), idOf(req, 'id'), req.body);
      if (!closed.ok) return roundPage(req, res, closed.errors, req.body, 422);
      setFlash(req, 'calibration.closed');
      res.redirect(303, `/calibration/${idOf(req, 'id')}`);
    }),

    get('/calibration/:id/calls/:callId', TESTER, async (req, res) => {
      await scoreForm(req, res, [], undefined);
    }),

    post('/calibration/:id/calls/:callId', TESTER, async (req, res) => {
      const saved = await calibration.submit(me(req), idOf(req, 'id'), idOf(req, 'callId'), req.body);
      if (!saved.ok) return scoreForm(req, res, saved.errors, req.body, 422);
      setFlash(req, saved.complete ? 'calibration.submittedLast' : 'calibration.submitted');
      res.redirect(303, '/calibration');
    }),

    // The call's recording, streamed through the server to the round's invited testers and to managers
    // in reach (the recordings page's own rule would let only the tester who made the call hear it).
    get('/calibration/:id/calls/:callId/recording', TAKE_PART, async (req, res) => {
      const recordingId = await calibration.recordingFor(me(req), idOf(req, 'id'), idOf(req, 'callId'));
      await sendRecording(req, res, (range) => recordings.media(recordingId, range));
    }),
  ];
}
