import { nextMonth } from '../calendar/dates';
import { parseForm, renderFormErrors, renderPage, setFlash } from '../platform/http';
import { get, idOf, me, post, type Route } from '../platform/routes';
import { allocationColumns, allocationRows } from './allocation';
import { sendExport } from '../exports/send';
import { tableOf } from '../exports/table';
import type { PlansService } from './plans-service';
import { addUnitSchema, assignmentSchema, draftSchema, unavailableSchema } from './schema';

const MANAGE = ['admin', 'manager'] as const;
const TESTER = ['tester'] as const;



function taipeiToday(): string {
  return new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
}

/** A plan's assignment as the edit form shows it. */
function assignmentValues(a: { testerId: number | null; date: string | null; windowStart: string | null }) {
  return { testerId: a.testerId === null ? '' : String(a.testerId), date: a.date ?? '', windowStart: a.windowStart ?? '' };
}

export function courtesyRoutes(plans: PlansService): Route[] {
  return [
    get('/plans', MANAGE, async (req, res) => {
      const [list, scopes] = await Promise.all([plans.list(me(req)), plans.scopesFor(me(req))]);
      const month = nextMonth(taipeiToday().slice(0, 7));
      await renderPage(res, 'courtesy/plans', { plans: list, scopes, values: { month, scopeId: String(scopes[0]?.id ?? '') } });
    }),

    post('/plans', MANAGE, async (req, res) => {
      const form = parseForm(draftSchema, req.body);
      const scopes = await plans.scopesFor(me(req));
      if (!form.ok) return renderFormErrors(res, 'courtesy/plans', form.errors, req.body, { plans: await plans.list(me(req)), scopes });
      const { plan, created } = await plans.draft(me(req), form.data.scopeId, form.data.month);
      setFlash(req, created ? 'plan.drafted' : 'plan.exists', { month: plan.month });
      res.redirect(303, `/plans/${plan.id}`);
    }),

    get('/plans/:id', MANAGE, async (req, res) => {
      await renderPage(res, 'courtesy/plan', { ...(await plans.view(me(req), idOf(req, 'id'))) });
    }),

    get('/plans/:id/assignments/:aid/edit', MANAGE, async (req, res) => {
      const { view, assignment } = await plans.assignment(me(req), idOf(req, 'id'), idOf(req, 'aid'));
      await renderPage(res, 'courtesy/assignment-form', { view, assignment, values: assignmentValues(assignment) });
    }),

    post('/plans/:id/assignments/:aid', MANAGE, async (req, res) => {
      const planId = idOf(req, 'id');
      const { view, assignment } = await plans.assignment(me(req), planId, idOf(req, 'aid'));
      const form = parseForm(assignmentSchema, req.body);
      const result = form.ok ? await plans.editAssignment(me(req), planId, assignment.id, form.data) : form;
      if (!result.ok) return renderFormErrors(res, 'courtesy/assignment-form', result.errors, req.body, { view, assignment });
      setFlash(req, result.problems.length > 0 ? 'plan.savedWithProblems' : 'plan.saved', { count: result.problems.length });
      res.redirect(303, `/plans/${planId}`);
    }),

    post('/plans/:id/assignments/:aid/remove', MANAGE, async (req, res) => {
      const planId = idOf(req, 'id');
      await plans.removeAssignment(me(req), planId, idOf(req, 'aid'));
      setFlash(req, 'plan.removed');
      res.redirect(303, `/plans/${planId}`);
    }),

    get('/plans/:id/add', MANAGE, async (req, res) => {
      await renderPage(res, 'courtesy/add-unit', { view: await plans.view(me(req), idOf(req, 'id')) });
    }),

    post('/plans/:id/add', MANAGE, async (req, res) => {
      const planId = idOf(req, 'id');
      const form = parseForm(addUnitSchema, req.body);
      const result = form.ok ? await plans.addUnit(me(req), planId, form.data.unitId, form.data) : form;
      if (!result.ok) return renderFormErrors(res, 'courtesy/add-unit', result.errors, req.body, { view: await plans.view(me(req), planId) });
      setFlash(req, result.problems.length > 0 ? 'plan.savedWithProblems' : 'plan.saved', { count: result.problems.length });
      res.redirect(303, `/plans/${planId}`);
    }),

    post('/plans/:id/publish', MANAGE, async (req, res) => {
      const plan = await plans.publish(me(req), idOf(req, 'id'));
      setFlash(req, 'plan.published', { month: plan.month });
      res.redirect(303, `/plans/${plan.id}`);
    }),

    get('/plans/:id/allocation', MANAGE, async (req, res) => {
      await renderPage(res, 'courtesy/allocation', { ...(await plans.view(me(req), idOf(req, 'id'))) });
    }),

    get('/plans/:id/allocation.csv', MANAGE, async (req, res) => {
      const view = await plans.view(me(req), idOf(req, 'id'));
      await sendExport(res, 'csv', tableOf(`allocation-${view.plan.scopeCode}-${view.plan.month}`, allocationColumns(req.t), allocationRows(view, req.lang, req.t)));
    }),

    get('/my/unavailable', TESTER, async (req, res) => {
      await renderPage(res, 'courtesy/my-unavailable', { dates: await plans.myUnavailable(me(req)) });
    }),

    post('/my/unavailable', TESTER, async (req, res) => {
      const form = parseForm(unavailableSchema, req.body);
      if (!form.ok) return renderFormErrors(res, 'courtesy/my-unavailable', form.errors, req.body, { dates: await plans.myUnavailable(me(req)) });
      await plans.addUnavailable(me(req), form.data.from, form.data.to);
      setFlash(req, 'unavailable.added');
      res.redirect(303, '/my/unavailable');
    }),

    post('/my/unavailable/remove', TESTER, async (req, res) => {
      const date = typeof req.body?.date === 'string' ? req.body.date : '';
      if (/^\d{4}-\d{2}-\d{2}$/.test(date)) await plans.removeUnavailable(me(req), date);
      setFlash(req, 'unavailable.removed');
      res.redirect(303, '/my/unavailable');
    }),
  ];
}
