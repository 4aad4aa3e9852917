import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { canonicalJson } from '../courtesy/scoresheet';
import crypto from 'node:crypto';

/**
 * Survey definitions are data: surveys/*.json, validated here at start. A
 * survey's version is the hash of its content, so editing a live survey makes
 * a new version; answers keep theirs. Questions with the same key and scale
 * are comparable across versions.
 */
const text = z.object({ 'zh-TW': z.string().min(1), en: z.string().min(1) }).strict();
const key = z.string().regex(/^[a-z][a-z0-9_.-]{0,63}$/);

const scaleSchema = z
  .object({
    points: z
      .array(z.object({ value: z.number().int(), label: text }).strict())
      .min(4)
      .max(7),
    /** Which points count as satisfied (滿意度 = 非常滿意 + 滿意, top-2 box). */
    satisfied: z.array(z.number().int()).min(1),
  })
  .strict()
  .refine((s) => s.satisfied.every((v) => s.points.some((p) => p.value === v)), { message: 'satisfied points must be points of the scale' })
  .refine((s) => new Set(s.points.map((p) => p.value)).size === s.points.length, { message: 'scale values must differ' });

const option = z.object({ value: key, label: text }).strict();
const common = { key, text, required: z.boolean().default(true), hint: text.optional() };

const likert = z.object({ ...common, type: z.literal('likert'), scale: key, allowNA: z.boolean().default(false), phone: z.boolean().default(true) }).strict();
const single = z.object({ ...common, type: z.literal('single'), options: z.array(option).min(2) }).strict();
const multiple = z.object({ ...common, type: z.literal('multiple'), options: z.array(option).min(2), max: z.number().int().positive().optional() }).strict();
const rating = z.object({ ...common, type: z.literal('rating'), allowNA: z.boolean().default(false) }).strict();
const shortText = z.object({ ...common, type: z.literal('text'), maxLength: z.number().int().min(1).max(2000).default(500) }).strict();
const demographic = z
  .object({ ...common, type: z.literal('demographic'), dimension: z.enum(['age', 'sex', 'purpose', 'district', 'unit', 'other']), options: z.array(option).min(2) })
  .strict();
/** Staff surveys: the respondent may name his or her unit, chosen from the agency's units. */
const unitChoice = z.object({ ...common, type: z.literal('unit') }).strict();

export const questionSchema = z.discriminatedUnion('type', [likert, single, multiple, rating, shortText, demographic, unitChoice]);

export const surveySchema = z
  .object({
    $schema: z.string().optional(),
    key,
    kind: z.enum(['citizen', 'staff', 'case']),
    title: text,
    intro: text,
    /** Answers carry no identity; staff surveys are always anonymous. */
    anonymous: z.boolean().default(true),
    /** Whether a phone-keypad call that hangs up midway keeps what was answered. */
    allowPartial: z.boolean().default(false),
    /** Whether the survey can be taken by phone keypad (its Likert questions, digit = scale value). */
    phone: z.boolean().optional(),
    scales: z.record(key, scaleSchema),
    sections: z
      .array(z.object({ key, title: text, questions: z.array(questionSchema).min(1) }).strict())
      .min(1),
  })
  .strict()
  .superRefine((survey, ctx) => {
    const keys = survey.sections.flatMap((s) => s.questions.map((q) => q.key));
    const dup = keys.find((k, i) => keys.indexOf(k) !== i);
    if (dup) ctx.addIssue({ code: 'custom', message: `question key "${dup}" is used twice` });
    for (const q of survey.sections.flatMap((s) => s.questions)) {
      if (q.type === 'likert' && !survey.scales[q.scale]) ctx.addIssue({ code: 'custom', message: `question "${q.key}" uses the unknown scale "${q.scale}"` });
    }
    if (survey.kind === 'staff' && !survey.anonymous) ctx.addIssue({ code: 'custom', message: 'a staff survey must be anonymous' });
  });

export type Survey = z.output<typeof surveySchema>;
export type Question = z.output<typeof questionSchema>;
export type Scale = Survey['scales'][string];

export interface VersionedSurvey {
  survey: Survey;
  version: string;
}

export function surveyVersion(survey: Survey): string {
  return crypto.createHash('sha256').update(canonicalJson(survey)).digest('hex').slice(0, 16);
}

export function questionsOf(survey: Survey): Question[] {
  return survey.sections.flatMap((s) => s.questions);
}

/** What makes answers to a question comparable across versions: its key, type and scale. */
export function comparabilityKey(survey: Survey, q: Question): string {
  if (q.type === 'likert') {
    const scale = survey.scales[q.scale];
    return `${q.key}|likert|${scale ? canonicalJson({ points: scale.points.map((p) => p.value), satisfied: [...scale.satisfied].sort((a, b) => a - b) }) : '?'}`;
  }
  if (q.type === 'single' || q.type === 'multiple' || q.type === 'demographic') return `${q.key}|${q.type}|${q.options.map((o) => o.value).join(',')}`;
  return `${q.key}|${q.type}`;
}

export class SurveyDefinitionError extends Error {}

/** Reads and validates every survey in a folder (not schema.json, not sub-folders). */
export function loadSurveys(dir: string): VersionedSurvey[] {
  const files = fs.readdirSync(dir, { withFileTypes: true }).filter((f) => f.isFile() && f.name.endsWith('.json') && f.name !== 'schema.json');
  const loaded = files.map((f) => {
    const full = path.join(dir, f.name);
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(full, 'utf8'));
    } catch (err) {
      throw new SurveyDefinitionError(`${full}: not JSON (${(err as Error).message})`);
    }
    const parsed = surveySchema.safeParse(raw);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(survey)'}: ${i.message}`).join('\n');
      throw new SurveyDefinitionError(`${full} is not a valid survey:\n${problems}`);
    }
    return { survey: parsed.data, version: surveyVersion(parsed.data), file: full };
  });
  const seen = new Map<string, string>();
  for (const l of loaded) {
    const other = seen.get(l.survey.key);
    if (other) throw new SurveyDefinitionError(`${l.file} and ${other} both define the survey "${l.survey.key}"`);
    seen.set(l.survey.key, l.file);
  }
  return loaded.map(({ survey, version }) => ({ survey, version }));
}

export function surveyJsonSchema(): unknown {
  return z.toJSONSchema(surveySchema, { io: 'input', unrepresentable: 'any' });
}
