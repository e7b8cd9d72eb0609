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
  private readonly b: Float64Array; // numerator radius a section: y = x - b x1 + a y1
  private readonly a: Float64Array;
  private readonly x1: Float64Array;
  private readonly y1: Float64Array;
  private readonly scale: number;

  constructor(color: NoiseColor, sampleRate: number, rng: Rng) {
    this.color = color;
    this.rng = rng;
    const slope = NOISE_SLOPES[color];
    let filt: SlopeFilter = { poles: new Float64Array(0), zeros: new Float64Array(0) };
    if (slope !== 0) {
      const base = designSlope(-Math.abs(slope), sampleRate);
      filt = slope < 0 ? base : { poles: base.zeros, zeros: base.poles };
    }
    this.a = filt.poles;
    this.b = filt.zeros;
    this.x1 = new Float64Array(this.a.length);
    this.y1 = new Float64Array(this.a.length);
    // uniform white in [-1, 1) has variance 1/3; the cascade's power gain from its impulse response
    const gain = Math.sqrt(powerGain(filt, sampleRate) / 3);
    this.scale = NOISE_RMS / gain;
    // let the slowest section settle so the render starts in its steady state
    const warm = new Float64Array(1024);
    const settle = this.a.length > 0 ? Math.min(sampleRate, 8 * Math.ceil(sampleRate / (2 * Math.PI * 2))) : 0;
    for (let done = 0; done < settle; done += warm.length) this.process(warm, 0, warm.length);
  }

  /** Write `frames` samples into `out` from `offset` (RMS {@link NOISE_RMS}, peaks within +-1). */
  process(out: Float64Array, offset: number, frames: number): void {
    const rng = this.rng;
    const end = offset + frames;
    for (let i = offset; i < end; i++) out[i] = rng.bipolar();
    const n = this.a.length;
    for (let s = 0; s < n; s++) {
      const a = this.a[s]!;
      const b = this.b[s]!;
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
    const k = this.scale;
    for (let i = offset; i < end; i++) {
      const v = out[i]! * k;
      out[i] = v > 1 ? 1 : v < -1 ? -1 : v;
    }
  }
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
