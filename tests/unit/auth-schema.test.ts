import fc from 'fast-check';
import type { z } from 'zod';
import {
  changePasswordSchema,
  langSchema,
  loginSchema,
  resetSchema,
  safeNext,
  setupSchema,
  setupWithAgencySchema,
} from '../../server/auth/schema';

/** Each issue as the field it is shown on and its message key. */
function issues(schema: z.ZodType, input: unknown): { field: string; key: string }[] {
  const result = schema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => ({ field: i.path.join('.'), key: i.message }));
}

describe('safeNext', () => {
  it.each(['/', '/units?x=1', '/users/3/edit#top', '/units/%2F%2Fevil'])('keeps the same-site path %j', (next) => {
    expect(safeNext(next)).toBe(next);
  });

  it.each(['//evil.com', '///evil.com', 'https://evil', 'javascript:alert(1)', '/\\evil', 'units', ''])('replaces %j with the fallback', (next) => {
    expect(safeNext(next)).toBe('/');
    expect(safeNext(next, '/home')).toBe('/home');
  });

  it('uses the fallback when there is no target', () => {
    expect(safeNext(undefined)).toBe('/');
    expect(safeNext(undefined, '')).toBe('');
  });

  // Browsers drop tabs and line breaks from URLs, so "/<tab>/evil.com" leads to //evil.com.
  it.each(['/\t/evil.com', '/\n/evil.com', '/\r\n/evil.com'])('replaces %j, which a browser reads as another site', (next) => {
    expect(safeNext(next)).toBe('/');
  });

  it('never returns a target that leaves the site', () => {
    const site = 'https://courtesy.example.gov.tw';
    const piece = fc.constantFrom('/', '\\', '\t', '\n', ' ', ':', '@', '%2F', 'evil.com');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 5 }).map((p) => p.join('')), (next) => {
        expect(new URL(safeNext(next), site).origin).toBe(site);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('loginSchema', () => {
  it('trims the e-mail address but not the password', () => {
    expect(loginSchema.parse({ email: '  a@example.gov.tw ', password: ' secret ', next: '/units' })).toEqual({
      email: 'a@example.gov.tw',
      password: ' secret ',
      next: '/units',
    });
  });

  it('asks for both fields', () => {
    expect(issues(loginSchema, { email: ' ', password: '' })).toEqual([
      { field: 'email', key: 'validation.required' },
      { field: 'password', key: 'validation.required' },
    ]);
    expect(issues(loginSchema, {})).toEqual([
      { field: 'email', key: 'validation.required' },
      { field: 'password', key: 'validation.required' },
    ]);
  });
});

describe('setup and password schemas', () => {
  const admin = { token: 'tok', name: '王小明', email: 'wang@example.gov.tw', password: 'correct horse', passwordConfirm: 'correct horse' };

  it('accepts a complete setup form', () => {
    expect(setupSchema.parse({ ...admin, name: '  王小明 ' })).toEqual(admin);
  });

  it('shows a password mismatch on the confirmation field', () => {
    expect(issues(setupSchema, { ...admin, passwordConfirm: 'correct horsE' })).toEqual([
      { field: 'passwordConfirm', key: 'validation.passwordMismatch' },
    ]);
    expect(issues(resetSchema, { token: 't', password: 'long enough!', passwordConfirm: 'other' })).toEqual([
      { field: 'passwordConfirm', key: 'validation.passwordMismatch' },
    ]);
    expect(issues(changePasswordSchema, { current: 'old', password: 'long enough!', passwordConfirm: 'other' })).toEqual([
      { field: 'passwordConfirm', key: 'validation.passwordMismatch' },
    ]);
  });

  it('explains each faulty field with a message key', () => {
    expect(issues(setupSchema, { ...admin, name: ' ', email: 'wang@', password: 'short', passwordConfirm: 'short' })).toEqual([
      { field: 'name', key: 'validation.required' },
      { field: 'email', key: 'validation.email' },
      { field: 'password', key: 'validation.passwordShort' },
    ]);
    expect(issues(setupSchema, { ...admin, name: '名'.repeat(201), email: `${'a'.repeat(250)}@x.tw` })).toEqual([
      { field: 'name', key: 'validation.tooLong' },
      { field: 'email', key: 'validation.tooLong' },
    ]);
  });

  it('requires 10 characters of password', () => {
    expect(issues(resetSchema, { token: 't', password: '123456789', passwordConfirm: '123456789' })).toEqual([
      { field: 'password', key: 'validation.passwordShort' },
    ]);
    expect(issues(resetSchema, { token: 't', password: '1234567890', passwordConfirm: '1234567890' })).toEqual([]);
  });

  it('checks the agency of a first setup, defaulting its English name to empty', () => {
    const agency = { agencyCode: 'MOI', agencyNameZh: '內政部' };
    expect(setupWithAgencySchema.parse({ ...admin, ...agency })).toEqual({ ...admin, ...agency, agencyNameEn: '' });
    expect(issues(setupWithAgencySchema, { ...admin, agencyCode: 'M O I', agencyNameZh: '' })).toEqual([
      { field: 'agencyCode', key: 'unit.error.code' },
      { field: 'agencyNameZh', key: 'validation.required' },
    ]);
  });
});

describe('langSchema', () => {
  it('accepts the two languages only', () => {
    expect(langSchema.parse({ lang: 'en', next: '/units' })).toEqual({ lang: 'en', next: '/units' });
    expect(langSchema.safeParse({ lang: 'fr' }).success).toBe(false);
  });
});
