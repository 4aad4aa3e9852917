import { z } from 'zod';
import { parsePeriod } from '../reports/period';
import { FORMATS } from './table';

export const DATASETS = ['responses', 'aggregates', 'results', 'scores', 'allocation'] as const;

/** The export form (a GET form: choosing a download changes nothing). */
export const exportQuery = z.object({
  dataset: z.enum(DATASETS, { error: 'exports.error.dataset' }),
  format: z.enum(FORMATS, { error: 'exports.error.format' }),
  survey: z.string().trim().max(64).default(''),
  scope: z.string().trim().max(12).default(''),
  period: z
    .string({ error: 'exports.error.period' })
    .trim()
    .max(20, 'exports.error.period')
    .refine((v) => parsePeriod(v) !== undefined, 'exports.error.period'),
});

export type Dataset = (typeof DATASETS)[number];
export type ExportQuery = z.output<typeof exportQuery>;
