import type { Config } from '../platform/config';
import { idOf, post, type Route } from '../platform/routes';
import { signedByTwilio } from './routes';
import type { SmsOutbox } from './sms-outbox';

const formOf = (body: unknown): Record<string, unknown> => (typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {});

export function smsRoutes(outbox: SmsOutbox, config: Config): Route[] {
  const signed = signedByTwilio(config);
  return [
    // Twilio's delivery report for one outbox message: signed, idempotent, forward-only (sms-outbox.ts).
    post('/twilio/sms/:id/status', 'public', signed, async (req, res) => {
      await outbox.statusCallback(idOf(req, 'id'), formOf(req.body));
      res.status(204).end();
    }),
  ];
}
