import type { RequestHandler } from 'express';
import helmet from 'helmet';

/** The Content-Security-Policy: nothing inline, nothing from elsewhere, no framing. */
const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
  objectSrc: ["'none'"],
};

export type HeaderList = readonly (readonly [name: string, value: string])[];

/**
 * Helmet's headers for our settings, worked out once. None of them depends on
 * the request (no nonces, no per-path policy), so running helmet's thirteen
 * middlewares on every request would only repeat the same work; the citizen's
 * submissions, the busiest route, are measured against a bare Express.
 */
export function securityHeaders(options: { hsts: boolean }): HeaderList {
  const headers = new Map<string, string>();
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) => headers.set(name, String(value)),
    removeHeader: (name: string) => headers.delete(name),
  };
  const middleware = helmet({ contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES }, strictTransportSecurity: options.hsts });
  let finished = false;
  middleware(
    {} as Parameters<typeof middleware>[0],
    recorder as unknown as Parameters<typeof middleware>[1],
    (err?: unknown) => {
      if (err) throw err instanceof Error ? err : new Error(String(err));
      finished = true;
    },
  );
  // Helmet works synchronously; if a future version did not, the headers above would be incomplete.
  if (!finished) throw new Error('helmet did not finish synchronously');
  return [...headers];
}

/** Sets precomputed headers on every response. */
export function sendHeaders(headers: HeaderList): RequestHandler {
  return (_req, res, next) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  };
}
