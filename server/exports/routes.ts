import type { Request, Response } from 'express';
import { parseForm, renderPage, type FieldError } from '../platform/http';
import { get, me, type Route } from '../platform/routes';
import { periodKey, periodLabel, type Period } from '../reports/period';
import { exportQuery } from './schema';
import { sendExport } from './send';
import type { ExportService } from './service';

const READERS = ['admin', 'manager', 'unit_head'] as const;

export function exportRoutes(exports: ExportService): Route[] {
  const formPage = async (req: Request, res: Response, errors: FieldError[], values: Record<string, unknown>, status: number) => {
    const form = await exports.form(me(req));
    await renderPage(res, 'exports/index', { form, errors, values, periodKey, periodLabel: (p: Period) => periodLabel(p, req.lang) }, status);
  };

  return [
    get('/exports', READERS, async (req, res) => {
      const form = await exports.form(me(req));
      const defaults = { dataset: 'responses', format: 'csv', survey: 'citizen', scope: '', period: periodKey(form.periods.find((p) => p.kind === 'quarter') ?? (form.periods[0] as Period)) };
      await formPage(req, res, [], defaults, 200);
    }),

    // A GET form: choosing a download changes nothing, and the address can be bookmarked or scripted.
    get('/exports/download', READERS, async (req, res) => {
      const values = req.query as Record<string, unknown>;
      const form = parseForm(exportQuery, req.query);
      if (!form.ok) return formPage(req, res, form.errors, values, 422);
      const built = await exports.table(me(req), form.data, req.lang, req.t);
      if (!built.ok) return formPage(req, res, built.errors, values, 422);
      await sendExport(res, form.data.format, built.table, built.meta);
    }),
  ];
}
