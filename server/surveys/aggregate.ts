import type { Survey } from './definition';
import type { Answers } from './submission';

/**
 * What one response adds to the stored aggregates. Counts: one per answered
 * question and value (options of a multiple-choice question each count; text
 * counts as answered). Sections: over complete cases (every Likert item of the
 * section answered on the scale, none N/A), n, each item's sum, and each pair's
 * sum of products, i ≤ j in the section's order (i = j gives the sum of squares).
 */
export interface CountDelta {
  questionKey: string;
  value: string;
}

export interface SectionDelta {
  sectionKey: string;
  itemI: string;
  itemJ: string;
  sum: number;
}

export const SECTION_N = '#';
export const ITEM_SUM = '';
export const TEXT_ANSWERED = '__text';

export function deltaOf(survey: Survey, answers: Answers): { counts: CountDelta[]; sections: SectionDelta[] } {
  const counts: CountDelta[] = [];
  const types = new Map(survey.sections.flatMap((s) => s.questions.map((q) => [q.key, q.type] as const)));
  for (const [questionKey, a] of answers) {
    if (a.value !== null) counts.push({ questionKey, value: a.value });
    else if (types.get(questionKey) === 'multiple' && a.text !== null) {
      for (const option of JSON.parse(a.text) as string[]) counts.push({ questionKey, value: option });
    } else counts.push({ questionKey, value: TEXT_ANSWERED });
  }
  const sections: SectionDelta[] = [];
  for (const section of survey.sections) {
    const items = section.questions.filter((q) => q.type === 'likert').map((q) => q.key);
    if (items.length === 0) continue;
    const values = items.map((k) => answers.get(k)?.value);
    if (!values.every((v) => v !== undefined && v !== null && v !== 'na')) continue;
    const x = values.map(Number);
    sections.push({ sectionKey: section.key, itemI: SECTION_N, itemJ: SECTION_N, sum: 1 });
    items.forEach((ki, i) => {
      sections.push({ sectionKey: section.key, itemI: ki, itemJ: ITEM_SUM, sum: x[i] as number });
      for (let j = i; j < items.length; j += 1) {
        sections.push({ sectionKey: section.key, itemI: ki, itemJ: items[j] as string, sum: (x[i] as number) * (x[j] as number) });
      }
    });
  }
  return { counts, sections };
}
