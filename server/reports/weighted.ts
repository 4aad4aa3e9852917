/**
 * Weighted satisfaction: respondents raked to the population margins a
 * manager entered, per weighting cell, then each Likert question's satisfied
 * share re-estimated with those weights. Respondents who did not give every
 * weighting variable cannot be placed in a cell and are left out of the
 * weighted figures (the page says how many).
 */
import { rake, weightedProportion, type WeightedProportion } from '../stats/weighting';
import { CELL_N, cellLevels } from '../surveys/aggregate';
import type { CellRow } from './dashboard-repo';
import type { LikertQuestion } from './survey-figures';

export type PopulationMargins = Record<string, Record<string, number>>;

export type WeightedFigures =
  | { ok: true; n: number; excluded: number; effectiveN: number; designEffect: number; converged: boolean; shares: Map<string, WeightedProportion | null> }
  | { ok: false; reason: 'unreachable' | 'empty' };

export function weightedFigures(rows: readonly CellRow[], margins: PopulationMargins, questions: readonly LikertQuestion[]): WeightedFigures {
  const variables = Object.keys(margins);
  const respondents = new Map<string, number>();
  const answers = new Map<string, Map<string, Map<string, number>>>();
  for (const r of rows) {
    if (r.questionKey === CELL_N) {
      respondents.set(r.cell, (respondents.get(r.cell) ?? 0) + r.n);
      continue;
    }
    const byQuestion = answers.get(r.cell) ?? new Map<string, Map<string, number>>();
    const h = byQuestion.get(r.questionKey) ?? new Map<string, number>();
    h.set(r.value, (h.get(r.value) ?? 0) + r.n);
    byQuestion.set(r.questionKey, h);
    answers.set(r.cell, byQuestion);
  }
  let excluded = 0;
  const cells: { cell: string; levels: Record<string, string>; n: number }[] = [];
  for (const [cell, n] of respondents) {
    const levels = cellLevels(cell);
    // A respondent with a variable unanswered, or at a level the population margins do not list, has no cell to be weighted in.
    if (variables.every((v) => (margins[v]?.[levels[v] ?? ''] ?? 0) > 0)) cells.push({ cell, levels, n });
    else excluded += n;
  }
  if (cells.length === 0) return { ok: false, reason: 'empty' };
  let result;
  try {
    result = rake(cells, margins);
  } catch (err) {
    // A population level with no respondent at all cannot be reached by any weights.
    if (err instanceof RangeError) return { ok: false, reason: 'unreachable' };
    throw err;
  }
  const shares = new Map<string, WeightedProportion | null>();
  for (const q of questions) {
    shares.set(
      q.key,
      weightedProportion(
        cells.map((c, i) => {
          const h = answers.get(c.cell)?.get(q.key);
          let n = 0;
          let successes = 0;
          for (const point of q.scale.points) {
            const count = h?.get(String(point)) ?? 0;
            n += count;
            if (q.scale.satisfied.includes(point)) successes += count;
          }
          return { weight: result.weights[i] ?? 0, n, successes };
        }),
      ),
    );
  }
  const n = cells.reduce((a, c) => a + c.n, 0);
  return { ok: true, n, excluded, effectiveN: result.effectiveN, designEffect: result.designEffect, converged: result.converged, shares };
}
