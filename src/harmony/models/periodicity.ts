/**
 * Smoothed logarithmic periodicity after Stolzenburg (2015). Every interval of the chord is
 * approximated by the simplest fraction within 1.1 % ("rational tuning II"); the relative
 * period length of the chord, taking one note as the reference, is the least common multiple
 * of the denominators (scaled by the ratio of the lowest note); the measure is the mean over
 * reference notes of log2 of that period. Lower = more periodic = more consonant; a single
 * tone or an octave scores 0, a major triad 2.
 */
import { lcm, type Ratio, simplestRatio } from '../ratio.js';
import { checkFrequencies } from './spectrum.js';

/** Stolzenburg's tolerance for rational tuning II. */
export const STOLZENBURG_TOLERANCE = 0.011;

/** The rational approximation of an interval of `semitones` (may be negative or compound). */
export function rationalInterval(semitones: number, d = STOLZENBURG_TOLERANCE): Ratio {
  let octave = Math.floor(semitones / 12);
  const pc = semitones - 12 * octave;
  let { num, den } = simplestRatio(2 ** (pc / 12), d);
  while (octave < 0) {
    if (num % 2 === 0) num /= 2;
    else den *= 2;
    octave++;
  }
  while (octave > 0) {
    if (den % 2 === 0) den /= 2;
    else num *= 2;
    octave--;
  }
  return { num, den };
}

/**
 * Stolzenburg (2015) smoothed log2 periodicity of a chord given in Hz.
 *
 * @example stolzenburgPeriodicity([261.626, 329.628, 391.995]) // 2 (C-E-G)
 */
export function stolzenburgPeriodicity(freqsHz: readonly number[], d = STOLZENBURG_TOLERANCE): number {
  checkFrequencies(freqsHz);
  const sorted = [...freqsHz].sort((a, b) => a - b);
  const n = sorted.length;
  let total = 0;
  for (let i = 0; i < n; i++) {
    let period = 1;
    let lowest: Ratio = { num: 1, den: 1 };
    for (let j = 0; j < n; j++) {
      const r = rationalInterval(12 * Math.log2(sorted[j]! / sorted[i]!), d);
      if (j === 0) lowest = r;
      period = lcm(period, r.den);
    }
    total += Math.log2((period * lowest.num) / lowest.den);
  }
  return total / n;
}
