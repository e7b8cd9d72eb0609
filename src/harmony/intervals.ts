/**
 * Interval names (unison to octave and compound intervals), the just ratio nearest to a
 * frequency ratio, and its Tenney height.
 */
import { HarmonyError } from './errors.js';
import { bestJustRatio, type Ratio, tenneyHeight } from './ratio.js';

const SIMPLE_NAMES = [
  'unison',
  'minor second',
  'major second',
  'minor third',
  'major third',
  'perfect fourth',
  'tritone',
  'perfect fifth',
  'minor sixth',
  'major sixth',
  'minor seventh',
  'major seventh',
] as const;

const SHORT_NAMES = ['P1', 'm2', 'M2', 'm3', 'M3', 'P4', 'TT', 'P5', 'm6', 'M6', 'm7', 'M7'] as const;

/** Names of compound intervals from 13 semitones (minor ninth) to 23 (major fourteenth). */
const COMPOUND_NAMES = [
  'minor ninth',
  'major ninth',
  'minor tenth',
  'major tenth',
  'perfect eleventh',
  'augmented eleventh',
  'perfect twelfth',
  'minor thirteenth',
  'major thirteenth',
  'minor fourteenth',
  'major fourteenth',
] as const;

/**
 * The name of an interval of a whole number of semitones (rounded; the sign is ignored):
 * `unison` .. `octave`, then `minor ninth` .. `major fourteenth`, `two octaves`, and beyond that
 * `<simple name> + <n> octaves`.
 *
 * @example intervalName(7) // 'perfect fifth'; intervalName(19) // 'perfect twelfth'
 */
export function intervalName(semitones: number): string {
  const s = Math.abs(Math.round(semitones));
  if (s === 12) return 'octave';
  if (s === 24) return 'two octaves';
  if (s < 12) return SIMPLE_NAMES[s]!;
  if (s < 24) return COMPOUND_NAMES[s - 13]!;
  const octaves = Math.floor(s / 12);
  const pc = s % 12;
  return pc === 0 ? `${octaves} octaves` : `${SIMPLE_NAMES[pc]} + ${octaves} octaves`;
}

/** Short interval-class symbol (`P1`, `m2`, ..., `M7`) of a number of semitones, octaves folded. */
export function intervalClassSymbol(semitones: number): string {
  const pc = ((Math.round(semitones) % 12) + 12) % 12;
  return SHORT_NAMES[pc]!;
}

/** Interval between two frequencies in (fractional) semitones, positive when `hi > lo`. */
export function semitonesBetween(lo: number, hi: number): number {
  return 12 * Math.log2(hi / lo);
}

/** A just interpretation of a frequency ratio. */
export interface JustInterval {
  /** The best just ratio ({@link bestJustRatio}), in lowest terms (num >= den). */
  readonly ratio: Ratio;
  /** Tenney height log2(num * den) of that ratio. */
  readonly tenney: number;
  /** How far the given ratio is from the just ratio, in cents (positive = wider). */
  readonly errorCents: number;
}

/**
 * The best just ratio for a frequency ratio, with a tolerance that shrinks with the ratio's
 * complexity ({@link bestJustRatio}: 16/15 for a tempered minor second, 45/32 for a tempered
 * tritone, and every just ratio given exactly is itself). Ratios below 1 are inverted first.
 *
 * @param freqRatio frequency ratio, e.g. `392 / 261.63`
 * @param tolerance optional largest relative error; without it only the complexity-dependent
 *   tolerance applies
 * @throws HarmonyError `BAD_RATIO` for non-positive or non-finite input
 * @example justRatio(1.4983).ratio // { num: 3, den: 2 }
 */
export function justRatio(freqRatio: number, tolerance?: number): JustInterval {
  if (!Number.isFinite(freqRatio) || freqRatio <= 0) {
    throw new HarmonyError('BAD_RATIO', `ratio must be a positive number, got ${freqRatio}`);
  }
  if (tolerance !== undefined && !(tolerance > 0 && tolerance < 0.5)) {
    throw new HarmonyError('BAD_OPTION', `ratio tolerance must be in (0, 0.5), got ${tolerance}`);
  }
  const x = freqRatio >= 1 ? freqRatio : 1 / freqRatio;
  const ratio = bestJustRatio(x, tolerance);
  const errorCents = 1200 * Math.log2(x / (ratio.num / ratio.den));
  return { ratio, tenney: tenneyHeight(ratio), errorCents };
}
