/**
 * Roughness after Hutchinson & Knopoff (1978): every pair of partials closer than 1.2 critical
 * bandwidths contributes the product of their amplitudes times a standard dissonance curve of
 * their distance in critical bandwidths; the sum is normalised by the total squared amplitude.
 */
import { checkFrequencies, type HarmonicOptions, harmonicSpectrum, type SparseSpectrum } from './spectrum.js';

/** Critical bandwidth (Hz) around the mean of two frequencies: 1.72 * fmean^0.65. */
export function hutchinsonCbw(f1: number, f2: number): number {
  return 1.72 * ((f1 + f2) / 2) ** 0.65;
}

/**
 * The Hutchinson-Knopoff weighting of a partial pair `y` critical bandwidths apart:
 * `((y / 0.25) e^(1 - y / 0.25))^2`, peaking at y = 0.25, zero beyond y = 1.2.
 */
export function hutchinsonWeight(y: number): number {
  if (y > 1.2) return 0;
  const t = y / 0.25;
  const g = t * Math.exp(1 - t);
  return g * g;
}

/** Hutchinson-Knopoff roughness of a sparse spectrum (0 for fewer than two partials). */
export function hutchinsonRoughnessOfSpectrum(spectrum: SparseSpectrum): number {
  const { freq, amp } = spectrum;
  const n = freq.length;
  if (n < 2) return 0;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const fi = freq[i]!;
    const ai = amp[i]!;
    den += ai * ai;
    for (let j = i + 1; j < n; j++) {
      const fj = freq[j]!;
      const y = Math.abs(fj - fi) / (1.72 * ((fi + fj) / 2) ** 0.65);
      if (y <= 1.2) num += ai * amp[j]! * hutchinsonWeight(y);
    }
  }
  return num / den;
}

/**
 * Hutchinson & Knopoff (1978) roughness of a chord of harmonic complex tones
 * (11 harmonics with amplitude 1/n by default). Higher = rougher.
 *
 * @example hutchinsonRoughness([261.626, 329.628, 391.995]) // 0.1202426 (C4-E4-G4)
 */
export function hutchinsonRoughness(freqsHz: readonly number[], options: HarmonicOptions = {}): number {
  checkFrequencies(freqsHz);
  return hutchinsonRoughnessOfSpectrum(harmonicSpectrum(freqsHz, options));
}
