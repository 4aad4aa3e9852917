import fc from 'fast-check';
import { olsTrend, twoProportionZ, verdict, welchT } from '../../server/stats/tests';

// Reference values: scipy 1.17 / numpy, snippets beside each value (np = numpy, stats = scipy.stats).

describe('twoProportionZ', () => {
  it('matches the pooled two-proportion z test', () => {
    // x1,n1,x2,n2=820,1000,780,1000; p=(x1+x2)/(n1+n2); se=np.sqrt(p*(1-p)*(1/n1+1/n2)); z=(x1/n1-x2/n2)/se
    // 2*stats.norm.sf(abs(z))
    const r = twoProportionZ(820, 1000, 780, 1000);
    expect(r.z).toBeCloseTo(2.236067977499786, 12);
    expect(r.p).toBeCloseTo(0.0253473186774685, 13);
    expect(twoProportionZ(780, 1000, 820, 1000).z).toBeCloseTo(-2.236067977499786, 12);
  });

  it('finds no difference when both groups are all 0 or all 1', () => {
    expect(twoProportionZ(0, 30, 0, 40)).toEqual({ z: 0, p: 1 });
    expect(twoProportionZ(30, 30, 40, 40)).toEqual({ z: 0, p: 1 });
  });

  it('rejects impossible counts', () => {
    expect(() => twoProportionZ(5, 4, 1, 4)).toThrow(RangeError);
    expect(() => twoProportionZ(1, 0, 1, 4)).toThrow(RangeError);
  });
});

describe('welchT', () => {
  it('matches scipy ttest_ind_from_stats(equal_var=False)', () => {
    // r=stats.ttest_ind_from_stats(4.1,0.9,120,3.8,1.2,80,equal_var=False); r.statistic, r.pvalue
    // a=0.81/120; b=1.44/80; (a+b)**2/(a*a/119+b*b/79)
    const r = welchT(120, 4.1, 0.9, 80, 3.8, 1.2);
    expect(r.t).toBeCloseTo(1.9069251784911836, 12);
    expect(r.df).toBeCloseTo(136.60634081902248, 10);
    expect(r.p).toBeCloseTo(0.05862987416040275, 13);
  });

  it('handles zero variance', () => {
    expect(welchT(5, 4, 0, 6, 4, 0)).toEqual({ t: 0, df: 9, p: 1 });
    const r = welchT(5, 5, 0, 6, 4, 0);
    expect(r.p).toBeNaN();
    expect(verdict(r.p, r.t)).toBe('none');
    // one group without variance: df = n₂ − 1
    expect(welchT(5, 4, 0, 6, 3, 1).df).toBeCloseTo(5, 12);
  });

  it('rejects groups of one', () => {
    expect(() => welchT(1, 4, 0, 6, 3, 1)).toThrow(RangeError);
  });
});

describe('olsTrend', () => {
  it('matches scipy linregress', () => {
    // x=np.array([1,2,3,4,5,6.]); y=np.array([0.78,0.80,0.79,0.83,0.84,0.86]); r=stats.linregress(x,y)
    // r.slope, r.intercept, r.stderr, r.pvalue, r.slope∓stats.t.ppf(0.975,4)*r.stderr
    const ys = [0.78, 0.8, 0.79, 0.83, 0.84, 0.86];
    const r = olsTrend(ys.map((y, i) => ({ x: i + 1, y })));
    expect(r.slope).toBeCloseTo(0.015999999999999986, 13);
    expect(r.intercept).toBeCloseTo(0.7606666666666668, 13);
    expect(r.se).toBeCloseTo(0.0025448360411214057, 14);
    expect(r.p).toBeCloseTo(0.003268880982662036, 14);
    expect(r.lower).toBeCloseTo(0.008934402430097528, 13);
    expect(r.upper).toBeCloseTo(0.023065597569902445, 13);
  });

  it('is unaffected by x being a large year number', () => {
    const ys = [0.78, 0.8, 0.79, 0.83, 0.84, 0.86];
    const a = olsTrend(ys.map((y, i) => ({ x: i + 1, y })));
    const b = olsTrend(ys.map((y, i) => ({ x: 2020 + i, y })));
    expect(b.slope).toBeCloseTo(a.slope, 12);
    expect(b.p).toBeCloseTo(a.p, 12);
  });

  it('handles a perfect fit and a flat line', () => {
    const up = olsTrend([1, 2, 3, 4].map((x) => ({ x, y: 2 * x + 1 })));
    expect(up).toMatchObject({ slope: 2, intercept: 1, se: 0, p: 0, lower: 2, upper: 2 });
    const flat = olsTrend([1, 2, 3].map((x) => ({ x, y: 5 })));
    expect(flat).toMatchObject({ slope: 0, p: 1 });
    expect(verdict(flat.p, flat.slope)).toBe('none');
  });

  it('rejects too few points and a single x', () => {
    expect(() => olsTrend([{ x: 1, y: 1 }, { x: 2, y: 2 }])).toThrow(RangeError);
    expect(() => olsTrend([1, 2, 3].map((y) => ({ x: 1, y })))).toThrow(RangeError);
  });

  it('property: the slope interval contains the slope', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 3, maxLength: 40 }), (ys) => {
        const r = olsTrend(ys.map((y, i) => ({ x: i, y })));
        expect(r.lower).toBeLessThanOrEqual(r.slope);
        expect(r.upper).toBeGreaterThanOrEqual(r.slope);
        expect(r.p).toBeGreaterThanOrEqual(0);
        expect(r.p).toBeLessThanOrEqual(1);
      }),
    );
  });
});

describe('verdict', () => {
  it('claims a change only when p < .05, in the direction of the estimate', () => {
    expect(verdict(0.01, 0.03)).toBe('up');
    expect(verdict(0.01, -0.03)).toBe('down');
    expect(verdict(0.05, 0.03)).toBe('none');
    expect(verdict(0.2, -1)).toBe('none');
    expect(verdict(0.01, 0)).toBe('none');
    expect(verdict(NaN, 1)).toBe('none');
    expect(verdict(0.02, 1, 0.01)).toBe('none');
  });

  it('property: the 95 % slope interval excludes 0 exactly when the verdict is a change', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 3, maxLength: 30 }), (ys) => {
        const r = olsTrend(ys.map((y, i) => ({ x: i, y })));
        const v = verdict(r.p, r.slope);
        // Skip knife-edge cases where p is within rounding of .05.
        fc.pre(Math.abs(r.p - 0.05) > 1e-9);
        expect(v === 'up').toBe(r.lower > 0);
        expect(v === 'down').toBe(r.upper < 0);
      }),
    );
  });
});
