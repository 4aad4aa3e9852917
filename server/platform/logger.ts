import type { IncomingMessage, ServerResponse } from 'node:http';
import { types } from 'node:util';
import pino, { type Logger } from 'pino';
import pinoHttp from 'pino-http';
import type { RequestHandler } from 'express';

/** A driver's error as knex hands it on: SQLite's codes are SQLITE_…, PostgreSQL's five-character SQLSTATEs. */
function isDatabaseError(err: unknown): err is Error & { code: string } {
  // isNativeError, not instanceof: the driver's errors may come from another realm (a test runner's sandbox).
  return types.isNativeError(err) && 'code' in err && typeof err.code === 'string' && (err.code.startsWith('SQLITE_') || (/^[0-9A-Z]{5}$/.test(err.code) && 'severity' in err));
}

/**
 * Errors as logged. A database error goes without the statement knex writes
 * at the head of its message (on SQLite with every value in it: e-mail
 * addresses, names, answers) and without PostgreSQL's detail, which quotes
 * the offending value: what failed, on which constraint, and where in the
 * code stay.
 */
export function loggedError(err: unknown): unknown {
  const serialized = pino.stdSerializers.err(err as Error);
  if (!isDatabaseError(err)) return serialized;
  const sqliteAt = err.message.indexOf(`${err.code}:`);
  const knexAt = err.message.lastIndexOf(' - ');
  const message = sqliteAt >= 0 ? err.message.slice(sqliteAt) : knexAt >= 0 ? err.message.slice(knexAt + 3) : err.message;
  const stack = serialized.stack ?? '';
  const frames = stack.indexOf('\n    at ');
  const { constraint, table, column } = err as { constraint?: unknown; table?: unknown; column?: unknown };
  return {
    type: serialized.type,
    code: err.code,
    message,
    ...(typeof constraint === 'string' ? { constraint } : {}),
    ...(typeof table === 'string' ? { table } : {}),
    ...(typeof column === 'string' ? { column } : {}),
    stack: `${err.name}: ${message}${frames >= 0 ? stack.slice(frames) : ''}`,
  };
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options = { level, serializers: { err: loggedError }, redact: { paths: ['password', '*.password', 'token', '*.token'], censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * One line per request: method, path without its query string (tokens travel
 * there), status and time. Never headers, cookies or bodies, so no password,
 * token or survey answer reaches the log.
 */
/** The path to log: without its query, and without an invitation's token (/i/<token> → /i/…). */
export function loggedPath(url: string): string {
  return (url.split('?')[0] ?? '').replace(/^\/i\/[^/]+$/, (p) => (p === '/i/thanks' || p === '/i/answer' ? p : '/i/…'));
}

export function requestLogger(logger: Logger): RequestHandler {
  return pinoHttp<IncomingMessage, ServerResponse>({
    logger,
    quietReqLogger: true,
    serializers: {
      req: (req: { method: string; url: string }) => ({ method: req.method, path: loggedPath(req.url) }),
      res: (res: { statusCode: number }) => ({ status: res.statusCode }),
    },
    customSuccessMessage: (req, res, ms) => `${req.method} ${loggedPath(req.url ?? '')} ${res.statusCode} ${Math.round(ms)}ms`,
    customErrorMessage: (req, res) => `${req.method} ${loggedPath(req.url ?? '')} ${res.statusCode}`,
  });
}
