/**
 * Believable synthetic answers to a survey, for the demo agency, the
 * benchmarks and tests that need volume. Each respondent has a leaning (how
 * satisfied overall) and answers every Likert item near it, so that items of
 * a section correlate as real ones do and Cronbach's α comes out realistic.
 * Deterministic for a given random source.
 */
import type { Survey } from './definition';
import type { Answers } from './submission';

export interface SyntheticOptions {
  /** Mean leaning on a 0–1 scale (0.75: mostly satisfied). */
  level: number;
  /** Share of optional questions left unanswered. */
  skip?: number;
  /** Unit ids a staff respondent may name (none: the question is left unanswered). */
  units?: readonly number[];
}

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.min(items.length - 1, Math.floor(random() * items.length))] as T;
}

/** Roughly normal noise (Irwin–Hall with 3 terms), mean 0, SD about 0.17 × spread. */
function noise(random: () => number, spread: number): number {
  return ((random() + random() + random()) / 3 - 0.5) * spread;
}

export function syntheticAnswers(survey: Survey, random: () => number, options: SyntheticOptions): Answers {
  const answers: Answers = new Map();
  const skip = options.skip ?? 0.1;
  const leaning = Math.min(1, Math.max(0, options.level + noise(random, 0.6)));
  for (const section of survey.sections) {
    for (const q of section.questions) {
      if (!q.required && random() < skip) continue;
      switch (q.type) {
        case 'likert': {
          if (q.allowNA && random() < 0.08) {
            answers.set(q.key, { value: 'na', text: null });
            break;
          }
          const points = (survey.scales[q.scale]?.points ?? []).map((p) => p.value).sort((a, b) => a - b);
          const x = Math.min(1, Math.max(0, leaning + noise(random, 0.5)));
          answers.set(q.key, { value: String(points[Math.min(points.length - 1, Math.floor(x * points.length))]), text: null });
          break;
        }
        case 'rating':
          answers.set(q.key, { value: String(Math.min(10, Math.max(0, Math.round(leaning * 10 + noise(random, 4))))), text: null });
          break;
        case 'single':
        case 'demographic':
          answers.set(q.key, { value: pick(q.options, random).value, text: null });
          break;
        case 'multiple':
          answers.set(q.key, { value: null, text: JSON.stringify([pick(q.options, random).value]) });
          break;
        case 'unit':
          if (options.units && options.units.length > 0) answers.set(q.key, { value: String(pick(options.units, random)), text: null });
          break;
        case 'text':
          break;
      }
    }
  }
  return answers;
}
