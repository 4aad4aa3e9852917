import fc from 'fast-check';
import { rake, weightedProportion, type Margins, type WeightingCell } from '../../server/stats/weighting';

// Reference values: numpy 2.4 / scipy 1.17. Raking was done by a separate numpy IPF on the full table,
//   def ipf(n, margins, sweeps=500):   # n: counts with one axis per variable; margins: one share vector per axis
//       w = np.ones(n.shape); N = n.sum()
//       for _ in range(sweeps):
//           for ax, m in enumerate(margins):
//               other = tuple(i for i in range(n.ndim) if i != ax); shape = [1]*n.ndim; shape[ax] = -1
//               w = w * (np.asarray(m)/np.sum(m)*N/(n*w).sum(axis=other)).reshape(shape)
//       return w
// and checked against an independent route, w = exp(Σ level effects) solved for the margin equations with
// scipy.optimize.least_squares (agreement 3e-15). Kish: neff = (n*w).sum()**2/(n*w*w).sum(); deff = N/neff.

/** Full factorial cells, last variable varying fastest (numpy's ravel order). */
function factorial(variables: [string, string[]][], counts: number[]): WeightingCell[] {
  const cells: WeightingCell[] = [];
  const walk = (depth: number, levels: Record<string, string>): void => {
    const entry = variables[depth];
    if (entry === undefined) {
      cells.push({ levels: { ...levels }, n: counts[cells.length] ?? NaN });
      return;
    }
    for (const level of entry[1]) walk(depth + 1, { ...levels, [entry[0]]: level });
  };
  walk(0, {});
  return cells;
}

/** Weighted share of every margin level, to compare with the normalised population shares. */
function weightedShares(cells: readonly WeightingCell[], weights: readonly number[], variable: string): Map<string, number> {
  const totals = new Map<string, number>();
  let all = 0;
  cells.forEach((c, i) => {
    if (c.n === 0) return;
    const level = c.levels[variable] ?? '';
    const w = c.n * (weights[i] ?? NaN);
    totals.set(level, (totals.get(level) ?? 0) + w);
    all += w;
  });
  return new Map([...totals].map(([level, t]) => [level, t / all]));
}

function respondents(cells: readonly { n: number }[]): number {
  return cells.reduce((s, c) => s + c.n, 0);
}

describe('rake', () => {
  // n1 = np.array([[[30,20],[45,25]],[[15,20],[35,10]]],float); ipf(n1, [[0.51,0.49],[40,60],[1100000,900000]]).ravel()
  const sample = factorial(
    [
      ['sex', ['F', 'M']],
      ['age', ['18-44', '45+']],
      ['district', ['北區', '南區']],
    ],
    [30, 20, 45, 25, 15, 20, 35, 10],
  );
  // Margins as a share, as percentages and as population counts: each is normalised on its own.
  const margins: Margins = { sex: { F: 0.51, M: 0.49 }, age: { '18-44': 40, '45+': 60 }, district: { 北區: 1100000, 南區: 900000 } };

  it('matches an independent IPF for a 2 × 2 × 2 table', () => {
    const r = rake(sample, margins);
    expect(r.converged).toBe(true);
    expect(r.maxMarginError).toBeLessThanOrEqual(1e-10);
    const ref = [
      0.6601473149617144, 0.9334020735979197, 0.7906524368787688, 1.1179271767858237, 0.959539810541276, 1.3567220960535522, 1.1492321066709954,
      1.6249337187324977,
    ];
    r.weights.forEach((w, i) => expect(w).toBeCloseTo(ref[i] ?? NaN, 10));
    expect(r.effectiveN).toBeCloseTo(187.6806360648728, 8);
    expect(r.designEffect).toBeCloseTo(1.0656400372112387, 10);
  });

  it('matches an independent IPF with a three-level variable and an empty cell', () => {
    // n2 = np.array([[40,55,30],[25,35,0]],float); ipf(n2, [[0.52,0.48],[0.35,0.42,0.23]]).ravel()
    const cells = factorial(
      [
        ['sex', ['F', 'M']],
        ['age', ['18-39', '40-64', '65+']],
      ],
      [40, 55, 30, 25, 35, 0],
    );
    // The empty cell slows IPF down: at the default tolerance of 1e-10 on the shares, weights are good to 1e-9.
    const r = rake(cells, { sex: { F: 0.52, M: 0.48 }, age: { '18-39': 0.35, '40-64': 0.42, '65+': 0.23 } }, { tolerance: 1e-14 });
    expect(r.converged).toBe(true);
    const ref = [0.6133950243913321, 0.5293490731699403, 1.4183333333333334, 1.6085679609738683, 1.3881657421615223, 3.7194392964715948];
    // The empty cell (men 65+) gets the product of its levels' factors, as the log-linear solution does.
    r.weights.forEach((w, i) => expect(w).toBeCloseTo(ref[i] ?? NaN, 10));
    expect(r.effectiveN).toBeCloseTo(153.51374061610653, 8);
    expect(r.designEffect).toBeCloseTo(1.2051038510137766, 10);
  });

  it('leaves a sample that already matches the margins unweighted', () => {
    const r = rake(sample, { sex: { F: 120, M: 80 }, district: { 北區: 125, 南區: 75 } });
    expect(r).toEqual({ weights: [1, 1, 1, 1, 1, 1, 1, 1], converged: true, iterations: 0, maxMarginError: 0, effectiveN: 200, designEffect: 1 });
  });

  it('reports margins it cannot reach', () => {
    // Women are all young and men all old in the sample, so sex and age cannot be set independently.
    const cells = factorial(
      [
        ['sex', ['F', 'M']],
        ['age', ['young', 'old']],
      ],
      [10, 0, 0, 10],
    );
    const r = rake(cells, { sex: { F: 0.5, M: 0.5 }, age: { young: 0.3, old: 0.7 } }, { maxIterations: 20 });
    expect(r.converged).toBe(false);
    expect(r.iterations).toBe(20);
    expect(r.maxMarginError).toBeCloseTo(0.2, 12);
  });

  it('rejects margins no weights can reproduce, with a message that names the level', () => {
    expect(() => rake(sample, { ...margins, sex: { F: 0.5 } })).toThrow(new RangeError('sex = M (cell 4) does not occur in the margins'));
    expect(() => rake(sample, { ...margins, sex: { F: 0.5, M: 0.4, X: 0.1 } })).toThrow(/sex = X has a population share but no respondents/);
    expect(() => rake(sample, { ...margins, sex: { F: 0.5, M: 0 } })).toThrow(/sex = M has respondents but a population share of 0/);
    expect(() => rake(sample, { ...margins, region: { a: 1 } })).toThrow(new RangeError('cell 0 has no level for region'));
    expect(() => rake(sample, { ...margins, sex: { F: 0.6, M: -0.1 } })).toThrow(RangeError);
    expect(() => rake(sample, { ...margins, sex: { F: 0, M: 0 } })).toThrow(/no positive share/);
    expect(() => rake([{ levels: { sex: 'F' }, n: -1 }], { sex: { F: 1 } })).toThrow(/cell 0 count/);
    expect(() => rake(sample, {})).toThrow(RangeError);
    expect(() => rake(sample, margins, { maxIterations: -1 })).toThrow(RangeError);
  });

  it('accepts a level with population share 0 and no respondents', () => {
    const cells = [...sample, { levels: { sex: 'X', age: '45+', district: '北區' }, n: 0 }];
    const r = rake(cells, { ...margins, sex: { F: 0.51, M: 0.49, X: 0 } });
    expect(r.converged).toBe(true);
    expect(r.weights[8]).toBe(0);
    expect(r.effectiveN).toBeCloseTo(187.6806360648728, 8);
  });
});

/** Random full or partly empty tables: 1–3 variables of 2–4 levels, counts and population shares. */
const tables = fc
  .array(fc.integer({ min: 2, max: 4 }), { minLength: 1, maxLength: 3 })
  .chain((sizes) => {
    const variables = sizes.map((size, v): [string, string[]] => [`v${v}`, Array.from({ length: size }, (_, l) => `l${l}`)]);
    const cellCount = sizes.reduce((p, s) => p * s, 1);
    return fc.record({
      cells: fc.array(fc.integer({ min: 0, max: 40 }), { minLength: cellCount, maxLength: cellCount }).map((counts) => factorial(variables, counts)),
      margins: fc.tuple(...sizes.map((size) => fc.array(fc.integer({ min: 1, max: 100 }), { minLength: size, maxLength: size }))).map((shares) => {
        const m: Record<string, Record<string, number>> = {};
        variables.forEach(([name, levels], v) => {
          m[name] = Object.fromEntries(levels.map((level, l) => [level, shares[v]?.[l] ?? NaN]));
        });
        return m;
      }),
    });
  })
  // Every level needs respondents, else rake rightly throws.
  .filter(({ cells, margins }) => Object.entries(margins).every(([v, m]) => Object.keys(m).every((l) => cells.some((c) => c.levels[v] === l && c.n > 0))));

describe('rake properties', () => {
  it('property: when converged, the weights reproduce every margin; the mean weight is 1 and effectiveN ≤ n', () => {
    fc.assert(
      fc.property(tables, ({ cells, margins }) => {
        const r = rake(cells, margins, { maxIterations: 2000 });
        const n = respondents(cells);
        if (r.converged) {
          for (const [variable, margin] of Object.entries(margins)) {
            const total = Object.values(margin).reduce((s, x) => s + x, 0);
            const shares = weightedShares(cells, r.weights, variable);
            for (const [level, x] of Object.entries(margin)) expect(Math.abs((shares.get(level) ?? 0) - x / total)).toBeLessThanOrEqual(1e-8);
          }
        }
        // Over respondents: an empty cell's weight is not part of any total (and may drift when not converged).
        expect(cells.reduce((s, c, i) => (c.n > 0 ? s + c.n * (r.weights[i] ?? NaN) : s), 0) / n).toBeCloseTo(1, 12);
        expect(r.effectiveN).toBeLessThanOrEqual(n * (1 + 1e-12));
        expect(r.designEffect).toBeGreaterThanOrEqual(1 - 1e-12);
      }),
    );
  });

  it('property: a table with no empty cell always converges', () => {
    fc.assert(
      fc.property(tables, ({ cells, margins }) => {
        const full = cells.map((c) => ({ ...c, n: c.n + 1 }));
        expect(rake(full, margins, { maxIterations: 2000 }).converged).toBe(true);
      }),
    );
  });

  it('property: weighting a sample to its own margins gives weights of 1 and effectiveN = n', () => {
    fc.assert(
      fc.property(tables, ({ cells, margins }) => {
        const own: Record<string, Record<string, number>> = {};
        for (const [variable, margin] of Object.entries(margins)) {
          own[variable] = Object.fromEntries(Object.keys(margin).map((level) => [level, cells.filter((c) => c.levels[variable] === level).reduce((s, c) => s + c.n, 0)]));
        }
        const r = rake(cells, own);
        expect(r.converged).toBe(true);
        for (const w of r.weights) expect(w).toBeCloseTo(1, 12);
        expect(r.effectiveN).toBeCloseTo(respondents(cells), 9);
      }),
    );
  });

  it('property: permuting the cells permutes the weights', () => {
    fc.assert(
      fc.property(
        tables.chain((t) => fc.record({ t: fc.constant(t), order: fc.shuffledSubarray([...t.cells.keys()], { minLength: t.cells.length, maxLength: t.cells.length }) })),
        ({ t, order }) => {
          const r = rake(t.cells, t.margins);
          const p = rake(
            order.map((i) => t.cells[i] ?? { levels: {}, n: NaN }),
            t.margins,
          );
          expect(p.converged).toBe(r.converged);
          order.forEach((i, j) => {
            const a = p.weights[j] ?? NaN;
            const b = r.weights[i] ?? NaN;
            if (a !== b) expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b)));
          });
          expect(p.effectiveN).toBeCloseTo(r.effectiveN, 8);
        },
      ),
    );
  });
});

describe('weightedProportion', () => {
  it('matches a Wilson interval with Kish’s effective n', () => {
    // successes per cell s1 = np.array([[[24,15],[40,20]],[[10,14],[30,7]]],float) with w1, n1 as above:
    // sw=(w1*n1).sum(); p=(w1*s1).sum()/sw; ne=sw**2/(w1*w1*n1).sum(); z=stats.norm.ppf(0.975)
    // c=(p+z*z/(2*ne))/(1+z*z/ne); h=z/(1+z*z/ne)*np.sqrt(p*(1-p)/ne+z*z/(4*ne*ne)); (c-h, c+h)
    const successes = [24, 15, 40, 20, 10, 14, 30, 7];
    const r = rake(
      factorial(
        [
          ['sex', ['F', 'M']],
          ['age', ['18-44', '45+']],
          ['district', ['北區', '南區']],
        ],
        [30, 20, 45, 25, 15, 20, 35, 10],
      ),
      { sex: { F: 0.51, M: 0.49 }, age: { '18-44': 0.4, '45+': 0.6 }, district: { 北區: 0.55, 南區: 0.45 } },
    );
    const counts = [30, 20, 45, 25, 15, 20, 35, 10];
    const share = weightedProportion(r.weights.map((weight, i) => ({ weight, n: counts[i] ?? NaN, successes: successes[i] ?? NaN })));
    expect(share?.p).toBeCloseTo(0.7913510717766851, 10);
    expect(share?.effectiveN).toBeCloseTo(187.6806360648728, 8);
    expect(share?.lower).toBeCloseTo(0.7276632012327848, 10);
    expect(share?.upper).toBeCloseTo(0.8433513806816637, 10);
  });

  it('equals the unweighted Wilson interval when every weight is 1', () => {
    // x=820, n=1000 as in the wilson test: (0.7949777670979878, 0.8425731074712568)
    const r = weightedProportion([
      { weight: 1, n: 600, successes: 500 },
      { weight: 1, n: 400, successes: 320 },
    ]);
    expect(r?.p).toBeCloseTo(0.82, 14);
    expect(r?.effectiveN).toBe(1000);
    expect(r?.lower).toBeCloseTo(0.7949777670979878, 12);
    expect(r?.upper).toBeCloseTo(0.8425731074712568, 12);
  });

  it('is exact at 0 % and 100 %, null without respondents, and rejects impossible counts', () => {
    expect(weightedProportion([{ weight: 1.3, n: 10, successes: 0 }, { weight: 0.7, n: 5, successes: 0 }])?.lower).toBe(0);
    expect(weightedProportion([{ weight: 1.3, n: 10, successes: 10 }, { weight: 0.7, n: 5, successes: 5 }])).toMatchObject({ p: 1, upper: 1 });
    expect(weightedProportion([])).toBeNull();
    expect(weightedProportion([{ weight: 0, n: 10, successes: 3 }])).toBeNull();
    expect(() => weightedProportion([{ weight: 1, n: 3, successes: 4 }])).toThrow(RangeError);
    expect(() => weightedProportion([{ weight: -1, n: 3, successes: 1 }])).toThrow(RangeError);
    expect(() => weightedProportion([{ weight: 1, n: 3, successes: 1 }], 1)).toThrow(RangeError);
  });

  it('property: the interval lies in [0, 1] and contains p, and effectiveN ≤ n', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ weight: fc.double({ min: 0.1, max: 10, noNaN: true }), n: fc.integer({ min: 1, max: 50 }), k: fc.double({ min: 0, max: 1, noNaN: true }) }), {
          minLength: 1,
          maxLength: 20,
        }),
        (raw) => {
          const cells = raw.map(({ weight, n, k }) => ({ weight, n, successes: Math.round(k * n) }));
          const r = weightedProportion(cells);
          expect(r).not.toBeNull();
          if (r === null) return;
          expect(r.lower).toBeGreaterThanOrEqual(0);
          expect(r.upper).toBeLessThanOrEqual(1);
          expect(r.lower).toBeLessThanOrEqual(r.p);
          expect(r.upper).toBeGreaterThanOrEqual(r.p);
          expect(r.effectiveN).toBeLessThanOrEqual(respondents(cells) * (1 + 1e-12));
        },
      ),
    );
  });
});
