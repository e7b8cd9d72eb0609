/**
 * Tenney height of the just ratios of every pair of notes in a chord: how complex the chord's
 * intervals are when heard as small-integer ratios.
 */
import { justRatio } from '../intervals.js';
import type { Ratio } from '../ratio.js';
import { checkFrequencies } from './spectrum.js';

/** The just interpretation of one note pair. */
export interface TenneyPair {
  readonly lower: number;
  readonly upper: number;
  readonly ratio: Ratio;
  readonly height: number;
}

/** Pairwise Tenney heights of a chord. */
export interface TenneySummary {
  readonly pairs: TenneyPair[];
  /** Mean height over pairs (0 for a single note). */
  readonly mean: number;
  /** Largest height over pairs (0 for a single note). */
  readonly max: number;
}

/**
 * Tenney height log2(p q) of the just ratio p/q ({@link justRatio}) of every note pair.
 *
 * @example pairwiseTenney([200, 300]).mean // log2(6) = 2.585
 */
export function pairwiseTenney(freqsHz: readonly number[], tolerance?: number): TenneySummary {
  checkFrequencies(freqsHz);
  const sorted = [...freqsHz].sort((a, b) => a - b);
  const pairs: TenneyPair[] = [];
  let sum = 0;
  let max = 0;
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i + 1; j < sorted.length; j++) {
      const { ratio, tenney } = justRatio(sorted[j]! / sorted[i]!, tolerance);
      pairs.push({ lower: i, upper: j, ratio, height: tenney });
      sum += tenney;
      if (tenney > max) max = tenney;
    }
  }
  return { pairs, mean: pairs.length ? sum / pairs.length : 0, max };
}
