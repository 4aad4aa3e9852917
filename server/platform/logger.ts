import type { IncomingMessage, ServerResponse } from 'node:http';
import pino, { type Logger } from 'pino';
import pinoHttp from 'pino-http';
import type { RequestHandler } from 'express';

export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: ['password', '*.password', 'token', '*.token'], censor: '[redacted]' } });
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
