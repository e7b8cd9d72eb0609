/**
 * Key finding with the Krumhansl-Kessler (1982) probe-tone profiles (Krumhansl 1990): the
 * pitch-class distribution is correlated with the major and minor profiles rotated to each of
 * the 12 tonics, and the best of the 24 keys wins. The key also sets the spelling of an answer:
 * sharps or flats for the black keys, from its signature, so notes, chord and key agree
 * ("A3 C#4, A major", never "C#4 ... Db").
 */
import { pcName, pitchClassesByInterval, type Spelling } from '../chords.js';
import { pearson } from '../stats.js';

/** Krumhansl-Kessler major-key profile, tonic first. */
export const KK_MAJOR = [6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88] as const;
/** Krumhansl-Kessler minor-key profile, tonic first. */
export const KK_MINOR = [6.33, 2.68, 3.52, 5.38, 2.6, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17] as const;

/** A key estimate. */
export interface KeyEstimate {
  /** e.g. `C major`, `A minor`. */
  readonly name: string;
  readonly tonic: number;
  readonly mode: 'major' | 'minor';
  /** Correlation with the winning profile (-1..1). */
  readonly correlation: number;
  /** The runner-up key and its correlation. */
  readonly runnerUp: { readonly name: string; readonly correlation: number };
}

/**
 * The most likely key for a pitch-class weight vector (12 values, C first), or null when all
 * weights are equal (no information).
 *
 * @example estimateKey([1,0,1,0,1,1,0,1,0,1,0,1])?.name // 'C major'
 */
export function estimateKey(weights: readonly number[]): KeyEstimate | null {
  if (weights.length !== 12 || weights.every((w) => w === weights[0])) return null;
  const scored: { tonic: number; mode: 'major' | 'minor'; r: number }[] = [];
  for (const mode of ['major', 'minor'] as const) {
    const profile = mode === 'major' ? KK_MAJOR : KK_MINOR;
    for (let tonic = 0; tonic < 12; tonic++) {
      const rotated = weights.map((_, pc) => profile[(pc - tonic + 12) % 12]!);
      scored.push({ tonic, mode, r: pearson(weights, rotated) });
    }
  }
  scored.sort((a, b) => b.r - a.r);
  const name = (s: (typeof scored)[number]) =>
    `${pcName(s.tonic, spellingForKey(s.tonic, s.mode))} ${s.mode}`;
  const best = scored[0]!;
  return {
    name: name(best),
    tonic: best.tonic,
    mode: best.mode,
    correlation: best.r,
    runnerUp: { name: name(scored[1]!), correlation: scored[1]!.r },
  };
}

/** Major-key tonics (pitch classes) whose signatures use flats: F, Bb, Eb, Ab, Db. */
const FLAT_MAJORS = new Set([5, 10, 3, 8, 1]);

/**
 * The spelling for a key: the signature of the major key (the relative major for a minor key);
 * C major and A minor have none, so their accidentals follow the notes: flats when B flat,
 * E flat or A flat is present without F sharp, C sharp or G sharp.
 */
export function spellingForKey(
  tonic: number,
  mode: 'major' | 'minor',
  pitchClasses: readonly number[] = [],
): Spelling {
  const major = mode === 'major' ? tonic : (tonic + 3) % 12;
  // six sharps or six flats: F# major, but E flat minor
  if (major === 6) return mode === 'major' ? 'sharps' : 'flats';
  if (major !== 0) return FLAT_MAJORS.has(major) ? 'flats' : 'sharps';
  const has = (pc: number) => pitchClasses.includes(pc);
  const flats = [10, 3, 8].some(has);
  const sharps = [6, 1].some(has) || (mode === 'major' && has(8));
  return flats && !sharps ? 'flats' : 'sharps';
}

/**
 * The spelling for some pitch classes with weights (12 values, C first): the signature of the
 * most likely key (Krumhansl-Kessler), or sharps when nothing is known.
 *
 * @example spellingForWeights([0,0,0,0,0,0,0,0,0,1,0,0].map((v,i)=>i===1?1:v)) // 'sharps' (A, C#)
 */
export function spellingForWeights(weights: readonly number[]): Spelling {
  const key = estimateKey(weights);
  const present = weights.flatMap((w, pc) => (w > 0 ? [pc] : []));
  return key ? spellingForKey(key.tonic, key.mode, present) : 'sharps';
}

/**
 * The spelling for a chord given in Hz: {@link spellingForWeights} of its pitch classes (read
 * from the intervals), each note weighing the same.
 *
 * @example spellingForFrequencies([220, 277.18]) // 'sharps' (A and C#)
 */
export function spellingForFrequencies(freqsHz: readonly number[], a4 = 440): Spelling {
  const weights = new Array<number>(12).fill(0);
  for (const pc of pitchClassesByInterval(freqsHz, a4)) weights[pc] = 1;
  return spellingForWeights(weights);
}
