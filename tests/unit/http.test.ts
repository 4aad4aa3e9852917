import { z } from 'zod';
import { parseForm } from '../../server/platform/http';

const schema = z
  .object({
    name: z.string({ error: 'validation.required' }).trim().min(1, 'validation.required').max(5, 'validation.tooLong'),
    code: z.string().min(3, 'validation.tooLong').regex(/^[A-Z]+$/, 'unit.error.code'),
    email: z.string().pipe(z.email('validation.email')),
    note: z.string().min(1),
    count: z.coerce.number().optional(),
    tag: z.string().max(3).optional(),
    address: z.object({ city: z.string().min(2, 'validation.tooLong') }).optional(),
  })
  .refine((v) => v.name !== v.code, { message: 'validation.invalid' });

const valid = { name: 'Ann', code: 'ABC', email: 'ann@example.gov.tw', note: 'x' };

describe('parseForm', () => {
  it('returns the parsed data of a valid form', () => {
    expect(parseForm(schema, { ...valid, name: ' Ann ', count: '3' })).toEqual({ ok: true, data: { ...valid, count: 3 } });
  });

  it('reports every missing field as required, in form order, for a missing or empty body', () => {
    const required = ['name', 'code', 'email', 'note'].map((field) => ({ field, key: 'validation.required' }));
    expect(parseForm(schema, undefined)).toEqual({ ok: false, errors: required });
    expect(parseForm(schema, {})).toEqual({ ok: false, errors: required });
  });

  it('gives each field the message key of its first problem only', () => {
    expect(parseForm(schema, { ...valid, code: 'a', email: 'nope' })).toEqual({
      ok: false,
      errors: [
        { field: 'code', key: 'validation.tooLong' },
        { field: 'email', key: 'validation.email' },
      ],
    });
  });

  it('reads an empty value without its own key as missing, and other keyless problems as invalid', () => {
    expect(parseForm(schema, { ...valid, note: '', tag: 'long' })).toEqual({
      ok: false,
      errors: [
        { field: 'note', key: 'validation.required' },
        { field: 'tag', key: 'validation.invalid' },
      ],
    });
  });

  it('does not call a value that was given "required" when it has the wrong type', () => {
    expect(parseForm(schema, { ...valid, count: 'many' })).toEqual({ ok: false, errors: [{ field: 'count', key: 'validation.invalid' }] });
    expect(parseForm(schema, { ...valid, note: ['a', 'b'] })).toEqual({ ok: false, errors: [{ field: 'note', key: 'validation.invalid' }] });
  });

  it('names nested fields by their path and whole-form problems "form"', () => {
    expect(parseForm(schema, { ...valid, address: { city: 'X' } })).toEqual({
      ok: false,
      errors: [{ field: 'address.city', key: 'validation.tooLong' }],
    });
    expect(parseForm(schema, { ...valid, name: 'ABC' })).toEqual({ ok: false, errors: [{ field: 'form', key: 'validation.invalid' }] });
  });
});
