import fc from 'fast-check';
import path from 'node:path';
import type { CellRow, CountRow, SectionRow, UnitCountRow } from '../../server/reports/dashboard-repo';
import {
  compare,
  dimensions,
  histograms,
  likertQuestions,
  margin,
  overallQuestion,
  questionSummary,
  SMALL_N,
  staffCells,
  trend,
  unitFigures,
  type LikertQuestion,
} from '../../server/reports/survey-figures';
import { weightedFigures, type PopulationMargins } from '../../server/reports/weighted';
import { wilson } from '../../server/stats/estimates';
import { likertSummary } from '../../server/stats/survey';
import { CELL_N, ITEM_SUM, SECTION_N } from '../../server/surveys/aggregate';
import { loadSurveys, type Survey } from '../../server/surveys/definition';

// Reference values: scipy 1.17 / numpy 2.4 (np = numpy, stats = scipy.stats), snippets beside each value.

const shipped = new Map(loadSurveys(path.resolve(__dirname, '../../surveys')).map((v) => [v.survey.key, v.survey]));
function surveyNamed(key: string): Survey {
  const s = shipped.get(key);
  if (!s) throw new Error(`no ${key} survey`);
  return s;
}
function must<T>(x: T | undefined | null, what: string): T {
  if (x === undefined || x === null) throw new Error(`no ${what}`);
  return x;
}

const citizen = surveyNamed('citizen');
const staff = surveyNamed('staff');
const questions = likertQuestions(citizen);
const overall = must(overallQuestion(questions), 'overall question');
const envClean = must(
  questions.find((q) => q.key === 'env.clean'),
  'env.clean',
);

type Hist = Record<string, number>;
const countRows = (month: string, questionKey: string, h: Hist): CountRow[] => Object.entries(h).map(([value, n]) => ({ month, questionKey, value, n }));
const summaryOf = (h: Hist) => likertSummary(new Map(Object.entries(h)), overall.scale);

describe('the shipped surveys’ Likert questions', () => {
  it('lists the citizen survey’s Likert questions with the 5-point scale, satisfied = 4 and 5', () => {
    expect(questions.map((q) => q.key)).toEqual([
      'env.clean',
      'env.signs',
      'env.facilities',
      'cour.attitude',
      'cour.attention',
      'prof.knowledge',
      'prof.efficiency',
      'meas.online',
      'meas.forms',
      'overall',
    ]);
    expect(overall.key).toBe('overall');
    expect(overall.sectionKey).toBe('overall');
    expect(overall.scale.points).toEqual([5, 4, 3, 2, 1]);
    expect(overall.scale.satisfied).toEqual([4, 5]);
  });

  it('leads with "overall", else with the first Likert question', () => {
    expect(overallQuestion(likertQuestions(staff))?.scale.points).toEqual([6, 5, 4, 3, 2, 1]);
    expect(overallQuestion(questions.filter((q) => q.key !== 'overall'))?.key).toBe('env.clean');
    expect(overallQuestion([])).toBeUndefined();
  });
});

describe('histograms', () => {
  const rows: CountRow[] = [
    ...countRows('2026-01', 'overall', { '5': 10, '4': 5 }),
    ...countRows('2026-02', 'overall', { '5': 3, na: 2 }),
    ...countRows('2026-03', 'overall', { '5': 7 }),
    ...countRows('2026-01', 'env.clean', { '3': 4 }),
  ];

  it('adds up every month when none are listed', () => {
    const h = histograms(rows);
    expect(h.get('overall')).toEqual(new Map([['5', 20], ['4', 5], ['na', 2]]));
    expect(h.get('env.clean')).toEqual(new Map([['3', 4]]));
  });

  it('adds up only the months selected', () => {
    const h = histograms(rows, new Set(['2026-01', '2026-02']));
    expect(h.get('overall')).toEqual(new Map([['5', 13], ['4', 5], ['na', 2]]));
    expect(questionSummary(h, overall)).toMatchObject({ n: 18, notApplicable: 2, satisfied: 18 });
    expect(histograms(rows, new Set(['2026-03'])).get('env.clean')).toBeUndefined();
    expect(histograms(rows, new Set(['2026-04'])).size).toBe(0);
    expect(questionSummary(histograms(rows, new Set(['2026-04'])), overall).n).toBe(0);
  });
});

describe('trend', () => {
  // Satisfied of valid answers per month: 30/50, 39/60, 29/40, none (N/A only), 20/25, 67/80.
  const months: Record<string, Hist> = {
    '2026-01': { '5': 15, '4': 15, '3': 10, '2': 5, '1': 5 },
    '2026-02': { '5': 20, '4': 19, '3': 11, '2': 6, '1': 4 },
    '2026-03': { '5': 15, '4': 14, '3': 6, '2': 5 },
    '2026-04': { na: 3 },
    '2026-05': { '5': 10, '4': 10, '3': 3, '2': 2 },
    '2026-06': { '5': 40, '4': 27, '3': 8, '2': 3, '1': 2 },
  };
  // Another question in the same months must not leak into the overall figures.
  const rows = Object.entries(months).flatMap(([m, h]) => [...countRows(m, 'overall', h), ...countRows(m, 'env.clean', { '1': 30 })]);
  const monthly = Object.keys(months).map((m) => ({ label: m, months: [m] }));

  it('gives one point per bucket, an empty bucket without a share, and flags small ones', () => {
    const t = trend(rows, overall, monthly);
    expect(t.points.map((p) => [p.label, p.n, p.share?.p ?? null, p.small])).toEqual([
      ['2026-01', 50, 30 / 50, false],
      ['2026-02', 60, 39 / 60, false],
      ['2026-03', 40, 29 / 40, false],
      ['2026-04', 0, null, true],
      ['2026-05', 25, 20 / 25, true],
      ['2026-06', 80, 67 / 80, false],
    ]);
    expect(SMALL_N).toBe(30);
    expect(t.points[0]?.share).toEqual(wilson(30, 50));
  });

  it('fits OLS on the points with answers at their own positions, as scipy.stats.linregress', () => {
    // r = stats.linregress([0,1,2,4,5], [30/50, 39/60, 29/40, 20/25, 67/80])
    const t = trend(rows, overall, monthly);
    const fit = must(t.fit, 'fit');
    expect(fit.slope).toBeCloseTo(0.04752906976744186, 12); // r.slope
    expect(fit.intercept).toBeCloseTo(0.6084302325581395, 12); // r.intercept
    expect(fit.se).toBeCloseTo(0.0035354940696043016, 12); // r.stderr
    expect(fit.p).toBeCloseTo(0.000889936625870701, 12); // r.pvalue
    expect(fit.p / 0.000889936625870701).toBeCloseTo(1, 9);
    // r.slope ∓ stats.t.ppf(0.975, 3)*r.stderr
    expect(fit.lower).toBeCloseTo(0.036277549728277195, 11);
    expect(fit.upper).toBeCloseTo(0.058780589806606526, 11);
    expect(t.verdict).toBe('up');
  });

  it('claims no change for a flat series', () => {
    // stats.linregress([0,1,2,3], [40/50, 37/50, 41/50, 38/50]): slope -0.004, p 0.8585786437626899
    const flat = [40, 37, 41, 38].flatMap((sat, i) => countRows(`2025-0${i + 1}`, 'overall', { '5': sat, '2': 50 - sat }));
    const t = trend(flat, overall, ['2025-01', '2025-02', '2025-03', '2025-04'].map((m) => ({ label: m, months: [m] })));
    expect(t.fit?.slope).toBeCloseTo(-0.004, 14);
    expect(t.fit?.p).toBeCloseTo(0.8585786437626899, 12);
    expect(t.verdict).toBe('none');
  });

  it('adds up the months of a bucket', () => {
    const t = trend(rows, overall, [
      { label: 'Q1', months: ['2026-01', '2026-02', '2026-03'] },
      { label: 'Q2', months: ['2026-04', '2026-05', '2026-06'] },
    ]);
    expect(t.points.map((p) => [p.n, p.share?.p])).toEqual([
      [150, 98 / 150],
      [105, 87 / 105],
    ]);
  });

  it('has no fit with fewer than three points with answers', () => {
    const t = trend(rows, overall, [
      { label: 'a', months: ['2026-01'] },
      { label: 'b', months: ['2026-04'] },
      { label: 'c', months: ['2026-06'] },
    ]);
    expect(t.fit).toBeNull();
    expect(t.verdict).toBe('none');
    expect(trend([], overall, []).points).toEqual([]);
  });
});

describe('compare', () => {
  // a = np.repeat([5,4,3,2,1],[90,90,10,6,4]).astype(float); b = np.repeat([5,4,3,2,1],[50,90,30,20,10]).astype(float)
  const a = { '5': 90, '4': 90, '3': 10, '2': 6, '1': 4 };
  const b = { '5': 50, '4': 90, '3': 30, '2': 20, '1': 10 };

  it('finds a clear rise in share and mean, with scipy’s p-values', () => {
    const c = compare(summaryOf(a), summaryOf(b));
    expect(c.shareDiff).toBeCloseTo(0.2, 14); // 180/200 - 140/200
    // p = (180+140)/400; se = np.sqrt(p*(1-p)*(1/200+1/200)); z = 0.2/se = 5; 2*stats.norm.sf(z)
    expect(c.shareP).toBeCloseTo(5.733031437583815e-7, 16);
    expect((c.shareP ?? NaN) / 5.733031437583815e-7).toBeCloseTo(1, 9);
    expect(c.shareVerdict).toBe('up');
    expect(c.meanDiff).toBeCloseTo(4.28 - 3.75, 14); // a.mean(), b.mean()
    // stats.ttest_ind_from_stats(a.mean(), a.std(ddof=1), 200, b.mean(), b.std(ddof=1), 200, equal_var=False).pvalue
    expect(c.meanP).toBeCloseTo(1.11809931439628e-7, 16);
    expect((c.meanP ?? NaN) / 1.11809931439628e-7).toBeCloseTo(1, 9);
    expect(c.meanVerdict).toBe('up');
  });

  it('finds the same change as a fall the other way round', () => {
    const c = compare(summaryOf(b), summaryOf(a));
    expect(c.shareDiff).toBeCloseTo(-0.2, 14);
    expect(c.shareVerdict).toBe('down');
    expect(c.meanVerdict).toBe('down');
  });

  it('claims nothing from tiny samples', () => {
    // share: 2/2 against 1/2; 2*stats.norm.sf(1.1547005383792517)
    // mean: stats.ttest_ind_from_stats(5, 0, 2, 3.5, np.std([5,2], ddof=1), 2, equal_var=False).pvalue
    const c = compare(summaryOf({ '5': 2 }), summaryOf({ '5': 1, '2': 1 }));
    expect(c.shareDiff).toBe(0.5);
    expect(c.shareP).toBeCloseTo(0.24821307898992362, 12);
    expect(c.shareVerdict).toBe('none');
    expect(c.meanDiff).toBe(1.5);
    expect(c.meanP).toBeCloseTo(0.5, 12);
    expect(c.meanVerdict).toBe('none');
  });

  it('leaves out what cannot be tested', () => {
    const none = { shareDiff: null, shareP: null, shareVerdict: 'none', meanDiff: null, meanP: null, meanVerdict: 'none' };
    expect(compare(summaryOf(a), summaryOf({ na: 4 }))).toEqual(none);
    expect(compare(summaryOf({}), summaryOf(a))).toEqual(none);
    // One answer each: a share comparison, but no standard deviation for a mean comparison.
    const one = compare(summaryOf({ '5': 1 }), summaryOf({ '2': 1 }));
    expect(one.shareDiff).toBe(1);
    expect([one.meanDiff, one.meanP, one.meanVerdict]).toEqual([null, null, 'none']);
    // No spread on either side and different means: Welch's test is undefined, so no claim.
    const fixed = compare(summaryOf({ '5': 3 }), summaryOf({ '4': 3 }));
    expect([fixed.shareDiff, fixed.shareP, fixed.shareVerdict]).toEqual([0, 1, 'none']);
    expect([fixed.meanDiff, fixed.meanP, fixed.meanVerdict]).toEqual([null, null, 'none']);
  });
});

describe('unitFigures', () => {
  const units: Record<number, Hist> = {
    1: { '5': 30, '4': 30, '3': 20, '2': 15, '1': 5 }, // 60 / 100
    2: { '5': 40, '4': 45, '3': 10, '2': 3, '1': 2 }, // 85 / 100
    3: { '5': 10, '4': 7, '3': 2, '2': 1 }, // 17 / 20
    4: { na: 5 }, // no valid answers
    5: { '5': 5, '4': 10, '3': 15, '2': 10, '1': 10 }, // 15 / 50
    7: { '5': 10, '4': 7, '3': 2, '2': 1 }, // 17 / 20
  };
  const rows: UnitCountRow[] = Object.entries(units).flatMap(([unitId, h]) => Object.entries(h).map(([value, n]) => ({ unitId: Number(unitId), value, n })));

  it('ranks units by share, then by answers, then by id, and leaves out units without answers', () => {
    const f = unitFigures(rows, overall);
    expect(f.map((u) => [u.unitId, u.n, u.share?.p, u.small])).toEqual([
      [2, 100, 0.85, false],
      [3, 20, 0.85, true],
      [7, 20, 0.85, true],
      [1, 100, 0.6, false],
      [5, 50, 0.3, false],
    ]);
    expect(f[0]?.share).toEqual(wilson(85, 100));
  });

  it('tests each unit against the rest of the scope', () => {
    // 290 answers, 194 satisfied in all. For unit u with s of n:
    //   p = 194/290; se = np.sqrt(p*(1-p)*(1/n + 1/(290-n))); z = (s/n - (194-s)/(290-n))/se; 2*stats.norm.sf(abs(z))
    const byUnit = new Map(unitFigures(rows, overall).map((u) => [u.unitId, u]));
    const expected: [number, number, string][] = [
      [1, 0.07020718603711412, 'none'], // z = -1.81
      [2, 2.0066786955104052e-6, 'up'], // z = 4.75
      [3, 0.0745839018169626, 'none'], // z = 1.78
      [5, 1.0989954908568266e-9, 'down'], // z = -6.09
      [7, 0.0745839018169626, 'none'],
    ];
    for (const [unitId, p, v] of expected) {
      const u = must(byUnit.get(unitId), `unit ${unitId}`);
      expect((u.vsRestP ?? NaN) / p).toBeCloseTo(1, 9);
      expect(u.vsRest).toBe(v);
    }
  });

  it('has nothing to test a lone unit against', () => {
    const f = unitFigures(
      rows.filter((r) => r.unitId === 2 || r.unitId === 4),
      overall,
    );
    expect(f).toEqual([{ unitId: 2, n: 100, share: wilson(85, 100), small: false, vsRestP: null, vsRest: 'none' }]);
    expect(unitFigures([], overall)).toEqual([]);
  });
});

describe('margin', () => {
  const s = summaryOf({ '5': 200, '4': 128, '3': 72 }); // 328 of 400 = 0.82
  // z = stats.norm.ppf(0.975)

  it('gives the conservative and observed margins without a population', () => {
    const m = must(margin(s), 'margin');
    expect(m.conservative).toBeCloseTo(0.04899909961350135, 12); // z*np.sqrt(.25/400)
    expect(m.observed).toBeCloseTo(0.037649678681711644, 12); // z*np.sqrt(.82*.18/400)
    expect(m.fpc).toBe(1);
  });

  it('applies the finite population correction when the population is known', () => {
    const m = must(margin(s, 2000), 'margin');
    expect(m.fpc).toBeCloseTo(0.8946508816851688, 14); // np.sqrt(1600/1999)
    expect(m.conservative).toBeCloseTo(0.0438370876709984, 12); // z*np.sqrt(.25/400)*np.sqrt(1600/1999)
    expect(m.observed).toBeCloseTo(0.03368331822775663, 12); // z*np.sqrt(.82*.18/400)*np.sqrt(1600/1999)
    expect(margin(s, 400)?.conservative).toBe(0); // a census
  });

  it('ignores a population smaller than the sample, and has no margin without answers', () => {
    expect(margin(s, 300)).toEqual(margin(s));
    expect(margin(summaryOf({ na: 3 }))).toBeNull();
  });
});

describe('staffCells', () => {
  const respondents = [
    { unitId: 3, year: 2025, n: 12 },
    { unitId: 1, year: 2025, n: 5 },
    { unitId: 2, year: 2025, n: 4 },
    { unitId: 4, year: 2026, n: 7 },
    { unitId: 1, year: 2026, n: 30 },
    { unitId: 2, year: 2026, n: 1 },
    { unitId: 5, year: 2024, n: 3 },
  ];

  it('keeps, per year, the units with at least five respondents', () => {
    const cells = staffCells(respondents);
    expect([...cells.keys()].sort()).toEqual([2025, 2026]);
    expect(cells.get(2025)).toEqual([1, 3]);
    expect(cells.get(2026)).toEqual([1, 4]);
    expect(cells.has(2024)).toBe(false);
  });

  it('honours another minimum', () => {
    const cells = staffCells(respondents, 10);
    expect(cells.get(2025)).toEqual([3]);
    expect(cells.get(2026)).toEqual([1]);
    expect(cells.size).toBe(2);
  });

  it('property: no kept cell is below the minimum, and no cell at or above it is lost', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ unitId: fc.integer({ min: 1, max: 30 }), year: fc.integer({ min: 2024, max: 2027 }), n: fc.nat({ max: 20 }) }), { selector: (r) => `${r.unitId}/${r.year}` }),
        fc.integer({ min: 1, max: 10 }),
        (rs, min) => {
          const cells = staffCells(rs, min);
          const kept = [...cells].flatMap(([year, ids]) => ids.map((unitId) => `${unitId}/${year}`)).sort();
          expect(kept).toEqual(rs.filter((r) => r.n >= min).map((r) => `${r.unitId}/${r.year}`).sort());
          for (const ids of cells.values()) expect(ids).toEqual([...ids].sort((x, y) => x - y));
        },
      ),
    );
  });
});

/** The agg_sections rows of complete cases, as the aggregates store them: n, Σxₖ and Σxₖxₗ for k ≤ l. */
function sectionRows(sectionKey: string, items: readonly string[], raw: readonly (readonly number[])[]): SectionRow[] {
  const rows: SectionRow[] = [{ sectionKey, itemI: SECTION_N, itemJ: SECTION_N, sum: raw.length }];
  items.forEach((k, i) => {
    rows.push({ sectionKey, itemI: k, itemJ: ITEM_SUM, sum: raw.reduce((a, r) => a + (r[i] ?? NaN), 0) });
    for (let j = i; j < items.length; j++) rows.push({ sectionKey, itemI: k, itemJ: items[j] ?? '', sum: raw.reduce((a, r) => a + (r[i] ?? NaN) * (r[j] ?? NaN), 0) });
  });
  return rows;
}

describe('dimensions', () => {
  // X = np.array([[5,4,5],[4,4,3],[3,2,3],[5,5,4],[2,3,1],[4,3,4],[5,5,5],[3,4,2],[4,4,4],[1,2,2],[4,5,4],[3,3,4]], float)
  const environment = [
    [5, 4, 5],
    [4, 4, 3],
    [3, 2, 3],
    [5, 5, 4],
    [2, 3, 1],
    [4, 3, 4],
    [5, 5, 5],
    [3, 4, 2],
    [4, 4, 4],
    [1, 2, 2],
    [4, 5, 4],
    [3, 3, 4],
  ];
  // Y = np.array([[5,5],[4,5],[4,3],[3,3],[5,4],[2,3],[4,4],[1,2]], float)
  const courtesy = [
    [5, 5],
    [4, 5],
    [4, 3],
    [3, 3],
    [5, 4],
    [2, 3],
    [4, 4],
    [1, 2],
  ];
  // Z = np.array([5,4,4,3,5,2], float)
  const overallAnswers = [[5], [4], [4], [3], [5], [2]];
  // Rows arrive in no particular order from the database.
  const rows = [
    ...sectionRows('environment', ['env.clean', 'env.signs', 'env.facilities'], environment),
    ...sectionRows('courtesy', ['cour.attitude', 'cour.attention'], courtesy),
    ...sectionRows('overall', ['overall'], overallAnswers),
  ].reverse();
  const dims = new Map(dimensions(citizen, rows).map((d) => [d.key, d]));

  it('has one dimension per section with Likert items, in the survey’s order', () => {
    expect(dimensions(citizen, rows).map((d) => [d.key, d.items])).toEqual([
      ['environment', ['env.clean', 'env.signs', 'env.facilities']],
      ['courtesy', ['cour.attitude', 'cour.attention']],
      ['professionalism', ['prof.knowledge', 'prof.efficiency']],
      ['measures', ['meas.online', 'meas.forms']],
      ['overall', ['overall']],
    ]);
    expect(dims.get('environment')?.title).toEqual(citizen.sections[0]?.title);
  });

  it('scores a three-item section as respondent-level data would', () => {
    const s = must(dims.get('environment'), 'environment').summary;
    // sc = X.mean(1); sc.mean(), sc.std(ddof=1), stats.t.interval(0.95, 11, loc=sc.mean(), scale=stats.sem(sc))
    expect(s.n).toBe(12);
    expect(s.mean?.mean).toBeCloseTo(3.555555555555556, 14);
    expect(s.mean?.sd).toBeCloseTo(1.0667929218208838, 12);
    expect(s.mean?.lower).toBeCloseTo(2.877747670371681, 12);
    expect(s.mean?.upper).toBeCloseTo(4.2333634407394305, 12);
    // alpha(X) with alpha(X) = k/(k-1)*(1 - X.var(axis=0, ddof=1).sum()/X.sum(1).var(ddof=1)); and np.delete(X, d, axis=1)
    expect(s.alpha).toBeCloseTo(0.8809171597633135, 12);
    expect(s.alphaIfDeleted[0]).toBeCloseTo(0.6827458256029686, 12);
    expect(s.alphaIfDeleted[1]).toBeCloseTo(0.9086021505376343, 12);
    expect(s.alphaIfDeleted[2]).toBeCloseTo(0.8676236044657097, 12);
  });

  it('scores a two-item section', () => {
    const s = must(dims.get('courtesy'), 'courtesy').summary;
    // sc = Y.mean(1); sc.mean(), sc.std(ddof=1), stats.t.interval(0.95, 7, loc=sc.mean(), scale=stats.sem(sc)); alpha(Y)
    expect(s.n).toBe(8);
    expect(s.mean?.mean).toBeCloseTo(3.5625, 14);
    expect(s.mean?.sd).toBeCloseTo(1.1783008347374015, 12);
    expect(s.mean?.lower).toBeCloseTo(2.57741585018578, 12);
    expect(s.mean?.upper).toBeCloseTo(4.54758414981422, 12);
    expect(s.alpha).toBeCloseTo(0.87459807073955, 12);
    // with one item left there is no α
    expect(s.alphaIfDeleted).toEqual([null, null]);
  });

  it('scores a one-item section as that item, without α', () => {
    const s = must(dims.get('overall'), 'overall').summary;
    // Z.mean(), Z.std(ddof=1), stats.t.interval(0.95, 5, loc=Z.mean(), scale=stats.sem(Z))
    expect(s.mean?.mean).toBeCloseTo(3.8333333333333335, 14);
    expect(s.mean?.sd).toBeCloseTo(1.1690451944500122, 12);
    expect(s.mean?.lower).toBeCloseTo(2.606495641628359, 12);
    expect(s.mean?.upper).toBeCloseTo(5.060171025038308, 12);
    expect(s.alpha).toBeNull();
    expect(s.alphaIfDeleted).toEqual([null]);
  });

  it('has no score for a section without complete cases', () => {
    expect(dims.get('professionalism')?.summary).toEqual({ n: 0, mean: null, alpha: null, alphaIfDeleted: [null, null] });
    expect(dimensions(citizen, []).every((d) => d.summary.mean === null)).toBe(true);
  });
});

describe('weightedFigures', () => {
  // Respondents per (age, sex) cell of the citizen survey, and their answers to "overall".
  //   n   = np.array([[20,15],[40,30],[35,25],[20,15]], float)   # rows: under30, age30_49, age50_64, age65_plus; columns: female, male
  //   ovn = np.array([[18,14],[40,30],[35,24],[20,15]], float)   # "overall" answered on the scale (N/A and skips left out)
  //   ovs = np.array([[10,7],[26,18],[26,17],[16,11]], float)    # of which satisfied (4 or 5)
  const cellAnswers: [string, number, Hist][] = [
    ['age=under30;sex=female', 20, { '5': 4, '4': 6, '3': 5, '2': 3, na: 2 }],
    ['age=under30;sex=male', 15, { '5': 3, '4': 4, '3': 4, '1': 3 }], // one skipped the question
    ['age=age30_49;sex=female', 40, { '5': 12, '4': 14, '3': 8, '2': 6 }],
    ['age=age30_49;sex=male', 30, { '5': 8, '4': 10, '3': 7, '2': 3, '1': 2 }],
    ['age=age50_64;sex=female', 35, { '5': 14, '4': 12, '3': 6, '2': 3 }],
    ['age=age50_64;sex=male', 25, { '5': 9, '4': 8, '3': 5, '2': 2, na: 1 }],
    ['age=age65_plus;sex=female', 20, { '5': 10, '4': 6, '3': 3, '2': 1 }],
    ['age=age65_plus;sex=male', 15, { '5': 6, '4': 5, '3': 3, '1': 1 }],
    // Not weightable: age or sex not given, or a level the margins do not list (13 respondents in all).
    ['age=;sex=female', 6, { '5': 6 }],
    ['age=age30_49;sex=', 3, { '1': 3 }],
    ['age=age50_64;sex=other', 4, { '5': 2, '4': 2 }],
  ];
  const rowsOf = (cells: readonly [string, number, Hist][]): CellRow[] =>
    cells.flatMap(([cell, n, h]) => [{ cell, questionKey: CELL_N, value: CELL_N, n }, ...Object.entries(h).map(([value, c]) => ({ cell, questionKey: 'overall', value, n: c }))]);
  // env.clean answered in two cells only: under30/female 5:10, 3:10 and age65_plus/male 4:5, 2:10.
  const envRows: CellRow[] = [
    { cell: 'age=under30;sex=female', questionKey: 'env.clean', value: '5', n: 10 },
    { cell: 'age=under30;sex=female', questionKey: 'env.clean', value: '3', n: 10 },
    { cell: 'age=age65_plus;sex=male', questionKey: 'env.clean', value: '4', n: 5 },
    { cell: 'age=age65_plus;sex=male', questionKey: 'env.clean', value: '2', n: 10 },
  ];
  const rows = [...rowsOf(cellAnswers), ...envRows];
  const asked: LikertQuestion[] = [overall, envClean, must(questions.find((q) => q.key === 'meas.forms'), 'meas.forms')];

  it('with margins equal to the sample, the weighted share is the unweighted one and effectiveN is n', () => {
    // the weightable respondents: ages 35, 70, 60, 35; sexes 115 female, 85 male
    const margins: PopulationMargins = { age: { under30: 35, age30_49: 70, age50_64: 60, age65_plus: 35 }, sex: { female: 115, male: 85 } };
    const r = weightedFigures(rows, margins, asked);
    if (!r.ok) throw new Error(`not weighted: ${r.reason}`);
    expect(r.n).toBe(200);
    expect(r.excluded).toBe(13);
    expect(r.effectiveN).toBe(200);
    expect(r.designEffect).toBe(1);
    expect(r.converged).toBe(true);
    // 131 of 196 valid answers satisfied; the Wilson interval with n = 196
    const share = must(r.shares.get('overall'), 'overall share');
    expect(share.p).toBe(131 / 196);
    expect(share.effectiveN).toBe(196);
    const unweighted = wilson(131, 196);
    expect(share.lower).toBeCloseTo(unweighted.lower, 14);
    expect(share.upper).toBeCloseTo(unweighted.upper, 14);
    // stats.binomtest(131, 196).proportion_ci(method='wilson')
    expect(share.lower).toBeCloseTo(0.599776515364408, 12);
    expect(share.upper).toBeCloseTo(0.7304852851122282, 12);
    expect(r.shares.get('env.clean')?.p).toBe(15 / 35);
    // a question nobody answered has no share
    expect(r.shares.get('meas.forms')).toBeNull();
  });

  it('with margins as shares equal to the sample’s, nothing changes either', () => {
    const margins: PopulationMargins = { age: { under30: 0.175, age30_49: 0.35, age50_64: 0.3, age65_plus: 0.175 }, sex: { female: 0.575, male: 0.425 } };
    const r = weightedFigures(rows, margins, [overall]);
    if (!r.ok) throw new Error(`not weighted: ${r.reason}`);
    expect(r.effectiveN).toBeCloseTo(200, 10);
    expect(r.shares.get('overall')?.p).toBeCloseTo(131 / 196, 14);
  });

  it('matches an independent numpy raking when the margins differ', () => {
    // def ipf(n, margins, sweeps=1000):
    //     w = np.ones(n.shape); N = n.sum()
    //     for _ in range(sweeps):
    //         for ax, m in enumerate(margins):
    //             other = tuple(i for i in range(n.ndim) if i != ax); shape = [1]*n.ndim; shape[ax] = -1
    //             w = w * (np.asarray(m)/np.sum(m)*N/(n*w).sum(axis=other)).reshape(shape)
    //     return w
    // w = ipf(n, [[0.22,0.33,0.27,0.18], [1020000,980000]])
    // (n*w).sum(1)/n.sum() = [.22,.33,.27,.18]; (n*w).sum(0)/n.sum() = [.51,.49]
    // neff = (n*w).sum()**2/(n*w*w).sum(); deff = n.sum()/neff
    // def wshare(cn, cs):
    //     p = (w*cs).sum()/(w*cn).sum(); ne = (w*cn).sum()**2/(w*w*cn).sum()
    //     z = stats.norm.ppf(0.975); z2n = z*z/ne; c = (p+z2n/2)/(1+z2n); h = z/(1+z2n)*np.sqrt(p*(1-p)/ne+z2n/(4*ne))
    //     return p, ne, c-h, c+h
    const margins: PopulationMargins = { age: { under30: 0.22, age30_49: 0.33, age50_64: 0.27, age65_plus: 0.18 }, sex: { female: 1020000, male: 980000 } };
    const r = weightedFigures(rows, margins, asked);
    if (!r.ok) throw new Error(`not weighted: ${r.reason}`);
    expect(r.converged).toBe(true);
    expect(r.n).toBe(200);
    expect(r.excluded).toBe(13);
    // rake() stops once every margin is within 1e-10, so agreement is to about ten significant digits
    expect(r.effectiveN / 193.5683589214351).toBeCloseTo(1, 10); // neff
    expect(r.designEffect / 1.0332267169820628).toBeCloseTo(1, 10); // deff
    // wshare(ovn, ovs)
    const share = must(r.shares.get('overall'), 'overall share');
    expect(share.p / 0.6587627729710743).toBeCloseTo(1, 10);
    expect(share.effectiveN / 189.7440940593204).toBeCloseTo(1, 10);
    expect(share.lower / 0.5887491571389154).toBeCloseTo(1, 10);
    expect(share.upper / 0.7224754986225945).toBeCloseTo(1, 10);
    expect(share.p).not.toBeCloseTo(131 / 196, 3);
    // en = np.zeros((4,2)); es = np.zeros((4,2)); en[0,0] = 20; es[0,0] = 10; en[3,1] = 15; es[3,1] = 5; wshare(en, es)
    const env = must(r.shares.get('env.clean'), 'env.clean share');
    expect(env.p / 0.4261054994882132).toBeCloseTo(1, 10);
    expect(env.effectiveN / 34.96874219256005).toBeCloseTo(1, 10);
    expect(env.lower / 0.27766923293810986).toBeCloseTo(1, 10);
    expect(env.upper / 0.5891700170331953).toBeCloseTo(1, 10);
  });

  it('weights the "other" sex in when the margins list it', () => {
    const margins: PopulationMargins = { age: { under30: 35, age30_49: 70, age50_64: 64, age65_plus: 35 }, sex: { female: 115, male: 85, other: 4 } };
    const r = weightedFigures(rows, margins, [overall]);
    if (!r.ok) throw new Error(`not weighted: ${r.reason}`);
    expect([r.n, r.excluded]).toEqual([204, 9]);
    expect(r.shares.get('overall')?.p).toBe(135 / 200);
  });

  it('cannot reach a population level that has no respondents', () => {
    const noOlder = rowsOf(cellAnswers.filter(([cell]) => !cell.includes('age65_plus')));
    const margins: PopulationMargins = { age: { under30: 0.22, age30_49: 0.33, age50_64: 0.27, age65_plus: 0.18 }, sex: { female: 0.51, male: 0.49 } };
    expect(weightedFigures(noOlder, margins, [overall])).toEqual({ ok: false, reason: 'unreachable' });
  });

  it('is empty when no respondent can be placed in a cell', () => {
    const margins: PopulationMargins = { age: { under30: 1, age30_49: 1, age50_64: 1, age65_plus: 1 }, sex: { female: 1, male: 1 } };
    expect(weightedFigures(rowsOf(cellAnswers.slice(8)), margins, [overall])).toEqual({ ok: false, reason: 'empty' });
    expect(weightedFigures([], margins, [overall])).toEqual({ ok: false, reason: 'empty' });
    // a variable no respondent was asked (no level in the cell keys)
    expect(weightedFigures(rows, { ...margins, district: { north: 1, south: 1 } }, [overall])).toEqual({ ok: false, reason: 'empty' });
  });
});
