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
  const minHz = options.minHz ?? 40;
  const maxHz = options.maxHz ?? 2000;
  const threshold = options.threshold ?? 0.15;
  const tauMax = Math.min(Math.floor(sampleRate / minHz), Math.floor(x.length / 2) - 1);
  const tauMin = Math.max(2, Math.floor(sampleRate / maxHz));
  if (tauMax <= tauMin + 2) return null;
  const w = tauMax; // integration window
  let size = 1;
  while (size < w + tauMax) size *= 2;
  const fft = new FFT(size);
  const buf = new Float64Array(size);
  const spec = fft.createComplexArray() as number[];
  const full = fft.createComplexArray() as number[];
  const acf = fft.createComplexArray() as number[];
  const d = new Float64Array(tauMax + 1);
  const frameLen = w + tauMax;
  const frames = Math.max(1, Math.floor((x.length - frameLen) / (sampleRate * 0.02)) + 1);
  const count = Math.min(frames, options.maxFrames ?? 60);
  const estimates: number[] = [];
  let aperiodicity = 0;
  for (let f = 0; f < count; f++) {
    const start = count === 1 ? 0 : Math.floor((f * (x.length - frameLen)) / (count - 1));
    let energy = 0;
    for (let i = 0; i < size; i++) buf[i] = i < frameLen && start + i < x.length ? x[start + i]! : 0;
    for (let i = 0; i < frameLen; i++) energy += buf[i]! * buf[i]!;
    if (energy < 1e-10 * frameLen) continue;
    // r(tau) = sum_j x[j] x[j + tau] over j < w, via cross-correlation of the window with the frame.
    fft.realTransform(spec, buf);
    fft.completeSpectrum(spec);
    for (let i = 0; i < size; i++) buf[i] = i < w ? x[start + i]! : 0;
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
    // d(tau) = e(0) + e(tau) - 2 r(tau), e(t) = energy of x[start+t .. start+t+w).
    let e0 = 0;
    for (let j = 0; j < w; j++) e0 += x[start + j]! ** 2;
    let et = e0;
    d[0] = 0;
    let running = 0;
    let chosen = -1;
    for (let tau = 1; tau <= tauMax; tau++) {
      const out = x[start + tau - 1]!;
      const inn = start + tau - 1 + w < x.length ? x[start + tau - 1 + w]! : 0;
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
    if (chosen < 0) continue;
    const a = d[chosen - 1]!;
    const b = d[chosen]!;
    const c = d[chosen + 1]!;
    const den = a - 2 * b + c;
    const shift = den > 0 ? (0.5 * (a - c)) / den : 0;
    estimates.push(sampleRate / (chosen + shift));
    aperiodicity += Math.max(0, b);
  }
  if (estimates.length === 0) return null;
  estimates.sort((p, q) => p - q);
  return {
    frequency: estimates[Math.floor(estimates.length / 2)]!,
    confidence: Math.max(0, Math.min(1, 1 - aperiodicity / estimates.length)),
    voicedFraction: estimates.length / count,
  };
}
