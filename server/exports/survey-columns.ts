/**
 * How survey answers become export cells (pure). Scale points and ratings are
 * numbers, options their codes, several options joined by "; ", free text as
 * stored (it was masked before it was stored); "na" is not applicable.
 */
import type { Lang } from '../platform/i18n';
import type { Question, Survey } from '../surveys/definition';
import { TEXT_ANSWERED } from '../surveys/aggregate';
import type { Cell } from './table';

export interface ExportQuestion {
  key: string;
  type: Question['type'];
  text: { 'zh-TW': string; en: string };
  /** Labels of the values (scale points, options). */
  labels: Map<string, { 'zh-TW': string; en: string }>;
}

function labelsOf(survey: Survey, q: Question): Map<string, { 'zh-TW': string; en: string }> {
  if (q.type === 'likert') return new Map((survey.scales[q.scale]?.points ?? []).map((p) => [String(p.value), p.label]));
  if (q.type === 'single' || q.type === 'multiple' || q.type === 'demographic') return new Map(q.options.map((o) => [o.value, o.label]));
  return new Map();
}

/**
 * The questions of a survey over all its versions, the current one's first and
 * in its order, then any that only older versions asked. The staff survey's
 * unit question is left out: the unit is a column of its own.
 */
export function exportQuestions(current: Survey, older: readonly Survey[]): ExportQuestion[] {
  const out = new Map<string, ExportQuestion>();
  for (const survey of [current, ...[...older].reverse()]) {
    for (const q of survey.sections.flatMap((s) => s.questions)) {
      if (q.type === 'unit' || out.has(q.key)) continue;
      out.set(q.key, { key: q.key, type: q.type, text: q.text, labels: labelsOf(survey, q) });
    }
  }
  return [...out.values()];
}

/** A stored answer (its value, or its text where it has none) as a cell. */
export function answerCell(q: ExportQuestion, stored: string | null): Cell {
  if (stored === null) return null;
  switch (q.type) {
    case 'likert':
    case 'rating':
      return integerOr(stored);
    case 'multiple': {
      try {
        const chosen = JSON.parse(stored) as unknown;
        return Array.isArray(chosen) ? chosen.map(String).join('; ') : null;
      } catch {
        return null;
      }
    }
    default:
      return stored;
  }
}

/** The label of a counted value in the reader's language (a scale point, an option, "not applicable", "text given"). */
export function valueLabel(q: ExportQuestion | undefined, value: string, lang: Lang, fixed: { na: string; text: string }): string {
  if (value === 'na') return fixed.na;
  if (value === TEXT_ANSWERED) return fixed.text;
  const label = q?.labels.get(value);
  return label ? label[lang] : value;
}

/** A counted value as a cell: scale points and ratings as numbers. */
export function valueCell(value: string): Cell {
  return integerOr(value);
}

/** An integer written as digits becomes a number ("5" → 5); anything else ("na") stays text. */
function integerOr(text: string): Cell {
  // Most answers are one digit (a scale point): read without a conversion to and from a number.
  if (text.length === 1) {
    const digit = text.charCodeAt(0) - 48;
    if (digit >= 0 && digit <= 9) return digit;
  }
  const n = Number(text);
  return Number.isSafeInteger(n) && String(n) === text ? n : text;
}
