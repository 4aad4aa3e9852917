import { z } from 'zod';
import type { Config } from '../platform/config';
import { renderPage } from '../platform/http';
import { get, idOf, me, post, type Route } from '../platform/routes';
import { signedByTwilio } from './routes';
import type { SmsOutbox } from './sms-outbox';
import { isSmsPurpose, maskPhone, PROBLEM_STATUSES, SMS_STATUSES, type SmsStatus } from './sms-status';

const MANAGERS = ['admin', 'manager'] as const;
const LIST_LIMIT = 200;

/** The list's filter: one status, 'problems' (undelivered and failed), or all; anything else shows all. */
const filterQuery = z.object({ status: z.enum([...SMS_STATUSES, 'problems', 'all']).catch('all').default('all') });

const formOf = (body: unknown): Record<string, unknown> => (typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {});

export function smsRoutes(outbox: SmsOutbox, config: Config): Route[] {
  const signed = signedByTwilio(config);
  return [
    get('/sms', MANAGERS, async (req, res) => {
      const { status: filter } = filterQuery.parse(typeof req.query === 'object' ? req.query : {});
      const statuses: readonly SmsStatus[] = filter === 'all' ? [] : filter === 'problems' ? PROBLEM_STATUSES : [filter];
      const { messages, counts } = await outbox.list(me(req), statuses, LIST_LIMIT);
      const rows = messages.map((m) => ({
        ...m,
        to: maskPhone(m.toPhone),
        purposeKnown: isSmsPurpose(m.purpose),
        problem: PROBLEM_STATUSES.includes(m.status),
      }));
      const problemCount = PROBLEM_STATUSES.reduce((sum, s) => sum + (counts.get(s) ?? 0), 0);
      await renderPage(res, 'telephony/sms', { rows, filter, statuses: SMS_STATUSES, counts, problemCount, enabled: outbox.enabled, limit: LIST_LIMIT });
    }),

    // Twilio's delivery report for one outbox message: signed, idempotent, forward-only (sms-outbox.ts).
    post('/twilio/sms/:id/status', 'public', signed, async (req, res) => {
      await outbox.statusCallback(idOf(req, 'id'), formOf(req.body));
      res.status(204).end();
    }),
  ];
}
