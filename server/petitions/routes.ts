import type { Request } from 'express';
import { z } from 'zod';
import { parseForm, renderFormErrors, renderPage, setFlash, type FieldError } from '../platform/http';
import { get, idOf, me, post, type Route } from '../platform/routes';
import { taiwanDateTime } from '../platform/roc-date';
import { uploadedText } from '../platform/upload';
import type { CaseIssue } from './case-import';
import type { KeypadService } from './keypad-service';
import type { PetitionsService } from './service';

const MANAGE = ['admin', 'manager'] as const;

/** The form's fields are named as the CSV's columns: one checker serves both. */
const caseForm = z.object({
  case_number: z.string().max(100, 'validation.tooLong').default(''),
  unit_code: z.string().max(64, 'validation.tooLong').default(''),
  closed_on: z.string().max(20, 'validation.invalid').default(''),
  phone: z.string().max(40, 'validation.tooLong').default(''),
});

const toFieldErrors = (issues: CaseIssue[]): FieldError[] => issues.map((i) => ({ field: i.column || 'form', key: i.key, params: i.params }));

/** The last three months (Taiwan time), newest first, for the response-rate table. */
function recentMonths(now: Date): string[] {
  const [y, m] = taiwanDateTime(now).date.split('-').map(Number) as [number, number];
  return [0, 1, 2].map((back) => {
    const d = new Date(Date.UTC(y, m - 1 - back, 1));
    return d.toISOString().slice(0, 7);
  });
}

export function petitionRoutes(petitions: PetitionsService, keypad: KeypadService, clock: () => Date): Route[] {
  const formLocals = async (req: Request) => ({ units: await petitions.unitsInReach(me(req)) });

  return [
    get('/petitions', MANAGE, async (req, res) => {
      const user = me(req);
      const units = await petitions.unitsInReach(user);
      const rates = await petitions.responseRates(units.map((u) => u.id), recentMonths(clock()));
      await renderPage(res, 'petitions/list', { invitations: await petitions.list(user), rates, unitNames: new Map(units.map((u) => [u.id, u])), calling: keypad.calling });
    }),

    get('/petitions/new', MANAGE, async (req, res) => {
      await renderPage(res, 'petitions/form', await formLocals(req));
    }),

    post('/petitions', MANAGE, async (req, res) => {
      const form = parseForm(caseForm, req.body);
      if (!form.ok) return renderFormErrors(res, 'petitions/form', form.errors, req.body, await formLocals(req));
      const plan = await petitions.register(me(req), form.data);
      if (plan.issues.length > 0) return renderFormErrors(res, 'petitions/form', toFieldErrors(plan.issues), req.body, await formLocals(req));
      setFlash(req, 'petition.registered', { count: plan.cases.length });
      res.redirect(303, '/petitions');
    }),

    get('/petitions/import', MANAGE, async (_req, res) => {
      await renderPage(res, 'petitions/import');
    }),

    post('/petitions/import', MANAGE, async (req, res) => {
      const text = uploadedText(req);
      if (text === null) return renderFormErrors(res, 'petitions/import', [{ field: 'file', key: 'import.notUtf8' }], {});
      if (text.trim() === '') return renderFormErrors(res, 'petitions/import', [{ field: 'file', key: 'import.nothing' }], {});
      const plan = await petitions.previewImport(me(req), text);
      await renderPage(res, 'petitions/import-preview', { plan, csv: text }, plan.issues.length > 0 ? 422 : 200);
    }),

    post('/petitions/import/confirm', MANAGE, async (req, res) => {
      const text = uploadedText(req) ?? '';
      const plan = await petitions.applyImport(me(req), text);
      if (plan.issues.length > 0 || plan.cases.length === 0) {
        const issues = plan.issues.length > 0 ? plan.issues : [{ line: 1, column: '', key: 'import.empty' as const }];
        return renderPage(res, 'petitions/import-preview', { plan: { ...plan, issues }, csv: text }, 422);
      }
      setFlash(req, 'petition.registered', { count: plan.cases.length });
      res.redirect(303, '/petitions');
    }),

    post('/petitions/:id/call', MANAGE, async (req, res) => {
      const started = await keypad.callPetitioner(me(req), idOf(req));
      setFlash(req, started.ok ? 'petition.call.started' : started.key);
      res.redirect(303, '/petitions');
    }),
  ];
}
