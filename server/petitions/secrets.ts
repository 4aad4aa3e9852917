import crypto from 'node:crypto';

/** The link's token: 24 random bytes, 32 characters in a URL. */
export function newToken(): string {
  return crypto.randomBytes(24).toString('base64url');
}

/** A 6-digit PIN, uniformly drawn. */
export function newPin(): string {
  return String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
}

export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{32}$/;

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(`invitation:${token}`).digest('hex');
}

/** The PIN is short: its hash is keyed with the server's secret and bound to the case number. */
export function hashPin(secret: string, caseNumber: string, pin: string): string {
  return crypto.createHmac('sha256', secret).update(`${caseNumber.trim().toUpperCase()}:${pin.trim()}`).digest('hex');
}

/** Compares two hex hashes in constant time (a plain !== leaks how many leading characters match). */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}
