import { z } from 'zod';
import { MONTH_PATTERN, isoDate } from '../calendar/dates';

const blankToNull = <T extends z.ZodType>(inner: T) =>
  z.preprocess((v) => (v === '' || v === undefined ? null : v), inner.nullable());

const id = z.coerce.number({ error: 'validation.choose' }).int('validation.choose').positive('validation.choose');
export const isoDay = z
  .string({ error: 'validation.required' })
  .trim()
  .refine((v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && isoDate(Number(v.slice(0, 4)), Number(v.slice(5, 7)), Number(v.slice(8, 10))) !== null, {
    message: 'validation.date',
  });
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'validation.time');

export const assignmentSchema = z.object({
  testerId: blankToNull(id),
  date: blankToNull(isoDay),
  windowStart: blankToNull(clock),
});
export type AssignmentInput = z.output<typeof assignmentSchema>;

export const addUnitSchema = assignmentSchema.extend({ unitId: id });

export const draftSchema = z.object({
  scopeId: id,
  month: z.string({ error: 'validation.required' }).trim().regex(MONTH_PATTERN, 'validation.month'),
});

export const unavailableSchema = z
  .object({ from: isoDay, to: isoDay })
  .refine((v) => v.from <= v.to, { path: ['to'], message: 'validation.dateOrder' })
  .refine((v) => Date.parse(v.to) - Date.parse(v.from) <= 365 * 86_400_000, { path: ['to'], message: 'validation.rangeTooLong' });
