/**
 * Is a candidate at an integer multiple of a note (its octave, twelfth, double octave...) a
 * note of its own, or only that note's overtones? Every partial of the candidate falls on a
 * partial of the lower note, so one spectrum cannot tell them apart partial by partial: a
 * bowed string's 2nd partial can outweigh its 1st, a clarinet's odd partials stand far above
 * the even ones. What a second note adds is a pattern: all of the lower note's partials at
 * multiples of k stand above their neighbours. The evidence is the median, over the first
 * multiples, of how far each stands above the level its neighbours of either parity suggest.
 */
import type { Partial } from './spectrum.js';

/** Index of the partial nearest to `hz` (partials sorted by frequency). */
export function nearest(partials: readonly Partial[], hz: number): number {
  let lo = 0;
  let hi = partials.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (partials[mid]!.frequency < hz) lo = mid;
    else hi = mid;
  }
  return Math.abs(partials[lo]!.frequency - hz) <= Math.abs(partials[hi]!.frequency - hz) ? lo : hi;
}

/** A note already found: fundamental, stiffness and the partials it was traced through. */
export interface FoundNote {
  readonly f0: number;
  readonly b: number;
  /** Harmonic number h and index p of each partial matched to the note. */
  readonly matches: readonly { readonly h: number; readonly p: number }[];
}

/** Partial h of a stiff string of fundamental f0 and inharmonicity B: h f0 sqrt(1 + B h²). */
export function stiffPartialHz(f0: number, b: number, h: number): number {
  return h * f0 * Math.sqrt(1 + b * h * h);
}

/** Frequency of harmonic h of a note: the partial matched to it, else the stiff-string prediction. */
function harmonicHz(partials: readonly Partial[], note: FoundNote, h: number): number {
  const m = note.matches.find((x) => x.h === h);
  return m ? partials[m.p]!.frequency : stiffPartialHz(note.f0, note.b, h);
}

/** The harmonic number k (2..8) at which `hz` lies on `note`'s partial series (within 30 cents), or 0. */
export function harmonicMultiple(partials: readonly Partial[], hz: number, note: FoundNote): number {
  const k = Math.round(hz / note.f0);
  if (k < 2 || k > 8) return 0;
  const at = harmonicHz(partials, note, k);
  return Math.abs(1200 * Math.log2(hz / at)) < 30 ? k : 0;
}

/**
 * Evidence (dB) that a second note sounds at harmonic k of `note`, and that note's salience
 * (Σ over its partials m of the amplitude it adds, sqrt(level² - expected²), / √m): for each multiple h = m k
 * (m = 1, 2, ... up to the 24th harmonic and the top of the spectrum, at least one), the level
 * of partial h over the level its neighbours suggest — the largest of the geometric means of
 * partials h ± 1 and h ± 2 and the median of the partials within 3 of h, leaving out neighbours
 * that are themselves multiples of k, a missing partial counting as `floor` (so a multiple
 * missing where the second note would have a partial counts 0 dB) — and the median of those.
 * A lone tone scores about 0 dB whatever its envelope; an added note of similar loudness lifts
 * its partials by 5-7 dB. Harmonics are
 * located at the partials the note was traced through, else by its stiff-string fit.
 * `multiples` is how many multiples were weighed: with few (a high candidate, or k large, near
 * the top of the spectrum) one formant or jagged partial decides the median. The evidence is
 * the least of that median, the median over the odd multiples (k, 3k, 5k...: a note at 2k
 * lifts only the even ones, so G4 with G2 does not make G3 a note) and the lift at k itself
 * (`firstDb`). When a note found lies `above` (2 or 3) times the candidate, the evidence is the
 * median over the candidate's multiples that note does not share: an upper note whose own
 * fundamental is weak (an oboe's, a high violin's) was found at its octave first, and its
 * octave's partials say nothing about it. `octaves` are the multiples j (2, 4, 8) at which notes
 * found lie above `note`: their partials (multiples of j) are left out of the neighbours too, as
 * such a note lifts them all; the fifth a twelfth above a bass whose octave sounds (C2 C3 G3)
 * would otherwise be measured against partials the octave lifted.
 */
export function overtoneLift(
  partials: readonly Partial[],
  amps: Float64Array,
  note: FoundNote,
  k: number,
  floor: number,
  minMultiples = 5,
  above = 0,
  octaves: readonly number[] = [],
): { evidenceDb: number; salience: number; multiples: number; firstDb: number } {
  const top = partials[partials.length - 1]!.frequency * 1.02;
  const level = (h: number): number => {
    if (h < 1) return floor;
    const hz = harmonicHz(partials, note, h);
    if (hz > top) return floor;
    const p = nearest(partials, hz);
    const cents = Math.abs(1200 * Math.log2(partials[p]!.frequency / hz));
    return cents < (h <= 6 ? 35 : 60) ? Math.max(amps[p]!, floor) : floor;
  };
  // a neighbour is a partial of the lower note alone: not a multiple of k, nor of an octave of
  // the lower note found above it (that note lifts every such partial)
  const neighbour = (n: number): boolean => n >= 1 && n % k !== 0 && !octaves.some((j) => n % j === 0);
  const lifts: number[] = [];
  let salience = 0;
  // up to the 24th harmonic, further for a wide k (a note two octaves and a third up, k = 5)
  // so that `minMultiples` multiples can be weighed where the spectrum reaches
  for (let h = k; h <= Math.max(24, minMultiples * k); h += k) {
    // a multiple counts when its upper neighbour is within the spectrum too (at least one)
    if (harmonicHz(partials, note, h + 1) > top && lifts.length > 0) break;
    if (harmonicHz(partials, note, h) > top) break;
    // the level the lower note's own envelope suggests at h: the largest of the geometric means
    // of its partials h ± 1 and h ± 2 and the median of its partials within 3 of h (neighbours
    // that are multiples of k left out), so that a partial must stand above a jagged envelope
    // however it is read
    const around: number[] = [];
    for (let n = h - 3; n <= h + 3; n++) if (n !== h && neighbour(n)) around.push(level(n));
    let ref = around.length > 0 ? Math.max(median(around), floor) : floor;
    for (const d of [1, 2]) {
      const pair = [h - d, h + d].filter(neighbour);
      if (pair.length === 0) continue;
      const g = Math.exp(pair.reduce((s, n) => s + Math.log(level(n)), 0) / pair.length);
      if (g > ref) ref = g;
    }
    const here = level(h);
    lifts.push(20 * Math.log10(here / ref));
    salience += Math.sqrt(Math.max(0, here * here - ref * ref)) / Math.sqrt(h / k);
  }
  if (lifts.length === 0) return { evidenceDb: 0, salience: 0, multiples: 0, firstDb: 0 };
  const first = lifts[0]!;
  // the odd multiples (h = k, 3k, 5k...) are the candidate's own: a note an octave above it
  // lifts only the even ones, and must not make the candidate a note
  const odd = lifts.filter((_, i) => i % 2 === 0);
  // a note found at `above` times the candidate (its octave or twelfth) lifts the candidate's
  // multiples of `above`; the others are the candidate's own, and its fundamental may be weak
  // (an oboe's, a violin's high note's)
  const own = lifts.filter((_, i) => (i + 1) % above !== 0);
  // the second note's fundamental must lift its partial too
  const evidenceDb = above >= 2 ? median(own) : Math.min(median(lifts), median(odd), first);
  return { evidenceDb, salience, multiples: lifts.length, firstDb: first };
}

/**
 * Evidence that a second string sounds at harmonic k of `note`, from how wide its partials
 * spread (`spread`, log2 of bins, spectrum.ts `partialSpread`) rather than how loud they are.
 * Two strings tuned in an octave (or twelfth) share a frequency only at the upper one's
 * fundamental: each string's partials are stretched by its own stiffness (h f0 sqrt(1 + B h²)),
 * and the upper string's B is not k² times the lower's, so its partial m lies a few cents from
 * the lower's partial m k, more the higher m (a piano C5's 4th partial about 10 cents under
 * C4's 8th). Those multiples then spread wider than the lower note's partials between them,
 * which one string sounds alone. `lift` is the median, over the multiples h = m k up to the 24th
 * harmonic, of the spread at h less the mean spread at h ± 1; `own` the median spread of the
 * note's partials up to the 12th that are not multiples of k, so a caller can ask for steady
 * partials (a vibrato spreads every partial). Only partials traced to the note count, and none
 * that a partial of another note in `others` lies within 60 cents of. `multiples` is how many
 * multiples were measured.
 */
export function spreadLift(
  partials: readonly Partial[],
  note: FoundNote,
  k: number,
  others: readonly FoundNote[],
  spread: (hz: number) => number,
): { lift: number; own: number; multiples: number } {
  const shared = (hz: number): boolean =>
    others.some((o) => {
      const m = Math.round(hz / o.f0);
      for (let j = Math.max(1, m - 1); j <= m + 1; j++)
        if (Math.abs(1200 * Math.log2(stiffPartialHz(o.f0, o.b, j) / hz)) < 60) return true;
      return false;
    });
  const at = (h: number): number => {
    const m = note.matches.find((x) => x.h === h);
    if (!m) return Number.NaN;
    const hz = partials[m.p]!.frequency;
    return shared(hz) ? Number.NaN : spread(hz);
  };
  const lifts: number[] = [];
  for (let h = k; h <= 24; h += k) {
    const here = at(h);
    if (Number.isNaN(here)) continue;
    const around = [h - 1, h + 1]
      .filter((n) => n >= 1 && n % k !== 0)
      .map(at)
      .filter((x) => !Number.isNaN(x));
    if (around.length > 0) lifts.push(here - around.reduce((a, b) => a + b, 0) / around.length);
  }
  const own: number[] = [];
  for (let h = 1; h <= 12; h++) {
    const x = h % k !== 0 ? at(h) : Number.NaN;
    if (!Number.isNaN(x)) own.push(x);
  }
  return {
    lift: lifts.length > 0 ? median(lifts) : 0,
    own: own.length > 0 ? median(own) : Number.NaN,
    multiples: lifts.length,
  };
}

function median(values: readonly number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

/**
 * How far (cents) the partial at harmonic k of `note` lies off the series its other partials
 * follow, and how far those scatter: a second note at k, tuned on its own (a 12-TET major third
 * lies 14 cents above the 5th harmonic, a twelfth 2 cents below the 3rd), pulls the peak there
 * off the lower note's stiff-string series, while a partial of the note itself stays on it. The
 * series is refitted (`(f_h / h)² = f0² (1 + B h²)`, weighted by power) from the matched
 * partials up to the 16th that are not multiples of k; `scatter` is the RMS deviation (cents)
 * of those up to the 12th, `second` the deviation at 2k (NaN when not matched). Null when fewer
 * than 3 partials remain for the fit or harmonic k was not matched.
 */
export function seriesDeviation(
  partials: readonly Partial[],
  amps: Float64Array,
  note: FoundNote,
  k: number,
): { cents: number; second: number; scatter: number } | null {
  const own = note.matches.filter((m) => m.h <= 16 && m.h % k !== 0);
  const atK = note.matches.find((m) => m.h === k);
  if (own.length < 3 || !atK) return null;
  const { sw, sx, sy, sxx, sxy, det } = seriesSums(partials, own, (p) => amps[p]! ** 2 + 1e-24);
  const slope = det > 1e-12 * sw * sxx ? (sw * sxy - sx * sy) / det : 0;
  const icpt = (sy - slope * sx) / sw;
  if (!(icpt > 0)) return null;
  const predicted = (h: number): number => h * Math.sqrt(icpt + slope * h * h);
  const off = (h: number, p: number): number => 1200 * Math.log2(partials[p]!.frequency / predicted(h));
  let ss = 0;
  let n = 0;
  for (const { h, p } of own) {
    if (h > 12) continue;
    ss += off(h, p) ** 2;
    n++;
  }
  const at2k = note.matches.find((m) => m.h === 2 * k);
  return {
    cents: off(k, atK.p),
    second: at2k ? off(2 * k, at2k.p) : Number.NaN,
    scatter: Math.sqrt(ss / Math.max(1, n)),
  };
}

/**
 * Weighted sums for the least-squares line (f_h / h)² = f0² + f0² B h² (a stiff string's
 * partials) over matched partials, each weighted by `weight(p)`; `det` is the system's
 * determinant (near 0 when the harmonics fitted are too few or too alike).
 */
export function seriesSums(
  partials: readonly Partial[],
  matches: readonly { h: number; p: number }[],
  weight: (p: number) => number,
): { sw: number; sx: number; sy: number; sxx: number; sxy: number; det: number } {
  let sw = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (const { h, p } of matches) {
    const w = weight(p);
    const x = h * h;
    const y = (partials[p]!.frequency / h) ** 2;
    sw += w;
    sx += w * x;
    sy += w * y;
    sxx += w * x * x;
    sxy += w * x * y;
  }
  return { sw, sx, sy, sxx, sxy, det: sw * sxx - sx * sx };
}
