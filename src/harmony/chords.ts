/**
 * Chord naming from pitch classes: triads, sevenths, sixths, suspensions and added ninths,
 * inversions written as slash chords (`C/E`), dyads named by their interval.
 */
import { intervalName } from './intervals.js';

/** Pitch-class names as usually spelled for chord roots and keys. */
export const PC_NAMES = ['C', 'Db', 'D', 'Eb', 'E', 'F', 'F#', 'G', 'Ab', 'A', 'Bb', 'B'] as const;

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
export function nameChord(pitchClasses: readonly number[]): ChordName | null {
  if (pitchClasses.length === 0) return null;
  const pcs = pitchClasses.map((p) => ((Math.round(p) % 12) + 12) % 12);
  const bass = pcs[0]!;
  const set = [...new Set(pcs)];
  if (set.length === 1) {
    return {
      root: bass,
      bass,
      symbol: PC_NAMES[bass]!,
      name: `${PC_NAMES[bass]} (single pitch class)`,
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
    const slash = root === bass ? '' : `/${PC_NAMES[bass]}`;
    const inBass = root === bass ? '' : `, ${PC_NAMES[bass]} in the bass`;
    return {
      root,
      bass,
      symbol: `${PC_NAMES[root]}${type.suffix}${slash}`,
      name: `${PC_NAMES[root]} ${type.quality}${inBass}`,
      quality: type.quality,
    };
  }
  if (set.length === 2) {
    const up = (set[1]! - set[0]! + 12) % 12;
    return {
      root: bass,
      bass,
      symbol: `${PC_NAMES[set[0]!]}-${PC_NAMES[set[1]!]}`,
      name: `${PC_NAMES[set[0]!]} and ${PC_NAMES[set[1]!]} (${intervalName(up)})`,
      quality: 'interval',
    };
  }
  const list = set.map((p) => PC_NAMES[p]).join('-');
  return { root: bass, bass, symbol: list, name: `${list} (no common chord name)`, quality: 'unknown' };
}

/** Pitch class (0..11, C = 0) of a frequency, for A4 = 440 unless given. */
export function pitchClassOf(hz: number, a4 = 440): number {
  return ((Math.round(69 + 12 * Math.log2(hz / a4)) % 12) + 12) % 12;
}

/**
 * Names the chord of some frequencies (the lowest is taken as the bass).
 *
 * @example nameChordHz([329.63, 392, 523.25]).symbol // 'C/E'
 */
export function nameChordHz(freqsHz: readonly number[], a4 = 440): ChordName | null {
  const sorted = [...freqsHz].sort((a, b) => a - b);
  return nameChord(sorted.map((f) => pitchClassOf(f, a4)));
}
