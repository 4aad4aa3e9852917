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
export function requestLogger(logger: Logger): RequestHandler {
  return pinoHttp<IncomingMessage, ServerResponse>({
    logger,
    quietReqLogger: true,
    serializers: {
      req: (req: { method: string; url: string }) => ({ method: req.method, path: req.url.split('?')[0] }),
      res: (res: { statusCode: number }) => ({ status: res.statusCode }),
    },
    customSuccessMessage: (req, res, ms) => `${req.method} ${(req.url ?? '').split('?')[0]} ${res.statusCode} ${Math.round(ms)}ms`,
    customErrorMessage: (req, res) => `${req.method} ${(req.url ?? '').split('?')[0]} ${res.statusCode}`,
  });
}
