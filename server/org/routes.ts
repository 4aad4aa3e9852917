import type { Request } from 'express';
import { parseForm, renderFormErrors, renderPage, setFlash } from '../platform/http';
import { get, idOf, idParam, me, post, type Route } from '../platform/routes';
import { uploadedText } from '../platform/upload';
import type { AuthService } from '../auth/service';
import { ROLES } from '../auth/current-user';
import { formatPhone } from './phone';
import { unitSchema, userSchema } from './schema';
import { buildTree } from './tree';
import { unitsCsv } from './unit-export';
import type { UnitsService } from './units-service';
import { UNIT_TYPES, type Unit } from './units-repo';
import type { UsersService } from './users-service';
import type { User } from './users-repo';

const MANAGE_UNITS = ['admin', 'manager'] as const;
const SEE_UNITS = ['admin', 'manager', 'unit_head'] as const;
const ADMIN = ['admin'] as const;



function unitFormValues(unit: Unit, lang: 'zh-TW' | 'en') {
  return {
    code: unit.code,
    parentId: unit.parentId === null ? '' : String(unit.parentId),
    type: unit.type,
    nameZh: unit.nameZh,
    nameEn: unit.nameEn,
    phone: formatPhone(unit.phoneE164, unit.phoneExt, lang),
  };
}

export function orgRoutes(units: UnitsService, users: UsersService, auth: AuthService): Route[] {
  const unitForm = async (req: Request, existing?: Unit) => ({
    title: existing ? req.t('unit.editTitle', { name: existing.nameZh }) : req.t('unit.newTitle'),
    existing,
    parents: await units.parentChoices(me(req), existing),
    unitTypes: UNIT_TYPES,
  });
  const userForm = async (req: Request, existing?: User) => ({
    title: existing ? req.t('user.editTitle', { name: existing.name }) : req.t('user.newTitle'),
    existing,
    units: await units.list(me(req)),
    roles: ROLES,
  });

  return [
    get('/units', SEE_UNITS, async (req, res) => {
      const list = await units.list(me(req));
      await renderPage(res, 'org/units', { tree: buildTree(list), canManage: req.user?.role !== 'unit_head' });
    }),

    get('/units/new', MANAGE_UNITS, async (req, res) => {
      const parent = idParam(String(req.query.parent ?? ''));
      await renderPage(res, 'org/unit-form', { ...(await unitForm(req)), values: { parentId: parent ? String(parent) : '', type: 'unit' } });
    }),

    post('/units', MANAGE_UNITS, async (req, res) => {
      const form = parseForm(unitSchema, req.body);
      if (!form.ok) return renderFormErrors(res, 'org/unit-form', form.errors, req.body, await unitForm(req));
      const saved = await units.create(me(req), form.data);
      if (!saved.ok) return renderFormErrors(res, 'org/unit-form', saved.errors, req.body, await unitForm(req));
      setFlash(req, 'unit.created', { name: saved.unit.nameZh });
      res.redirect(303, '/units');
    }),

    get('/units/import', MANAGE_UNITS, async (_req, res) => {
      await renderPage(res, 'org/unit-import');
    }),

    post('/units/import', MANAGE_UNITS, async (req, res) => {
      const text = uploadedText(req);
      if (text === null) return renderFormErrors(res, 'org/unit-import', [{ field: 'file', key: 'import.notUtf8' }], {});
      if (text.trim() === '') return renderFormErrors(res, 'org/unit-import', [{ field: 'file', key: 'import.nothing' }], {});
      const preview = await units.previewImport(me(req), text);
      const status = preview.plan.issues.length > 0 ? 422 : 200;
      await renderPage(res, 'org/unit-import-preview', { preview, csv: text }, status);
    }),

    post('/units/import/confirm', MANAGE_UNITS, async (req, res) => {
      const text = uploadedText(req) ?? '';
      const result = await units.applyImport(me(req), text);
      if (result.plan.issues.length > 0) return renderPage(res, 'org/unit-import-preview', { preview: result, csv: text }, 422);
      setFlash(req, 'import.done', result.counts);
      res.redirect(303, '/units');
    }),

    get('/units/export.csv', MANAGE_UNITS, async (req, res) => {
      const list = await units.list(me(req));
      res.attachment('units.csv').type('text/csv; charset=utf-8').send(unitsCsv(list));
    }),

    get('/units/:id/edit', MANAGE_UNITS, async (req, res) => {
      const unit = await units.get(me(req), idOf(req));
      await renderPage(res, 'org/unit-form', { ...(await unitForm(req, unit)), values: unitFormValues(unit, req.lang) });
    }),

    post('/units/:id', MANAGE_UNITS, async (req, res) => {
      const unit = await units.get(me(req), idOf(req));
      const form = parseForm(unitSchema, req.body);
      if (!form.ok) return renderFormErrors(res, 'org/unit-form', form.errors, req.body, await unitForm(req, unit));
      const saved = await units.update(me(req), unit.id, form.data);
      if (!saved.ok) return renderFormErrors(res, 'org/unit-form', saved.errors, req.body, await unitForm(req, unit));
      setFlash(req, 'unit.saved', { name: saved.unit.nameZh });
      res.redirect(303, '/units');
    }),

    post('/units/:id/deactivate', MANAGE_UNITS, async (req, res) => {
      const unit = await units.setActive(me(req), idOf(req), false);
      setFlash(req, 'unit.deactivated', { name: unit.nameZh });
      res.redirect(303, '/units');
    }),

    post('/units/:id/activate', MANAGE_UNITS, async (req, res) => {
      const unit = await units.setActive(me(req), idOf(req), true);
      setFlash(req, 'unit.activated', { name: unit.nameZh });
      res.redirect(303, '/units');
    }),

    get('/users', ADMIN, async (_req, res) => {
      await renderPage(res, 'org/users', { users: await users.list() });
    }),

    get('/users/new', ADMIN, async (req, res) => {
      await renderPage(res, 'org/user-form', { ...(await userForm(req)), values: { role: 'tester' } });
    }),

    post('/users', ADMIN, async (req, res) => {
      const form = parseForm(userSchema, req.body);
      if (!form.ok) return renderFormErrors(res, 'org/user-form', form.errors, req.body, await userForm(req));
      const saved = await users.create(me(req), form.data);
      if (!saved.ok) return renderFormErrors(res, 'org/user-form', saved.errors, req.body, await userForm(req));
      const link = await auth.issueResetLink(me(req).id, saved.user.id);
      await renderPage(res, 'org/user-link', { title: req.t('user.createdTitle', { name: saved.user.name }), target: saved.user, link, created: true });
    }),

    get('/users/:id/edit', ADMIN, async (req, res) => {
      const user = await users.get(idOf(req));
      const values = { name: user.name, email: user.email, role: user.role, unitId: String(user.unitId), phone: formatPhone(user.phoneE164, user.phoneExt, req.lang) };
      await renderPage(res, 'org/user-form', { ...(await userForm(req, user)), values });
    }),

    post('/users/:id', ADMIN, async (req, res) => {
      const existing = await users.get(idOf(req));
      const form = parseForm(userSchema, req.body);
      if (!form.ok) return renderFormErrors(res, 'org/user-form', form.errors, req.body, await userForm(req, existing));
      const saved = await users.update(me(req), existing.id, form.data);
      if (!saved.ok) return renderFormErrors(res, 'org/user-form', saved.errors, req.body, await userForm(req, existing));
      setFlash(req, 'user.saved', { name: saved.user.name });
      res.redirect(303, '/users');
    }),

    post('/users/:id/deactivate', ADMIN, async (req, res) => {
      const result = await users.setActive(me(req), idOf(req), false);
      setFlash(req, result.ok ? 'user.deactivated' : result.key);
      res.redirect(303, '/users');
    }),

    post('/users/:id/activate', ADMIN, async (req, res) => {
      await users.setActive(me(req), idOf(req), true);
      setFlash(req, 'user.activated');
      res.redirect(303, '/users');
    }),

    post('/users/:id/reset-link', ADMIN, async (req, res) => {
      const target = await users.get(idOf(req));
      const link = await auth.issueResetLink(me(req).id, target.id);
      await renderPage(res, 'org/user-link', { title: req.t('user.linkTitle', { name: target.name }), target, link, created: false });
    }),
  ];
}
