import type { Request } from 'express';
import { z } from 'zod';
import type { AppSettings, AppSettingsRepo } from '../platform/app-settings';
import { appSettingsSchema } from '../platform/app-settings';
import { audit } from '../platform/audit';
import type { Db } from '../platform/db';
import type { MessageKey, Params } from '../platform/i18n';
import { parseForm, renderFormErrors, renderPage, setFlash } from '../platform/http';
import { formatPhone } from '../org/phone';
import { get, me, post, type Route } from '../platform/routes';
import type { TelephonyService } from '../telephony/service';

const ADMIN = ['admin'] as const;

/** The form's shape: "all units" is a choice, the count a number beside it; parts are checkboxes. */
const settingsForm = z
  .object({
    unitsMode: z.enum(['all', 'count'], { error: 'validation.choose' }),
    unitsCount: z.string().default(''),
    parts: z.preprocess((v) => (v === undefined ? [] : [].concat(v as never)), z.array(z.string())),
  })
  .passthrough()
  .transform(({ unitsMode, unitsCount, ...rest }): Record<string, unknown> => ({ ...rest, unitsPerMonth: unitsMode === 'all' ? 'all' : unitsCount }))
  .pipe(appSettingsSchema);

function formValues(s: AppSettings) {
  return {
    ...s,
    unitsMode: s.unitsPerMonth === 'all' ? 'all' : 'count',
    unitsCount: s.unitsPerMonth === 'all' ? '' : String(s.unitsPerMonth),
    recordCalls: s.recordCalls ? 'on' : 'off',
  };
}

export function settingsRoutes(db: Db, settings: AppSettingsRepo, telephony: TelephonyService, clock: () => Date): Route[] {
  /** Whether Twilio is configured (never its token), and where the administrator's test SMS would go. */
  const telephonyLocals = async (req: Request, smsError: { key: MessageKey; params?: Params } | null = null) => ({
    telephony: telephony.status(),
    smsRecipient: await telephony.smsRecipientOf(me(req)),
    /** The administrator's latest test SMS and how far it got (Twilio's delivery reports move it on). */
    lastTestSms: await telephony.lastTestSms(me(req)),
    smsError,
  });

  return [
    get('/settings', ADMIN, async (req, res) => {
      await renderPage(res, 'settings/index', { values: formValues(await settings.get()), ...(await telephonyLocals(req)) });
    }),

    post('/settings', ADMIN, async (req, res) => {
      const form = parseForm(settingsForm, req.body);
      if (!form.ok) {
        const errors = form.errors.map((e) => (e.field === 'unitsPerMonth' ? { ...e, field: 'unitsCount' } : e));
        return renderFormErrors(res, 'settings/index', errors, req.body, await telephonyLocals(req));
      }
      const now = clock().toISOString();
      await db.transaction(async (trx) => {
        await settings.save(form.data, now, trx);
        await audit(trx, { actorId: req.user?.id ?? null, action: 'settings.save', subject: 'settings', detail: form.data, at: now });
      });
      setFlash(req, 'settings.saved');
      res.redirect(303, '/settings');
    }),

    post('/settings/test-sms', ADMIN, async (req, res) => {
      const sent = await telephony.sendTestSms(me(req), req.lang);
      if (!sent.ok) {
        const locals = { values: formValues(await settings.get()), ...(await telephonyLocals(req, { key: sent.key, params: sent.params })) };
        return renderPage(res, 'settings/index', locals, sent.status);
      }
      setFlash(req, 'sms.test.sent', { phone: formatPhone(sent.to, null, req.lang), segments: sent.message.segments });
      res.redirect(303, '/settings');
    }),
  ];
}
