import { finished } from 'node:stream';
import type { Request, RequestHandler } from 'express';

/**
 * The body of a public form post (application/x-www-form-urlencoded, UTF-8),
 * read for the citizen's pages, which take the most posts. It gives what
 * express.urlencoded({ extended: false }) gives for what a browser sends: a
 * name sent once is a string, sent again a list, in order; `+` is a space; a
 * broken %-escape stays as it was written; a field without a name, or named
 * `__proto__`, is dropped. It skips what those pages never need (nested
 * names, compressed bodies, other charsets) and so costs a fraction of it.
 * Its refusals have body-parser's statuses and types, so the error page
 * treats both alike.
 */
export type FormFields = Record<string, string | string[]>;

export interface FormBodyOptions {
  /** Most bytes a body may have. */
  limit: number;
  /** Most fields a body may have. */
  parameterLimit: number;
}

type BodyError = Error & { status: number; type: string; expose: true };

function bodyError(status: number, type: string, message: string): BodyError {
  return Object.assign(new Error(message), { status, type, expose: true as const });
}

function decode(s: string): string {
  const spaced = s.includes('+') ? s.replaceAll('+', ' ') : s;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

/** "a=1&b=x+y&a=2" → { a: ['1', '2'], b: 'x y' }. */
export function parseUrlEncoded(body: string): FormFields {
  const fields: FormFields = {};
  if (body === '') return fields;
  for (const part of body.split('&')) {
    const eq = part.indexOf('=');
    const name = decode(eq === -1 ? part : part.slice(0, eq));
    // Assigning __proto__ would replace the object's prototype, not add a field.
    if (name === '' || name === '__proto__') continue;
    const value = eq === -1 ? '' : decode(part.slice(eq + 1));
    const had = Object.hasOwn(fields, name) ? fields[name] : undefined;
    if (had === undefined) fields[name] = value;
    else if (Array.isArray(had)) had.push(value);
    else fields[name] = [had, value];
  }
  return fields;
}

/** The media type and charset of the request's Content-Type, lower-cased. */
function contentType(req: Request): { type: string; charset: string | undefined } {
  const [type = '', ...params] = (req.headers['content-type'] ?? '').split(';');
  const charset = params.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith('charset='));
  return { type: type.trim().toLowerCase(), charset: charset?.slice('charset='.length).replace(/^"(.*)"$/, '$1') };
}

function fieldCount(body: string): number {
  let count = 1;
  for (let i = body.indexOf('&'); i !== -1; i = body.indexOf('&', i + 1)) count += 1;
  return count;
}

export function formBody({ limit, parameterLimit }: FormBodyOptions): RequestHandler {
  return (req, _res, next) => {
    // A request without a body, or with another type, is left alone (req.body stays undefined).
    const hasBody = req.headers['transfer-encoding'] !== undefined || req.headers['content-length'] !== undefined;
    const { type, charset } = contentType(req);
    if (!hasBody || type !== 'application/x-www-form-urlencoded') return next();
    /** Refuses the body once all of it has arrived (so the connection can carry the answer). */
    const refuse = (err: BodyError) => {
      req.removeAllListeners('data');
      req.resume();
      finished(req, () => next(err));
    };
    if (charset !== undefined && charset !== 'utf-8') return refuse(bodyError(415, 'charset.unsupported', `unsupported charset "${charset.toUpperCase()}"`));
    if ((req.headers['content-encoding'] ?? 'identity').toLowerCase() !== 'identity') return refuse(bodyError(415, 'encoding.unsupported', 'content encoding unsupported'));
    if (Number(req.headers['content-length']) > limit) return refuse(bodyError(413, 'entity.too.large', 'request entity too large'));
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (!failed) {
        failed = true;
        refuse(bodyError(413, 'entity.too.large', 'request entity too large'));
      }
    });
    req.once('error', () => {
      if (failed) return;
      failed = true;
      next(bodyError(400, 'request.aborted', 'request aborted'));
    });
    req.once('end', () => {
      if (failed) return;
      const body = Buffer.concat(chunks, size).toString('utf8');
      if (fieldCount(body) > parameterLimit) return next(bodyError(413, 'parameters.too.many', 'too many parameters'));
      req.body = parseUrlEncoded(body);
      next();
    });
  };
}
