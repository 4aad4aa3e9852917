import type { Request } from 'express';
import { z } from 'zod';
import { audit } from '../platform/audit';
import type { Db } from '../platform/db';
import { parseForm, renderFormErrors, renderPage, setFlash } from '../platform/http';
import { taiwanDateTime } from '../platform/roc-date';
import { get, idOf, me, post, type Route } from '../platform/routes';
import type { PublicDatasetsRepo } from './datasets';
import type { ApiService } from './service';
import type { ApiTokensService } from './tokens-service';

const HOLDERS = ['admin', 'manager', 'unit_head'] as const;
const ADMIN = ['admin'] as const;

/** The token form: a name, and an optional last day of validity (a Taiwan calendar day, today or later). */
export function tokenForm(today: string) {
  return z.object({
    name: z.string().trim().min(1, 'tokens.error.name').max(100, 'tokens.error.name'),
    expires: z
      .string()
      .trim()
      .default('')
      .refine((v) => v === '' || (/^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v)), 'tokens.error.expires')
      .refine((v) => v === '' || v >= today, 'tokens.error.expiresPast')
      // The token stops working when the chosen day ends in Taiwan (UTC+8).
      .transform((v) => (v === '' ? null : new Date(Date.parse(`${v}T00:00:00+08:00`) + 86_400_000).toISOString())),
  });
}

export function apiPageRoutes(db: Db, tokens: ApiTokensService, api: ApiService, publicDatasets: PublicDatasetsRepo, clock: () => Date): Route[] {
  const tokensPage = async (req: Request) => ({ tokens: await tokens.list(me(req)) });
  const datasetOptions = (req: Request) =>
    api.datasets().map((d) => {
      const survey = d.startsWith('survey:') ? api.surveys.find((s) => `survey:${s.survey.key}` === d) : undefined;
      return { value: d, label: survey ? req.t('apiSettings.dataset.survey', { title: survey.survey.title[req.lang] }) : req.t(d === 'units' ? 'apiSettings.dataset.units' : 'apiSettings.dataset.phoneTests') };
    });

  return [
    get('/account/tokens', HOLDERS, async (req, res) => {
      await renderPage(res, 'api/tokens', await tokensPage(req));
    }),

    post('/account/tokens', HOLDERS, async (req, res) => {
      const form = parseForm(tokenForm(taiwanDateTime(clock()).date), req.body);
      if (!form.ok) return renderFormErrors(res, 'api/tokens', form.errors, req.body, await tokensPage(req));
      const made = await tokens.create(me(req), form.data.name, form.data.expires);
      // Shown on this answer only: never stored, never in a redirect or a flash, never cached.
      res.set('Cache-Control', 'no-store');
      await renderPage(res, 'api/tokens', { ...(await tokensPage(req)), created: { name: form.data.name, token: made.token } }, 201);
    }),

    post('/account/tokens/:id/revoke', HOLDERS, async (req, res) => {
      await tokens.revoke(me(req), idOf(req));
      setFlash(req, 'tokens.revoked');
      res.redirect(303, '/account/tokens');
    }),

    get('/settings/api', ADMIN, async (req, res) => {
      await renderPage(res, 'api/settings', { options: datasetOptions(req), values: { datasets: [...(await publicDatasets.get())] } });
    }),

    post('/settings/api', ADMIN, async (req, res) => {
      const known = api.datasets();
      const schema = z.object({
        datasets: z.preprocess((v) => (v === undefined ? [] : [].concat(v as never)), z.array(z.string().refine((d) => (known as string[]).includes(d), 'validation.choose'))),
      });
      const form = parseForm(schema, req.body);
      if (!form.ok) return renderFormErrors(res, 'api/settings', form.errors.map((e) => ({ ...e, field: 'datasets' })), req.body, { options: datasetOptions(req) });
      const now = clock().toISOString();
      const chosen = known.filter((d) => form.data.datasets.includes(d));
      await db.transaction(async (trx) => {
        await publicDatasets.save(chosen, now, trx);
        await audit(trx, { actorId: me(req).id, action: 'api.public', subject: 'settings', detail: chosen, at: now });
      });
      setFlash(req, 'apiSettings.saved');
      res.redirect(303, '/settings/api');
    }),
  ];
}
