/**
 * Sensory dissonance after Sethares (1993), a parametrisation of the Plomp-Levelt (1965)
 * curve: each pair of partials contributes `A (e^(-a s Δf) - e^(-b s Δf))` with
 * `s = d* / (s1 fmin + s2)`. `A` is the smaller amplitude of the pair (the min-amplitude
 * variant of Sethares 2005 / Weisser & Lartillot 2013) or, optionally, their product (1993).
 */
import { checkFrequencies, type HarmonicOptions, harmonicSpectrum, type SparseSpectrum } from './spectrum.js';

/** Options of the Sethares model. */
export interface SetharesOptions extends HarmonicOptions {
  /** Use min(a1, a2) (default true) instead of a1 * a2 as the pair amplitude. */
  readonly minAmplitude?: boolean;
}

const A = 3.5;
const B = 5.75;
const S1 = 0.021;
const S2 = 19;
const D_STAR = 0.24;

/** Dissonance of one pair of pure tones. */
export function setharesPair(f1: number, f2: number, a1: number, a2: number, minAmplitude = true): number {
  const lo = Math.min(f1, f2);
  const df = Math.abs(f2 - f1);
  const s = D_STAR / (S1 * lo + S2);
  const amp = minAmplitude ? Math.min(a1, a2) : a1 * a2;
  return amp * (Math.exp(-A * s * df) - Math.exp(-B * s * df));
}

/** Sethares dissonance of a sparse spectrum (sum over all pairs of partials). */
export function setharesDissonanceOfSpectrum(spectrum: SparseSpectrum, minAmplitude = true): number {
  const { freq, amp } = spectrum;
  const n = freq.length;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) sum += setharesPair(freq[i]!, freq[j]!, amp[i]!, amp[j]!, minAmplitude);
  }
  return sum;
}

/**
 * Sethares (1993) dissonance of a chord of harmonic complex tones (11 harmonics, amplitude 1/n
 * by default). Higher = more dissonant.
 *
 * @example setharesDissonance([261.626, 329.628, 391.995]) // 0.7735006 (C4-E4-G4)
 */
export function setharesDissonance(freqsHz: readonly number[], options: SetharesOptions = {}): number {
  checkFrequencies(freqsHz);
  return setharesDissonanceOfSpectrum(harmonicSpectrum(freqsHz, options), options.minAmplitude ?? true);
}
