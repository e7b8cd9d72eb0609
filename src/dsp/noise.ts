import { type Arena, arena, arenaOf, hash32 } from './arena.js';
import type { Rng } from './rng.js';
import { designSlope, type SlopeFilter } from './slope-filter.js';

/** Noise colours and their spectral slopes in dB per octave. */
export const NOISE_SLOPES = { white: 0, pink: -3, brown: -6, blue: 3, violet: 6 } as const;
export type NoiseColor = keyof typeof NOISE_SLOPES;
export const NOISE_COLORS = Object.keys(NOISE_SLOPES) as NoiseColor[];

/** RMS of every noise colour at gain 1 (peaks are clamped to +-1, a 12 dB crest factor). */
export const NOISE_RMS = 0.25;

/** Samples of white noise made per kernel call. */
const CHUNK = 1024;
/** One-pole terms the SIMD kernel runs (filters with more use the TypeScript loop). */
const KERNEL_TERMS = 6;

/**
 * A seeded noise generator of a given colour. White is uniform, sample `k` drawn from
 * `hash32(key + k)` (a counter-based generator, so the stream does not depend on block sizes);
 * the other colours are white noise through the slope filter of {@link designSlope}, run as
 * partial fractions (a constant plus one-pole terms, in the SIMD kernel when the terms fit),
 * and normalised to the same RMS so that colours can be swapped without a jump in level.
 */
export class NoiseSource {
  readonly color: NoiseColor;
  /** Parallel form of the filter: y = c0 x + sum of one-pole terms s_k = a_k s_k + r_k x. */
  private readonly c0: number;
  private readonly a: Float64Array;
  private readonly r: Float64Array;
  private readonly state: Float64Array;
  private readonly scale: number;
  private readonly parallel: boolean;
  private readonly cascade: SlopeFilter;
  private readonly x1: Float64Array;
  private readonly y1: Float64Array;
  private readonly key: number;
  /** Samples drawn so far (the generator's counter). */
  private position = 0;
  /** White samples of the current chunk (in the arena when it has room). */
  private readonly white: Float64Array;
  /** Coefficients and states of the kernel, in the arena; null when the TypeScript loop runs. */
  private readonly terms: Float64Array | null;
  private readonly mem: Arena;

  constructor(color: NoiseColor, sampleRate: number, rng: Rng) {
    this.color = color;
    this.key = rng.nextU32() | 0;
    const slope = NOISE_SLOPES[color];
    let filt: SlopeFilter = { poles: new Float64Array(0), zeros: new Float64Array(0) };
    if (slope !== 0) {
      const base = designSlope(-Math.abs(slope), sampleRate);
      filt = slope < 0 ? base : { poles: base.zeros, zeros: base.poles };
    }
    const { c0, residues } = partialFractions(filt);
    // near-coincident poles (a pole cancelled by a zero beside it) make the partial fractions
    // ill-conditioned: such filters run as the cascade itself
    this.parallel = residues.every((v) => Number.isFinite(v) && Math.abs(v) < 1e3);
    this.cascade = filt;
    this.x1 = new Float64Array(filt.poles.length);
    this.y1 = new Float64Array(filt.poles.length);
    this.c0 = c0;
    const n = this.parallel ? filt.poles.length : 0;
    const a = new Float64Array(n);
    const r = new Float64Array(n);
    if (this.parallel) {
      a.set(filt.poles);
      r.set(residues);
    }
    const mem = arena(8 * (CHUNK + 4 + 5 * KERNEL_TERMS));
    this.mem = mem;
    this.white = mem.f64(CHUNK + 4);
    // the kernel's a, r, s, a^2 and a r (six terms each); the TypeScript loop shares the states
    let terms: Float64Array | null = null;
    if (this.parallel && n <= KERNEL_TERMS && mem.ptr(this.white) >= 0) {
      terms = mem.f64(5 * KERNEL_TERMS);
      if (mem.ptr(terms) >= 0) {
        for (let k = 0; k < n; k++) {
          terms[k] = a[k]!;
          terms[KERNEL_TERMS + k] = r[k]!;
          terms[3 * KERNEL_TERMS + k] = a[k]! * a[k]!;
          terms[4 * KERNEL_TERMS + k] = a[k]! * r[k]!;
        }
      } else terms = null;
    }
    this.terms = terms;
    this.a = a;
    this.r = r;
    this.state = terms ? terms.subarray(2 * KERNEL_TERMS, 2 * KERNEL_TERMS + n) : new Float64Array(n);
    // uniform white in [-1, 1) has variance 1/3
    const gain = Math.sqrt(
      (this.parallel ? parallelPowerGain(c0, this.a, this.r) : powerGain(filt, sampleRate)) / 3,
    );
    this.scale = NOISE_RMS / gain;
    // let the slowest term settle so the render starts in its steady state
    const settle =
      filt.poles.length > 0 ? Math.min(sampleRate, 8 * Math.ceil(sampleRate / (2 * Math.PI * 2))) : 0;
    for (let done = 0; done < settle; done += CHUNK) this.process(this.white, 0, CHUNK);
  }

  /** Write `frames` samples into `out` from `offset` (RMS {@link NOISE_RMS}, peaks within +-1). */
  process(out: Float64Array, offset: number, frames: number): void {
    this.run(out, offset, frames, false, 1);
  }

  /** Add `frames` samples times `gain` into `out` from index 0. */
  addTo(out: Float64Array, frames: number, gain: number): void {
    this.run(out, 0, frames, true, gain);
  }

  private run(out: Float64Array, offset: number, frames: number, add: boolean, gain: number): void {
    const mem = this.mem;
    const po = this.terms && arenaOf(out) === mem ? mem.ptr(out) : -1;
    for (let done = 0; done < frames; done += CHUNK) {
      const n = Math.min(CHUNK, frames - done);
      if (po >= 0) {
        const pw = mem.ptr(this.white);
        mem.kernels.white(pw, n, (this.key + this.position) | 0);
        mem.kernels.pinkish(
          pw,
          po + (offset + done) * 8,
          n,
          mem.ptr(this.terms!),
          this.c0,
          this.scale,
          add ? 1 : 0,
          gain,
        );
      } else {
        this.drawWhite(n);
        this.chunk(out, offset + done, n, add, gain);
      }
      this.position += n;
    }
  }

  /** White samples of the next chunk, the TypeScript way (the kernel's `white`). */
  private drawWhite(n: number): void {
    const w = this.white;
    const key = this.key + this.position;
    for (let i = 0; i < n; i++) w[i] = hash32(key + i) / 2147483648;
  }

  private chunk(out: Float64Array, offset: number, frames: number, add: boolean, gain: number): void {
    const y = this.parallel ? this.parallelTerms(frames) : this.cascadeSections(frames);
    const k = this.scale;
    for (let i = 0; i < frames; i++) {
      const v = Math.max(-1, Math.min(1, y[i]! * k));
      if (add) out[offset + i]! += v * gain;
      else out[offset + i] = v;
    }
  }

  /** The partial fractions over the white chunk, in place; returns it. */
  private parallelTerms(frames: number): Float64Array {
    const { a, r, state, white: w, c0 } = this;
    for (let i = 0; i < frames; i++) {
      const x = w[i]!;
      let y = c0 * x;
      for (let k = 0; k < a.length; k++) {
        const s = a[k]! * state[k]! + r[k]! * x;
        state[k] = s;
        y += s;
      }
      w[i] = y;
    }
    return w;
  }

  /** The cascade of first-order sections over the white chunk, in place; returns it. */
  private cascadeSections(frames: number): Float64Array {
    const w = this.white;
    const { poles, zeros } = this.cascade;
    for (let s = 0; s < poles.length; s++) {
      const a = poles[s]!;
      const b = zeros[s]!;
      let x1 = this.x1[s]!;
      let y1 = this.y1[s]!;
      for (let i = 0; i < frames; i++) {
        const x = w[i]!;
        const y = x - b * x1 + a * y1;
        x1 = x;
        y1 = y;
        w[i] = y;
      }
      this.x1[s] = x1;
      this.y1[s] = y1;
    }
    return w;
  }
}

/**
 * Power gain (sum of the squared impulse response) of c0 plus one-pole terms r_k / (1 - a_k z^-1):
 * the response is c0 + sum r_k at n = 0 and sum r_k a_k^n after, so the sum is closed-form.
 */
function parallelPowerGain(c0: number, a: Float64Array, r: Float64Array): number {
  let sumR = 0;
  let cross = 0;
  for (let i = 0; i < a.length; i++) {
    sumR += r[i]!;
    for (let j = 0; j < a.length; j++) cross += (r[i]! * r[j]!) / (1 - a[i]! * a[j]!);
  }
  return c0 * c0 + 2 * c0 * sumR + cross;
}

/**
 * The cascade of first-order sections as a constant plus a sum of one-pole terms (partial
 * fractions): the terms are independent, so the CPU can update several at once.
 */
export function partialFractions(f: SlopeFilter): { c0: number; residues: Float64Array } {
  const a = f.poles;
  const b = f.zeros;
  const n = a.length;
  let c0 = 1;
  for (let i = 0; i < n; i++) c0 *= b[i]! / a[i]!;
  const residues = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let num = 1;
    let den = 1;
    for (let j = 0; j < n; j++) {
      num *= 1 - b[j]! / a[i]!;
      if (j !== i) den *= 1 - a[j]! / a[i]!;
    }
    residues[i] = num / den;
  }
  return { c0, residues };
}

/** Sum of the squared impulse response of the cascade (its power gain for white noise). */
function powerGain(f: SlopeFilter, sampleRate: number): number {
  if (f.poles.length === 0) return 1;
  const n = Math.ceil(sampleRate * 4);
  const buf = new Float64Array(n);
  buf[0] = 1;
  for (let s = 0; s < f.poles.length; s++) {
    const a = f.poles[s]!;
    const b = f.zeros[s]!;
    let x1 = 0;
    let y1 = 0;
    for (let i = 0; i < n; i++) {
      const x = buf[i]!;
      const y = x - b * x1 + a * y1;
      x1 = x;
      y1 = y;
      buf[i] = y;
    }
  }
  let e = 0;
  for (let i = 0; i < n; i++) e += buf[i]! * buf[i]!;
  return e;
}
