import QRCode from 'qrcode';
import type { Request } from 'express';
import { z } from 'zod';
import { parseForm, renderFormErrors, renderPage, setFlash } from '../platform/http';
import { get, idOf, me, post, type Route } from '../platform/routes';
import type { UnitsService } from '../org/units-service';
import { CHANNEL_MODES } from './repo';
import type { SurveysService } from './service';

const MANAGE = ['admin', 'manager'] as const;

const channelSchema = z.object({
  unitId: z.coerce.number({ error: 'validation.choose' }).int('validation.choose').positive('validation.choose'),
  surveyKey: z.string({ error: 'validation.choose' }).min(1, 'validation.choose').max(64),
  mode: z.enum(CHANNEL_MODES, { error: 'validation.choose' }),
  counterName: z.string().trim().max(100, 'validation.tooLong').default(''),
  subtree: z.preprocess((v) => v === 'yes', z.boolean()),
  codesRequired: z.preprocess((v) => v === 'yes', z.boolean()),
});
const codesSchema = z.object({ count: z.coerce.number({ error: 'validation.invalid' }).int('validation.invalid').min(1, 'validation.invalid').max(2000, 'validation.invalid') });



/** A year from the query or form (2000–2100), else the current one in Taiwan. */
function yearOf(raw: unknown, now: Date): number {
  const n = typeof raw === 'string' && /^\d{4}$/.test(raw) ? Number(raw) : NaN;
  return n >= 2000 && n <= 2100 ? n : new Date(now.getTime() + 8 * 3600_000).getUTCFullYear();
}

export function surveyRoutes(surveys: SurveysService, units: UnitsService, publicBaseUrl: () => string, clock: () => Date): Route[] {
  const listPage = async (req: Request) => ({
    health: await surveys.health(me(req)),
    units: await units.list(me(req)),
    surveyList: surveys.surveys.map((s) => s.survey),
    baseUrl: publicBaseUrl(),
  });

  return [
    get('/channels', MANAGE, async (req, res) => {
      await renderPage(res, 'surveys/channels', { ...(await listPage(req)), values: { mode: 'personal', surveyKey: 'citizen' } });
    }),

    post('/channels', MANAGE, async (req, res) => {
      const form = parseForm(channelSchema, req.body);
      if (!form.ok) return renderFormErrors(res, 'surveys/channels', form.errors, req.body, await listPage(req));
      if (!surveys.surveys.some((s) => s.survey.key === form.data.surveyKey)) {
        return renderFormErrors(res, 'surveys/channels', [{ field: 'surveyKey', key: 'validation.choose' }], req.body, await listPage(req));
      }
      // A keypad channel needs a survey marked for the phone.
      if (form.data.mode === 'phone' && !surveys.surveys.some((s) => s.survey.key === form.data.surveyKey && s.survey.phone)) {
        return renderFormErrors(res, 'surveys/channels', [{ field: 'surveyKey', key: 'channel.error.notPhone' }], req.body, await listPage(req));
      }
      const created = await surveys.createChannels(me(req), form.data);
      setFlash(req, 'channel.created', { count: created });
      res.redirect(303, '/channels');
    }),

    get('/channels/flagged', MANAGE, async (req, res) => {
      await renderPage(res, 'surveys/flagged', { flagged: await surveys.flagged(me(req)) });
    }),

    post('/responses/:id/count', MANAGE, async (req, res) => {
      await surveys.setCounted(me(req), idOf(req), true);
      setFlash(req, 'flagged.counted');
      res.redirect(303, '/channels/flagged');
    }),

    post('/responses/:id/uncount', MANAGE, async (req, res) => {
      await surveys.setCounted(me(req), idOf(req), false);
      setFlash(req, 'flagged.uncounted');
      res.redirect(303, '/channels/flagged');
    }),

    get('/channels/:id/poster', MANAGE, async (req, res) => {
      const channel = await surveys.channel(me(req), idOf(req));
      const url = `${publicBaseUrl()}/s/${channel.code}`;
      const qr = await QRCode.toString(url, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
      await renderPage(res, 'surveys/poster', { channel, url, qr, survey: surveys.survey(channel.surveyKey).survey });
    }),

    post('/channels/:id/deactivate', MANAGE, async (req, res) => {
      await surveys.setActive(me(req), idOf(req), false);
      setFlash(req, 'channel.deactivated');
      res.redirect(303, '/channels');
    }),

    post('/channels/:id/activate', MANAGE, async (req, res) => {
      await surveys.setActive(me(req), idOf(req), true);
      setFlash(req, 'channel.activated');
      res.redirect(303, '/channels');
    }),

    get('/headcounts', MANAGE, async (req, res) => {
      const year = yearOf(req.query.year, clock());
      await renderPage(res, 'surveys/headcounts', { year, rows: await surveys.headcounts(me(req), year) });
    }),

    post('/headcounts', MANAGE, async (req, res) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const year = yearOf(body.year, clock());
      const rows = await surveys.headcounts(me(req), year);
      const values = new Map<number, number>();
      const errors: { field: string; key: 'validation.invalid' }[] = [];
      for (const { unit } of rows) {
        const raw = body[`h_${unit.id}`];
        if (raw === undefined || raw === '') continue;
        const n = Number(raw);
        if (typeof raw !== 'string' || !/^\d{1,6}$/.test(raw) || !Number.isSafeInteger(n)) errors.push({ field: `h_${unit.id}`, key: 'validation.invalid' });
        else values.set(unit.id, n);
      }
      if (errors.length > 0) return renderFormErrors(res, 'surveys/headcounts', errors, body, { year, rows });
      await surveys.setHeadcounts(me(req), year, values);
      setFlash(req, 'headcount.saved', { year });
      res.redirect(303, `/headcounts?year=${year}`);
    }),

    post('/channels/:id/codes', MANAGE, async (req, res) => {
      const channel = await surveys.channel(me(req), idOf(req));
      const form = parseForm(codesSchema, req.body);
      if (!form.ok) return renderFormErrors(res, 'surveys/channels', form.errors, req.body, await listPage(req));
      const codes = await surveys.issueStaffCodes(me(req), channel.id, form.data.count);
      await renderPage(res, 'surveys/codes', { channel, codes, url: `${publicBaseUrl()}/s/${channel.code}` });
    }),
  ];
}
