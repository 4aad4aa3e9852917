import crypto from 'node:crypto';
import { parse as parseCookies } from 'cookie';
import type { Request, Response } from 'express';

const TOKEN = /^[\w-]{20,64}$/;

/**
 * The double-submit token of the public pages (no session): a random value in
 * an HttpOnly cookie, repeated in the form; a post is accepted only when the
 * two match (compared in constant time).
 */
export interface DoubleSubmit {
  /** The cookie's token, set first if missing or malformed. */
  token(req: Request, res: Response): string;
  /** Whether the form's value matches the cookie. */
  ok(req: Request, submitted: unknown): boolean;
}

export function sameToken(cookie: string | undefined, submitted: unknown): boolean {
  if (!cookie || !TOKEN.test(cookie) || typeof submitted !== 'string') return false;
  const a = Buffer.from(cookie);
  const b = Buffer.from(submitted);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

export function doubleSubmit(cookieName: string, path: string, secure: (req: Request) => boolean): DoubleSubmit {
  const read = (req: Request) => parseCookies(req.headers.cookie ?? '')[cookieName];
  return {
    token(req, res) {
      let token = read(req);
      if (!token || !TOKEN.test(token)) {
        token = crypto.randomBytes(18).toString('base64url');
        res.cookie(cookieName, token, { httpOnly: true, sameSite: 'lax', secure: secure(req), path });
      }
      return token;
    },
    ok: (req, submitted) => sameToken(read(req), submitted),
  };
}
