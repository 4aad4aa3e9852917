import type { Config } from '../platform/config';
import { idOf, idParam, post, type Route } from '../platform/routes';
import { signedByTwilio } from '../telephony/routes';
import type { KeypadService } from './keypad-service';

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
