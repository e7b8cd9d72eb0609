/**
 * One consonance number for a chord of 1 to 6 (or more) notes, combining three published
 * accounts of consonance with equal weight (unit weighting, not regression on any rating set):
 *
 * - interference: the Hutchinson & Knopoff (1978) roughness of the whole chord (every partial
 *   against every other, normalised by the total energy), lower = more consonant;
 * - periodicity: the mean of Harrison & Pearce (2018) harmonicity and Stolzenburg (2015)
 *   smoothed periodicity, two models of how well the whole chord fits one harmonic series;
 * - familiarity: Johnson-Laird et al. (2012) tonal dissonance (scale membership, major-triad
 *   consistency, stacked thirds).
 *
 * Chords of different sizes are made comparable the same way for every family: each model is
 * a property of the whole chord, standardised against random chords of the same number of
 * notes, because the raw values drift with the count alone (more tones put more partials in
 * each critical band, flatten the virtual-pitch profile, lengthen the common period and rarely
 * fit one scale). The three class scores are averaged and mapped through a logistic curve to
 * 0..1 (see docs/harmony.md).
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
import { REFERENCE_TABLE } from './reference-stats.js';

/** Most notes accepted by {@link consonance}. */
export const MAX_CHORD_NOTES = 32;

/** The raw outputs of the individual models for one chord. */
export interface ModelValues {
  /** Number of notes. */
  readonly notes: number;
  /** Hutchinson & Knopoff (1978) roughness of the whole chord (higher = rougher). */
  readonly roughness: number;
  /** Mean Hutchinson & Knopoff roughness over note pairs (the note's own for one note; reported). */
  readonly pairRoughness: number;
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

/** [mean, standard deviation] of a model over chords of one size. */
type Stat = readonly [number, number];

/**
 * Normalisation constants from {@link referenceChords}() (2400 chords): roughness, harmonicity,
 * periodicity and tonal dissonance per chord size (index 0 = 2 notes .. 4 = 6 notes; a single
 * note uses the dyad row, larger chords the 6-note row); the combined score over all chords.
 * Regenerate with `computeReferenceStats()`; a test checks them.
 */
export const REFERENCE_STATS: {
  readonly roughness: readonly Stat[];
  readonly harmonicity: readonly Stat[];
  readonly periodicity: readonly Stat[];
  readonly tonalDissonance: readonly Stat[];
  readonly score: Stat;
} = REFERENCE_TABLE;

/** Deterministic PRNG (mulberry32), for the reference population (and test signals). */
export function mulberry32(seed: number): () => number {
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
    notes: freqsHz.length,
    roughness: hutchinsonRoughness(freqsHz),
    pairRoughness: pairRoughness(freqsHz),
    harmonicity: harrisonPearceHarmonicity(freqsHz),
    periodicity: stolzenburgPeriodicity(freqsHz),
    tonalDissonance: johnsonLairdTonalDissonance(freqsHz),
  };
}

/**
 * Roughness per note pair: the mean over note pairs of the Hutchinson-Knopoff roughness of the
 * two notes alone (for one note, its own). It does not grow with the number of notes.
 */
export function pairRoughness(freqsHz: readonly number[]): number {
  if (freqsHz.length < 2) return hutchinsonRoughness(freqsHz);
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < freqsHz.length; i++) {
    for (let j = i + 1; j < freqsHz.length; j++) {
      sum += hutchinsonRoughness([freqsHz[i]!, freqsHz[j]!]);
      pairs++;
    }
  }
  return sum / pairs;
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

const z = (v: number, [mean, sd]: Stat): number => (v - mean) / sd;

/** The row of a per-size table for a chord of `notes` notes. */
function bySize(table: readonly Stat[], notes: number): Stat {
  return table[Math.min(table.length - 1, Math.max(0, notes - 2))]!;
}

/** Class scores (+ = consonant) and their mean, from raw model values. */
export function combine(values: ModelValues): { score: number; components: ConsonanceResult['components'] } {
  return combineWith(REFERENCE_STATS, values);
}

function combineWith(
  s: typeof REFERENCE_STATS,
  values: ModelValues,
): { score: number; components: ConsonanceResult['components'] } {
  const n = values.notes;
  const interference = -z(values.roughness, bySize(s.roughness, n));
  const periodicity =
    (z(values.harmonicity, bySize(s.harmonicity, n)) - z(values.periodicity, bySize(s.periodicity, n))) / 2;
  const familiarity = -z(values.tonalDissonance, bySize(s.tonalDissonance, n));
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
 * @example consonance([261.63, 329.63, 392.0]).consonance // ~0.75 (C major triad)
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

/** Recomputes {@link REFERENCE_STATS} from {@link referenceChords} (slow: a few seconds). */
export function computeReferenceStats(chords: number[][] = referenceChords()): typeof REFERENCE_STATS {
  const rows = chords.map(modelValues);
  const stat = (vals: number[]): Stat => {
    const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
    return [mean, Math.sqrt(vals.reduce((a, b) => a + (b - mean) ** 2, 0) / vals.length)];
  };
  const sizes = [2, 3, 4, 5, 6];
  const perSize = (key: 'roughness' | 'harmonicity' | 'periodicity' | 'tonalDissonance'): Stat[] =>
    sizes.map((n) => stat(rows.filter((r) => Math.min(6, r.notes) === n).map((r) => r[key])));
  const partial = {
    roughness: perSize('roughness'),
    harmonicity: perSize('harmonicity'),
    periodicity: perSize('periodicity'),
    tonalDissonance: perSize('tonalDissonance'),
    score: [0, 1] as Stat,
  };
  const scoreOf = (v: ModelValues): number => combineWith(partial, v).score;
  const scores = rows.map(scoreOf);
  return { ...partial, score: stat(scores) };
}
