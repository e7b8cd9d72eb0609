/**
 * Key finding with the Krumhansl-Kessler (1982) probe-tone profiles (Krumhansl 1990): the
 * pitch-class distribution is correlated with the major and minor profiles rotated to each of
 * the 12 tonics, and the best of the 24 keys wins.
 */
import { PC_NAMES } from '../chords.js';
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
  const name = (s: (typeof scored)[number]) => `${PC_NAMES[s.tonic]} ${s.mode}`;
  const best = scored[0]!;
  return {
    name: name(best),
    tonic: best.tonic,
    mode: best.mode,
    correlation: best.r,
    runnerUp: { name: name(scored[1]!), correlation: scored[1]!.r },
  };
}
