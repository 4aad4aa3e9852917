import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { HttpError, TooManyRequestsError } from '../platform/errors';
import { DEFAULT_LANG, isMessageKey, translator, type MessageKey, type Params, type Translate } from '../platform/i18n';

/**
 * Errors of the API as problem details (RFC 9457, application/problem+json):
 * a title per status, a detail, and for bad parameters one message per
 * parameter, in the caller's language (Accept-Language). Never HTML, never a
 * stack trace.
 */
export interface ParameterError {
  parameter: string;
  key: MessageKey;
  params?: Params;
}

export class ApiError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 422 | 429,
    readonly detailKey: MessageKey,
    readonly errors: ParameterError[] = [],
    readonly params: Params = {},
  ) {
    super(detailKey);
  }
}

const TITLES: Record<number, MessageKey> = {
  400: 'api.problem.400',
  401: 'api.problem.401',
  403: 'api.problem.403',
  404: 'api.problem.404',
  422: 'api.problem.422',
  429: 'api.problem.429',
  500: 'api.problem.500',
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: { parameter: string; message: string }[];
}

export function problemBody(status: number, detail: string, t: Translate, errors: { parameter: string; message: string }[] = []): Problem {
  const body: Problem = { type: 'about:blank', title: t(TITLES[status] ?? 'api.problem.500'), status, detail };
  if (errors.length > 0) body.errors = errors;
  return body;
}

export function sendProblem(res: Response, status: number, body: Problem): void {
  if (status === 401) res.set('WWW-Authenticate', 'Bearer realm="api"');
  res.status(status).type('application/problem+json').send(JSON.stringify(body));
}

/** A zod failure on query or path parameters as parameter errors (each message a catalog key, else a generic one). */
export function parameterErrors(error: z.ZodError, input: unknown): ParameterError[] {
  const given = (name: string | undefined): unknown => (name !== undefined && typeof input === 'object' && input !== null ? (input as Record<string, unknown>)[name] : undefined);
  const out: ParameterError[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ parameter: key, key: 'api.param.unknown' });
      continue;
    }
    const parameter = issue.path.map(String).join('.') || 'query';
    if (out.some((e) => e.parameter === parameter)) continue;
    const value = given(issue.path.length === 1 ? String(issue.path[0]) : undefined);
    let key: MessageKey = isMessageKey(issue.message) ? issue.message : 'api.param.invalid';
    // A repeated parameter arrives as an array (?period=a&period=b), a missing one as nothing.
    if (Array.isArray(value)) key = 'api.param.repeated';
    else if (value === undefined && issue.code === 'invalid_type') key = 'api.param.required';
    out.push({ parameter, key });
  }
  return out;
}

/** Any path under /api that no route answers. */
export const apiNotFound: RequestHandler = (_req, _res, next) => next(new ApiError(404, 'api.problem.notFound'));

/** The API's error handler: mounted on /api before the HTML one. */
export function apiErrorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (res.headersSent) return;
    const t = req.t ?? translator(DEFAULT_LANG);
    if (err instanceof ApiError) {
      const errors = err.errors.map((e) => ({ parameter: e.parameter, message: t(e.key, e.params) }));
      if (err.status === 429) res.set('Retry-After', String(err.params.seconds ?? 60));
      return sendProblem(res, err.status, problemBody(err.status, t(err.detailKey, err.params), t, errors));
    }
    if (err instanceof HttpError) {
      if (err instanceof TooManyRequestsError) res.set('Retry-After', String(err.retryAfterSeconds));
      return sendProblem(res, err.status, problemBody(err.status, t(err.messageKey, err.params), t));
    }
    // A body parser's refusal (an API is GET only, but a client may still send one).
    if (typeof err === 'object' && err !== null && 'status' in err && typeof err.status === 'number' && err.status >= 400 && err.status < 500) {
      return sendProblem(res, 400, problemBody(400, t('api.problem.badBody'), t));
    }
    logger.error({ err, path: req.path }, 'unhandled API error');
    sendProblem(res, 500, problemBody(500, t('api.problem.500.detail'), t));
  };
}
