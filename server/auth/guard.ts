import type { RequestHandler } from 'express';
import { ForbiddenError } from '../platform/errors';
import type { Role } from './current-user';

/**
 * An open-data API route (/api/v1): a bearer token of one of `api` roles, or
 * no token at all where the data it reads is marked public. `check` decides
 * (server/api/access.ts) and answers refusals as JSON problems.
 */
export interface ApiAccess {
  api: readonly Role[];
  check: RequestHandler;
}

/** Who may use a route: anyone, anyone signed in, the listed roles, or API callers. */
export type Access = 'public' | 'signed-in' | readonly Role[] | ApiAccess;

export function guard(access: Access): RequestHandler {
  if (typeof access === 'object' && 'api' in access) return access.check;
  return (req, res, next) => {
    if (access === 'public') return next();
    if (!req.user) {
      if (req.method === 'GET') return res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
      return next(new ForbiddenError());
    }
    if (access === 'signed-in' || access.includes(req.user.role)) return next();
    next(new ForbiddenError());
  };
}
