import type { RequestHandler } from 'express';
import { ForbiddenError } from '../platform/errors';
import type { Role } from './current-user';

/** Who may use a route: anyone, anyone signed in, or the listed roles. */
export type Access = 'public' | 'signed-in' | readonly Role[];

export function guard(access: Access): RequestHandler {
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
