/**
 * Design of a cascade of first-order pole/zero sections whose magnitude follows a constant
 * slope in dB per octave (-3 for pink, -6 for brown) from a few hertz to near Nyquist.
 *
 * Poles sit an octave apart; the zeros start between them (where the slope asks) and are then
 * moved by a few Levenberg-Marquardt steps so that the digital response, warped near Nyquist,
 * follows the straight line within a fraction of a decibel. Inverting the cascade (swapping
 * poles and zeros) gives the rising slopes (+3 blue, +6 violet).
 */
export interface SlopeFilter {
  /** Pole radii (0 < p < 1), one a section. */
  readonly poles: Float64Array;
  /** Zero radii (0 <= z < 1), one a section. */
  readonly zeros: Float64Array;
}

const LOWEST_POLE_HZ = 2;
const designs = new Map<string, SlopeFilter>();

/** Magnitude in dB of the cascade at `freq`. */
export function cascadeDb(f: SlopeFilter, freq: number, sampleRate: number): number {
  const w = (2 * Math.PI * freq) / sampleRate;
  const c = Math.cos(w);
  let acc = 0;
  for (let i = 0; i < f.poles.length; i++) {
    const p = f.poles[i]!;
    const z = f.zeros[i]!;
    acc += Math.log((1 - 2 * z * c + z * z) / (1 - 2 * p * c + p * p));
  }
  return (acc * 10) / Math.LN10;
}

/**
 * A cascade with slope `dbPerOctave` (negative, -6 < slope < 0 for pink-like, -6 for brown)
 * at `sampleRate`, designed once and cached.
 */
export function designSlope(dbPerOctave: number, sampleRate: number): SlopeFilter {
  const key = `${dbPerOctave}@${sampleRate}`;
  const hit = designs.get(key);
  if (hit) return hit;
  const nyq = sampleRate / 2;
  const polesHz: number[] = [];
  for (let f = LOWEST_POLE_HZ; f < nyq; f *= 2) polesHz.push(f);
  const frac = Math.min(1, -dbPerOctave / 6);
  const poles = Float64Array.from(polesHz, (f) => Math.exp((-2 * Math.PI * f) / sampleRate));
  // log-frequencies of the zeros are the unknowns
  let logZ = polesHz.map((f) => Math.log(f * 2 ** frac));
  const top = Math.min(0.45 * sampleRate, 20000);
  const freqs: number[] = [];
  for (let f = 10; f <= top; f *= 2 ** (1 / 6)) freqs.push(f);
  const target = freqs.map((f) => dbPerOctave * Math.log2(f));
  const zerosOf = (lz: number[]) =>
    Float64Array.from(lz, (l) => Math.exp((-2 * Math.PI * Math.min(Math.exp(l), nyq * 0.999)) / sampleRate));
  const residual = (lz: number[]): number[] => {
    const filt = { poles, zeros: zerosOf(lz) };
    const e = freqs.map((f, i) => cascadeDb(filt, f, sampleRate) - target[i]!);
    const mean = e.reduce((a, b) => a + b, 0) / e.length;
    return e.map((v) => v - mean);
  };
  const cost = (r: number[]) => r.reduce((a, b) => a + b * b, 0);
  let lambda = 1e-3;
  let r0 = residual(logZ);
  let c0 = cost(r0);
  for (let iter = 0; iter < 12 && c0 > 1e-10; iter++) {
    const n = logZ.length;
    const jac: number[][] = [];
    for (let j = 0; j < n; j++) {
      const l2 = logZ.slice();
      l2[j]! += 1e-6;
      const r1 = residual(l2);
      jac.push(r1.map((v, i) => (v - r0[i]!) / 1e-6));
    }
    const a: number[][] = [];
    const g: number[] = [];
    for (let p = 0; p < n; p++) {
      const row: number[] = [];
      for (let q = 0; q < n; q++) {
        let s = 0;
        for (let i = 0; i < r0.length; i++) s += jac[p]![i]! * jac[q]![i]!;
        row.push(s);
      }
      let s = 0;
      for (let i = 0; i < r0.length; i++) s += jac[p]![i]! * r0[i]!;
      row[p]! += lambda * (row[p]! + 1e-9);
      a.push(row);
      g.push(-s);
    }
    const step = solve(a, g);
    const trial = logZ.map((v, i) => v + step[i]!);
    const rt = residual(trial);
    const ct = cost(rt);
    if (ct < c0) {
      logZ = trial;
      r0 = rt;
      c0 = ct;
      lambda *= 0.3;
    } else {
      lambda *= 10;
    }
  }
  const design: SlopeFilter = { poles, zeros: zerosOf(logZ) };
  designs.set(key, design);
  return design;
}

/** Solve the dense system a x = b by Gaussian elimination with partial pivoting. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[piv]![c]!)) piv = r;
    [m[c], m[piv]] = [m[piv]!, m[c]!];
    const d = m[c]![c]! || 1e-300;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / d;
      if (f === 0) continue;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}
