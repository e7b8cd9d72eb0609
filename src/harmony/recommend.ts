/**
 * Harmonic suggestions: which note to add to a chord. Candidates (see `candidates.ts`) are
 * scored by the consonance of the chord they would make (or its tension), adjusted by the
 * adaptive profile, ranked, thinned out so that no two suggestions are near-duplicates, and
 * explained in plain language. The result has the JSON shape of `omnisonic suggest --json`
 * and `POST /ai/suggest-frequencies/`.
 */

import { spellingForFrequencies } from './analysis/key.js';
import { suggestBinaural } from './binaural.js';
import { buildCandidates, type Candidate, describeRelation } from './candidates.js';
import { nameChordHz, type Spelling } from './chords.js';
import { type ConsonanceResult, combine, consonance, modelValues, scoreToConsonance } from './consonance.js';
import { HarmonyError } from './errors.js';
import { intervalClassSymbol, intervalName as intervalNameOf, justRatio } from './intervals.js';
import { DEFAULT_A4, nearestNote, parseFrequency, type Tuning } from './notes.js';
import { encodeSuggestionId, explainProfile, type Profile, profileShift } from './profile.js';
import { formatRatio, tenneyHeight } from './ratio.js';

/** What the suggestions should achieve. */
export type Goal = 'consonant' | 'tension' | 'binaural';

/** A suggest request (the body of `POST /ai/suggest-frequencies/`, plus library options). */
export interface SuggestRequest {
  /** Input notes: Hz numbers, or strings such as `440`, `440hz`, `A4`, `C#5`, `A4+15c`. */
  readonly frequencies: ReadonlyArray<number | string>;
  /** Number of suggestions, 1..50 (default 5). */
  readonly count?: number;
  /** Frequency range of suggestions in Hz (default: lowest input / 2 to highest input * 2). */
  readonly range?: readonly [number, number];
  /** Tuning of the candidates (default `just`). */
  readonly tuning?: Tuning;
  /** Goal (default `consonant`). */
  readonly goal?: Goal;
  /** Adaptive profile that shifts the ranking. */
  readonly profile?: Profile;
  /** Reference pitch for note names (default 440). */
  readonly a4?: number;
}

/** One suggestion. */
export interface Suggestion {
  /** Stable id (base64url of goal, frequency and features) for feedback. */
  readonly id: string;
  readonly frequency: number;
  /** Nearest 12-TET note with cents, e.g. `E4-14c`. */
  readonly note: string;
  /** Deviation from that note in cents. */
  readonly cents: number;
  /** Ratio to the root (the lowest input note), e.g. `3/2`. */
  readonly ratio: string;
  /** Interval name relative to the root, e.g. `perfect fifth`. */
  readonly interval: string;
  /** 0..1, higher = better for the goal. */
  readonly score: number;
  /** Plain-language reasons, most important first. */
  readonly reasons: string[];
  /** Features the profile learns from (also encoded in the id). */
  readonly features: string[];
  /** Candidate source: just, pythagorean, harmonic, undertone, 12tet or binaural. */
  readonly source: string;
  /** Binaural only: beat frequency, band and the two ear frequencies. */
  readonly beat?: number;
  readonly band?: string;
  readonly left?: number;
  readonly right?: number;
}

/** A suggest response. */
export interface SuggestResponse {
  readonly input: {
    readonly frequencies: number[];
    readonly notes: string[];
    readonly consonance: number;
    readonly roughness: number;
    readonly harmonicity: number;
  };
  readonly suggestions: Suggestion[];
}

const round = (v: number, digits: number): number => Math.round(v * 10 ** digits) / 10 ** digits;
const GOALS: readonly Goal[] = ['consonant', 'tension', 'binaural'];
const TUNINGS: readonly Tuning[] = ['just', '12tet', 'pythagorean'];

/** Validates a request and parses its frequencies. */
/** Lowest and highest frequency the engine suggests around or for, Hz (inputs and `range`). */
export const MIN_HZ = 1;
export const MAX_HZ = 100_000;

function normalise(req: SuggestRequest) {
  const a4 = req.a4 ?? DEFAULT_A4;
  if (!Array.isArray(req.frequencies) || req.frequencies.length === 0) {
    throw new HarmonyError('EMPTY_CHORD', 'give at least one frequency or note', 'frequencies');
  }
  if (req.frequencies.length > 16) {
    throw new HarmonyError(
      'TOO_MANY_NOTES',
      `at most 16 input notes, got ${req.frequencies.length}`,
      'frequencies',
    );
  }
  const freqs = req.frequencies.map((f) => parseFrequency(f, a4));
  for (const f of freqs) {
    if (f < MIN_HZ || f > MAX_HZ) {
      throw new HarmonyError(
        'BAD_FREQUENCY',
        `input frequencies must be from ${MIN_HZ} Hz to ${MAX_HZ} Hz, got ${f} Hz`,
        'frequencies',
      );
    }
  }
  const count = req.count ?? 5;
  if (!Number.isInteger(count) || count < 1 || count > 50) {
    throw new HarmonyError('BAD_OPTION', `count must be an integer from 1 to 50, got ${count}`, 'count');
  }
  const goal = req.goal ?? 'consonant';
  if (!GOALS.includes(goal))
    throw new HarmonyError('BAD_OPTION', `goal must be one of ${GOALS.join(', ')}`, 'goal');
  const tuning = req.tuning ?? 'just';
  if (!TUNINGS.includes(tuning)) {
    throw new HarmonyError('BAD_OPTION', `tuning must be one of ${TUNINGS.join(', ')}`, 'tuning');
  }
  const lowest = Math.min(...freqs);
  const highest = Math.max(...freqs);
  const range = req.range ?? [Math.max(MIN_HZ, lowest / 2), Math.min(MAX_HZ, highest * 2)];
  if (!(range[0] >= MIN_HZ && range[1] > range[0] && range[1] <= MAX_HZ)) {
    throw new HarmonyError(
      'BAD_OPTION',
      `range must be lo..hi with ${MIN_HZ} <= lo < hi <= ${MAX_HZ} Hz, got ${range[0]}..${range[1]}`,
      'range',
    );
  }
  return { a4, freqs, count, goal, tuning, range: [range[0], range[1]] as [number, number], root: lowest };
}

interface Scored {
  readonly candidate: Candidate;
  readonly features: string[];
  readonly base: number;
  readonly score: number;
  readonly roughness: number;
}

function complexity(h: number): string {
  return h <= 3.6 ? 'cx:simple' : h <= 5.5 ? 'cx:moderate' : 'cx:complex';
}

function register(hz: number): string {
  return hz < 130 ? 'reg:bass' : hz < 400 ? 'reg:low' : hz < 1200 ? 'reg:mid' : 'reg:high';
}

function roughnessClass(r: number): string {
  return r < 0.1 ? 'rough:smooth' : r < 0.25 ? 'rough:medium' : 'rough:rough';
}

/** Score of a chord for a goal, 0..1: consonance, or musical tension (rough, less periodic, still tonal). */
function goalScore(values: ReturnType<typeof modelValues>, goal: Goal): number {
  const { score, components } = combine(values);
  if (goal !== 'tension') return scoreToConsonance(score);
  const sensory = (components.interference + components.periodicity) / 2;
  return 1 / (1 + Math.exp(-1.702 * (-sensory + 0.5 * components.familiarity)));
}

function scoreCandidates(
  freqs: number[],
  root: number,
  cands: Candidate[],
  goal: Goal,
  profile?: Profile,
): Scored[] {
  const chord = [...freqs, 0];
  return cands.map((candidate) => {
    chord[chord.length - 1] = candidate.frequency;
    const values = modelValues(chord);
    const base = goalScore(values, goal);
    const semis = 12 * Math.log2(candidate.frequency / root);
    const height = candidate.ratio
      ? tenneyHeight(candidate.ratio)
      : justRatio(candidate.frequency / root).tenney;
    const features = [
      `ic:${intervalClassSymbol(semis)}`,
      complexity(height),
      register(candidate.frequency),
      roughnessClass(values.roughness),
    ];
    const score = Math.max(0, Math.min(1, base + profileShift(profile, features)));
    return { candidate, features, base, score, roughness: values.roughness };
  });
}

/**
 * Greedy diverse top-n. Pass 1 takes only new pitch classes (none of the inputs', none already
 * picked); pass 2 allows octave doublings; no two picks are ever within 25 cents.
 */
export function pickDiverse<T extends { score: number; candidate: { frequency: number } }>(
  items: T[],
  n: number,
  inputsHz: readonly number[] = [],
): T[] {
  const sorted = [...items].sort(
    (a, b) => b.score - a.score || a.candidate.frequency - b.candidate.frequency,
  );
  const picked: T[] = [];
  const samePc = (a: number, b: number): boolean => {
    const pc = (((1200 * Math.log2(a / b)) % 1200) + 1200) % 1200;
    return pc < 25 || pc > 1175;
  };
  for (const strict of [true, false]) {
    for (const s of sorted) {
      if (picked.length >= n) return picked;
      if (picked.includes(s)) continue;
      const f = s.candidate.frequency;
      if (picked.some((p) => Math.abs(1200 * Math.log2(f / p.candidate.frequency)) < 25)) continue;
      if (
        strict &&
        (picked.some((p) => samePc(f, p.candidate.frequency)) || inputsHz.some((x) => samePc(f, x)))
      )
        continue;
      picked.push(s);
    }
  }
  return picked;
}

function reasonsFor(
  s: Scored,
  freqs: number[],
  root: number,
  goal: Goal,
  before: ConsonanceResult,
  a4: number,
  profile?: Profile,
  spelling: Spelling = 'sharps',
): string[] {
  const c = s.candidate;
  const rootLabel = nearestNote(root, a4, spelling === 'flats').label;
  const semis = 12 * Math.log2(c.frequency / root);
  const j = justRatio(c.frequency / root);
  const justText =
    Math.abs(j.errorCents) < 0.5
      ? `exactly ${formatRatio(j.ratio)}`
      : `${Math.abs(j.errorCents).toFixed(1)} cents ${j.errorCents > 0 ? 'wide of' : 'narrow of'} the pure ${formatRatio(j.ratio)}`;
  const reasons = [describeRelation(c, rootLabel, semis, justText)];
  const chord = [...freqs, c.frequency];
  const name = nameChordHz(chord, a4, spelling);
  if (name && name.quality !== 'unknown' && name.quality !== 'note')
    reasons.push(`together they make ${name.symbol} (${name.name})`);
  const after = consonance(chord);
  const dRough = after.roughness - before.roughness;
  if (goal === 'tension') {
    const nearest = freqs.reduce((a, b) =>
      Math.abs(Math.log2(b / c.frequency)) < Math.abs(Math.log2(a / c.frequency)) ? b : a,
    );
    const gap = Math.abs(12 * Math.log2(c.frequency / nearest));
    if (gap < 2.5)
      reasons.push(
        `clashes with ${nearestNote(nearest, a4).label}, ${gap.toFixed(1)} semitones away: beating at about ${Math.abs(c.frequency - nearest).toFixed(1)} Hz`,
      );
    reasons.push(
      `raises roughness from ${before.roughness.toFixed(3)} to ${after.roughness.toFixed(3)}; consonance falls to ${after.consonance.toFixed(2)}`,
    );
    if (after.tonalDissonance <= 4)
      reasons.push(
        'still fits a common scale, so it sounds like tension that wants to resolve rather than a wrong note',
      );
  } else {
    reasons.push(
      dRough < 0.02
        ? 'adds almost no roughness: its partials stay clear of the others\u2019 critical bands'
        : `adds some roughness (${before.roughness.toFixed(3)} \u2192 ${after.roughness.toFixed(3)})`,
    );
    if (after.components.periodicity > 0.5)
      reasons.push('the chord still fits a single harmonic series (high harmonicity)');
    if (after.tonalDissonance === 1)
      reasons.push(
        'familiar: every note lies in one major scale and the chord is consistent with a major triad',
      );
  }
  reasons.push(...explainProfile(profile, s.features));
  return reasons;
}

/**
 * Suggests notes to add to a chord (or binaural beats), ranked and explained.
 *
 * @throws HarmonyError for empty or bad frequencies, bad count, range, goal or tuning
 * @example suggest({ frequencies: ['C4', 'E4'], count: 3 }).suggestions[0].interval // 'perfect fifth'
 */
export function suggest(req: SuggestRequest): SuggestResponse {
  const { a4, freqs, count, goal, tuning, range, root } = normalise(req);
  const before = consonance(freqs);
  // one spelling for the whole answer, from the key the input notes suggest
  const spelling = spellingForFrequencies(freqs, a4);
  const flats = spelling === 'flats';
  const input = {
    frequencies: freqs.map((f) => round(f, 3)),
    notes: freqs.map((f) => nearestNote(f, a4, flats).label),
    consonance: round(before.consonance, 4),
    roughness: round(before.roughness, 6),
    harmonicity: round(before.harmonicity, 6),
  };
  if (goal === 'binaural')
    return { input, suggestions: suggestBinaural(freqs, count, range, a4, req.profile) };
  const cands = buildCandidates(root, freqs, range, tuning, a4);
  const top = pickDiverse(scoreCandidates(freqs, root, cands, goal, req.profile), count, freqs);
  const suggestions = top.map((s): Suggestion => {
    const c = s.candidate;
    const near = nearestNote(c.frequency, a4, flats);
    const ratio = c.ratio ?? justRatio(c.frequency / root).ratio;
    const semis = 12 * Math.log2(c.frequency / root);
    return {
      id: encodeSuggestionId({ goal, frequency: c.frequency, features: s.features }),
      frequency: round(c.frequency, 3),
      note: near.label,
      cents: round(near.cents, 1),
      ratio: c.ratio || c.frequency >= root ? formatRatio(ratio) : `${ratio.den}/${ratio.num}`,
      interval: intervalNameSigned(semis),
      score: round(s.score, 4),
      reasons: reasonsFor(s, freqs, root, goal, before, a4, req.profile, spelling),
      features: s.features,
      source: c.source,
    };
  });
  return { input, suggestions };
}

function intervalNameSigned(semis: number): string {
  const r = Math.round(semis);
  const name = intervalNameOf(Math.abs(r));
  return r < 0 ? `${name} below` : name;
}
