import crypto from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { ForbiddenError } from '../platform/errors';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The session's synchroniser token, created the first time a form needs it. */
export function csrfToken(req: Request): string {
  if (!req.session.csrfToken) req.session.csrfToken = crypto.randomBytes(32).toString('base64url');
  return req.session.csrfToken;
}

function sameToken(expected: string | undefined, given: unknown): boolean {
  if (!expected || typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

/**
 * Every state-changing request carries the session's token in the `_csrf`
 * field or the X-CSRF-Token header; without it, 403 and nothing happens.
 * Routes that must accept posts from outside (signed webhooks) are listed in `exempt`.
 */
export function csrfProtection(exempt: (req: Request) => boolean = () => false): RequestHandler {
  return (req, res, next) => {
    if (req.session) res.locals.csrfToken = () => csrfToken(req);
    if (SAFE_METHODS.has(req.method) || exempt(req)) return next();
    const body: unknown = req.body;
    const given =
      (typeof body === 'object' && body !== null && '_csrf' in body ? body._csrf : undefined) ?? req.get('x-csrf-token');
    if (!sameToken(req.session?.csrfToken, given)) return next(new ForbiddenError('error.csrf'));
    next();
  };
}
