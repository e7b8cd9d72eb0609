/**
 * Multi-pitch detection from spectral peaks, by iterative harmonic tracing and subtraction
 * (in the spirit of Klapuri 2003). For each candidate fundamental (every peak), harmonics are
 * traced upward, predicting partial n at `n f0 sqrt(1 + B n^2)` — the stiff-string model, so
 * slightly sharp partials of real instruments are followed — and (f0, B) are refitted by least
 * squares as partials are found. The most salient candidate becomes a note; the amplitude its
 * smooth spectral envelope explains is removed from each of its partials (spectral smoothness:
 * an octave or fifth on top of a shared partial leaves a residue), and the search repeats.
 */
import {
  harmonicMultiple,
  nearest,
  overtoneLift,
  seriesDeviation,
  seriesSums,
  spreadLift,
  stiffPartialHz,
} from './overtone-test.js';
import type { Partial } from './spectrum.js';

/** A detected note. */
export interface DetectedNote {
  /** Fundamental frequency in Hz (fitted to the partials). */
  readonly frequency: number;
  /** Salience relative to the strongest note, 0..1. */
  readonly salience: number;
  /** 0..1: relative salience and the share of its partials no other note explains. */
  readonly confidence: number;
  /** Number of partials attributed to this note. */
  readonly partials: number;
  /** Fitted inharmonicity coefficient B (0 for a harmonic tone). */
  readonly inharmonicity: number;
}

/** Options of {@link detectNotes}. */
export interface MultiPitchOptions {
  readonly minHz?: number;
  readonly maxHz?: number;
  readonly maxNotes?: number;
  /** A note needs this fraction of the first note's salience (default 0.15). */
  readonly relativeThreshold?: number;
  /** Largest inharmonicity coefficient accepted (default 0.002). */
  readonly maxInharmonicity?: number;
  /** A later note must own this share of its partials' amplitude (default 0.2). */
  readonly minNovelty?: number;
  /**
   * Peaks this far below the strongest (dB) have no energy: no note there, nor below the lowest
   * other (default -30, or -36 with a `background`, which keeps noise out).
   */
  readonly energyFloorDb?: number;
  /**
   * A candidate at the octave, twelfth or another multiple (2..8) of a note found needs its
   * partials to stand this far (dB, median) above what that note's neighbouring partials
   * suggest (default 3): see overtone-test.ts.
   */
  readonly overtoneLiftDb?: number;
  /**
   * ... and needs at least this many of its partials within the spectrum, all on that note's
   * series (default 5): fewer cannot tell a second note from a formant or a jagged envelope,
   * and the simpler explanation, one note, wins.
   */
  readonly overtoneMinMultiples?: number;
  /**
   * The level (amplitude) of the spectrum's background at a frequency, e.g. `spectralBackground`
   * (spectrum.ts) of the spectrum the partials came from: a note's fundamental must stand
   * `prominenceDb` above it. Without it, every peak counts as standing clear.
   */
  readonly background?: (hz: number) => number;
  /** How far (dB) a fundamental must stand above the background (default 15). */
  readonly prominenceDb?: number;
  /**
   * How wide a partial at a frequency spreads (log2 of bins), e.g. `partialSpread` (spectrum.ts)
   * of the spectrum the partials came from: an octave whose partials lie beside those of the
   * note below it (a second string) is found by that. Without it, only by their levels.
   */
  readonly spread?: (hz: number) => number;
}

interface Trace {
  f0: number;
  b: number;
  salience: number;
  matches: { h: number; p: number }[];
}

const MAX_HARMONICS = 24;
/** A partial this far (cents) off a note's series, beyond its scatter, has a source of its own. */
const OFF_SERIES_CENTS = 8;
/** A peak this strong (of the strongest) that no note found explains makes a note of its own. */
const STRONG_PEAK = 0.2;
/**
 * An octave is found by the spread of its partials when the lower note's even partials spread
 * this much wider (log2, median) than the odd ones beside them: 23 %. A lone steady note's
 * even and odd partials spread alike (over the bench's four banks, 0.07 or less for 9 in 10
 * single notes, 0.26 at most)...
 */
const OCTAVE_SPREAD_LIFT = 0.3;
/**
 * ... and the lower note's own partials are steady: they spread no wider than this (log2 of
 * bins, median; a steady sinusoid spans 1.15-1.3), since a vibrato spreads every partial, and
 * some more than others by chance.
 */
const STEADY_SPREAD = 1.4;

/** Weighted least-squares fit of (f_h / h)^2 = f0^2 (1 + B h^2). */
function fitStiffString(
  partials: readonly Partial[],
  matches: Trace['matches'],
  amps: Float64Array,
  maxB: number,
): [number, number] {
  const { sw, sx, sy, sxx, sxy, det } = seriesSums(
    partials,
    matches,
    (p) => Math.max(amps[p]!, 1e-9) ** 2 + 1e-12,
  );
  if (matches.length >= 3 && det > 1e-9 * sw * sxx) {
    const slope = (sw * sxy - sx * sy) / det;
    const icpt = (sy - slope * sx) / sw;
    const b = icpt > 0 ? slope / icpt : 0;
    if (icpt > 0 && b >= 0 && b <= maxB) return [Math.sqrt(icpt), b];
  }
  return [Math.sqrt(sy / sw), 0];
}

/**
 * Follows the harmonics of a candidate fundamental among the partials still unexplained
 * (`amps` > 0); the fit of f0 and B weighs them by their `original` amplitudes, salience counts
 * only what is unexplained.
 */
function trace(
  partials: readonly Partial[],
  start: number,
  amps: Float64Array,
  original: Float64Array,
  maxB: number,
): Trace {
  const top = partials[partials.length - 1]!.frequency;
  let f0 = partials[start]!.frequency;
  let b = 0;
  const matches: Trace['matches'] = [{ h: 1, p: start }];
  let salience = amps[start]!;
  let misses = 0;
  for (let h = 2; h <= MAX_HARMONICS; h++) {
    const predicted = stiffPartialHz(f0, b, h);
    if (predicted > top * 1.02) break;
    const p = nearest(partials, predicted);
    const cents = Math.abs(1200 * Math.log2(partials[p]!.frequency / predicted));
    if (cents < (h <= 3 ? 35 : 25) && amps[p]! > 0 && !matches.some((m) => m.p === p)) {
      matches.push({ h, p });
      salience += amps[p]! / Math.sqrt(h);
      [f0, b] = fitStiffString(partials, matches, original, maxB);
      misses = 0;
    } else if (++misses >= 4) break;
  }
  return { f0, b, salience, matches };
}

/**
 * Removes from the residual spectrum what a chosen note explains: every partial near one of its
 * predicted harmonics (within 35 cents, 60 cents above the 6th harmonic, where vibrato and
 * chorus smear partials) loses the amplitude the note's smooth envelope predicts there (the
 * fundamental and any harmonic without neighbours are removed whole).
 */
function cancel(partials: readonly Partial[], amps: Float64Array, note: Trace, top: number): void {
  const at: number[] = [];
  const level: number[] = [];
  for (let h = 1; h <= 2 * MAX_HARMONICS; h++) {
    const predicted = stiffPartialHz(note.f0, note.b, h);
    if (predicted > top * 1.02) break;
    const p = nearest(partials, predicted);
    const cents = Math.abs(1200 * Math.log2(partials[p]!.frequency / predicted));
    const ok = cents < (h <= 6 ? 35 : 60) && !at.includes(p);
    at.push(ok ? p : -1);
    level.push(ok ? amps[p]! : 0);
  }
  at.forEach((p, i) => {
    if (p < 0) return;
    const below = i > 0 && at[i - 1]! >= 0 ? level[i - 1]! : undefined;
    const above = i + 1 < at.length && at[i + 1]! >= 0 ? level[i + 1]! : undefined;
    const n = (below !== undefined ? 1 : 0) + (above !== undefined ? 1 : 0);
    const smooth = n === 0 || i === 0 ? level[i]! : ((below ?? 0) + (above ?? 0)) / n;
    amps[p] = Math.max(0, amps[p]! - Math.min(amps[p]!, smooth));
  });
}

/** How a candidate fundamental explains the (residual) spectrum. */
interface Scored extends Trace {
  /** Salience times harmonic coverage. */
  score: number;
  /** Share of the candidate's partials' original amplitude still unexplained (0..1). */
  novelty: number;
}

/**
 * Fraction of the expected low harmonics (up to the 10th, within the spectrum) that are there:
 * traced among the unexplained partials, or, when a note found lies at a multiple j of the
 * candidate (the candidate would be its lower octave or twelfth), at every j-th harmonic
 * already taken by that note: a low string whose octave was found first keeps its even
 * partials as evidence.
 */
function coverage(
  t: Trace,
  top: number,
  partials: readonly Partial[],
  original: Float64Array,
  found: readonly Trace[],
): number {
  const above = multiplesAbove(t.f0, found);
  let expected = 0;
  let got = 0;
  const matched = new Set(t.matches.map((m) => m.h));
  for (let h = 1; h <= 10; h++) {
    const hz = stiffPartialHz(t.f0, t.b, h);
    if (hz > top * 1.02) break;
    expected++;
    if (matched.has(h)) got++;
    else if (above.some((j) => h % j === 0)) {
      const p = nearest(partials, hz);
      if (Math.abs(1200 * Math.log2(partials[p]!.frequency / hz)) < 35 && original[p]! > 0) got++;
    }
  }
  return expected > 0 ? got / expected : 1;
}

/** How a candidate at `hz` lifts the partials of the first note found on whose series it lies. */
function overtoneOf(
  hz: number,
  found: readonly Trace[],
  partials: readonly Partial[],
  original: Float64Array,
  floor: number,
  minMultiples: number,
): (ReturnType<typeof overtoneLift> & { offSeries: boolean }) | null {
  for (const note of found) {
    const k = harmonicMultiple(partials, hz, note);
    if (k > 0)
      return {
        ...overtoneLift(
          partials,
          original,
          note,
          k,
          floor,
          minMultiples,
          noteAbove(hz, found),
          octavesOf(note, found, k),
        ),
        offSeries: offSeries(seriesDeviation(partials, original, note, k)),
      };
  }
  return null;
}

/**
 * Octaves on top that the search passed over, found by the spread of their partials: an
 * octave's fundamental lies on the lower note's 2nd partial, and when its partials above fall
 * steeply they lift the lower note's even partials less than a lone note's jagged envelope does,
 * so the overtone test (levels) leaves it out, and what it still lifts is cancelled with the
 * lower note. But when the two are strings of different stiffness (a piano's), the upper one's
 * partials lie a few cents beside the lower's even ones and spread them (`spreadLift`). For
 * each note found whose own partials are steady, an octave is a note when its fundamental
 * lifts the lower note's 2nd partial `liftDb` above its neighbours (as the overtone test asks)
 * and the even partials spread wider than the odd ones by `OCTAVE_SPREAD_LIFT`, measured at
 * two of them at least. Its partials are the lower note's even ones; its score is the power it
 * adds there; its novelty is counted as the least a note may have, so its confidence is at most
 * half.
 */
function octavesBySpread(
  found: readonly Scored[],
  partials: readonly Partial[],
  original: Float64Array,
  floor: number,
  liftDb: number,
  minMultiples: number,
  minNovelty: number,
  maxB: number,
  spread: (hz: number) => number,
): Scored[] {
  const added: Scored[] = [];
  for (const note of found) {
    const second = note.matches.find((m) => m.h === 2);
    if (!second) continue;
    const hz = partials[second.p]!.frequency;
    if ([...found, ...added].some((n) => Math.abs(1200 * Math.log2(hz / n.f0)) < 70)) continue;
    const s = spreadLift(
      partials,
      note,
      2,
      found.filter((n) => n !== note),
      spread,
    );
    if (!(s.own <= STEADY_SPREAD) || s.multiples < 2 || s.lift < OCTAVE_SPREAD_LIFT) continue;
    const over = overtoneLift(partials, original, note, 2, floor, minMultiples, 0, octavesOf(note, found, 2));
    if (over.firstDb < liftDb) continue;
    const matches = note.matches.filter((m) => m.h % 2 === 0).map((m) => ({ h: m.h / 2, p: m.p }));
    const [f0, b] = fitStiffString(partials, matches, original, maxB);
    added.push({ f0, b, salience: over.salience, matches, score: over.salience, novelty: minNovelty });
  }
  return added;
}

/**
 * Is the candidate an upper note clear of the series of every note found: above the lowest,
 * within the 6th partial of each one below it and over 60 cents from any of their partials?
 */
function betweenPartials(t: Trace, found: readonly Trace[]): boolean {
  let below = 0;
  for (const n of found) {
    if (n.f0 >= t.f0) continue;
    below++;
    const ratio = t.f0 / n.f0;
    if (ratio > 6.5) return false;
    const h = Math.round(ratio);
    for (let k = Math.max(1, h - 1); k <= h + 1; k++) {
      const hz = stiffPartialHz(n.f0, n.b, k);
      if (Math.abs(1200 * Math.log2(t.f0 / hz)) < 60) return false;
    }
  }
  return below > 0;
}

/** The multiples j (2 and up) of `hz` at which notes found lie, within 30 cents, in the order found. */
function multiplesAbove(hz: number, found: readonly Trace[]): number[] {
  const out: number[] = [];
  for (const n of found) {
    const j = Math.round(n.f0 / hz);
    if (j >= 2 && Math.abs(1200 * Math.log2(n.f0 / (j * hz))) < 30) out.push(j);
  }
  return out;
}

/**
 * The octaves of `note` (2, 4 or 8 times it) among the notes found, leaving out those that
 * divide k (the candidate's own multiples are theirs too).
 */
function octavesOf(note: Trace, found: readonly Trace[], k: number): number[] {
  return multiplesAbove(note.f0, found).filter((j) => (j === 2 || j === 4 || j === 8) && k % j !== 0);
}

/** j (2 or 3) when a note found lies j times `hz` (within 30 cents): its octave or twelfth; else 0. */
function noteAbove(hz: number, found: readonly Trace[]): number {
  return multiplesAbove(hz, found).find((j) => j === 2 || j === 3) ?? 0;
}

/** Is the partial at k off the lower note's series, by more than its partials scatter? */
function offSeries(d: ReturnType<typeof seriesDeviation>): boolean {
  if (!d || Math.abs(d.cents) < Math.max(OFF_SERIES_CENTS, 2.5 * d.scatter)) return false;
  // the candidate's own 2nd partial (at 2k), when traced, lies off the series the same way
  return Number.isNaN(d.second) || d.second * Math.sign(d.cents) >= Math.abs(d.cents) / 2;
}

/**
 * Detects the notes sounding in a set of partials (as from {@link findPeaks}) by iterative
 * estimation and cancellation, explaining the peaks with as few notes as it can:
 *
 * - a note's fundamental is a spectral peak with energy (within `energyFloorDb` of the
 *   strongest), no lower than the lowest such peak, so no note is invented below the bass (a
 *   chord's common subharmonic, 1/2, 2/3 or 2/5 of the bass, is never a note, even where a body
 *   or hammer resonance puts a faint peak there), and standing `prominenceDb` above the
 *   spectrum's background there (`background`): the peaks of a loud rumble or hiss are no notes;
 * - a candidate's score is its harmonic salience times its coverage (the share of its low
 *   harmonics present), so a subharmonic that only explains every other partial loses to the
 *   real note;
 * - after a note is chosen, the part of each of its partials that its smooth spectral envelope
 *   explains is removed; a later candidate must still own at least `minNovelty` of its partials'
 *   amplitude, so the octave, twelfth or seventh partial of a note (a "C7" from the 7th partial
 *   of C) is not reported as a note, while a real doubling, which lifts those partials above the
 *   envelope, is;
 * - a candidate on the partial series of a note found (its octave, twelfth, double octave...)
 *   is judged by how far it lifts that note's partials at its multiples above what their
 *   neighbours suggest instead: at least `overtoneLiftDb` (median over the multiples), so a
 *   bowed string's strong 2nd partial or a clarinet's strong 3rd and 5th are not notes, and its
 *   salience is the power it adds above that level (partials of two notes add in power); the
 *   lift must show at `overtoneMinMultiples` partials at least, else one note explains all
 *   (a formant lifting one partial of an oboe, a violin's jagged top octave). Unless the
 *   candidate is tuned off that series: when the peak at its fundamental lies further off the
 *   lower note's series (refitted from its other partials) than `OFF_SERIES_CENTS` and 2.5
 *   times those partials' scatter, and its 2nd partial (when traced) half as far the same way,
 *   a source of its own sounds there (a 12-TET major third lies 14 cents above the 5th
 *   harmonic), and a lift of its fundamental alone (0 dB or more) suffices;
 * - a later note needs `relativeThreshold` of the first note's score, unless its fundamental is a
 *   peak within 14 dB of the strongest that no note found explains (clear of their partials, below
 *   their 6th): the bass of an open chord gathers the partials of the octaves and twelfths above it,
 *   and a third voiced a tenth up (B3 in G2 D3 G3 B3 D4 G4) scores a tenth of it;
 * - coverage counts the harmonics of a candidate found among the unexplained partials, and, for
 *   a candidate an octave or twelfth below a note found, those that note took: a guitar's low
 *   string with a weak fundamental is still found under its octave;
 * - a note needs two partials unless its second harmonic is beyond the spectrum (a lone
 *   resonance, e.g. a guitar body mode, is not a note);
 * - given the spread of the partials (`spread`), an octave the search passed over is a note when
 *   its fundamental lifts the lower note's 2nd partial and the lower note's even partials spread
 *   wider than its odd ones, which are steady: a second string of its own stiffness sounds there
 *   (see `octavesBySpread`).
 *
 * Each note has a confidence (0..1) from its relative score and novelty. Notes come sorted by
 * frequency.
 */
export function detectNotes(partialsIn: readonly Partial[], options: MultiPitchOptions = {}): DetectedNote[] {
  const minHz = options.minHz ?? 27;
  const maxHz = options.maxHz ?? 4200;
  const maxNotes = options.maxNotes ?? 8;
  const rel = options.relativeThreshold ?? 0.15;
  const maxB = options.maxInharmonicity ?? 0.002;
  const minNovelty = options.minNovelty ?? 0.2;
  const background = options.background;
  // with a background to stand above, noise is kept out by that, and a bowed string's weak
  // fundamental (a viola's C3, 32 dB under its 3rd partial) still has energy
  const floorDb = options.energyFloorDb ?? (background ? -36 : -30);
  const liftDb = options.overtoneLiftDb ?? 3;
  const minMultiples = options.overtoneMinMultiples ?? 5;
  const prominence = 10 ** ((options.prominenceDb ?? 15) / 20);
  const partials = [...partialsIn].sort((a, b) => a.frequency - b.frequency);
  if (partials.length === 0) return [];
  const amps = Float64Array.from(partials, (p) => p.amplitude);
  const original = Float64Array.from(amps);
  let peakAmp = 0;
  for (const a of amps) if (a > peakAmp) peakAmp = a;
  const top = partials[partials.length - 1]!.frequency;
  const energetic = peakAmp * 10 ** (floorDb / 20);
  const lowest = partials.find((p) => p.amplitude >= energetic)!.frequency;
  const lowHz = Math.max(minHz, lowest * 0.97);
  const found: Scored[] = [];
  let first = 0;
  for (let round = 0; round < maxNotes; round++) {
    let best: Scored | null = null;
    for (let i = 0; i < partials.length; i++) {
      const f = partials[i]!.frequency;
      if (f < lowHz || f > maxHz || amps[i]! < 0.003 * peakAmp) continue;
      // a note's fundamental has energy of its own: a faint peak under a chord (a body or
      // hammer resonance at the chord's common subharmonic) is no bass note
      if (original[i]! < energetic) continue;
      // ... and stands clear of the noise around it: a rumble's or hiss's own peaks, within
      // `energyFloorDb` of the strongest when the noise is loud, are no notes
      if (background && original[i]! < prominence * background(f)) continue;
      // within 70 cents of a note found: the same note, detuned (notes of a scale are 100 cents apart)
      if (found.some((n) => Math.abs(1200 * Math.log2(f / n.f0)) < 70)) continue;
      const t = trace(partials, i, amps, original, maxB);
      const alone = t.matches.length < 2 && 2 * t.f0 < top * 0.98;
      if (alone) continue;
      // a fit drawn onto a note found (a stiff-string fit started at a stray peak can end there) is
      // that note again, and would be taken once per round
      if (found.some((n) => Math.abs(1200 * Math.log2(t.f0 / n.f0)) < 70)) continue;
      let residual = 0;
      let total = 0;
      for (const { p } of t.matches) {
        residual += amps[p]!;
        total += original[p]!;
      }
      const novelty = total > 0 ? residual / total : 0;
      const over =
        round > 0 ? overtoneOf(t.f0, found, partials, original, 1e-3 * peakAmp, minMultiples) : null;
      if (round > 0 && novelty < minNovelty) continue;
      if (over) {
        // on the partial series of a note found: the lift of those partials decides
        const lifted = over.evidenceDb >= liftDb && over.multiples >= minMultiples;
        const off = over.offSeries && over.firstDb >= 0;
        if (!lifted && !off) continue;
        t.salience = lifted ? over.salience : Math.max(over.salience, t.salience);
      }
      const score = t.salience * coverage(t, top, partials, original, found);
      // the first note's score gathers the partials of every note on its series, so an upper
      // note off that series can score below `rel` of it; a strong peak no note explains still
      // needs one
      const weak = round > 0 && score < rel * first;
      if (weak && (over || amps[i]! < STRONG_PEAK * peakAmp || !betweenPartials(t, found))) continue;
      if (!best || score > best.score) best = { ...t, score, novelty };
    }
    if (!best) break;
    if (round === 0) first = best.score;
    found.push(best);
    cancel(partials, amps, best, top);
  }
  // the overtone test whichever came first: a note found before a lower one on whose series it
  // lies (a strong octave partial taken for a note, then its weak fundamental found) must pass
  // the test against that lower note too
  // and one note is never reported twice, even when the fits drew two candidates together
  const kept = found.filter(
    (u) =>
      !found.some((l) => {
        if (
          l !== u &&
          (l.score > u.score || (l.score === u.score && found.indexOf(l) < found.indexOf(u))) &&
          Math.abs(1200 * Math.log2(u.f0 / l.f0)) < 70
        )
          return true;
        if (l.f0 >= u.f0 || found.indexOf(l) < found.indexOf(u)) return false;
        const k = harmonicMultiple(partials, u.f0, l);
        if (k === 0) return false;
        const over = overtoneLift(
          partials,
          original,
          l,
          k,
          1e-3 * peakAmp,
          minMultiples,
          noteAbove(u.f0, found),
        );
        const off = over.firstDb >= 0 && offSeries(seriesDeviation(partials, original, l, k));
        return (over.evidenceDb < liftDb || over.multiples < minMultiples) && !off;
      }),
  );
  if (kept.length === 0) return [];
  if (options.spread) {
    const octaves = octavesBySpread(
      kept,
      partials,
      original,
      1e-3 * peakAmp,
      liftDb,
      minMultiples,
      minNovelty,
      maxB,
      options.spread,
    );
    kept.push(...octaves.slice(0, Math.max(0, maxNotes - kept.length)));
  }
  const strongest = Math.max(...kept.map((t) => t.score));
  return kept
    .map((t) => ({
      frequency: t.f0,
      salience: t.score / strongest,
      confidence: Math.min(1, (t.score / strongest / (2 * rel)) * Math.min(1, t.novelty / (2 * minNovelty))),
      partials: t.matches.length,
      inharmonicity: t.b,
    }))
    .sort((a, b) => a.frequency - b.frequency);
}
