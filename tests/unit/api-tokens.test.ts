import fc from 'fast-check';
import { availablePeriods } from '../../server/api/available';
import { openApiPath } from '../../server/api/openapi';
import { tokenForm } from '../../server/api/pages';
import { bearerToken, hashToken, looksLikeToken, newToken, tokenState } from '../../server/api/tokens';

describe('API tokens', () => {
  it('makes a token from 32 random bytes and keeps only its SHA-256', () => {
    const made = newToken(Buffer.alloc(32, 0));
    // Independently: Python base64.urlsafe_b64encode(bytes(32)) without padding, and hashlib.sha256 of the text.
    expect(made.token).toBe(`ctk_${'A'.repeat(43)}`);
    expect(made.hash).toBe('9702e042b9ec935a34d43ab64e643bedf2cb81ce62b72a031b63e0298fa8f9e6');
    expect(made.hint).toBe('ctk_AAAAAA');
    expect(() => newToken(Buffer.alloc(16))).toThrow(RangeError);
  });

  it('always makes tokens of the shape it accepts, whose hash is the stored one', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
        const made = newToken(Buffer.from(bytes));
        expect(looksLikeToken(made.token)).toBe(true);
        expect(bearerToken(`Bearer ${made.token}`)).toBe(made.token);
        expect(hashToken(made.token)).toBe(made.hash);
        expect(made.token.startsWith(made.hint)).toBe(true);
      }),
    );
  });

  it.each([
    [undefined, null],
    ['', null],
    ['Bearer', 'malformed'],
    ['Bearer ', 'malformed'],
    ['Basic YTpi', 'malformed'],
    [`Bearer ctk_${'A'.repeat(42)}`, 'malformed'],
    [`Bearer ctk_${'A'.repeat(44)}`, 'malformed'],
    [`Bearer xyz_${'A'.repeat(43)}`, 'malformed'],
    [`Bearer ctk_${'A'.repeat(43)} extra`, 'malformed'],
    [`bearer ctk_${'A'.repeat(43)}`, `ctk_${'A'.repeat(43)}`],
  ])('reads the header %j as %j', (header, expected) => {
    expect(bearerToken(header)).toBe(expected);
  });

  it('tells active, expired and revoked tokens apart', () => {
    const at = '2026-11-20T02:00:00.000Z';
    expect(tokenState({ expiresAt: null, revokedAt: null }, at)).toBe('active');
    expect(tokenState({ expiresAt: '2026-11-20T02:00:00.001Z', revokedAt: null }, at)).toBe('active');
    expect(tokenState({ expiresAt: at, revokedAt: null }, at)).toBe('expired');
    expect(tokenState({ expiresAt: null, revokedAt: '2026-11-01T00:00:00.000Z' }, at)).toBe('revoked');
  });

  it('ends a token with the chosen day in Taiwan, and refuses days that are not real or already past', () => {
    const form = tokenForm('2026-11-20');
    // 2026-11-20 ends in Taiwan (UTC+8) at 2026-11-20T16:00Z.
    expect(form.parse({ name: ' x ', expires: '2026-11-20' })).toEqual({ name: 'x', expires: '2026-11-20T16:00:00.000Z' });
    expect(form.parse({ name: 'x', expires: '' })).toEqual({ name: 'x', expires: null });
    expect(form.parse({ name: 'x' })).toEqual({ name: 'x', expires: null });
    for (const expires of ['2026-11-19', '2026-02-30', '2026-13-01', '20261231', 'tomorrow']) expect(form.safeParse({ name: 'x', expires }).success).toBe(false);
    expect(form.safeParse({ name: '   ', expires: '' }).success).toBe(false);
    expect(form.safeParse({ name: 'x'.repeat(101), expires: '' }).success).toBe(false);
  });
});

describe('availablePeriods', () => {
  it('lists the months with data and the quarters, halves and years that contain them, newest first', () => {
    expect(availablePeriods(['2025-12', '2026-07', '2026-01', '2026-07', 'junk'])).toEqual({
      months: ['2026-07', '2026-01', '2025-12'],
      quarters: ['2026Q3', '2026Q1', '2025Q4'],
      halves: ['2026H2', '2026H1', '2025H2'],
      years: ['2026', '2025'],
    });
  });

  it('gives only years for a dataset reported by years', () => {
    expect(availablePeriods(['2025-03', '2026-05'], true)).toEqual({ months: [], quarters: [], halves: [], years: ['2026', '2025'] });
    expect(availablePeriods([])).toEqual({ months: [], quarters: [], halves: [], years: [] });
  });
});

describe('openApiPath', () => {
  it('writes Express parameters as OpenAPI templates', () => {
    expect(openApiPath('/api/v1/surveys/:survey/results')).toBe('/api/v1/surveys/{survey}/results');
    expect(openApiPath('/api/v1/units')).toBe('/api/v1/units');
  });
});
