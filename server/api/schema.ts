import { z } from 'zod';
import { idParam } from '../platform/routes';
import { parsePeriod, type Period } from '../reports/period';

/**
 * The API's parameters and answers as zod schemas: parameters are parsed with
 * them, and the OpenAPI document (openapi.ts) is generated from the same
 * schemas, so the document cannot drift from what the code accepts and
 * returns (the integration test also checks real answers against them).
 */

const period = z
  .string({ error: 'api.param.period' })
  .max(20, 'api.param.period')
  .transform((raw, ctx): Period => {
    const p = parsePeriod(raw);
    if (!p) {
      ctx.addIssue({ code: 'custom', message: 'api.param.period' });
      return z.NEVER;
    }
    return p;
  })
  .meta({
    description: 'A month (2026-07), quarter (2026Q3), half-year (2026H2) or year (2026), or the same with the ROC year (115-07, 115Q3, 115H2, 115).',
    examples: ['2026Q3', '115Q3', '2026-07', '2026H2', '2026'],
  });

const unit = z
  .string({ error: 'api.param.unit' })
  .regex(/^\d{1,10}$/, 'api.param.unit')
  .transform((raw, ctx): number => {
    const id = idParam(raw);
    if (id === undefined) {
      ctx.addIssue({ code: 'custom', message: 'api.param.unit' });
      return z.NEVER;
    }
    return id;
  })
  .meta({ description: 'A unit id (see /api/v1/units): the figures cover that unit and every unit under it. Default: the whole reach of the token, or every unit for public data.' });

/** Query of the figures endpoints: a period, and optionally a unit. Unknown parameters are refused, not ignored. */
export const figuresQuery = z.object({ period, unit: unit.optional() }).strict();
export type FiguresQuery = z.output<typeof figuresQuery>;

export const noQuery = z.object({}).strict();

export const surveyKeyParam = z.string().regex(/^[a-z][a-z0-9_.-]{0,63}$/).meta({ description: 'A survey key, as listed by /api/v1/surveys.' });

// ---- Answers -------------------------------------------------------------

const text = z.object({ 'zh-TW': z.string(), en: z.string() }).strict();
const share = z
  .object({ p: z.number(), lower: z.number(), upper: z.number() })
  .strict()
  .meta({ description: 'A proportion with its 95 % Wilson score interval.' });
const mean = z
  .object({ mean: z.number(), sd: z.number().nullable(), lower: z.number().nullable(), upper: z.number().nullable() })
  .strict()
  .meta({ description: 'A mean with its sample standard deviation and 95 % t interval (null with a single answer).' });

const periodOut = z
  .object({ key: z.string(), kind: z.enum(['month', 'quarter', 'half', 'year']), firstMonth: z.string(), lastMonth: z.string(), label: text })
  .strict();
const scopeOut = z
  .object({ unitId: z.number().int(), code: z.string(), name: text })
  .strict()
  .nullable()
  .meta({ description: 'The unit whose subtree the figures cover; null: every unit.' });

export const unitOut = z
  .object({ id: z.number().int(), parentId: z.number().int().nullable(), code: z.string(), type: z.string(), name: text, active: z.boolean() })
  .strict();
export const unitsResponse = z.object({ units: z.array(unitOut) }).strict();

const questionOut = z
  .object({
    key: z.string(),
    section: z.string(),
    text,
    n: z.number().int().meta({ description: 'Valid answers (on the scale).' }),
    notApplicable: z.number().int(),
    satisfied: z.number().int().nullable().meta({ description: 'Answers at the scale’s satisfied points (top-2 box); null when suppressed.' }),
    neutral: z.number().int().nullable(),
    share: share.nullable(),
    mean: mean.nullable(),
    distribution: z.array(z.object({ value: z.number().int(), n: z.number().int(), share: z.number() }).strict()).meta({ description: 'Answers per scale point; empty when suppressed.' }),
    suppressed: z.boolean().meta({ description: 'Withheld: public data with fewer answers than publicMinimum (more than none); the figures computed from the answers are null or empty.' }),
  })
  .strict();

export const surveyResultsResponse = z
  .object({
    survey: z.object({ key: z.string(), kind: z.enum(['citizen', 'staff', 'case']), version: z.string(), title: text }).strict(),
    period: periodOut,
    scope: scopeOut,
    staffMinimum: z
      .number()
      .int()
      .nullable()
      .meta({ description: 'Staff survey: figures count only groups (unit and year) of at least this many respondents; null for other surveys.' }),
    publicMinimum: z
      .number()
      .int()
      .nullable()
      .meta({
        description:
          'Public data (answered whether or not a token is given): every figure drawn from fewer than this many answers (but at least one) is withheld: the overall figures with their margin of error, a question’s, a dimension’s, a unit’s or a trend point’s; each is marked `suppressed`. Null: nothing is withheld for being small (a token holder reading data that is not public).',
      }),
    suppressed: z.boolean().meta({ description: 'Staff survey with no group large enough: no figure is given.' }),
    overall: z
      .object({ question: z.string(), n: z.number().int(), satisfied: z.number().int().nullable(), share: share.nullable(), mean: mean.nullable(), suppressed: z.boolean().meta({ description: 'Withheld: public data with fewer answers than publicMinimum (more than none); the figures computed from the answers are null or empty.' }) })
      .strict()
      .nullable(),
    marginOfError: z
      .object({ level: z.number(), conservative: z.number(), observed: z.number().nullable(), fpc: z.number() })
      .strict()
      .nullable()
      .meta({ description: 'Margin of error of the overall satisfied share at 95 % (proportions: 0.03 is ±3 points), with the finite population correction where the staff headcount is known.' }),
    questions: z.array(questionOut),
    dimensions: z.array(
      z
        .object({ key: z.string(), title: text, items: z.array(z.string()), n: z.number().int(), mean: mean.nullable(), alpha: z.number().nullable(), suppressed: z.boolean().meta({ description: 'Withheld: public data with fewer answers than publicMinimum (more than none); the figures computed from the answers are null or empty.' }) })
        .strict()
        .meta({ description: 'A section’s score: the mean of each complete respondent’s average over its items, with Cronbach’s α.' }),
    ),
    units: z.array(
      z.object({ unitId: z.number().int().meta({ description: '0: staff who named no unit.' }), n: z.number().int(), share: share.nullable(), small: z.boolean(), suppressed: z.boolean().meta({ description: 'Withheld: public data with fewer answers than publicMinimum (more than none); the figures computed from the answers are null or empty.' }) }).strict(),
    ),
    trend: z.array(z.object({ label: z.string(), n: z.number().int(), share: share.nullable(), suppressed: z.boolean().meta({ description: 'Withheld: public data with fewer answers than publicMinimum (more than none); the figures computed from the answers are null or empty.' }) }).strict()),
  })
  .strict();

const scoreSummaryOut = z
  .object({
    n: z.number().int().meta({ description: 'Scored tests.' }),
    unreachable: z.number().int(),
    mean: mean.nullable(),
    bands: z.object({ excellent: z.number().int(), good: z.number().int(), fair: z.number().int(), poor: z.number().int() }).strict(),
    below: z.number().int().meta({ description: 'Scored tests below the follow-up threshold.' }),
    belowShare: share.nullable(),
  })
  .strict();

export const phoneTestsResponse = z
  .object({
    period: periodOut,
    scope: scopeOut,
    threshold: z.number(),
    summary: scoreSummaryOut,
    months: z.array(z.object({ month: z.string() }).extend(scoreSummaryOut.shape).strict()),
    units: z.array(
      z
        .object({
          unitId: z.number().int(),
          code: z.string(),
          name: text,
          summary: scoreSummaryOut,
          months: z.array(z.object({ month: z.string() }).extend(scoreSummaryOut.shape).strict()),
        })
        .strict(),
    ),
  })
  .strict();

export const surveysResponse = z
  .object({
    surveys: z.array(
      z
        .object({
          key: z.string(),
          kind: z.enum(['citizen', 'staff', 'case']),
          version: z.string(),
          title: text,
          dataset: z.string(),
          public: z.boolean(),
          periodKinds: z.array(z.enum(['month', 'quarter', 'half', 'year'])),
          questions: z.array(
            z
              .object({
                key: z.string(),
                section: z.string(),
                text,
                scale: z.array(z.object({ value: z.number().int(), label: text }).strict()),
                satisfied: z.array(z.number().int()),
              })
              .strict(),
          ),
          dimensions: z.array(z.object({ key: z.string(), title: text, items: z.array(z.string()) }).strict()),
        })
        .strict(),
    ),
  })
  .strict();

export const periodsResponse = z
  .object({
    datasets: z.array(
      z
        .object({
          dataset: z.string(),
          months: z.array(z.string()),
          quarters: z.array(z.string()),
          halves: z.array(z.string()),
          years: z.array(z.string()),
        })
        .strict(),
    ),
  })
  .strict();

export const problemResponse = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(z.object({ parameter: z.string(), message: z.string() }).strict()).optional(),
  })
  .strict()
  .meta({ description: 'A problem (RFC 9457), in the language of Accept-Language (zh-TW or en).' });
