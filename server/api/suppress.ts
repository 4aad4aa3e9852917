import type { z } from 'zod';
import type { surveyResultsResponse } from './schema';

type SurveyResults = z.input<typeof surveyResultsResponse>;

/** Whether a figure of `n` answers is too small to publish: at least one answer, fewer than `min`. */
const small = (n: number, min: number) => n > 0 && n < min;

/**
 * Survey results as they may be published to anyone (public datasets): every
 * figure drawn from fewer than `min` answers is withheld, because with one to
 * four answers a distribution, share or mean comes close to a single person's
 * answers. What is withheld keeps its key and count, is marked `suppressed`,
 * and loses everything computed from the answers: the overall figures with
 * their margin of error, a question's counts, shares, mean and distribution,
 * a dimension's mean and α, a unit's share and a trend point's share. Pure.
 */
export function withholdSmall(out: SurveyResults, min: number): SurveyResults {
  const overallSmall = out.overall ? small(out.overall.n, min) : false;
  return {
    ...out,
    publicMinimum: min,
    overall: out.overall && overallSmall ? { question: out.overall.question, n: out.overall.n, satisfied: null, share: null, mean: null, suppressed: true } : out.overall,
    marginOfError: overallSmall ? null : out.marginOfError,
    questions: out.questions.map((q) =>
      small(q.n, min) ? { key: q.key, section: q.section, text: q.text, n: q.n, notApplicable: q.notApplicable, satisfied: null, neutral: null, share: null, mean: null, distribution: [], suppressed: true } : q,
    ),
    dimensions: out.dimensions.map((d) => (small(d.n, min) ? { ...d, mean: null, alpha: null, suppressed: true } : d)),
    units: out.units.map((u) => (small(u.n, min) ? { ...u, share: null, suppressed: true } : u)),
    trend: out.trend.map((p) => (small(p.n, min) ? { ...p, share: null, suppressed: true } : p)),
  };
}
