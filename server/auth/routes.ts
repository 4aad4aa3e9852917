import type { Request, Response } from 'express';
import { NotFoundError } from '../platform/errors';
import { parseForm, renderFormErrors, renderPage, setFlash } from '../platform/http';
import { get, post, type Route } from '../platform/routes';
import type { User } from '../org/users-repo';
import { changePasswordSchema, langSchema, loginSchema, resetSchema, safeNext, setupSchema, setupWithAgencySchema } from './schema';
import type { AuthService } from './service';

/** A new session id at every sign-in, so that a session fixed before login is worthless. */
async function signIn(req: Request, user: User): Promise<void> {
  await new Promise<void>((resolve, reject) => req.session.regenerate((err: unknown) => (err ? reject(err) : resolve())));
  req.session.userId = user.id;
  req.session.lang = user.locale;
  await new Promise<void>((resolve, reject) => req.session.save((err: unknown) => (err ? reject(err) : resolve())));
}

function tokenOf(req: Request): string {
  const token = req.query.token ?? (req.body as { token?: unknown } | undefined)?.token;
  return typeof token === 'string' ? token : '';
}

export function authRoutes(auth: AuthService): Route[] {
  const renderSetup = async (res: Response, token: string) =>
    renderPage(res, 'auth/setup', { token, withAgency: await auth.setupCreatesAgency() });

  return [
    get('/login', 'public', async (req, res) => {
      if (req.user) return res.redirect(303, '/');
      await renderPage(res, 'auth/login', { values: { next: safeNext(String(req.query.next ?? ''), '') } });
    }),

    post('/login', 'public', async (req, res) => {
      const form = parseForm(loginSchema, req.body);
      if (!form.ok) return renderFormErrors(res, 'auth/login', form.errors, { ...req.body, password: '' });
      const result = await auth.login(form.data.email, form.data.password, req.ip ?? 'unknown');
      if (!result.ok) {
        return renderPage(res, 'auth/login', { errors: [{ field: 'email', key: 'login.invalid' }], values: { email: form.data.email, next: form.data.next } }, 401);
      }
      await signIn(req, result.user);
      res.redirect(303, safeNext(form.data.next));
    }),

    post('/logout', 'signed-in', async (req, res) => {
      const lang = req.lang;
      await new Promise<void>((resolve) => req.session.regenerate(() => resolve()));
      req.session.lang = lang;
      setFlash(req, 'logout.done');
      res.redirect(303, '/login');
    }),

    get('/setup', 'public', async (req, res) => {
      const token = tokenOf(req);
      if (!(await auth.isSetupTokenLive(token))) throw new NotFoundError('setup.linkInvalid');
      await renderSetup(res, token);
    }),

    post('/setup', 'public', async (req, res) => {
      const token = tokenOf(req);
      if (!(await auth.isSetupTokenLive(token))) throw new NotFoundError('setup.linkInvalid');
      const withAgency = await auth.setupCreatesAgency();
      const form = parseForm(withAgency ? setupWithAgencySchema : setupSchema, req.body);
      const kept = { ...req.body, password: '', passwordConfirm: '' };
      if (!form.ok) return renderFormErrors(res, 'auth/setup', form.errors, kept, { token, withAgency });
      const admin = await auth.completeSetup(token, form.data);
      if (!admin) throw new NotFoundError('setup.linkInvalid');
      await signIn(req, admin);
      setFlash(req, 'setup.done');
      res.redirect(303, '/');
    }),

    get('/password/reset', 'public', async (req, res) => {
      const token = tokenOf(req);
      const user = await auth.resetTarget(token);
      if (!user) throw new NotFoundError('reset.linkInvalid');
      await renderPage(res, 'auth/reset', { token, target: user });
    }),

    post('/password/reset', 'public', async (req, res) => {
      const token = tokenOf(req);
      const target = await auth.resetTarget(token);
      if (!target) throw new NotFoundError('reset.linkInvalid');
      const form = parseForm(resetSchema, req.body);
      if (!form.ok) return renderFormErrors(res, 'auth/reset', form.errors, {}, { token, target });
      const user = await auth.resetPassword(token, form.data.password);
      if (!user) throw new NotFoundError('reset.linkInvalid');
      await signIn(req, user);
      setFlash(req, 'reset.done');
      res.redirect(303, '/');
    }),

    get('/account/password', 'signed-in', async (_req, res) => {
      await renderPage(res, 'auth/change-password');
    }),

    post('/account/password', 'signed-in', async (req, res) => {
      const form = parseForm(changePasswordSchema, req.body);
      if (!form.ok) return renderFormErrors(res, 'auth/change-password', form.errors, {});
      const user = req.user;
      if (!user) throw new NotFoundError();
      if (!(await auth.changePassword(user, form.data.current, form.data.password, req.sessionID))) {
        return renderFormErrors(res, 'auth/change-password', [{ field: 'current', key: 'password.currentWrong' }], {});
      }
      setFlash(req, 'password.changed');
      res.redirect(303, '/');
    }),

    post('/lang', 'public', async (req, res) => {
      const form = parseForm(langSchema, req.body);
      if (form.ok) {
        req.session.lang = form.data.lang;
        if (req.user) await auth.setLocale(req.user.id, form.data.lang);
      }
      res.redirect(303, safeNext(form.ok ? form.data.next : undefined));
    }),
  ];
}
