import type { Rng } from './rng.js';
import { designSlope, type SlopeFilter } from './slope-filter.js';

/** Noise colours and their spectral slopes in dB per octave. */
export const NOISE_SLOPES = { white: 0, pink: -3, brown: -6, blue: 3, violet: 6 } as const;
export type NoiseColor = keyof typeof NOISE_SLOPES;
export const NOISE_COLORS = Object.keys(NOISE_SLOPES) as NoiseColor[];

/** RMS of every noise colour at gain 1 (peaks are clamped to +-1, a 12 dB crest factor). */
export const NOISE_RMS = 0.25;

/**
 * A seeded noise generator of a given colour. White is uniform; the other colours are white
 * noise through a cascade of first-order sections ({@link designSlope}), normalised to the same
 * RMS, so that colours can be swapped without a jump in level.
 */
export class NoiseSource {
  readonly color: NoiseColor;
  private readonly rng: Rng;
  /** Parallel form of the cascade: y = c0 x + sum of one-pole terms s_k = a_k s_k + r_k x. */
  private readonly c0: number;
  private readonly a: Float64Array;
  private readonly r: Float64Array;
  private readonly state: Float64Array;
  private readonly white: Float64Array;
  private readonly scale: number;
  private readonly parallel: boolean;
  private readonly cascade: SlopeFilter;
  private readonly x1: Float64Array;
  private readonly y1: Float64Array;

  constructor(color: NoiseColor, sampleRate: number, rng: Rng) {
    this.color = color;
    this.rng = rng;
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
    // terms in groups of four (padded with silent ones): the render loop updates four at once
    const n = this.parallel ? Math.ceil(residues.length / 4) * 4 : 0;
    this.c0 = c0;
    this.a = new Float64Array(n);
    this.r = new Float64Array(n);
    if (this.parallel) {
      this.a.set(filt.poles);
      this.r.set(residues);
    }
    this.state = new Float64Array(n);
    this.white = new Float64Array(1024);
    // uniform white in [-1, 1) has variance 1/3; the cascade's power gain from its impulse response
    const gain = Math.sqrt(powerGain(filt, sampleRate) / 3);
    this.scale = NOISE_RMS / gain;
    // let the slowest section settle so the render starts in its steady state
    const warm = new Float64Array(1024);
    const settle =
      filt.poles.length > 0 ? Math.min(sampleRate, 8 * Math.ceil(sampleRate / (2 * Math.PI * 2))) : 0;
    for (let done = 0; done < settle; done += warm.length) this.process(warm, 0, warm.length);
  }

  /** Write `frames` samples into `out` from `offset` (RMS {@link NOISE_RMS}, peaks within +-1). */
  process(out: Float64Array, offset: number, frames: number): void {
    for (let done = 0; done < frames; done += this.white.length) {
      this.chunk(out, offset + done, Math.min(this.white.length, frames - done));
    }
  }

  private chunk(out: Float64Array, offset: number, frames: number): void {
    if (!this.parallel) {
      this.chunkCascade(out, offset, frames);
      return;
    }
    const rng = this.rng;
    const w = this.white;
    const c0 = this.c0;
    for (let i = 0; i < frames; i++) {
      const x = rng.bipolar();
      w[i] = x;
      out[offset + i] = c0 * x;
    }
    const { a, r, state } = this;
    for (let k = 0; k < a.length; k += 4) {
      const a0 = a[k]!;
      const a1 = a[k + 1]!;
      const a2 = a[k + 2]!;
      const a3 = a[k + 3]!;
      const r0 = r[k]!;
      const r1 = r[k + 1]!;
      const r2 = r[k + 2]!;
      const r3 = r[k + 3]!;
      let s0 = state[k]!;
      let s1 = state[k + 1]!;
      let s2 = state[k + 2]!;
      let s3 = state[k + 3]!;
      for (let i = 0; i < frames; i++) {
        const x = w[i]!;
        s0 = a0 * s0 + r0 * x;
        s1 = a1 * s1 + r1 * x;
        s2 = a2 * s2 + r2 * x;
        s3 = a3 * s3 + r3 * x;
        out[offset + i]! += s0 + s1 + (s2 + s3);
      }
      state[k] = s0;
      state[k + 1] = s1;
      state[k + 2] = s2;
      state[k + 3] = s3;
    }
    this.finish(out, offset, frames);
  }

  /** The cascade of first-order sections, one section at a time over the chunk. */
  private chunkCascade(out: Float64Array, offset: number, frames: number): void {
    const end = offset + frames;
    for (let i = offset; i < end; i++) out[i] = this.rng.bipolar();
    const { poles, zeros } = this.cascade;
    for (let s = 0; s < poles.length; s++) {
      const a = poles[s]!;
      const b = zeros[s]!;
      let x1 = this.x1[s]!;
      let y1 = this.y1[s]!;
      for (let i = offset; i < end; i++) {
        const x = out[i]!;
        const y = x - b * x1 + a * y1;
        x1 = x;
        y1 = y;
        out[i] = y;
      }
      this.x1[s] = x1;
      this.y1[s] = y1;
    }
    this.finish(out, offset, frames);
  }

  /** Scale to the common RMS and clamp the rare peaks beyond full scale. */
  private finish(out: Float64Array, offset: number, frames: number): void {
    const k = this.scale;
    for (let i = offset; i < offset + frames; i++) {
      const v = out[i]! * k;
      out[i] = Math.max(-1, Math.min(1, v));
    }
  }
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
