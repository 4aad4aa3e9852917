import type { IncomingMessage, ServerResponse } from 'node:http';
import pino, { type Logger } from 'pino';
import pinoHttp from 'pino-http';
import type { RequestHandler } from 'express';

/**
 * A driver's error as knex hands it on (SQLite's codes are SQLITE_…,
 * PostgreSQL's five-character SQLSTATEs), or such an error already turned
 * into a plain object by pino-http's standard serializer: told by its shape,
 * which also holds across realms (a test runner's sandbox).
 */
function isDatabaseError(err: unknown): err is { code: string; message: string; name?: unknown } {
  if (typeof err !== 'object' || err === null) return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  return typeof message === 'string' && typeof code === 'string' && (code.startsWith('SQLITE_') || (/^[0-9A-Z]{5}$/.test(code) && 'severity' in err));
}

/**
 * Errors as logged. A database error goes with the driver's own reason only:
 * not the statement knex writes in front of it (openDb keeps values out of
 * that, but a statement is not what a reader of the log needs), not
 * PostgreSQL's detail, where, hint or internal query (the detail quotes the
 * offending row), and for PostgreSQL's data exceptions (class 22: "invalid
 * input syntax for type integer: \"…\"") without the value it quotes. What
 * failed, on which constraint, and where in the code stay.
 */
export function loggedError(err: unknown): unknown {
  const serialized = pino.stdSerializers.err(err as Error);
  if (!isDatabaseError(err)) return serialized;
  const sqlite = err.code.startsWith('SQLITE_');
  const reasonAt = err.message.lastIndexOf(sqlite ? ` - ${err.code}` : ' - ');
  let message = reasonAt >= 0 ? err.message.slice(reasonAt + 3) : err.message;
  if (!sqlite && err.code.startsWith('22')) message = message.replace(/"[^"]*"/g, '"…"');
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
    stack: `${typeof err.name === 'string' ? err.name : serialized.type}: ${message}${frames >= 0 ? stack.slice(frames) : ''}`,
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
      // pino-http would otherwise put its own (the standard one) in the request's logger.
      err: loggedError,
    },
    customSuccessMessage: (req, res, ms) => `${req.method} ${loggedPath(req.url ?? '')} ${res.statusCode} ${Math.round(ms)}ms`,
    customErrorMessage: (req, res) => `${req.method} ${loggedPath(req.url ?? '')} ${res.statusCode}`,
  });
}
