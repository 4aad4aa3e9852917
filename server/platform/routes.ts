import type { Request, RequestHandler } from 'express';
import type { CurrentUser } from '../auth/current-user';
import { NotFoundError } from './errors';
import type { Access } from '../auth/guard';

/**
 * One line of the route table: every route says who may use it. app.ts mounts
 * the table behind guard(access); the route-access test walks the same table.
 */
export interface Route {
  method: 'get' | 'post';
  path: string;
  access: Access;
  handlers: RequestHandler[];
}

export function get(path: string, access: Access, ...handlers: RequestHandler[]): Route {
  return { method: 'get', path, access, handlers };
}

export function post(path: string, access: Access, ...handlers: RequestHandler[]): Route {
  return { method: 'post', path, access, handlers };
}

/** Route parameter as a positive integer id, or undefined (the handler answers 404). */
export function idParam(value: string | string[] | undefined): number | undefined {
  const n = typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : NaN;
  // Ids are 32-bit integers in the database; a larger number names nothing (and PostgreSQL would refuse it).
  return Number.isSafeInteger(n) && n > 0 && n <= 2_147_483_647 ? n : undefined;
}

/** A route parameter that must be an id; anything else is 404. */
export function idOf(req: Request, name = 'id'): number {
  const value = idParam(req.params[name]);
  if (value === undefined) throw new NotFoundError();
  return value;
}

/** The signed-in user of a route whose guard requires one. */
export function me(req: Request): CurrentUser {
  if (!req.user) throw new NotFoundError();
  return req.user;
}
