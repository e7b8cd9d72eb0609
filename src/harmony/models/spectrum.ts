/**
 * Idealised harmonic spectra of chord tones: each tone is expanded into `harmonics` partials
 * `n f0` with amplitude `1 / n^rollOff` (11 harmonics and roll-off 1 by default, as in the
 * consonance literature following Hutchinson & Knopoff 1978).
 */
import { HarmonyError } from '../errors.js';

/** A sparse spectrum: parallel arrays of partial frequencies (Hz) and amplitudes. */
export interface SparseSpectrum {
  readonly freq: Float64Array;
  readonly amp: Float64Array;
}

/** Options for harmonic expansion. */
export interface HarmonicOptions {
  /** Number of partials per tone, including the fundamental (default 11). */
  readonly harmonics?: number;
  /** Amplitude roll-off exponent: partial n has amplitude 1/n^rollOff (default 1). */
  readonly rollOff?: number;
}

/** Throws unless every frequency is a positive finite number and there is at least one. */
export function checkFrequencies(freqsHz: readonly number[]): void {
  if (freqsHz.length === 0) throw new HarmonyError('EMPTY_CHORD', 'no frequencies given', 'frequencies');
  for (let i = 0; i < freqsHz.length; i++) {
    const f = freqsHz[i]!;
    if (!Number.isFinite(f) || f <= 0) {
      throw new HarmonyError(
        'BAD_FREQUENCY',
        `frequencies[${i}] must be a number > 0 Hz, got ${f}`,
        `frequencies[${i}]`,
      );
    }
  }
}

/**
 * Expands each tone into its harmonics.
 *
 * @example harmonicSpectrum([261.63], { harmonics: 3 }).freq // [261.63, 523.26, 784.89]
 */
export function harmonicSpectrum(freqsHz: readonly number[], options: HarmonicOptions = {}): SparseSpectrum {
  const harmonics = options.harmonics ?? 11;
  const rollOff = options.rollOff ?? 1;
  const n = freqsHz.length * harmonics;
  const freq = new Float64Array(n);
  const amp = new Float64Array(n);
  let k = 0;
  for (const f0 of freqsHz) {
    for (let h = 1; h <= harmonics; h++) {
      freq[k] = f0 * h;
      amp[k] = 1 / h ** rollOff;
      k++;
    }
  }
  return { freq, amp };
}
