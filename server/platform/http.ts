import path from 'node:path';
import { projectRoot } from './paths';
import ejs from 'ejs';
import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { formatRocDate, formatRocDateTime, formatRocMonth, taiwanDateTime } from './roc-date';
import { HttpError, NotFoundError, TooManyRequestsError } from './errors';
import { DEFAULT_LANG, isLang, isMessageKey, translator, type Lang, type MessageKey, type Params } from './i18n';
import type { Assets } from './assets';
import { loggedPath } from './logger';
import { formatPhone, telUri } from '../org/phone';

export const viewsDir = path.join(projectRoot, 'views');

/** Language of the request: the session's choice, else the browser's if it prefers English, else zh-TW. */
export const languageMiddleware: RequestHandler = (req, _res, next) => {
  const chosen = req.session?.lang;
  req.lang = isLang(chosen) ? chosen : req.acceptsLanguages('zh-TW', 'zh', 'en') === 'en' ? 'en' : DEFAULT_LANG;
  req.t = translator(req.lang);
  next();
};

/** Values every template may use. */
export function localsMiddleware(assets: Assets): RequestHandler {
  return (req, res, next) => {
    setLocals(req, res, assets);
    next();
  };
}

/** Sets what templates use; also called by the error handler when an error came before the middleware ran. */
function setLocals(req: Request, res: Response, assets: Assets): void {
  {
    if (!req.lang) {
      req.lang = DEFAULT_LANG;
      req.t = translator(DEFAULT_LANG);
    }
    const flash = req.session?.flash;
    if (flash && req.method === 'GET') delete req.session.flash;
    Object.assign(res.locals, helpersFor(assets, req.lang), {
      t: req.t,
      lang: req.lang,
      user: req.user,
      currentPath: req.originalUrl,
      flash: flash && req.method === 'GET' ? req.t(flash.key, flash.params) : undefined,
      errors: [],
      values: {},
    });
  }
}

const helpers = new WeakMap<Assets, Map<Lang, Record<string, unknown>>>();

/** The template helpers that depend on nothing but the page's language, made once per language. */
function helpersFor(assets: Assets, lang: Lang): Record<string, unknown> {
  let byLang = helpers.get(assets);
  if (!byLang) helpers.set(assets, (byLang = new Map()));
  let made = byLang.get(lang);
  if (!made) {
    made = {
      asset: assets.url,
      rocDate: (iso: string) => formatRocDate(iso, lang),
      rocDateTime: (iso: string) => formatRocDateTime(iso, lang),
      /** The Taiwan calendar day of a stored UTC instant, as a ROC date. */
      rocDayOf: (instant: string) => formatRocDate(taiwanDateTime(instant).date, lang),
      rocMonth: (month: string) => formatRocMonth(Number(month.slice(0, 4)), Number(month.slice(5, 7)), lang),
      telUri,
      /** A message in a given language (posters carry both). */
      translate: (other: Lang, key: MessageKey, params?: Params) => translator(other)(key, params),
      /** A unit's or agency's name in the page's language (the Chinese name where no English one is kept). */
      nameOf: (named: { nameZh: string; nameEn: string }) => (lang === 'en' && named.nameEn ? named.nameEn : named.nameZh),
      phone: (e164: string | null, ext: string | null) => formatPhone(e164, ext, lang),
    };
    byLang.set(lang, made);
  }
  return made;
}

const renderOptions = { views: [viewsDir], cache: process.env.NODE_ENV === 'production' };

/** Renders a view inside the page layout. The one place that turns a view into HTML. */
export async function renderPage(
  res: Response,
  view: string,
  locals: Record<string, unknown> = {},
  status = 200,
): Promise<void> {
  const titleKey = `title.${view.replace(/\//g, '.')}`;
  const t = res.locals.t as ((key: MessageKey) => string) | undefined;
  const title = locals.title ?? (t && isMessageKey(titleKey) ? t(titleKey) : undefined);
  const data = { ...res.locals, ...locals, title };
  const body = await ejs.renderFile(path.join(viewsDir, `${view}.ejs`), data, renderOptions);
  // Every page's <title> names it (WCAG 2.4.2): the catalog's title for the view, else the page's own heading.
  if (!data.title) data.title = headingOf(body);
  // Citizens' pages have their own small layout (no staff navigation, no script, a few kilobytes).
  const layout = locals.layout === 'public' ? 'layouts/public.ejs' : 'layouts/page.ejs';
  const html = await ejs.renderFile(path.join(viewsDir, layout), { ...data, body }, renderOptions);
  res.status(status).type('html').send(html);
}

/**
 * "See other": where a form's post leads, with no body. Express's redirect
 * negotiates a body (HTML, text) that no browser shows, and costs the
 * citizen's busiest route more than the rest of the response.
 */
export function seeOther(res: Response, url: string): void {
  res.status(303).location(url).set('Content-Length', '0').end();
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&#34;': '"' };

/** The text of the first <h1> of rendered HTML, tags removed and entities decoded (the layout escapes it again). */
export function headingOf(html: string): string | undefined {
  const m = /<h1[^>]*>([\s\S]*?)<\/h1>/.exec(html);
  if (!m?.[1]) return undefined;
  const text = m[1].replace(/<[^>]+>/g, '').replace(/&(amp|lt|gt|quot|#39|#34);/g, (e) => ENTITIES[e] ?? e).replace(/\s+/g, ' ').trim();
  return text || undefined;
}

export interface FieldError {
  field: string;
  key: MessageKey;
  params?: Params;
}

export type FormResult<T> = { ok: true; data: T } | { ok: false; errors: FieldError[] };

function issueKey(issue: z.core.$ZodIssue, body: unknown): MessageKey {
  if (isMessageKey(issue.message)) return issue.message;
  let value: unknown = body;
  for (const key of issue.path) value = typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  const missing = value === undefined || value === null || value === '';
  if (missing && (issue.code === 'invalid_type' || issue.code === 'too_small')) return 'validation.required';
  return 'validation.invalid';
}

/** Parses a submitted form; errors come back as message keys per field, in form order. */
export function parseForm<S extends z.ZodType>(schema: S, body: unknown): FormResult<z.output<S>> {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return { ok: true, data: parsed.data };
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  for (const issue of parsed.error.issues) {
    const field = issue.path.length > 0 ? issue.path.map(String).join('.') : 'form';
    if (seen.has(field)) continue;
    seen.add(field);
    errors.push({ field, key: issueKey(issue, body) });
  }
  return { ok: false, errors };
}

/** Re-renders a form after a user's mistake: 422, the answers kept, a message per field. */
export function renderFormErrors(
  res: Response,
  view: string,
  errors: FieldError[],
  values: unknown,
  locals: Record<string, unknown> = {},
): Promise<void> {
  return renderPage(res, view, { ...locals, errors, values: values ?? {} }, 422);
}

export function setFlash(req: Request, key: MessageKey, params?: Params): void {
  req.session.flash = params ? { key, params } : { key };
}

export const notFoundHandler: RequestHandler = (_req, _res, next: NextFunction) => {
  next(new NotFoundError());
};

/** Renders typed errors in the user's language; anything else is logged and shown as a plain 500. */
export function errorHandler(logger: Logger, assets: Assets): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    let status = 500;
    let key: MessageKey = 'error.500.body';
    let params: Params = {};
    if (err instanceof HttpError) {
      ({ status, messageKey: key, params } = err);
      if (err instanceof TooManyRequestsError) res.set('Retry-After', String(err.retryAfterSeconds));
    } else if (err instanceof Error && err.name === 'MulterError') {
      status = 'code' in err && err.code === 'LIMIT_FILE_SIZE' ? 413 : 400;
      key = status === 413 ? 'error.413.body' : 'error.400.body';
    } else if (isBodyParserError(err)) {
      status = err.status;
      key = err.type === 'parameters.too.many' ? 'error.tooManyFields' : status === 413 ? 'error.413.body' : 'error.400.body';
      if (err.type === 'parameters.too.many') status = 400;
    } else {
      logger.error({ err, path: loggedPath(req.path) }, 'unhandled error');
    }
    if (res.headersSent) return;
    const t = req.t ?? translator(DEFAULT_LANG);
    if (!req.accepts('html') && req.accepts('json')) {
      res.status(status).json({ error: t(key, params) });
      return;
    }
    if (!res.locals.asset) setLocals(req, res, assets);
    renderPage(res, 'errors/error', { status, message: t(key, params) }, status).catch((renderErr: unknown) => {
      logger.error({ err: renderErr }, 'error page failed to render');
      res.status(status).type('text').send(t(key, params));
    });
  };
}

function isBodyParserError(err: unknown): err is { status: number; type: string } {
  return (
    typeof err === 'object' &&
    err !== null &&
    'status' in err &&
    typeof err.status === 'number' &&
    err.status >= 400 &&
    err.status < 500 &&
    'type' in err
  );
}
