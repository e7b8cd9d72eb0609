/**
 * Tonal dissonance after Johnson-Laird, Kang & Leong (2012), "On musical dissonance": a
 * cultural (familiarity) model with three rules on the chord's pitch-class set.
 *
 * 1. Chords within a major scale are more consonant than chords only within a (harmonic) minor
 *    scale, which are more consonant than chords in neither (1, 2, 3).
 * 2. Chords consistent with a major triad are more consonant (0 consonant, 1 dissonant). With
 *    three or more pitch classes this means containing a major triad and lying in a major
 *    scale; for one or two pitch classes (which the paper did not test) we read "consistent
 *    with" as "a subset of a major triad".
 * 3. Chords built from stacked thirds, allowing one missing third, are more consonant (0 or 1).
 *
 * Dissonance = 4 rule1 + 2 rule2 + rule3 - 3, from 1 (major triad, unison, fifth) to 12.
 */
import { checkFrequencies } from './spectrum.js';

const MAJOR = mask([0, 2, 4, 5, 7, 9, 11]);
const HARMONIC_MINOR = mask([0, 2, 3, 5, 7, 8, 11]);
const MAJOR_TRIAD = mask([0, 4, 7]);
/** Largest deviation from the 12-tone grid (cents) still read as a 12-tone pitch class. */
export const TONAL_GRID_TOLERANCE_CENTS = 35;

function mask(pcs: readonly number[]): number {
  let m = 0;
  for (const pc of pcs) m |= 1 << (((pc % 12) + 12) % 12);
  return m;
}

function rotate(m: number, by: number): number {
  return ((m << by) | (m >>> (12 - by))) & 0xfff;
}

function inSomeRotation(set: number, scale: number): boolean {
  for (let r = 0; r < 12; r++) if ((set & ~rotate(scale, r)) === 0) return true;
  return false;
}

function popcount(m: number): number {
  let c = 0;
  for (let x = m; x; x &= x - 1) c++;
  return c;
}

/** Rule 1: 1 in a major scale, 2 only in a harmonic minor scale, 3 in neither. */
export function jlRule1(set: number): number {
  if (inSomeRotation(set, MAJOR)) return 1;
  return inSomeRotation(set, HARMONIC_MINOR) ? 2 : 3;
}

/** Rule 2: 0 when consistent with a major triad, else 1. */
export function jlRule2(set: number): number {
  if (popcount(set) < 3) return inSomeRotation(set, MAJOR_TRIAD) ? 0 : 1;
  if (!inSomeRotation(set, MAJOR)) return 1;
  for (let r = 0; r < 12; r++) {
    const triad = rotate(MAJOR_TRIAD, r);
    if ((set & triad) === triad) return 0;
  }
  return 1;
}

/** Rule 3: 0 when the set can be built by stacking thirds (one may be missing), else 1. */
export function jlRule3(set: number): number {
  const n = popcount(set);
  if (n <= 1) return 0;
  for (let base = 0; base < 12; base++) {
    if (!(set & (1 << base))) continue;
    for (let combo = 0; combo < 1 << n; combo++) {
      let pc = base;
      let stack = 1 << base;
      for (let k = 0; k < n; k++) {
        pc = (pc + ((combo >> k) & 1 ? 4 : 3)) % 12;
        stack |= 1 << pc;
      }
      if ((set & ~stack) === 0) return 0;
    }
  }
  return 1;
}

/**
 * The 12-bit pitch-class set of a chord, relative to its lowest note, or `null` when some
 * note is more than {@link TONAL_GRID_TOLERANCE_CENTS} from the 12-tone grid.
 */
export function pitchClassSet(freqsHz: readonly number[]): number | null {
  let lo = Number.POSITIVE_INFINITY;
  for (const f of freqsHz) if (f < lo) lo = f;
  let set = 0;
  for (const f of freqsHz) {
    const semis = 12 * Math.log2(f / lo);
    const r = Math.round(semis);
    if (Math.abs(semis - r) * 100 > TONAL_GRID_TOLERANCE_CENTS) return null;
    set |= 1 << (r % 12);
  }
  return set;
}

/**
 * Johnson-Laird et al. (2012) tonal dissonance, 1 (most consonant) to 12. Chords off the
 * 12-tone grid fit no scale or stack of thirds and score 12.
 *
 * @example johnsonLairdTonalDissonance([261.63, 329.63, 392]) // 1 (major triad)
 */
export function johnsonLairdTonalDissonance(freqsHz: readonly number[]): number {
  checkFrequencies(freqsHz);
  const set = pitchClassSet(freqsHz);
  if (set === null) return 12;
  return 4 * jlRule1(set) + 2 * jlRule2(set) + jlRule3(set) - 3;
}
