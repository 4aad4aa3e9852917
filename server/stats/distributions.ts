/**
 * Distribution functions for survey statistics: standard normal and Student's t.
 *
 * Everything here is a pure function of plain numbers. Accuracy targets are about 1e-12 relative over
 * the ranges a survey report meets (|z| < 38, any df > 0), including the far tails, because p-values
 * and interval ends are printed and compared against published figures.
 */

const SQRT_2PI = Math.sqrt(2 * Math.PI);
const LN_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const EPS = Number.EPSILON;
/** Lentz's method replaces exact zeros by this, so that a continued fraction never divides by zero. */
const TINY = 1e-300;

/**
 * exp(-x²/2) without the rounding error of squaring x: split x = h + l where h has few bits, so h² is
 * exact and only the small product l·(x + h) is rounded (the idea behind Cody's erfc). Matters for
 * |x| > 5 where a 1-ulp error in x² is already a 1e-14 relative error in the density.
 */
function expHalfSquare(x: number): number {
  const h = Math.round(x * 64) / 64;
  const l = x - h;
  return Math.exp(-0.5 * h * h) * Math.exp(-0.5 * l * (x + h));
}

/** Standard normal density φ(x). */
export function normalPdf(x: number): number {
  return expHalfSquare(x) / SQRT_2PI;
}

/**
 * Upper tail Q(x) = 1 − Φ(x) for x ≥ 3, from Laplace's continued fraction for Mills' ratio
 * R(x) = Q(x)/φ(x) = 1/(x + 1/(x + 2/(x + 3/(x + …)))), evaluated with the modified Lentz algorithm.
 * All partial numerators are positive, so there is no cancellation and the result is accurate relative
 * to Q(x) itself however far out the tail is.
 */
function upperTailFraction(x: number): number {
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 5000; k++) {
    d = x + k * d;
    if (d === 0) d = TINY;
    c = x + k / c;
    if (c === 0) c = TINY;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return normalPdf(x) / f;
}

/**
 * Φ(x) − 1/2 for |x| < 3 from the series φ(x)·Σ x^(2n+1)/(1·3·5·…·(2n+1)) (Marsaglia, "Evaluating the
 * normal distribution", JSS 2004). Every term has the sign of x, so the sum does not cancel.
 */
function centralSeries(x: number): number {
  let term = x;
  let sum = x;
  const x2 = x * x;
  for (let k = 3; Math.abs(term) > EPS * Math.abs(sum); k += 2) {
    term *= x2 / k;
    sum += term;
  }
  return normalPdf(x) * sum;
}

/** Standard normal CDF Φ(x). In the lower tail it is accurate relative to Φ(x), not just absolutely. */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return 1;
  if (x === -Infinity) return 0;
  if (Math.abs(x) < 3) return 0.5 + centralSeries(x);
  return x < 0 ? upperTailFraction(-x) : 1 - upperTailFraction(x);
}

/** Upper tail Q(x) = 1 − Φ(x) = Φ(−x), accurate in the upper tail where 1 − normalCdf(x) would cancel. */
export function normalSf(x: number): number {
  return normalCdf(-x);
}

/**
 * Acklam's rational approximation to the normal quantile (relative error < 1.15e-9), used as the
 * starting point for Halley refinement. Coefficients are Acklam's published ones.
 */
function acklam(p: number): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const poly = (coef: number[], t: number): number => coef.reduce((acc, k) => acc * t + k, 0);
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    return poly(c, q) / (poly(d, q) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return (poly(a, r) * q) / (poly(b, r) * r + 1);
}

/**
 * Standard normal quantile Φ⁻¹(p): Acklam's approximation refined by Halley's method on Φ(x) − p
 * (cubic convergence, so two steps take 1e-9 to full double precision). The lower half is solved
 * directly and the upper half by symmetry, since 1 − p is exact for p ≥ 1/2.
 */
export function normalQuantile(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p > 0.5) return -normalQuantile(1 - p);
  let x = acklam(p);
  for (let i = 0; i < 3; i++) {
    const e = normalCdf(x) - p;
    // u = e/φ(x); the Halley correction divides by 1 + x·u/2.
    const u = e / normalPdf(x);
    const step = u / (1 + 0.5 * x * u);
    x -= step;
    if (Math.abs(step) <= 4 * EPS * Math.abs(x)) break;
  }
  return x;
}

/** Remainder of Stirling's series, lnΓ(x) − [(x − ½)ln x − x + ½ln 2π], for x ≥ 10 (Bernoulli terms to x⁻¹³). */
function stirlingCorrection(x: number): number {
  const r = 1 / (x * x);
  return (1 / 12 + r * (-1 / 360 + r * (1 / 1260 + r * (-1 / 1680 + r * (1 / 1188 + r * (-691 / 360360 + r / 156)))))) / x;
}

/**
 * ln Γ(x) for x > 0: Stirling's series for x ≥ 10 (truncation error < 1e-16), and for smaller x the
 * recurrence Γ(x) = Γ(x + k)/(x(x+1)…(x+k−1)) to shift into that range.
 */
export function logGamma(x: number): number {
  if (!(x > 0)) return NaN;
  if (x === Infinity) return Infinity;
  let shift = 1;
  let y = x;
  while (y < 10) {
    shift *= y;
    y += 1;
  }
  return (y - 0.5) * Math.log(y) - y + LN_SQRT_2PI + stirlingCorrection(y) - Math.log(shift);
}

/**
 * ln B(a, b) without the cancellation of lnΓ(a) + lnΓ(b) − lnΓ(a + b) when an argument is large
 * (e.g. the t distribution with df = 10⁶): Stirling's formula is expanded so that the large terms cancel
 * analytically and only log1p of a ratio and the small series corrections remain.
 */
export function logBeta(a: number, b: number): number {
  const p = Math.min(a, b);
  const q = Math.max(a, b);
  if (!(p > 0)) return NaN;
  if (p >= 10) {
    const corr = stirlingCorrection(p) + stirlingCorrection(q) - stirlingCorrection(p + q);
    return -0.5 * Math.log(q) + LN_SQRT_2PI + corr + (p - 0.5) * Math.log(p / (p + q)) + q * Math.log1p(-p / (p + q));
  }
  if (q >= 10) {
    const corr = stirlingCorrection(q) - stirlingCorrection(p + q);
    return logGamma(p) + corr + p - p * Math.log(p + q) + (q - 0.5) * Math.log1p(-p / (p + q));
  }
  return logGamma(p) + logGamma(q) - logGamma(p + q);
}

/**
 * Continued fraction of I_x(a, b) (Abramowitz & Stegun 26.5.8) by the modified Lentz algorithm,
 * without the prefactor. Converges quickly for x < (a + 1)/(a + b + 2).
 */
function betaFraction(a: number, b: number, x: number): number {
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let f = d;
  for (let m = 1; m < 100000; m++) {
    const m2 = 2 * m;
    // even step: d_{2m} = m(b − m)x / ((a + 2m − 1)(a + 2m))
    let num = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + num * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + num / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    f *= d * c;
    // odd step: d_{2m+1} = −(a + m)(a + b + m)x / ((a + 2m)(a + 2m + 1))
    num = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + num * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + num / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    f *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return f;
}

/**
 * Regularized incomplete beta I_x(a, b), with y = 1 − x passed separately when the caller knows it more
 * precisely than 1 − x (as the t distribution does). Uses the continued fraction on whichever of
 * I_x(a, b) and 1 − I_y(b, a) converges fast; the prefactor x^a y^b / (a B(a, b)) is formed in logs.
 */
export function betaIncReg(a: number, b: number, x: number, y: number = 1 - x): number {
  if (!(a > 0) || !(b > 0) || Number.isNaN(x) || x < 0 || x > 1) return NaN;
  if (x === 0) return 0;
  if (y === 0 || x === 1) return 1;
  // ln x from log1p(−y) when x is near 1: with a = 5·10⁸, a 1-ulp error in x would otherwise move the
  // prefactor by 1e-8.
  const logX = x > 0.5 ? Math.log1p(-y) : Math.log(x);
  const logY = y > 0.5 ? Math.log1p(-x) : Math.log(y);
  const logPrefix = a * logX + b * logY - logBeta(a, b);
  if (x < (a + 1) / (a + b + 2)) {
    return (Math.exp(logPrefix) * betaFraction(a, b, x)) / a;
  }
  return 1 - (Math.exp(logPrefix) * betaFraction(b, a, y)) / b;
}

/**
 * The tail mass P(|T| > |t|) = I_{ν/(ν+t²)}(ν/2, ½) of Student's t, with x and 1 − x formed without
 * subtraction. Infinite df is the normal distribution. The continued fraction's first denominators
 * cancel to about (1 + t²)/df, so relative accuracy is roughly ε·df/(1 + t²): better than 1e-10 up to
 * df = 10⁶ (checked against mpmath), far beyond any survey's degrees of freedom.
 */
function tTwoTail(t: number, df: number): number {
  if (df === Infinity) return 2 * normalCdf(-Math.abs(t));
  const t2 = t * t;
  if (Math.abs(t) === Infinity) return 0;
  // Beyond |t| ≈ 1.3e154, t² overflows; then x = df/t² to full precision and y = 1.
  const x = t2 === Infinity ? df / Math.abs(t) / Math.abs(t) : df / (df + t2);
  const y = t2 === Infinity ? 1 : t2 / (df + t2);
  return betaIncReg(df / 2, 0.5, x, y);
}

/** Student's t CDF with df > 0 degrees of freedom (non-integer df allowed, as Welch's test needs). */
export function tCdf(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return NaN;
  const tail = 0.5 * tTwoTail(t, df);
  return t < 0 ? tail : 1 - tail;
}

/** Student's t density, used as the Newton derivative in tQuantile. */
export function tPdf(t: number, df: number): number {
  if (!(df > 0)) return NaN;
  if (df === Infinity) return normalPdf(t);
  return Math.exp(-((df + 1) / 2) * Math.log1p((t * t) / df) - logBeta(df / 2, 0.5) - 0.5 * Math.log(df));
}

/**
 * Student's t quantile. Solves ln F(t) = ln p in the lower half (symmetry for the upper half) by Newton's
 * method with a bisection safeguard inside a bracket: on the log scale the tail is nearly linear in
 * ln|t|, so Newton converges even for p = 1e-300 with df = 1, and bisection catches any overshoot.
 */
export function tQuantile(p: number, df: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1 || !(df > 0)) return NaN;
  if (df === Infinity) return normalQuantile(p);
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  if (p > 0.5) return -tQuantile(1 - p, df);
  const target = Math.log(p);
  const g = (t: number): number => Math.log(tCdf(t, df)) - target;
  // Bracket [lo, hi] with g(lo) < 0 ≤ g(hi); hi = 0 since F(0) = ½ ≥ p.
  let hi = 0;
  let lo = Math.min(-1, normalQuantile(p));
  while (g(lo) > 0) {
    hi = lo;
    lo *= 2;
  }
  let t = normalQuantile(p);
  if (!(t > lo && t < hi)) t = 0.5 * (lo + hi);
  for (let i = 0; i < 400; i++) {
    const gt = g(t);
    if (gt === 0) return t;
    if (gt < 0) lo = t;
    else hi = t;
    // d/dt ln F(t) = f(t)/F(t)
    let next = t - gt / (tPdf(t, df) / tCdf(t, df));
    if (!(next > lo && next < hi)) {
      // Bisect, geometrically when the bracket spans orders of magnitude (deep tails).
      next = hi < 0 && lo / hi > 4 ? -Math.sqrt(lo * hi) : 0.5 * (lo + hi);
    }
    if (Math.abs(next - t) <= 2 * EPS * Math.abs(next) || next === lo || next === hi) return next;
    t = next;
  }
  return t;
}

/** Two-sided p-value of a standard normal statistic: P(|Z| ≥ |z|). */
export function normalTwoSidedP(z: number): number {
  if (Number.isNaN(z)) return NaN;
  return 2 * normalCdf(-Math.abs(z));
}

/** Two-sided p-value of a t statistic with df degrees of freedom: P(|T| ≥ |t|). */
export function tTwoSidedP(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return NaN;
  return tTwoTail(t, df);
}
