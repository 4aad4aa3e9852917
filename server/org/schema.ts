import { z } from 'zod';
import { ROLES } from '../auth/current-user';
import { normalisePhone } from './phone';
import { CODE_PATTERN } from './unit-import';
import { UNIT_TYPES } from './units-repo';

const text = (max: number) =>
  z.string({ error: 'validation.required' }).trim().min(1, 'validation.required').max(max, 'validation.tooLong');
const optionalText = (max: number) => z.string().trim().max(max, 'validation.tooLong').default('');

/** A phone field as typed: optional; when given it must be a Taiwanese number we can dial. */
const phone = z
  .string()
  .trim()
  .default('')
  .transform((value, ctx) => {
    if (value === '') return { e164: null, ext: null };
    const p = normalisePhone(value);
    if (!p.ok) {
      ctx.addIssue({ code: 'custom', message: 'validation.phone' });
      return z.NEVER;
    }
    return { e164: p.e164, ext: p.ext };
  });

const optionalId = z
  .string()
  .trim()
  .default('')
  .transform((v, ctx) => {
    if (v === '') return null;
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) {
      ctx.addIssue({ code: 'custom', message: 'validation.invalid' });
      return z.NEVER;
    }
    return n;
  });

export const unitSchema = z
  .object({
    code: text(64).refine((v) => CODE_PATTERN.test(v), { message: 'unit.error.code' }),
    parentId: optionalId,
    type: z.enum(UNIT_TYPES, { error: 'validation.choose' }),
    nameZh: text(200),
    nameEn: optionalText(200),
    phone,
  })
  .transform(({ phone: p, ...rest }) => ({ ...rest, phoneE164: p.e164, phoneExt: p.ext }));
export type UnitInput = z.output<typeof unitSchema>;

export const userSchema = z
  .object({
    name: text(200),
    email: z.string().trim().max(254, 'validation.tooLong').pipe(z.email('validation.email')),
    role: z.enum(ROLES, { error: 'validation.choose' }),
    unitId: z.coerce.number({ error: 'validation.choose' }).int('validation.choose').positive('validation.choose'),
    phone,
  })
  .transform(({ phone: p, ...rest }) => ({ ...rest, phoneE164: p.e164, phoneExt: p.ext }));
export type UserInput = z.output<typeof userSchema>;
