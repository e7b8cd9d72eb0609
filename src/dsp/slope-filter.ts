import { SLOPE_DESIGNS } from './slope-designs.js';

/**
 * Design of a cascade of first-order pole/zero sections whose magnitude follows a constant
 * slope in dB per octave (-3 for pink, -6 for brown) from 10 Hz to min(20 kHz, 0.45 fs).
 * Inverting the cascade (swapping poles and zeros) gives the rising slopes (+3 blue, +6 violet).
 *
 * Poles and zeros are real radii in (-1, 1): positive below fs/4, negative (on the negative real
 * axis) above it, up to near Nyquist. Each radius r is placed by x = ln t, t = (1 - r) / (1 + r)
 * = tan(w0 / 2), its corner frequency w0 through the bilinear transform (r = 1 at DC, 0 at fs/4,
 * -1 at Nyquist). With T = tan(w / 2) a section's magnitude is exactly
 *   |1 - z e^-jw|^2 / |1 - p e^-jw|^2 = (tz^2 + T^2) / (tp^2 + T^2) * ((1 + tp) / (1 + tz))^2,
 * an analog section in T: near Nyquist T grows without bound while the line, in the true
 * frequency, does not, and zeros and poles above fs/4 bend the cascade to it there, which
 * positive radii alone cannot (one at 2 Hz alone stays 3 dB above a -6 dB/octave line at 0.45 fs).
 *
 * Poles and zeros are interlaced in x (p1 < z1 < p2 < z2 ..., radii decreasing from near 1
 * towards -1), so every section is a falling shelf and the cascade and its inverse are stable
 * and minimum phase, with distinct poles; no radius is within 0.01 of 0, where partial fractions
 * would have residues of order 1 / radius, and none is nearer 1 or -1 than the radius of 2 Hz,
 * whose time constant NoiseSource settles. Pink starts evenly spread in x from 9 Hz to
 * min(1.2 top, 0.37 fs), brown at the lowest pole with a zero, pole and zero from fs/4 up; all x
 * are then fitted together by Levenberg-Marquardt to the deviation from the line (its mean over
 * 20 Hz-top removed), each point divided by its tolerance (0.1 dB from 20 Hz, 0.5 dB below, 3 dB
 * from the top of the band to Nyquist, where the line is continued so that the inverse has no
 * peak there): least squares on a 1/2-octave grid, then the sum of the 8th powers of the
 * deviations on a 1/4-octave grid, which brings the largest deviation near its least.
 *
 * Pink (any slope above -6) has 6 sections, as many as the noise kernel runs at the cost of one:
 * within 0.025 dB of the line over 20 Hz-0.45 fs at every rate from 8 kHz (5 sections would give
 * 0.06 dB, 4 0.14). Brown has 2: the pole near 2 Hz that makes the slope and a section that bends
 * it near Nyquist, within 0.06 dB; one section alone is up to 0.35 dB off, a third gains under
 * 0.02 dB, the floor being the lowest pole's tilt at 10-20 Hz.
 */

export interface SlopeFilter {
  /** Pole radii (-1 < p < 1), one a section. */
  readonly poles: Float64Array;
  /** Zero radii (-1 < z < 1), one a section. */
  readonly zeros: Float64Array;
}

/**
 * The lowest pole, and the closest any pole or zero comes to Nyquist: NoiseSource settles its
 * terms for the time constant of 2 Hz, that of a radius +-e^(-2 pi 2 / fs).
 */
const LOWEST_POLE_HZ = 2;
const LOW_HZ = 10;
const BAND_HZ = 20;
const TOP_HZ = 20000;
const TOP_FRACTION = 0.45;
const SECTIONS = 6;
const BROWN_SECTIONS = 2;
/** Brown's starting x after the lowest pole: zero, pole, zero (fs/4 is x = 0). */
const BROWN_START = [0.1, 0.6, 0.9];
/**
 * Steps of the grids in natural log of frequency (1/2 octave for least squares, 1/4 for the
 * 8-norm), finer near Nyquist so that x steps no more (dx / d(ln f) = 2 theta / sin(2 theta),
 * theta = pi f / fs, is 9 at 0.45 fs).
 */
const COARSE_STEP = Math.LN2 / 2;
const FINE_STEP = Math.LN2 / 4;
/** Above the band: points 1 apart in x, up to 2 Hz below Nyquist, within 3 dB of the line. */
const OUT_STEP = 1;
const OUT_DB = 3;
/** Smallest distance in x between neighbouring poles and zeros. */
const MIN_GAP = 0.02;
/** No x within this of 0 (about 0.02): radii of magnitude at least 0.01. */
const ZERO_GAP = 2 * Math.atanh(0.01);
/**
 * Levenberg-Marquardt stops after a step close to Gauss-Newton's (damping under 0.01) that
 * lowered the cost by under 1%: on the 8-norm, about 0.1% of the largest deviation.
 */
const STOP_GAIN = 1e-2;
const STOP_LAMBDA = 1e-2;
const DB = 10 / Math.LN10;

const designs = new Map<string, SlopeFilter>();

/**
 * Magnitude in dB of the cascade at `freq`.
 *
 * @example cascadeDb(designSlope(-3, 48000), 1000, 48000) - cascadeDb(designSlope(-3, 48000), 2000, 48000) // about 3
 */
export function cascadeDb(f: SlopeFilter, freq: number, sampleRate: number): number {
  const w = (2 * Math.PI * freq) / sampleRate;
  const c = Math.cos(w);
  let acc = 0;
  for (let i = 0; i < f.poles.length; i++) {
    const p = f.poles[i]!;
    const z = f.zeros[i]!;
    acc += Math.log((1 - 2 * z * c + z * z) / (1 - 2 * p * c + p * p));
  }
  return acc * DB;
}

/**
 * A cascade with slope `dbPerOctave` (-6 <= slope < 0: -3 pink, -6 brown) at `sampleRate`,
 * designed once and cached: 2 sections for -6 dB/octave, otherwise 6.
 *
 * @example const { poles, zeros } = designSlope(-3, 48000); // 6 sections, 2 radii negative
 */
export function designSlope(dbPerOctave: number, sampleRate: number): SlopeFilter {
  const key = `${dbPerOctave}@${sampleRate}`;
  const hit = designs.get(key);
  if (hit) return hit;
  // the common cases come ready-made (the fit's first run costs a start-up its JIT warm-up)
  const ready = SLOPE_DESIGNS[key];
  const design = ready
    ? { poles: Float64Array.from(ready.poles), zeros: Float64Array.from(ready.zeros) }
    : fitSlope(dbPerOctave, sampleRate);
  designs.set(key, design);
  return design;
}

/**
 * The fit behind {@link designSlope}, without its cache or its table of ready designs (which
 * `npm run slope-designs` makes with this function, and a test checks).
 */
export function fitSlope(dbPerOctave: number, sampleRate: number): SlopeFilter {
  const frac = Math.min(1, -dbPerOctave / 6);
  const top = Math.min(TOP_HZ, TOP_FRACTION * sampleRate);
  const n = frac >= 1 ? BROWN_SECTIONS : SECTIONS;
  const coarse = new SlopeFit(dbPerOctave, sampleRate, top, n, COARSE_STEP);
  const fine = new SlopeFit(dbPerOctave, sampleRate, top, n, FINE_STEP);
  const u = new Float64Array(2 * n);
  if (frac >= 1) {
    u[0] = coarse.lo;
    u.set(BROWN_START, 1);
  } else {
    const xOf = (hz: number) => Math.log(Math.tan((Math.PI * hz) / sampleRate));
    const first = xOf(9);
    const spacing = (xOf(Math.min(1.2 * top, 0.37 * sampleRate)) - first) / (n - 1 + frac);
    // a zero not too close to its own pole or to the next one (slopes very near 0 or -6)
    const zeroAt = Math.min(Math.max(frac, 0.05), 0.95);
    for (let k = 0; k < n; k++) {
      u[2 * k] = first + k * spacing;
      u[2 * k + 1] = first + (k + zeroAt) * spacing;
    }
  }
  coarse.repair(u);
  // least squares brings the sections near their places (crossing x = 0 freely), the 8-norm
  // evens out the ripples with every x kept off 0
  coarse.minimise(u, 2, false);
  fine.clearZero(u);
  fine.repair(u);
  fine.minimise(u, 8, true);
  const poles = new Float64Array(n);
  const zeros = new Float64Array(n);
  const radius = (x: number) => {
    const t = Math.exp(x);
    return (1 - t) / (1 + t);
  };
  for (let k = 0; k < n; k++) {
    poles[k] = radius(u[2 * k]!);
    zeros[k] = radius(u[2 * k + 1]!);
  }
  return { poles, zeros };
}

/**
 * The fitting problem: weighted deviations of the cascade from the line at log-spaced
 * frequencies, as functions of the interlaced x = ln tan(w0 / 2) of u = [p1, z1, p2, z2, ...].
 */
class SlopeFit {
  /** Bounds of u: the lowest pole at 2 Hz, the highest zero as far below Nyquist. */
  readonly lo: number;
  readonly hi: number;
  private readonly np: number;
  private readonly m: number;
  /** tan^2(w / 2) at each point of the grid. */
  private readonly tan2: Float64Array;
  private readonly target: Float64Array;
  /** 1 / tolerance in dB of each point. */
  private readonly weight: Float64Array;
  /** Weight of each point in the mean over 20 Hz-top, by log frequency (0 outside, summing to 1). */
  private readonly meanWeight: Float64Array;
  private readonly t2: Float64Array;
  /** Variables moved next to x = 0, which stay there. */
  private readonly pinned: Uint8Array;
  /** Weighted residuals and their Jacobian (column-major, np columns of m) at the last evaluation. */
  private readonly r: Float64Array;
  private readonly jac: Float64Array;

  constructor(dbPerOctave: number, sampleRate: number, top: number, n: number, step: number) {
    this.lo = Math.log(Math.tanh((Math.PI * LOWEST_POLE_HZ) / sampleRate));
    this.hi = -this.lo;
    const bandHz = Math.min(BAND_HZ, top);
    const freqs: number[] = [];
    for (let f = LOW_HZ; f < bandHz * (1 - 1e-9); f *= Math.exp(step)) freqs.push(f);
    for (let f = bandHz; f < top; ) {
      freqs.push(f);
      const theta = (Math.PI * f) / sampleRate;
      f *= Math.exp(Math.min(step, (step * Math.sin(2 * theta)) / (2 * theta)));
    }
    freqs.push(top);
    const tan2 = freqs.map((f) => Math.tan((Math.PI * f) / sampleRate) ** 2);
    for (let x = Math.log(tan2[tan2.length - 1]!) / 2 + OUT_STEP; x <= this.hi; x += OUT_STEP) {
      freqs.push((sampleRate / Math.PI) * Math.atan(Math.exp(x)));
      tan2.push(Math.exp(2 * x));
    }
    this.np = 2 * n;
    this.m = freqs.length;
    this.tan2 = Float64Array.from(tan2);
    this.target = Float64Array.from(freqs, (f) => dbPerOctave * Math.log2(f));
    this.weight = Float64Array.from(freqs, (f) => (f < bandHz ? 2 : f > top ? 1 / OUT_DB : 10));
    // each point of the band stands for half of the step on either side
    const band = freqs.indexOf(bandHz);
    const last = freqs.indexOf(top);
    const span = Math.log(top / bandHz);
    this.meanWeight = Float64Array.from(freqs, (_, i) =>
      i < band || i > last
        ? 0
        : Math.log(freqs[Math.min(i + 1, last)]! / freqs[Math.max(i - 1, band)]!) / 2 / span,
    );
    this.t2 = new Float64Array(this.np);
    this.pinned = new Uint8Array(this.np);
    this.r = new Float64Array(this.m);
    this.jac = new Float64Array(this.m * this.np);
  }

  /**
   * Move the x within ZERO_GAP of 0 to the edge (the lower of two to -ZERO_GAP, the upper to
   * +ZERO_GAP, a single one to the nearer), where they stay for the rest of the fit.
   */
  clearZero(u: Float64Array): void {
    for (let j = 0; j < this.np; j++) {
      const x = u[j]!;
      if (Math.abs(x) >= ZERO_GAP) continue;
      const nextInside = j + 1 < this.np && Math.abs(u[j + 1]!) < ZERO_GAP;
      u[j] = x < 0 || nextInside ? -ZERO_GAP : ZERO_GAP;
      this.pinned[j] = 1;
    }
  }

  /** Space the x at least MIN_GAP apart within [lo, hi], moving those that are not pinned. */
  repair(u: Float64Array): void {
    const { np, lo, hi, pinned } = this;
    for (let j = 0; j < np; j++) if (!pinned[j]) u[j] = Math.max(u[j]!, j > 0 ? u[j - 1]! + MIN_GAP : lo);
    for (let j = np - 1; j >= 0; j--) {
      if (!pinned[j]) u[j] = Math.min(u[j]!, j < np - 1 ? u[j + 1]! - MIN_GAP : hi);
    }
  }

  /**
   * Residuals (deviation from the line minus its mean over 20 Hz-top, times the weight, raised to
   * the power p/2 with its sign) at `u`, and their Jacobian when `withJacobian`; returns the cost,
   * the sum of the squared residuals. The deviation leaves out the sections' constant factors
   * ((1 + tp) / (1 + tz))^2, which the mean removes.
   */
  evaluate(u: Float64Array, p: number, withJacobian: boolean): number {
    const { np, m, t2, r, jac, tan2, target, weight, meanWeight } = this;
    for (let j = 0; j < np; j++) t2[j] = Math.exp(2 * u[j]!);
    let mean = 0;
    for (let i = 0; i < m; i++) {
      const tt = tan2[i]!;
      let ratio = 1;
      for (let j = 0; j < np; j += 2) ratio *= (t2[j + 1]! + tt) / (t2[j]! + tt);
      r[i] = DB * Math.log(ratio) - target[i]!;
      mean += meanWeight[i]! * r[i]!;
    }
    if (withJacobian) {
      // d/dx of DB ln(t^2 + T^2), columns (one a variable) of m rows, their band mean removed
      for (let j = 0; j < np; j++) {
        const c = j * m;
        const t = t2[j]!;
        const k = j & 1 ? 2 * DB * t : -2 * DB * t;
        let s = 0;
        for (let i = 0; i < m; i++) {
          const d = k / (t + tan2[i]!);
          jac[c + i] = d;
          s += meanWeight[i]! * d;
        }
        for (let i = 0; i < m; i++) jac[c + i]! -= s;
      }
    }
    let cost = 0;
    for (let i = 0; i < m; i++) {
      const w = weight[i]!;
      const x = (r[i]! - mean) * w;
      // |x|^(p/2 - 1) for p = 2 or 8, any other p by Math.pow
      const pw = p === 2 ? 1 : p === 8 ? x * x * Math.abs(x) : Math.abs(x) ** (p / 2 - 1);
      r[i] = x * pw;
      cost += r[i]! * r[i]!;
      // the Jacobian's row i scaled by d(x |x|^(h-1)) / dx = h |x|^(h-1), times the weight
      if (withJacobian) {
        const g = (p / 2) * pw * w;
        for (let j = 0; j < np; j++) jac[j * m + i]! *= g;
      }
    }
    return cost;
  }

  /**
   * Levenberg-Marquardt on the p-norm cost from `u` (updated in place), keeping u interlaced
   * within [lo, hi] and, when `offZero`, every x at least ZERO_GAP from 0.
   */
  minimise(u: Float64Array, p: number, offZero: boolean): void {
    const { np, m, r, jac, lo, hi } = this;
    const a = new Float64Array(np * np);
    const g = new Float64Array(np);
    const sys = new Float64Array(np * np);
    const step = new Float64Array(np);
    const trial = new Float64Array(np);
    const free: number[] = [];
    let lambda = 1e-3;
    let cost = this.evaluate(u, p, true);
    for (let iter = 0; iter < 100; iter++) {
      for (let j = 0; j < np; j++) {
        const cj = j * m;
        for (let k = j; k < np; k++) {
          const ck = k * m;
          let s = 0;
          for (let i = 0; i < m; i++) s += jac[cj + i]! * jac[ck + i]!;
          a[j * np + k] = s;
          a[k * np + j] = s;
        }
        let s = 0;
        for (let i = 0; i < m; i++) s -= jac[cj + i]! * r[i]!;
        g[j] = s;
      }
      // a variable held at its bound by a descent direction pointing out stays there this step,
      // one that came next to x = 0 stays there for good
      free.length = 0;
      for (let j = 0; j < np; j++) {
        const held =
          this.pinned[j] === 1 ||
          (j === 0 && u[0]! <= lo && g[0]! < 0) ||
          (j === np - 1 && u[j]! >= hi && g[j]! > 0);
        if (!held) free.push(j);
      }
      const nf = free.length;
      let trialCost = cost;
      let accepted = false;
      for (let tries = 0; tries < 10 && !accepted; tries++) {
        for (let j = 0; j < nf; j++) {
          for (let k = 0; k < nf; k++) sys[j * nf + k] = a[free[j]! * np + free[k]!]!;
          sys[j * nf + j] = sys[j * nf + j]! * (1 + lambda) + 1e-12;
          step[j] = g[free[j]!]!;
        }
        choleskySolve(sys, step, nf);
        trial.set(u);
        for (let j = 0; j < nf; j++) trial[free[j]!]! += step[j]!;
        trial[0] = Math.max(trial[0]!, lo);
        trial[np - 1] = Math.min(trial[np - 1]!, hi);
        // a variable landing next to x = 0 stops at the nearer edge
        if (offZero) {
          for (let j = 0; j < np; j++) {
            const x = trial[j]!;
            if (Math.abs(x) < ZERO_GAP) trial[j] = x < 0 ? -ZERO_GAP : ZERO_GAP;
          }
        }
        if (interlaced(trial)) {
          trialCost = this.evaluate(trial, p, false);
          accepted = trialCost < cost;
        }
        if (!accepted) lambda *= 8;
      }
      if (!accepted) return;
      lambda = Math.max(lambda / 4, 1e-9);
      u.set(trial);
      if (offZero) for (let j = 0; j < np; j++) if (Math.abs(u[j]!) === ZERO_GAP) this.pinned[j] = 1;
      const gain = (cost - trialCost) / cost;
      cost = this.evaluate(u, p, true);
      if (gain < STOP_GAIN && lambda < STOP_LAMBDA) return;
    }
  }
}

/** Whether the x are increasing with at least MIN_GAP between neighbours. */
function interlaced(u: Float64Array): boolean {
  for (let j = 1; j < u.length; j++) if (u[j]! - u[j - 1]! < MIN_GAP) return false;
  return true;
}

/** Solve s x = b in place (x into b) for the symmetric positive definite n x n matrix s (overwritten). */
function choleskySolve(s: Float64Array, b: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) {
    let d = s[j * n + j]!;
    for (let k = 0; k < j; k++) d -= s[j * n + k]! * s[j * n + k]!;
    const l = Math.sqrt(Math.max(d, 1e-300));
    s[j * n + j] = l;
    for (let i = j + 1; i < n; i++) {
      let t = s[i * n + j]!;
      for (let k = 0; k < j; k++) t -= s[i * n + k]! * s[j * n + k]!;
      s[i * n + j] = t / l;
    }
  }
  for (let i = 0; i < n; i++) {
    let t = b[i]!;
    for (let k = 0; k < i; k++) t -= s[i * n + k]! * b[k]!;
    b[i] = t / s[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let t = b[i]!;
    for (let k = i + 1; k < n; k++) t -= s[k * n + i]! * b[k]!;
    b[i] = t / s[i * n + i]!;
  }
}
