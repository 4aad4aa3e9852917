import type { Request, Response } from 'express';
import { doubleSubmit, sameToken } from '../../server/platform/double-submit';

const TOKEN = 'abcdefghijklmnopqrstuvwx'; // 24 characters of [\w-]

describe('sameToken', () => {
  test('only the same well-formed token matches', () => {
    expect(sameToken(TOKEN, TOKEN)).toBe(true);
    expect(sameToken(TOKEN, 'abcdefghijklmnopqrstuvwy')).toBe(false);
    expect(sameToken(TOKEN, `${TOKEN}x`)).toBe(false);
    expect(sameToken(TOKEN, '')).toBe(false);
    expect(sameToken(TOKEN, undefined)).toBe(false);
    expect(sameToken(TOKEN, [TOKEN])).toBe(false);
    expect(sameToken(undefined, TOKEN)).toBe(false);
    expect(sameToken('', '')).toBe(false);
    // A cookie the server would never have set does not count, even if repeated in the form.
    expect(sameToken('short', 'short')).toBe(false);
  });
});

describe('doubleSubmit', () => {
  const req = (cookie?: string) => ({ headers: cookie === undefined ? {} : { cookie } }) as unknown as Request;
  const res = () => {
    const set: { name: string; value: string; options: unknown }[] = [];
    return { set, res: { cookie: (name: string, value: string, options: unknown) => set.push({ name, value, options }) } as unknown as Response };
  };
  const csrf = doubleSubmit('ivt', '/i', () => true);

  test('keeps a well-formed cookie, sets a new one (HttpOnly, SameSite=Lax, on the path) when missing or malformed', () => {
    const kept = res();
    expect(csrf.token(req(`ivt=${TOKEN}`), kept.res)).toBe(TOKEN);
    expect(kept.set).toEqual([]);
    const fresh = res();
    const token = csrf.token(req('ivt=bad'), fresh.res);
    expect(token).toMatch(/^[\w-]{24}$/);
    expect(fresh.set).toEqual([{ name: 'ivt', value: token, options: { httpOnly: true, sameSite: 'lax', secure: true, path: '/i' } }]);
  });

  test('a post is accepted only with the cookie repeated in the form', () => {
    expect(csrf.ok(req(`ivt=${TOKEN}`), TOKEN)).toBe(true);
    expect(csrf.ok(req(`svt=${TOKEN}`), TOKEN)).toBe(false);
    expect(csrf.ok(req(), TOKEN)).toBe(false);
    expect(csrf.ok(req(`ivt=${TOKEN}`), 'abcdefghijklmnopqrstuvwy')).toBe(false);
  });
});
