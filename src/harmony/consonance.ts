/**
 * One consonance number for a chord of 1 to 6 (or more) notes, combining three published
 * accounts of consonance with equal weight (unit weighting, not regression on any rating set):
 *
 * - interference: Hutchinson & Knopoff (1978) roughness, lower = more consonant;
 * - periodicity: the mean of Harrison & Pearce (2018) harmonicity and Stolzenburg (2015)
 *   smoothed periodicity, two models of how well the chord fits one harmonic series;
 * - familiarity: Johnson-Laird et al. (2012) tonal dissonance (scale membership, major-triad
 *   consistency, stacked thirds).
 *
 * Each model is standardised (z-score) against a fixed reference population of random chords
 * of 1 to 6 notes ({@link referenceChords}), so the scales are comparable and all chord sizes
 * share one scale; the three class scores are averaged and mapped through a logistic curve to
 * 0..1, which reads approximately as "more consonant than this fraction of random chords".
 */
import { HarmonyError } from './errors.js';
import { harrisonPearceHarmonicity } from './models/harmonicity.js';
import { hutchinsonRoughness } from './models/hutchinson.js';
import { stolzenburgPeriodicity } from './models/periodicity.js';
import { setharesDissonance } from './models/sethares.js';
import { checkFrequencies } from './models/spectrum.js';
import { pairwiseTenney } from './models/tenney.js';
import { johnsonLairdTonalDissonance } from './models/tonal.js';
import { midiToHz } from './notes.js';

/** Most notes accepted by {@link consonance}. */
export const MAX_CHORD_NOTES = 32;

/** The raw outputs of the individual models for one chord. */
export interface ModelValues {
  /** Hutchinson & Knopoff (1978) roughness (higher = rougher). */
  readonly roughness: number;
  /** Harrison & Pearce (2018) spectral harmonicity in bits (higher = more harmonic). */
  readonly harmonicity: number;
  /** Stolzenburg (2015) smoothed log2 periodicity (lower = more periodic). */
  readonly periodicity: number;
  /** Johnson-Laird et al. (2012) tonal dissonance, 1..12 (lower = more familiar). */
  readonly tonalDissonance: number;
}

/** The consonance of a chord and what it is made of. */
export interface ConsonanceResult extends ModelValues {
  /** 0..1, higher = more consonant; comparable across chord sizes. */
  readonly consonance: number;
  /** The unbounded combined score (mean of the class z-scores, + = consonant). */
  readonly score: number;
  /** Sethares (1993) dissonance, min-amplitude variant (reported, not part of the score). */
  readonly sethares: number;
  /** Mean Tenney height of the just ratios of all note pairs (reported, not part of the score). */
  readonly tenney: number;
  /** Class contributions in standard units, + = more consonant than the reference mean. */
  readonly components: {
    readonly interference: number;
    readonly periodicity: number;
    readonly familiarity: number;
  };
}

/**
 * Mean and standard deviation of each model over {@link referenceChords}() (2400 chords),
 * and of the combined score. Regenerate with `computeReferenceStats()`; a test checks them.
 */
export const REFERENCE_STATS = {
  roughness: [0.2621817295833329, 0.21906755043380255],
  harmonicity: [0.9449026254160278, 0.33087304210128676],
  periodicity: [3.4808265936129645, 2.155971478462045],
  tonalDissonance: [4.855, 4.086947720079933],
  score: [0, 0.9171181130200697],
} as const;

/** Deterministic PRNG (mulberry32) for the reference population. */
function mulberry32(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The reference population used to standardise the models: `count` 12-TET chords, sizes
 * cycling 1..6, root uniform on MIDI 48..72 (C3..C5), other notes distinct and uniform
 * 1..24 semitones above the root. Pure function of `count` and `seed`.
 */
export function referenceChords(count = 2400, seed = 1): number[][] {
  const rnd = mulberry32(seed);
  const chords: number[][] = [];
  for (let k = 0; k < count; k++) {
    const size = 1 + (k % 6);
    const root = 48 + Math.floor(rnd() * 25);
    const offsets = new Set<number>([0]);
    while (offsets.size < size) offsets.add(1 + Math.floor(rnd() * 24));
    chords.push([...offsets].map((s) => midiToHz(root + s)));
  }
  return chords;
}

/** Raw values of the four models that make up the score. */
export function modelValues(freqsHz: readonly number[]): ModelValues {
  checkChord(freqsHz);
  return {
    roughness: hutchinsonRoughness(freqsHz),
    harmonicity: harrisonPearceHarmonicity(freqsHz),
    periodicity: stolzenburgPeriodicity(freqsHz),
    tonalDissonance: johnsonLairdTonalDissonance(freqsHz),
  };
}

function checkChord(freqsHz: readonly number[]): void {
  checkFrequencies(freqsHz);
  if (freqsHz.length > MAX_CHORD_NOTES) {
    throw new HarmonyError(
      'TOO_MANY_NOTES',
      `at most ${MAX_CHORD_NOTES} notes are accepted, got ${freqsHz.length}`,
      'frequencies',
    );
  }
}

const z = (v: number, [mean, sd]: readonly [number, number]): number => (v - mean) / sd;

/** Class scores (+ = consonant) and their mean, from raw model values. */
export function combine(values: ModelValues): { score: number; components: ConsonanceResult['components'] } {
  const s = REFERENCE_STATS;
  const interference = -z(values.roughness, s.roughness);
  const periodicity = (z(values.harmonicity, s.harmonicity) - z(values.periodicity, s.periodicity)) / 2;
  const familiarity = -z(values.tonalDissonance, s.tonalDissonance);
  return {
    score: (interference + periodicity + familiarity) / 3,
    components: { interference, periodicity, familiarity },
  };
}

/** Maps a combined score to 0..1 (logistic approximation of the normal CDF). */
export function scoreToConsonance(score: number): number {
  const [mean, sd] = REFERENCE_STATS.score;
  return 1 / (1 + Math.exp(-1.702 * ((score - mean) / sd)));
}

/**
 * The consonance of a chord given in Hz, with the models behind it.
 *
 * @throws HarmonyError `EMPTY_CHORD`, `BAD_FREQUENCY` or `TOO_MANY_NOTES`
 * @example consonance([261.63, 329.63, 392.0]).consonance // ~0.77 (C major triad)
 */
export function consonance(freqsHz: readonly number[]): ConsonanceResult {
  const values = modelValues(freqsHz);
  const { score, components } = combine(values);
  return {
    consonance: scoreToConsonance(score),
    score,
    ...values,
    sethares: setharesDissonance(freqsHz),
    tenney: pairwiseTenney(freqsHz).mean,
    components,
  };
}

/** Recomputes {@link REFERENCE_STATS} from {@link referenceChords} (slow: about a second). */
export function computeReferenceStats(
  chords: number[][] = referenceChords(),
): Record<string, [number, number]> {
  const rows = chords.map(modelValues);
  const stat = (vals: number[]): [number, number] => {
    const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
    return [mean, Math.sqrt(vals.reduce((a, b) => a + (b - mean) ** 2, 0) / vals.length)];
  };
  const out: Record<string, [number, number]> = {
    roughness: stat(rows.map((r) => r.roughness)),
    harmonicity: stat(rows.map((r) => r.harmonicity)),
    periodicity: stat(rows.map((r) => r.periodicity)),
    tonalDissonance: stat(rows.map((r) => r.tonalDissonance)),
  };
  return out;
}
