import fc from 'fast-check';
import { idParam } from '../../server/platform/routes';

describe('idParam', () => {
  it.each([
    ['1', 1],
    ['42', 42],
    ['007', 7],
  ])('reads %j as the id %d', (value, id) => {
    expect(idParam(value)).toBe(id);
  });

  it.each(['0', '-1', '1.5', '1e3', '0x1F', ' 1', '1 ', '１', '', 'abc', '12345678901'])('gives no id for %j', (value) => {
    expect(idParam(value)).toBeUndefined();
  });

  it('gives no id for a repeated or missing parameter', () => {
    expect(idParam(['1', '2'])).toBeUndefined();
    expect(idParam(undefined)).toBeUndefined();
  });

  it('reads every id a database row can have', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2147483647 }), (id) => {
        expect(idParam(String(id))).toBe(id);
      }),
    );
  });

  // Ids are 32-bit integer columns (knex increments()); PostgreSQL rejects a
  // larger value in a query with an error, which would be a 500, not a 404.
  it('gives no id beyond the largest 32-bit integer', () => {
    expect(idParam('2147483647')).toBe(2147483647);
    expect(idParam('2147483648')).toBeUndefined();
    expect(idParam('9999999999')).toBeUndefined();
  });
});
