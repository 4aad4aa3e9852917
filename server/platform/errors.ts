import type { MessageKey } from './i18n';

/**
 * The typed errors a handler or service may throw. One middleware renders them
 * (platform/http.ts) in the user's language; anything else becomes a 500 with
 * no details shown.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly messageKey: MessageKey,
    readonly params: Record<string, string | number> = {},
  ) {
    super(messageKey);
  }
}

export class BadRequestError extends HttpError {
  constructor(messageKey: MessageKey = 'error.400.body', params?: Record<string, string | number>) {
    super(400, messageKey, params);
  }
}

export class ForbiddenError extends HttpError {
  constructor(messageKey: MessageKey = 'error.403.body') {
    super(403, messageKey);
  }
}

export class NotFoundError extends HttpError {
  constructor(messageKey: MessageKey = 'error.404.body') {
    super(404, messageKey);
  }
}

export class ConflictError extends HttpError {
  constructor(messageKey: MessageKey, params?: Record<string, string | number>) {
    super(409, messageKey, params);
  }
}

export class TooManyRequestsError extends HttpError {
  constructor(
    readonly retryAfterSeconds: number,
    messageKey: MessageKey = 'error.429.body',
  ) {
    super(429, messageKey, { minutes: Math.max(1, Math.ceil(retryAfterSeconds / 60)) });
  }
}
