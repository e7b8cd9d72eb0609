/**
 * Candidate notes for suggestions: just or Pythagorean ratios above and below the root, the
 * harmonic (and undertone) series of the root, or the 12-TET notes, all within a range.
 */
import { intervalName } from './intervals.js';
import { DEFAULT_A4, hzToMidi, JUST_RATIOS, midiToHz, PYTHAGOREAN_RATIOS, type Tuning } from './notes.js';
import { type Ratio, reduceRatio } from './ratio.js';

/** Where a candidate comes from. */
export type CandidateSource = 'just' | 'pythagorean' | 'harmonic' | 'undertone' | '12tet';

/** A candidate note before scoring. */
export interface Candidate {
  readonly frequency: number;
  readonly source: CandidateSource;
  /** Exact ratio to the root when the candidate is built from one (not for 12-TET notes). */
  readonly ratio: Ratio | null;
  /** Harmonic number n for harmonic (root * n) and undertone (root / n) candidates. */
  readonly harmonic?: number;
}

/** A candidate closer than this to an input note counts as a unison and is dropped. */
export const UNISON_CENTS = 20;

const is3Smooth = (n: number): boolean => {
  let m = n;
  while (m % 2 === 0) m /= 2;
  while (m % 3 === 0) m /= 3;
  return m === 1;
};

function scaled(r: Ratio, octaves: number): Ratio {
  return octaves >= 0 ? reduceRatio(r.num * 2 ** octaves, r.den) : reduceRatio(r.num, r.den * 2 ** -octaves);
}

/**
 * Builds the candidate list for a root, tuning and range, without unisons of the inputs and
 * without near-duplicates (within 2 cents; the simplest source wins).
 */
export function buildCandidates(
  rootHz: number,
  inputsHz: readonly number[],
  range: readonly [number, number],
  tuning: Tuning,
  a4 = DEFAULT_A4,
): Candidate[] {
  const [lo, hi] = range;
  const out: Candidate[] = [];
  const push = (c: Candidate): void => {
    if (c.frequency < lo || c.frequency > hi) return;
    for (const f of inputsHz) if (Math.abs(1200 * Math.log2(c.frequency / f)) < UNISON_CENTS) return;
    for (const o of out) if (Math.abs(1200 * Math.log2(c.frequency / o.frequency)) < 2) return;
    out.push(c);
  };
  if (tuning === '12tet') {
    for (let m = Math.ceil(hzToMidi(lo, a4)); midiToHz(m, a4) <= hi; m++) {
      push({ frequency: midiToHz(m, a4), source: '12tet', ratio: null });
    }
    return out;
  }
  const table = tuning === 'just' ? JUST_RATIOS : PYTHAGOREAN_RATIOS;
  const kLo = Math.floor(Math.log2(lo / rootHz)) - 1;
  const kHi = Math.ceil(Math.log2(hi / rootHz)) + 1;
  // Harmonics first so that "the 3rd harmonic" wins over the equal ratio 3/1.
  for (let n = 2; n <= 16; n++) {
    if (tuning === 'pythagorean' && !is3Smooth(n)) continue;
    push({ frequency: rootHz * n, source: 'harmonic', ratio: { num: n, den: 1 }, harmonic: n });
  }
  for (let k = kLo; k <= kHi; k++) {
    for (const r of table) {
      push({ frequency: rootHz * (r.num / r.den) * 2 ** k, source: tuning, ratio: scaled(r, k) });
    }
  }
  for (let n = 3; n <= 8; n++) {
    if (tuning === 'pythagorean' && !is3Smooth(n)) continue;
    push({ frequency: rootHz / n, source: 'undertone', ratio: { num: 1, den: n }, harmonic: n });
  }
  return out;
}

/** Words for a candidate's relation to the root, e.g. `a just perfect fifth (3/2) above C4`. */
export function describeRelation(
  c: Candidate,
  rootLabel: string,
  semitones: number,
  justText: string,
): string {
  const name = intervalName(semitones);
  const dir = semitones >= 0 ? 'above' : 'below';
  const ord = (n: number): string =>
    `${n}${n % 10 === 1 && n !== 11 ? 'st' : n % 10 === 2 && n !== 12 ? 'nd' : n % 10 === 3 && n !== 13 ? 'rd' : 'th'}`;
  switch (c.source) {
    case 'harmonic':
      return `the ${ord(c.harmonic!)} harmonic of ${rootLabel} (${c.harmonic}/1, a ${name}): it is already among the overtones of ${rootLabel}`;
    case 'undertone':
      return `${rootLabel} is the ${ord(c.harmonic!)} harmonic of this note (1/${c.harmonic}, a ${name} below), so it acts as a bass that ${rootLabel} belongs to`;
    case 'just':
      return `a just ${name} (${c.ratio!.num}/${c.ratio!.den}) ${dir} ${rootLabel}: a pure small-integer ratio, beat-free`;
    case 'pythagorean':
      return `a Pythagorean ${name} (${c.ratio!.num}/${c.ratio!.den}) ${dir} ${rootLabel}, built from pure fifths`;
    default:
      return `an equal-tempered ${name} ${dir} ${rootLabel}, ${justText}`;
  }
}
