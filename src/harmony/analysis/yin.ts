/**
 * Fundamental frequency by YIN (de Cheveigné & Kawahara 2002): the cumulative-mean-normalised
 * difference function of a frame, its first dip below an absolute threshold, refined by
 * parabolic interpolation. The difference function is computed from an FFT autocorrelation.
 * Frames across the signal vote; the median of voiced frames is reported.
 */
import FFT from 'fft.js';

/** The YIN estimate of a signal. */
export interface PitchEstimate {
  /** Median f0 of voiced frames, Hz. */
  readonly frequency: number;
  /** 1 - mean aperiodicity (the CMND value at the chosen lag) of voiced frames, 0..1. */
  readonly confidence: number;
  /** Fraction of analysed frames that were voiced. */
  readonly voicedFraction: number;
}

/** Options of {@link yinPitch}. */
export interface YinOptions {
  readonly minHz?: number;
  readonly maxHz?: number;
  /** Absolute threshold on the normalised difference (default 0.15). */
  readonly threshold?: number;
  /** Most frames to analyse, spread evenly (default 60). */
  readonly maxFrames?: number;
}

/**
 * Estimates the f0 of a mono signal, or returns null when no frame is voiced.
 *
 * @example yinPitch(samples, 48000)?.frequency // 440.0 for an A4 tone
 */
export function yinPitch(
  x: Float32Array | Float64Array,
  sampleRate: number,
  options: YinOptions = {},
): PitchEstimate | null {
  const plan = yinPlan(x.length, sampleRate, options);
  if (!plan) return null;
  const votes = new YinVotes(plan, sampleRate, options);
  for (const start of plan.starts) votes.add(x.subarray(start, start + plan.frameLen));
  return votes.finish();
}

/** The frames {@link yinPitch} analyses in a signal of a given length. */
export interface YinPlan {
  readonly tauMin: number;
  readonly tauMax: number;
  /** Samples of each frame (the integration window and the longest lag). */
  readonly frameLen: number;
  /** Where the frames start, ascending; each lies inside the signal. */
  readonly starts: readonly number[];
}

/**
 * The frames of {@link yinPitch} for a signal of `n` samples (they depend on its length only),
 * or null when it is too short for any lag.
 */
export function yinPlan(n: number, sampleRate: number, options: YinOptions = {}): YinPlan | null {
  const minHz = options.minHz ?? 40;
  const maxHz = options.maxHz ?? 2000;
  const tauMax = Math.min(Math.floor(sampleRate / minHz), Math.floor(n / 2) - 1);
  const tauMin = Math.max(2, Math.floor(sampleRate / maxHz));
  if (tauMax <= tauMin + 2) return null;
  const frameLen = 2 * tauMax;
  const frames = Math.max(1, Math.floor((n - frameLen) / (sampleRate * 0.02)) + 1);
  const count = Math.min(frames, options.maxFrames ?? 60);
  const starts: number[] = [];
  for (let f = 0; f < count; f++)
    starts.push(count === 1 ? 0 : Math.floor((f * (n - frameLen)) / (count - 1)));
  return { tauMin, tauMax, frameLen, starts };
}

/**
 * The votes of YIN frames, added one at a time in the order of their plan (a stream's analysis
 * adds each frame once its samples have arrived); {@link YinVotes.finish} gives what
 * {@link yinPitch} gives for the whole signal.
 */
export class YinVotes {
  private readonly fft: FFT;
  private readonly size: number;
  private readonly buf: Float64Array;
  private readonly spec: number[];
  private readonly full: number[];
  private readonly acf: number[];
  private readonly d: Float64Array;
  private readonly threshold: number;
  private readonly estimates: number[] = [];
  private aperiodicity = 0;

  constructor(
    private readonly plan: YinPlan,
    private readonly sampleRate: number,
    options: YinOptions = {},
  ) {
    this.threshold = options.threshold ?? 0.15;
    let size = 1;
    while (size < plan.frameLen) size *= 2;
    this.size = size;
    this.fft = new FFT(size);
    this.buf = new Float64Array(size);
    this.spec = this.fft.createComplexArray() as number[];
    this.full = this.fft.createComplexArray() as number[];
    this.acf = this.fft.createComplexArray() as number[];
    this.d = new Float64Array(plan.tauMax + 1);
  }

  /** The next frame of the plan: its `frameLen` samples. */
  add(x: ArrayLike<number>): void {
    const { fft, size, buf, spec, full, acf, d, threshold } = this;
    const { tauMin, tauMax, frameLen } = this.plan;
    const w = tauMax; // integration window
    let energy = 0;
    for (let i = 0; i < size; i++) buf[i] = i < frameLen && i < x.length ? x[i]! : 0;
    for (let i = 0; i < frameLen; i++) energy += buf[i]! * buf[i]!;
    if (energy < 1e-10 * frameLen) return;
    // r(tau) = sum_j x[j] x[j + tau] over j < w, via cross-correlation of the window with the frame.
    fft.realTransform(spec, buf);
    fft.completeSpectrum(spec);
    for (let i = 0; i < size; i++) buf[i] = i < w ? x[i]! : 0;
    fft.realTransform(full, buf);
    fft.completeSpectrum(full);
    for (let k = 0; k < size; k++) {
      const ar = full[2 * k]!;
      const ai = full[2 * k + 1]!;
      const br = spec[2 * k]!;
      const bi = spec[2 * k + 1]!;
      acf[2 * k] = ar * br + ai * bi;
      acf[2 * k + 1] = ar * bi - ai * br;
    }
    fft.inverseTransform(spec, acf);
    // d(tau) = e(0) + e(tau) - 2 r(tau), e(t) = energy of x[t .. t+w).
    let e0 = 0;
    for (let j = 0; j < w; j++) e0 += x[j]! ** 2;
    let et = e0;
    d[0] = 0;
    let running = 0;
    let chosen = -1;
    for (let tau = 1; tau <= tauMax; tau++) {
      const out = x[tau - 1]!;
      const inn = tau - 1 + w < x.length ? x[tau - 1 + w]! : 0;
      et += inn * inn - out * out;
      d[tau] = e0 + et - 2 * spec[2 * tau]!;
      running += d[tau]!;
      d[tau] = running > 0 ? (d[tau]! * tau) / running : 1;
    }
    for (let tau = tauMin; tau < tauMax; tau++) {
      if (d[tau]! < threshold) {
        while (tau + 1 < tauMax && d[tau + 1]! < d[tau]!) tau++;
        chosen = tau;
        break;
      }
    }
    if (chosen < 0) return;
    const a = d[chosen - 1]!;
    const b = d[chosen]!;
    const c = d[chosen + 1]!;
    const den = a - 2 * b + c;
    const shift = den > 0 ? (0.5 * (a - c)) / den : 0;
    this.estimates.push(this.sampleRate / (chosen + shift));
    this.aperiodicity += Math.max(0, b);
  }

  /** The median f0 of the voiced frames, or null when none was voiced. */
  finish(): PitchEstimate | null {
    const { estimates, aperiodicity } = this;
    if (estimates.length === 0) return null;
    estimates.sort((p, q) => p - q);
    return {
      frequency: estimates[Math.floor(estimates.length / 2)]!,
      confidence: Math.max(0, Math.min(1, 1 - aperiodicity / estimates.length)),
      voicedFraction: estimates.length / this.plan.starts.length,
    };
  }
}
