import fc from 'fast-check';
import {
  betaIncReg,
  logBeta,
  logGamma,
  normalCdf,
  normalPdf,
  normalQuantile,
  normalSf,
  normalTwoSidedP,
  tCdf,
  tPdf,
  tQuantile,
  tTwoSidedP,
} from '../../server/stats/distributions';

/**
 * Relative closeness, for references whose magnitude is far from 1 (tails, quantiles of 1e-300).
 * Reference values come from scipy 1.17 / mpmath; the snippet that produced each is next to it.
 */
function expectRel(actual: number, ref: number, tol = 1e-10): void {
  const err = Math.abs(actual - ref) / Math.abs(ref);
  if (!(err <= tol)) throw new Error(`expected ${actual} ≈ ${ref} (relative error ${err} > ${tol})`);
}

describe('normal distribution', () => {
  it.each([
    [-20, 2.7536241186061556e-89], // stats.norm.cdf(-20)
    [-8, 6.22096057427174e-16], // stats.norm.cdf(-8)
    [-1.5, 0.06680720126885807], // stats.norm.cdf(-1.5)
    [0.3, 0.6179114221889526], // stats.norm.cdf(0.3)
    [-3.0001, 0.0013494549132607172], // stats.norm.cdf(-3.0001)  (just past the series/fraction switch)
    [-2.9999, 0.001350341282954925], // stats.norm.cdf(-2.9999)
  ])('Φ(%p) matches scipy to 1e-12 relative', (x, ref) => {
    expectRel(normalCdf(x), ref, 1e-12);
  });

  it('keeps the upper tail accurate through normalSf', () => {
    expectRel(normalSf(6), 9.865876450376946e-10, 1e-12); // stats.norm.sf(6)
  });

  it('handles infinities, zero and NaN', () => {
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(Infinity)).toBe(1);
    expect(normalCdf(-Infinity)).toBe(0);
    expect(normalCdf(NaN)).toBeNaN();
    expect(normalPdf(0)).toBeCloseTo(1 / Math.sqrt(2 * Math.PI), 15);
  });

  it.each([
    [1e-300, -37.0470962993612], // stats.norm.ppf(1e-300)
    [1e-10, -6.361340902404056], // stats.norm.ppf(1e-10)
    [0.02, -2.053748910631823], // stats.norm.ppf(0.02)   (Acklam's tail branch)
    [0.03, -1.880793608151251], // stats.norm.ppf(0.03)   (Acklam's central branch)
    [0.3, -0.5244005127080409], // stats.norm.ppf(0.3)
    [0.975, 1.959963984540054], // stats.norm.ppf(0.975)
  ])('Φ⁻¹(%p) matches scipy to 1e-12 relative', (p, ref) => {
    expectRel(normalQuantile(p), ref, 1e-12);
  });

  it('returns ±∞ at 0 and 1 and NaN outside [0, 1]', () => {
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(-0.1)).toBeNaN();
    expect(normalQuantile(1.1)).toBeNaN();
  });

  it('gives two-sided p-values', () => {
    expectRel(normalTwoSidedP(1.96), 0.04999579029644087, 1e-12); // 2*stats.norm.sf(1.96)
    expectRel(normalTwoSidedP(-7.5), 6.381783345821769e-14, 1e-12); // 2*stats.norm.sf(7.5)
  });

  it('property: quantile(CDF(x)) ≈ x', () => {
    fc.assert(
      fc.property(fc.double({ min: -37, max: 5, noNaN: true }), (x) => {
        // In the upper tail Φ(x) keeps only the digits of 1 − Φ(x) that fit beside the 1, so the round
        // trip can be no better than ε/φ(x); up to x = 5 that is still below 1e-10.
        expect(Math.abs(normalQuantile(normalCdf(x)) - x)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(x)));
      }),
    );
  });

  it('property: CDF(quantile(p)) ≈ p relative', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-300, max: 0.999, noNaN: true }), (p) => {
        expectRel(normalCdf(normalQuantile(p)), p, 1e-12);
      }),
    );
  });
});

describe('gamma and beta functions', () => {
  it.each([
    [0.5, 0.5723649429247], // special.gammaln(0.5)
    [3.7, 1.428072326665388], // special.gammaln(3.7)
    [50, 144.56574394634487], // special.gammaln(50)
    [1e6, 12815504.569147611], // special.gammaln(1e6)
  ])('lnΓ(%p)', (x, ref) => {
    expectRel(logGamma(x), ref, 1e-13);
  });

  it('lnB(a, b) stays accurate for one huge argument', () => {
    // mpmath (dps=40): mp.log(mp.beta(mp.mpf(5e5), mp.mpf('0.5')))   (scipy's betaln is off by 2e-10 here)
    expectRel(logBeta(5e5, 0.5), -5.988816495777464, 1e-13);
    expectRel(logBeta(30, 40), -48.30174909591612, 1e-13); // special.betaln(30, 40)
    expectRel(logBeta(2, 3), Math.log(1 / 12), 1e-13); // B(2, 3) = 1/12
  });

  it.each([
    [2, 3, 0.4, 0.5247999999999999], // special.betainc(2, 3, 0.4)
    [50, 60, 0.45, 0.4642352914306031], // special.betainc(50, 60, 0.45)
    [0.5, 0.5, 0.999, 0.9798649583666235], // special.betainc(0.5, 0.5, 0.999)
    [7.5, 0.5, 0.2, 1.2783477850604935e-6], // special.betainc(7.5, 0.5, 0.2)
  ])('I_x(%p, %p) at x = %p', (a, b, x, ref) => {
    expectRel(betaIncReg(a, b, x), ref, 1e-12);
  });

  it('has exact ends and rejects bad parameters', () => {
    expect(betaIncReg(2, 3, 0)).toBe(0);
    expect(betaIncReg(2, 3, 1)).toBe(1);
    expect(betaIncReg(0, 3, 0.5)).toBeNaN();
    expect(betaIncReg(2, 3, 1.5)).toBeNaN();
  });
});

describe("Student's t distribution", () => {
  it.each([
    [-2, 3, 0.06966298427942152], // stats.t.cdf(-2, 3)
    [2.5, 10, 0.9842765778816955], // stats.t.cdf(2.5, 10)
    [0.3, 7.5, 0.6138386707156109], // stats.t.cdf(0.3, 7.5)  (non-integer df, as Welch's test produces)
    [-1000, 3, 1.102653821288296e-9], // stats.t.cdf(-1000, 3)  (far tail)
    [-50, 1, 0.006365349100972797], // stats.t.cdf(-50, 1)
  ])('F(%p; df %p)', (t, df, ref) => {
    expectRel(tCdf(t, df), ref, 1e-12);
  });

  it('is accurate for large df and equals the normal at df = ∞', () => {
    expectRel(tTwoSidedP(2, 1e5), 0.04550296345750651, 1e-10); // 2*stats.t.sf(2, 1e5)
    expectRel(tTwoSidedP(2, 30), 0.054625044962983094, 1e-12); // 2*stats.t.sf(2.0, 30)
    expect(tCdf(1.3, Infinity)).toBe(normalCdf(1.3));
    expect(tQuantile(0.975, Infinity)).toBe(normalQuantile(0.975));
  });

  it.each([
    [1e-6, 3, -103.29946778041935], // stats.t.ppf(1e-6, 3)
    [0.975, 10, 2.228138851986274], // stats.t.ppf(0.975, 10)
    [0.975, 1, 12.706204736174694], // stats.t.ppf(0.975, 1)
    [0.9, 2.5, 1.7302509288071766], // stats.t.ppf(0.9, 2.5)
    [0.975, 1e5, 1.9599877075346095], // stats.t.ppf(0.975, 1e5)
    [1e-12, 1, -318309886183.7907], // stats.t.ppf(1e-12, 1)
  ])('quantile(%p; df %p)', (p, df, ref) => {
    expectRel(tQuantile(p, df), ref, 1e-11);
  });

  it('handles p = 0, ½, 1, huge t and bad input', () => {
    expect(tQuantile(0, 5)).toBe(-Infinity);
    expect(tQuantile(1, 5)).toBe(Infinity);
    expect(tQuantile(0.5, 5)).toBe(0);
    expect(tQuantile(0.5, 0)).toBeNaN();
    expect(tCdf(1, -1)).toBeNaN();
    expect(tTwoSidedP(Infinity, 4)).toBe(0);
    expect(tTwoSidedP(0, 4)).toBe(1);
    // Cauchy: P(T < −1e150) = atan(1e-150)/π.
    expectRel(tCdf(-1e150, 1), 1e-150 / Math.PI, 1e-12);
    // Beyond |t| ≈ 1e154 the tail underflows to 0, which is still right to absolute precision.
    expect(tCdf(-1e200, 1)).toBeLessThan(1e-200);
    expect(tPdf(0, 1)).toBeCloseTo(1 / Math.PI, 14);
  });

  it('property: F(quantile(p)) ≈ p for any df', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-12, max: 1 - 1e-6, noNaN: true }), fc.double({ min: 0.5, max: 1e4, noNaN: true }), (p, df) => {
        expectRel(tCdf(tQuantile(p, df), df), p, 1e-10);
      }),
    );
  });

  it('property: the CDF is symmetric and two-sided p is twice the smaller tail', () => {
    fc.assert(
      fc.property(fc.double({ min: -30, max: 30, noNaN: true }), fc.double({ min: 0.5, max: 1e4, noNaN: true }), (t, df) => {
        // |t| ≤ 30 keeps the tail above the subnormal range, where relative precision is lost.
        expect(tCdf(t, df) + tCdf(-t, df)).toBeCloseTo(1, 12);
        expectRel(tTwoSidedP(t, df), 2 * tCdf(-Math.abs(t), df), 1e-12);
      }),
    );
  });
});
