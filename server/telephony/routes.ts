import type { RequestHandler } from 'express';
import { z } from 'zod';
import { ATTEMPT_OUTCOMES } from '../courtesy/results-repo';
import type { ResultsService } from '../courtesy/results-service';
import type { Config } from '../platform/config';
import { ForbiddenError } from '../platform/errors';
import { renderFormErrors, renderPage } from '../platform/http';
import { get, idOf, me, post, type Route } from '../platform/routes';
import { callTexts } from './call-texts';
import { validateTwilioSignature } from './client';
import type { RecordingsService } from './recordings-service';
import type { TelephonyService } from './service';

const TESTER = ['tester'] as const;

/**
 * Twilio's webhooks carry no session and no CSRF token (app.ts exempts
 * /twilio/ from both): each must be signed with the account's auth token for
 * the exact public URL it was sent to, or it is refused before anything is read.
 */
function signedByTwilio(config: Config): RequestHandler {
  return (req, _res, next) => {
    const token = config.twilio?.authToken;
    if (!token || !validateTwilioSignature(token, config.publicBaseUrl, req.originalUrl, req.headers, req.body)) return next(new ForbiddenError());
    next();
  };
}

/** The recording consent box beside Call: ticked or not (anything else is not a consent). */
const callForm = z.object({ consent: z.literal('yes').optional().catch(undefined) });

const formOf = (body: unknown): Record<string, unknown> => (typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {});

export function telephonyRoutes(telephony: TelephonyService, results: ResultsService, config: Config, recordings: RecordingsService): Route[] {
  const signed = signedByTwilio(config);
  return [
    post('/assignments/:id/call', TESTER, async (req, res) => {
      const id = idOf(req, 'id');
      const consent = callForm.safeParse(formOf(req.body)).data?.consent === 'yes';
      const started = await telephony.startCall(me(req), id, consent);
      if (started.ok) return res.redirect(303, `/calls/${started.callId}`);
      const errors = [{ field: `call-${id}`, key: started.key, params: started.params }];
      const locals = { items: await results.myDay(me(req)), outcomes: ATTEMPT_OUTCOMES, calling: telephony.calling, recording: await recordings.recordingOn() };
      await renderFormErrors(res, 'courtesy/my-assignments', errors, consent ? { consent: 'yes' } : {}, locals);
    }),

    get('/calls/:id', TESTER, async (req, res) => {
      const view = await telephony.view(me(req), idOf(req, 'id'));
      const locals = { recordings: await recordings.ofCall(me(req), view.call), recording: await recordings.recordingOn(), consent: await recordings.consentOf(view.call.id) };
      await renderPage(res, 'telephony/call', { view, texts: callTexts(view, req.t), scripts: ['js/call-status.js'], ...locals });
    }),

    get('/calls/:id/status.json', TESTER, async (req, res) => {
      const view = await telephony.view(me(req), idOf(req, 'id'));
      res.set('Cache-Control', 'no-store').json(callTexts(view, req.t));
    }),

    post('/twilio/calls/:id/bridge', 'public', signed, async (req, res) => {
      res.type('text/xml').send(await telephony.bridge(idOf(req, 'id'), formOf(req.body)));
    }),

    post('/twilio/calls/:id/tester-status', 'public', signed, async (req, res) => {
      await telephony.testerEvent(idOf(req, 'id'), formOf(req.body));
      res.status(204).end();
    }),

    post('/twilio/calls/:id/unit-status', 'public', signed, async (req, res) => {
      await telephony.unitEvent(idOf(req, 'id'), formOf(req.body));
      res.status(204).end();
    }),

    post('/twilio/calls/:id/recording', 'public', signed, async (req, res) => {
      await recordings.callback(idOf(req, 'id'), formOf(req.body));
      res.status(204).end();
    }),
  ];
}
