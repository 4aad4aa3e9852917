import type { z } from 'zod';
import type { surveyResultsResponse } from '../../server/api/schema';
import { withholdSmall } from '../../server/api/suppress';

type Results = z.input<typeof surveyResultsResponse>;

const text = { 'zh-TW': '整體', en: 'Overall' };
const share = (p: number) => ({ p, lower: 0, upper: 1 });
const mean = (m: number) => ({ mean: m, sd: null, lower: null, upper: null });
const question = (key: string, n: number) => ({
  key,
  section: 'overall',
  text,
  n,
  notApplicable: 1,
  satisfied: n,
  neutral: 0,
  share: n > 0 ? share(1) : null,
  mean: n > 0 ? mean(5) : null,
  distribution: [{ value: 5, n, share: n > 0 ? 1 : 0 }],
  suppressed: false,
});

function results(overallN: number): Results {
  return {
    survey: { key: 'citizen', kind: 'citizen', version: 'v1', title: text },
    period: { key: '2026Q3', kind: 'quarter', firstMonth: '2026-07', lastMonth: '2026-09', label: text },
    scope: null,
    staffMinimum: null,
    publicMinimum: null,
    suppressed: false,
    overall: { question: 'overall', n: overallN, satisfied: overallN, share: share(1), mean: mean(5), suppressed: false },
    marginOfError: { level: 0.95, conservative: 0.2, observed: 0.1, fpc: 1 },
    questions: [question('a', 0), question('b', 4), question('overall', 5)],
    dimensions: [{ key: 'd', title: text, items: ['a', 'b'], n: 1, mean: mean(4), alpha: null, suppressed: false }],
    units: [
      { unitId: 7, n: 1, share: share(1), small: true, suppressed: false },
      { unitId: 8, n: 5, share: share(0.6), small: true, suppressed: false },
    ],
    trend: [
      { label: '2026-07', n: 0, share: null, suppressed: false },
      { label: '2026-08', n: 4, share: share(0.75), suppressed: false },
      { label: '2026-09', n: 5, share: share(0.8), suppressed: false },
    ],
  };
}

describe('withholding small figures of public survey results', () => {
  it('withholds what rests on 1 to 4 answers, keeps what rests on none or at least 5, and states the minimum', () => {
    const out = withholdSmall(results(5), 5);
    expect(out.publicMinimum).toBe(5);
    expect(out.overall).toEqual(results(5).overall);
    expect(out.marginOfError).toEqual(results(5).marginOfError);
    expect(out.questions).toEqual([
      question('a', 0),
      { key: 'b', section: 'overall', text, n: 4, notApplicable: 1, satisfied: null, neutral: null, share: null, mean: null, distribution: [], suppressed: true },
      question('overall', 5),
    ]);
    expect(out.dimensions).toEqual([{ key: 'd', title: text, items: ['a', 'b'], n: 1, mean: null, alpha: null, suppressed: true }]);
    expect(out.units).toEqual([
      { unitId: 7, n: 1, share: null, small: true, suppressed: true },
      { unitId: 8, n: 5, share: share(0.6), small: true, suppressed: false },
    ]);
    expect(out.trend).toEqual([
      { label: '2026-07', n: 0, share: null, suppressed: false },
      { label: '2026-08', n: 4, share: null, suppressed: true },
      { label: '2026-09', n: 5, share: share(0.8), suppressed: false },
    ]);
  });

  it('withholds the overall figures and their margin of error under the minimum', () => {
    const out = withholdSmall(results(3), 5);
    expect(out.overall).toEqual({ question: 'overall', n: 3, satisfied: null, share: null, mean: null, suppressed: true });
    expect(out.marginOfError).toBeNull();
  });
});
