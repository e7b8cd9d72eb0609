/**
 * Small-integer frequency ratios: reduction, the simplest ratio within a tolerance
 * (Stern-Brocot search) and Tenney height.
 */

/** A frequency ratio `num/den` in lowest terms, both positive integers. */
export interface Ratio {
  readonly num: number;
  readonly den: number;
}

/** Greatest common divisor of two non-negative integers. */
export function gcd(a: number, b: number): number {
  a = Math.abs(a);
  b = Math.abs(b);
  while (b !== 0) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/** Least common multiple of two positive integers. */
export function lcm(a: number, b: number): number {
  return (a / gcd(a, b)) * b;
}

/** Reduces `num/den` to lowest terms. @example reduceRatio(6, 4) // { num: 3, den: 2 } */
export function reduceRatio(num: number, den: number): Ratio {
  const g = gcd(num, den);
  return { num: num / g, den: den / g };
}

/** The value of a ratio as a number. */
export function ratioValue(r: Ratio): number {
  return r.num / r.den;
}

/** Formats a ratio as `num/den`. @example formatRatio({ num: 3, den: 2 }) // '3/2' */
export function formatRatio(r: Ratio): string {
  return `${r.num}/${r.den}`;
}

/**
 * The simplest fraction (smallest numerator and denominator, found by descending the
 * Stern-Brocot tree) whose value lies within `[x (1 - d), x (1 + d)]`. This is the interval
 * approximation of Stolzenburg (2015), where `d = 0.011` is his "rational tuning II".
 *
 * @param x a positive number
 * @param d relative tolerance, `0 < d < 1`
 * @example simplestRatio(2 ** (4 / 12), 0.011) // { num: 5, den: 4 }
 */
export function simplestRatio(x: number, d: number): Ratio {
  const lo = x * (1 - d);
  const hi = x * (1 + d);
  const whole = Math.floor(x);
  if (whole >= lo && whole >= 1) return { num: whole, den: 1 };
  if (whole + 1 <= hi) return { num: whole + 1, den: 1 };
  // Descend the Stern-Brocot tree between whole/1 and (whole+1)/1, taking runs of equal
  // steps at once so that the loop count stays logarithmic.
  let ln = whole;
  let ld = 1;
  let rn = whole + 1;
  let rd = 1;
  for (let guard = 0; guard < 10_000; guard++) {
    const mn = ln + rn;
    const md = ld + rd;
    const m = mn / md;
    if (m < lo) {
      // Move right: the largest k with (ln + k rn)/(ld + k rd) still below lo.
      const k = Math.max(1, Math.floor((lo * ld - ln) / (rn - lo * rd)));
      const cn = ln + k * rn;
      const cd = ld + k * rd;
      if (cn / cd < lo) {
        ln = cn;
        ld = cd;
      } else {
        ln = mn;
        ld = md;
      }
    } else if (m > hi) {
      const k = Math.max(1, Math.floor((rn - hi * rd) / (hi * ld - ln)));
      const cn = rn + k * ln;
      const cd = rd + k * ld;
      if (cn / cd > hi) {
        rn = cn;
        rd = cd;
      } else {
        rn = mn;
        rd = md;
      }
    } else {
      return reduceRatio(mn, md);
    }
  }
  return reduceRatio(Math.round(x * 1e6), 1e6);
}

/**
 * Tenney height `log2(num * den)` of a ratio in lowest terms: a measure of its complexity
 * (1/1 has height 0, 3/2 has log2 6 = 2.585).
 */
export function tenneyHeight(r: Ratio): number {
  const g = gcd(r.num, r.den);
  return Math.log2((r.num / g) * (r.den / g));
}

/** Largest product `num * den` of a candidate just ratio (about 20 octaves of Tenney height). */
const MAX_PRODUCT = 2 ** 20;
/** How far (cents) a candidate may lie from the interval at most. */
const SEARCH_CENTS = 60;
/** Exponent of the complexity-dependent tolerance `complexity^-0.75`. */
export const TOLERANCE_EXPONENT = 0.75;

/** 7-smooth numbers (no prime factor above 7) up to `MAX_PRODUCT`, ascending. */
const SMOOTH: readonly number[] = (() => {
  const out: number[] = [];
  for (let a = 1; a <= MAX_PRODUCT; a *= 2)
    for (let b = a; b <= MAX_PRODUCT; b *= 3)
      for (let c = b; c <= MAX_PRODUCT; c *= 5) for (let d = c; d <= MAX_PRODUCT; d *= 7) out.push(d);
  return out.sort((x, y) => x - y);
})();
const SMOOTH_SET = new Set(SMOOTH);

/**
 * The complexity of `p/q` that sets its tolerance: `p q`, with every factor 7 counted as 7^3.
 * Septimal ratios lie outside the 5-limit vocabulary of tonal harmony (and of 12-TET, which
 * approximates it), so they only claim their immediate surroundings: 7/4 given exactly is 7/4,
 * but a tempered minor seventh is 9/5, a tempered tritone 45/32.
 */
function complexity(p: number, q: number): number {
  let c = p * q;
  for (let m = c; m % 7 === 0; m /= 7) c *= 49;
  return c;
}

/**
 * The just (7-limit) ratio that best explains a frequency ratio `x >= 1`, with a tolerance
 * that shrinks with complexity: every candidate `p/q` (p and q with no prime factor above 7,
 * in lowest terms) has a tolerance proportional to `complexity^-0.75` (complexity: `p q`, septimal
 * factors weighted up), and the candidate chosen is the one `x` lies deepest inside, i.e. the
 * smallest `|error in cents| complexity^0.75`. A simple
 * ratio therefore claims a wide neighbourhood (3/2 owns the tempered fifth and more), a
 * complex one only its immediate surroundings (45/32 owns 590 cents, not the tempered tritone,
 * which goes to 45/32's simpler neighbours only if they are nearer), and every ratio given exactly maps to itself. `maxError` (relative)
 * bounds the error; when no 7-limit candidate lies within it, the simplest fraction within it
 * is returned (a Stern-Brocot search, {@link simplestRatio}).
 *
 * @example bestJustRatio(2 ** (1 / 12)) // { num: 16, den: 15 }
 */
export function bestJustRatio(x: number, maxError?: number): Ratio {
  const cents = (r: number): number => Math.abs(1200 * Math.log2(x / r));
  const limit =
    maxError === undefined ? SEARCH_CENTS : Math.min(SEARCH_CENTS, 1200 * Math.log2(1 + maxError));
  let best: Ratio | null = null;
  let bestCost = Number.POSITIVE_INFINITY;
  for (const q of SMOOTH) {
    if (q * q * x > MAX_PRODUCT * 1.0000001) break;
    for (const p of [Math.floor(x * q), Math.ceil(x * q)]) {
      if (p < 1 || !SMOOTH_SET.has(p) || gcd(p, q) !== 1) continue;
      const err = cents(p / q);
      if (err > limit + 1e-9) continue;
      const cost = err * complexity(p, q) ** TOLERANCE_EXPONENT;
      const tie = Math.abs(cost - bestCost) <= 1e-12 && best !== null && p * q < best.num * best.den;
      if (cost < bestCost - 1e-12 || tie) {
        best = { num: p, den: q };
        bestCost = cost;
      }
    }
  }
  return best ?? simplestRatio(x, maxError ?? 0.011);
}
