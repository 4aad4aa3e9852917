import crypto from 'node:crypto';

/**
 * Personal API tokens. A token is 32 random bytes (256 bits) behind a short
 * prefix that says what it is; only its SHA-256 is stored. With that much
 * entropy a plain hash is enough: there is nothing to guess, so no slow
 * password hash is needed, and a lookup by hash stays one indexed query.
 */
export const TOKEN_PREFIX = 'ctk_';
const TOKEN_PATTERN = /^ctk_[A-Za-z0-9_-]{43}$/;

export interface NewToken {
  /** Shown to its owner once, never stored. */
  token: string;
  hash: string;
  /** The first characters, so that the owner can tell tokens apart in the list. */
  hint: string;
}

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A new token from the given random bytes (crypto.randomBytes(32) in use; fixed bytes in tests). */
export function newToken(random: Buffer = crypto.randomBytes(32)): NewToken {
  if (random.length !== 32) throw new RangeError('a token needs 32 random bytes');
  const token = `${TOKEN_PREFIX}${random.toString('base64url')}`;
  return { token, hash: hashToken(token), hint: token.slice(0, TOKEN_PREFIX.length + 6) };
}

/** Whether a string has the shape of a token (anything else is refused without a database lookup). */
export function looksLikeToken(value: string): boolean {
  return TOKEN_PATTERN.test(value);
}

/** The token of an `Authorization: Bearer …` header; null without one; 'malformed' for any other scheme or shape. */
export function bearerToken(header: string | undefined): string | null | 'malformed' {
  if (header === undefined || header === '') return null;
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  if (!m?.[1] || !looksLikeToken(m[1])) return 'malformed';
  return m[1];
}

export type TokenState = 'active' | 'expired' | 'revoked';

/** A token's state at an instant (ISO strings compare in time order). */
export function tokenState(token: { expiresAt: string | null; revokedAt: string | null }, now: string): TokenState {
  if (token.revokedAt !== null) return 'revoked';
  if (token.expiresAt !== null && token.expiresAt <= now) return 'expired';
  return 'active';
}
