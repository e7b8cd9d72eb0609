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
