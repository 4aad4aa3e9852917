import { z } from 'zod';
import type { FieldError } from '../platform/http';
import type { MessageKey } from '../platform/i18n';
import { questionsOf, type Question, type Survey } from './definition';
import { maskPersonalData } from './mask';

/**
 * A citizen's or staff member's answers as the public form sends them
 * (`q_<question>` fields), checked against the survey. Every problem is a
 * message key on its field; free text is masked before anyone stores it.
 */
export interface StoredAnswer {
  /** A scale point, rating, option or unit id; 'na' for not applicable; null for text or several options. */
  value: string | null;
  /** Masked free text, or the chosen options of a multiple-choice question as JSON. */
  text: string | null;
}

export type Answers = Map<string, StoredAnswer>;

export const NA = 'na';

const MAX_FIELDS = 200;

/** The envelope every public submission must fit: strings (or lists of strings) only, none too long, not too many. */
export const submissionEnvelope = z
  .record(z.string().max(80), z.union([z.string().max(5000), z.array(z.string().max(200)).max(50)]))
  .refine((r) => Object.keys(r).length <= MAX_FIELDS, { message: 'survey.error.tooMany' });

const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function checkOne(q: Question, raw: string | string[] | undefined, survey: Survey, unitIds: ReadonlySet<number>): { answer?: StoredAnswer; error?: MessageKey } {
  const single = Array.isArray(raw) ? undefined : raw?.trim();
  const empty = raw === undefined || (Array.isArray(raw) ? raw.length === 0 : raw.trim() === '');
  if (empty) return q.required ? { error: 'survey.error.required' } : {};
  switch (q.type) {
    case 'likert': {
      if (single === NA) return q.allowNA ? { answer: { value: NA, text: null } } : { error: 'survey.error.choice' };
      const scale = survey.scales[q.scale];
      const ok = scale?.points.some((p) => String(p.value) === single);
      return ok ? { answer: { value: single as string, text: null } } : { error: 'survey.error.choice' };
    }
    case 'rating': {
      if (single === NA) return q.allowNA ? { answer: { value: NA, text: null } } : { error: 'survey.error.choice' };
      return single !== undefined && /^(10|[0-9])$/.test(single) ? { answer: { value: single, text: null } } : { error: 'survey.error.choice' };
    }
    case 'single':
    case 'demographic':
      return q.options.some((o) => o.value === single) ? { answer: { value: single as string, text: null } } : { error: 'survey.error.choice' };
    case 'multiple': {
      const chosen = [...new Set(asList(raw))];
      if (!chosen.every((c) => q.options.some((o) => o.value === c))) return { error: 'survey.error.choice' };
      if (q.max !== undefined && chosen.length > q.max) return { error: 'survey.error.tooManyChoices' };
      return { answer: { value: null, text: JSON.stringify(chosen.sort()) } };
    }
    case 'text': {
      if (single === undefined) return { error: 'survey.error.invalid' };
      // Control characters (NUL among them, which PostgreSQL cannot store) go; line breaks and tabs stay.
      // A lone surrogate (not text in any encoding) becomes U+FFFD, as it would on its way into UTF-8.
      // eslint-disable-next-line no-control-regex
      const clean = single.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').replace(/[\uD800-\uDFFF]/gu, '\uFFFD').trim();
      if (clean === '') return q.required ? { error: 'survey.error.required' } : {};
      if ([...clean].length > q.maxLength) return { error: 'survey.error.tooLong' };
      return { answer: { value: null, text: maskPersonalData(clean) } };
    }
    case 'unit':
      // Stored as the id itself ("0123" is unit 123), so that one unit is always one value.
      return single !== undefined && /^\d{1,10}$/.test(single) && unitIds.has(Number(single))
        ? { answer: { value: String(Number(single)), text: null } }
        : { error: 'survey.error.choice' };
  }
}

/** A survey's questions with their form fields (q_<key>), worked out once per survey. */
interface Form {
  questions: { question: Question; field: string }[];
  known: Set<string>;
}
const forms = new WeakMap<Survey, Form>();
function formOf(survey: Survey): Form {
  let form = forms.get(survey);
  if (!form) {
    const questions = questionsOf(survey).map((question) => ({ question, field: `q_${question.key}` }));
    form = { questions, known: new Set(questions.map((q) => q.field)) };
    forms.set(survey, form);
  }
  return form;
}

export function parseSubmission(
  survey: Survey,
  body: unknown,
  unitIds: ReadonlySet<number> = new Set(),
): { ok: true; answers: Answers } | { ok: false; errors: FieldError[] } {
  const envelope = submissionEnvelope.safeParse(body ?? {});
  if (!envelope.success) {
    const tooMany = envelope.error.issues.some((i) => i.message === 'survey.error.tooMany');
    return { ok: false, errors: [{ field: 'form', key: tooMany ? 'survey.error.tooMany' : 'survey.error.malformed' }] };
  }
  const fields = envelope.data;
  const { questions, known } = formOf(survey);
  const errors: FieldError[] = [];
  for (const name of Object.keys(fields)) {
    if (name.startsWith('q_') && !known.has(name)) errors.push({ field: name, key: 'survey.error.unknownQuestion' });
  }
  const answers: Answers = new Map();
  for (const { question, field } of questions) {
    const { answer, error } = checkOne(question, fields[field], survey, unitIds);
    if (error) errors.push({ field, key: error });
    else if (answer) answers.set(question.key, answer);
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, answers };
}
