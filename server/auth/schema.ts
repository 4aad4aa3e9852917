import { z } from 'zod';
import { CODE_PATTERN } from '../org/unit-import';
import { MIN_PASSWORD_LENGTH } from './passwords';

const required = (max: number) => z.string({ error: 'validation.required' }).trim().min(1, 'validation.required').max(max, 'validation.tooLong');
const email = z.string({ error: 'validation.required' }).trim().min(1, 'validation.required').max(254, 'validation.tooLong').pipe(z.email('validation.email'));
const newPassword = z
  .string({ error: 'validation.required' })
  .min(MIN_PASSWORD_LENGTH, 'validation.passwordShort')
  .max(200, 'validation.tooLong');

const passwordFields = { password: newPassword, passwordConfirm: z.string({ error: 'validation.required' }) };
/** Both password fields must match; the error is shown on the confirmation field. */
const matches = (v: { password: string; passwordConfirm: string }) => v.password === v.passwordConfirm;
const mismatch = { path: ['passwordConfirm'], message: 'validation.passwordMismatch' };

export const loginSchema = z.object({
  email: z.string({ error: 'validation.required' }).trim().min(1, 'validation.required').max(254, 'validation.tooLong'),
  password: z.string({ error: 'validation.required' }).min(1, 'validation.required').max(200, 'validation.tooLong'),
  next: z.string().optional(),
});

const agencyShape = {
  agencyCode: required(64).refine((v) => CODE_PATTERN.test(v), { message: 'unit.error.code' }),
  agencyNameZh: required(200),
  agencyNameEn: z.string().trim().max(200, 'validation.tooLong').default(''),
};
const adminShape = { token: z.string().min(1), name: required(200), email };

export const setupWithAgencySchema = z.object({ ...agencyShape, ...adminShape, ...passwordFields }).refine(matches, mismatch);
export const setupSchema = z.object({ ...adminShape, ...passwordFields }).refine(matches, mismatch);
export type SetupInput = z.output<typeof setupSchema> & Partial<z.output<typeof setupWithAgencySchema>>;

export const resetSchema = z.object({ token: z.string().min(1), ...passwordFields }).refine(matches, mismatch);

export const changePasswordSchema = z
  .object({
    current: z.string({ error: 'validation.required' }).min(1, 'validation.required').max(200, 'validation.tooLong'),
    ...passwordFields,
  })
  .refine(matches, mismatch);

export const langSchema = z.object({
  lang: z.enum(['zh-TW', 'en']),
  next: z.string().optional(),
});

/** Only same-site paths may be used as a redirect target. */
export function safeNext(next: string | undefined, fallback = '/'): string {
  // Browsers drop tabs and line breaks and read a backslash as a slash, so "/\t/evil" would leave the site.
  const unsafe = [...next ?? ''].some((c) => c === '\\' || c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
  if (!next || !next.startsWith('/') || unsafe || next.startsWith('//')) return fallback;
  return next;
}

/** What `npm run admin -- create` is given. */
export const cliAdminSchema = z.object({
  email,
  name: required(200),
  unit: z.string().trim().min(1).optional(),
  agency: z.object({ code: agencyShape.agencyCode, nameZh: agencyShape.agencyNameZh, nameEn: agencyShape.agencyNameEn }).optional(),
});
