import type { RequestHandler } from 'express';
import type { Config } from '../platform/config';
import { ForbiddenError } from '../platform/errors';
import { idOf, idParam, post, type Route } from '../platform/routes';
import { validateTwilioSignature } from '../telephony/client';
import type { KeypadService } from './keypad-service';

/** Signed by Twilio for the exact public URL, or refused before anything is read (as telephony/routes.ts). */
function signedByTwilio(config: Config): RequestHandler {
  return (req, _res, next) => {
    const token = config.twilio?.authToken;
    if (!token || !validateTwilioSignature(token, config.publicBaseUrl, req.originalUrl, req.headers, req.body)) return next(new ForbiddenError());
    next();
  };
}

const formOf = (body: unknown): Record<string, unknown> => (typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {});

export function keypadRoutes(keypad: KeypadService, config: Config): Route[] {
  const signed = signedByTwilio(config);
  return [
    post('/twilio/keypad/status', 'public', signed, async (req, res) => {
      const invitation = idParam(typeof req.query.invitation === 'string' ? req.query.invitation : undefined) ?? null;
      await keypad.status(formOf(req.body), invitation);
      res.status(204).end();
    }),

    post('/twilio/keypad/invitations/:id/outgoing', 'public', signed, async (req, res) => {
      res.type('text/xml').send(await keypad.outgoing(idOf(req), formOf(req.body)));
    }),

    post('/twilio/keypad/sessions/:id/language', 'public', signed, async (req, res) => {
      res.type('text/xml').send(await keypad.language(idOf(req), formOf(req.body)));
    }),

    post('/twilio/keypad/sessions/:id/answer', 'public', signed, async (req, res) => {
      res.type('text/xml').send(await keypad.answer(idOf(req), formOf(req.body)));
    }),

    post('/twilio/keypad/:code/incoming', 'public', signed, async (req, res) => {
      res.type('text/xml').send(await keypad.incoming(String(req.params.code ?? '').toUpperCase(), formOf(req.body)));
    }),
  ];
}
