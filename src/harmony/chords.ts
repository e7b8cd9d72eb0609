/**
 * Chord naming from pitch classes: triads, sevenths, sixths, suspensions and added ninths,
 * inversions written as slash chords (`C/E`), dyads named by their interval.
 */
import { intervalName } from './intervals.js';
import { FLAT_NAMES, SHARP_NAMES } from './notes.js';

/** Pitch-class names as usually spelled for chord roots and keys when nothing else is known. */
export const PC_NAMES = ['C', 'Db', 'D', 'Eb', 'E', 'F', 'F#', 'G', 'Ab', 'A', 'Bb', 'B'] as const;

/** Spelling of black-key pitch classes in one answer: all sharps or all flats. */
export type Spelling = 'sharps' | 'flats';

/** The name of a pitch class in a spelling (no spelling: {@link PC_NAMES}). */
export function pcName(pc: number, spelling?: Spelling): string {
  const p = ((Math.round(pc) % 12) + 12) % 12;
  if (!spelling) return PC_NAMES[p]!;
  return (spelling === 'flats' ? FLAT_NAMES : SHARP_NAMES)[p]!;
}

interface ChordType {
  readonly intervals: readonly number[];
  readonly suffix: string;
  readonly quality: string;
}

/** Chord types in order of preference when one pitch-class set has several readings. */
const TYPES: readonly ChordType[] = [
  { intervals: [0, 4, 7], suffix: '', quality: 'major' },
  { intervals: [0, 3, 7], suffix: 'm', quality: 'minor' },
  { intervals: [0, 3, 6], suffix: 'dim', quality: 'diminished' },
  { intervals: [0, 4, 8], suffix: 'aug', quality: 'augmented' },
  { intervals: [0, 4, 7, 10], suffix: '7', quality: 'dominant seventh' },
  { intervals: [0, 4, 7, 11], suffix: 'maj7', quality: 'major seventh' },
  { intervals: [0, 3, 7, 10], suffix: 'm7', quality: 'minor seventh' },
  { intervals: [0, 3, 6, 10], suffix: 'm7b5', quality: 'half-diminished seventh' },
  { intervals: [0, 3, 6, 9], suffix: 'dim7', quality: 'diminished seventh' },
  { intervals: [0, 3, 7, 11], suffix: 'mMaj7', quality: 'minor major seventh' },
  { intervals: [0, 4, 8, 10], suffix: 'aug7', quality: 'augmented seventh' },
  { intervals: [0, 4, 7, 9], suffix: '6', quality: 'major sixth' },
  { intervals: [0, 3, 7, 9], suffix: 'm6', quality: 'minor sixth' },
  { intervals: [0, 5, 7], suffix: 'sus4', quality: 'suspended fourth' },
  { intervals: [0, 2, 7], suffix: 'sus2', quality: 'suspended second' },
  { intervals: [0, 5, 7, 10], suffix: '7sus4', quality: 'dominant seventh suspended fourth' },
  { intervals: [0, 2, 4, 7], suffix: 'add9', quality: 'major added ninth' },
  { intervals: [0, 2, 3, 7], suffix: 'madd9', quality: 'minor added ninth' },
  { intervals: [0, 2, 4, 7, 10], suffix: '9', quality: 'dominant ninth' },
  { intervals: [0, 2, 4, 7, 11], suffix: 'maj9', quality: 'major ninth' },
  { intervals: [0, 2, 3, 7, 10], suffix: 'm9', quality: 'minor ninth' },
  { intervals: [0, 4, 10], suffix: '7(no5)', quality: 'dominant seventh without fifth' },
  { intervals: [0, 4, 11], suffix: 'maj7(no5)', quality: 'major seventh without fifth' },
  { intervals: [0, 3, 10], suffix: 'm7(no5)', quality: 'minor seventh without fifth' },
  { intervals: [0, 7], suffix: '5', quality: 'power chord' },
];

/** A chord name. */
export interface ChordName {
  /** Root pitch class (0 = C). */
  readonly root: number;
  /** Bass pitch class. */
  readonly bass: number;
  /** Compact symbol, e.g. `C`, `Am7`, `G7/B`, `Cdim`. */
  readonly symbol: string;
  /** Words, e.g. `C major`, `G dominant seventh, B in the bass`. */
  readonly name: string;
  /** Chord quality, e.g. `major`; `interval` for unrecognised dyads, `unknown` otherwise. */
  readonly quality: string;
}

/**
 * Names the chord formed by some pitch classes, the first one being the bass (lowest note).
 * Returns null for an empty list, and `quality: 'unknown'` with the pitch classes listed when
 * no chord type matches.
 *
 * @example nameChord([4, 7, 0]).symbol // 'C/E'
 */
export function nameChord(pitchClasses: readonly number[], spelling?: Spelling): ChordName | null {
  const N = (pc: number): string => pcName(pc, spelling);
  if (pitchClasses.length === 0) return null;
  const pcs = pitchClasses.map((p) => ((Math.round(p) % 12) + 12) % 12);
  const bass = pcs[0]!;
  const set = [...new Set(pcs)];
  if (set.length === 1) {
    return {
      root: bass,
      bass,
      symbol: N(bass)!,
      name: `${N(bass)} (single pitch class)`,
      quality: 'note',
    };
  }
  let best: { type: ChordType; root: number; rank: number } | null = null;
  for (let t = 0; t < TYPES.length; t++) {
    const type = TYPES[t]!;
    if (type.intervals.length !== set.length) continue;
    for (const root of set) {
      const rel = set.map((p) => (p - root + 12) % 12).sort((a, b) => a - b);
      if (rel.every((v, i) => v === type.intervals[i])) {
        const rank = t + (root === bass ? 0 : 0.5);
        if (!best || rank < best.rank) best = { type, root, rank };
      }
    }
  }
  if (best) {
    const { type, root } = best;
    const slash = root === bass ? '' : `/${N(bass)}`;
    const inBass = root === bass ? '' : `, ${N(bass)} in the bass`;
    return {
      root,
      bass,
      symbol: `${N(root)}${type.suffix}${slash}`,
      name: `${N(root)} ${type.quality}${inBass}`,
      quality: type.quality,
    };
  }
  if (set.length === 2) {
    const up = (set[1]! - set[0]! + 12) % 12;
    return {
      root: bass,
      bass,
      symbol: `${N(set[0]!)}-${N(set[1]!)}`,
      name: `${N(set[0]!)} and ${N(set[1]!)} (${intervalName(up)})`,
      quality: 'interval',
    };
  }
  const list = set.map((p) => N(p)).join('-');
  return { root: bass, bass, symbol: list, name: `${list} (no common chord name)`, quality: 'unknown' };
}

/** Pitch class (0..11, C = 0) of a frequency, for A4 = 440 unless given. */
export function pitchClassOf(hz: number, a4 = 440): number {
  return ((Math.round(69 + 12 * Math.log2(hz / a4)) % 12) + 12) % 12;
}

/**
 * Pitch classes of some frequencies read from their intervals, not note by note: the chord's
 * common offset from the 12-TET grid (the weighted circular mean of the notes' deviations) is
 * removed before rounding, so a just or slightly detuned chord keeps its intervals (a just
 * minor third a few hertz sharp stays a minor third even when one note alone would round
 * the other way).
 */
export function pitchClassesByInterval(
  freqsHz: readonly number[],
  a4 = 440,
  weights?: readonly number[],
): number[] {
  let sx = 0;
  let sy = 0;
  const midis = freqsHz.map((f) => 69 + 12 * Math.log2(f / a4));
  midis.forEach((m, i) => {
    const dev = 2 * Math.PI * (m - Math.round(m));
    const w = weights?.[i] ?? 1;
    sx += w * Math.cos(dev);
    sy += w * Math.sin(dev);
  });
  const offset = Math.atan2(sy, sx) / (2 * Math.PI);
  return midis.map((m) => ((Math.round(m - offset) % 12) + 12) % 12);
}

/**
 * Names the chord of some frequencies (the lowest is taken as the bass), from their intervals
 * ({@link pitchClassesByInterval}).
 *
 * @example nameChordHz([329.63, 392, 523.25]).symbol // 'C/E'
 */
export function nameChordHz(freqsHz: readonly number[], a4 = 440, spelling?: Spelling): ChordName | null {
  const sorted = [...freqsHz].sort((a, b) => a - b);
  return nameChord(pitchClassesByInterval(sorted, a4), spelling);
}

/** A note with a weight (salience), for {@link nameStrongChord}. */
export interface WeightedNote {
  readonly frequency: number;
  readonly weight: number;
}

/**
 * Names the simplest chord that explains the strong notes: when dropping weak notes (weight
 * below `weakBelow` of the strongest) leaves a common chord with fewer notes, that chord wins
 * (C-E-G with a weak B flat is C, not C7); otherwise every note counts. Pitch classes come from
 * the intervals ({@link pitchClassesByInterval}); the bass is the lowest note kept.
 *
 * @example nameStrongChord([{ frequency: 130.8, weight: 1 }, { frequency: 164.8, weight: 0.8 }, { frequency: 196, weight: 0.9 }, { frequency: 233.1, weight: 0.1 }])?.symbol // 'C'
 */
export function nameStrongChord(
  notes: readonly WeightedNote[],
  a4 = 440,
  spelling?: Spelling,
  weakBelow = 0.25,
): ChordName | null {
  if (notes.length === 0) return null;
  const sorted = [...notes].sort((a, b) => a.frequency - b.frequency);
  const pcs = pitchClassesByInterval(
    sorted.map((n) => n.frequency),
    a4,
    sorted.map((n) => n.weight),
  );
  const top = Math.max(...sorted.map((n) => n.weight));
  const weak = sorted.map((n) => n.weight < weakBelow * top);
  const full = nameChord(pcs, spelling);
  const known = (c: ChordName | null): boolean => !!c && c.quality !== 'unknown' && c.quality !== 'interval';
  const weakIdx = weak.flatMap((w, i) => (w ? [i] : []));
  let best: { chord: ChordName; size: number } | null = null;
  // every subset of the weak notes to drop (at most 2^4 when several are weak)
  for (let mask = 1; mask < 1 << Math.min(weakIdx.length, 4); mask++) {
    const drop = new Set(weakIdx.filter((_, k) => mask & (1 << k)));
    const kept = pcs.filter((_, i) => !drop.has(i));
    if (kept.length === 0) continue;
    const chord = nameChord(kept, spelling);
    const size = new Set(kept).size;
    if (known(chord) && (!best || size < best.size)) best = { chord: chord!, size };
  }
  if (best && (!known(full) || best.size < new Set(pcs).size)) return best.chord;
  return full;
}
