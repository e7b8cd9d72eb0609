/**
 * The adaptive profile: bounded weights over one-hot features of a suggestion (interval class,
 * ratio complexity, register, roughness, binaural band), learnt from likes and dislikes.
 * Pure data in and out; storing the profile is the caller's job.
 *
 * Update rule for a rating r in [-1, 1] and each active feature f:
 * `w[f] <- clamp((1 - DECAY) w[f] + RATE r, -1, 1)`. A suggestion's adjustment is
 * `MAX_SHIFT * mean(w[f] over its active features)`, so feedback can move a score by at
 * most ±{@link MAX_SHIFT}; weights never leave [-1, 1].
 */
import { HarmonyError } from './errors.js';

/** Learning rate per rating. */
export const RATE = 0.3;
/** Forgetting per update, so old preferences fade slowly. */
export const DECAY = 0.02;
/** Largest change of a suggestion score the profile can make. */
export const MAX_SHIFT = 0.15;

/** An adaptive preference profile (JSON-serialisable). */
export interface Profile {
  readonly version: 1;
  /** Feature key (e.g. `ic:P5`, `cx:simple`) to weight in [-1, 1]. */
  readonly weights: Readonly<Record<string, number>>;
  readonly likes: number;
  readonly dislikes: number;
}

/** A fresh profile with no preferences (also the result of a reset). */
export function emptyProfile(): Profile {
  return { version: 1, weights: {}, likes: 0, dislikes: 0 };
}

/** Alias of {@link emptyProfile}, for `--reset`-style commands. */
export const resetProfile = emptyProfile;

/**
 * Checks that an object (e.g. parsed from a profile file) is a valid profile.
 *
 * @throws HarmonyError `BAD_PROFILE`
 */
export function validateProfile(value: unknown): Profile {
  const bad = (why: string): never => {
    throw new HarmonyError('BAD_PROFILE', `invalid profile: ${why}`);
  };
  if (typeof value !== 'object' || value === null) return bad('not an object');
  const v = value as Record<string, unknown>;
  if (v.version !== 1) bad('version must be 1');
  if (typeof v.weights !== 'object' || v.weights === null || Array.isArray(v.weights))
    bad('weights must be an object');
  const weights: Record<string, number> = {};
  for (const [k, w] of Object.entries(v.weights as Record<string, unknown>)) {
    if (typeof w !== 'number' || !Number.isFinite(w) || w < -1 || w > 1)
      bad(`weight of "${k}" must be in [-1, 1]`);
    weights[k] = w as number;
  }
  const count = (x: unknown, name: string): number =>
    typeof x === 'number' && Number.isInteger(x) && x >= 0
      ? x
      : bad(`${name} must be a non-negative integer`);
  return { version: 1, weights, likes: count(v.likes, 'likes'), dislikes: count(v.dislikes, 'dislikes') };
}

/** Anything feedback can be given on: a suggestion id, or an object carrying `features`. */
export type FeedbackTarget = string | { readonly id?: string; readonly features?: readonly string[] };

/**
 * Learns from a rating of a suggestion: +1 like, -1 dislike (any value in [-1, 1] works).
 * Returns a new profile; the input is not modified.
 *
 * @throws HarmonyError `BAD_SUGGESTION_ID` for an undecodable id, `BAD_OPTION` for a bad rating
 * @example profile = applyFeedback(profile, result.suggestions[0].id, +1)
 */
export function applyFeedback(profile: Profile, target: FeedbackTarget, rating: number): Profile {
  if (!Number.isFinite(rating) || rating < -1 || rating > 1) {
    throw new HarmonyError('BAD_OPTION', `rating must be between -1 and 1, got ${rating}`, 'rating');
  }
  const features =
    typeof target === 'string'
      ? decodeSuggestionId(target).features
      : (target.features ?? (target.id ? decodeSuggestionId(target.id).features : []));
  const weights: Record<string, number> = { ...profile.weights };
  for (const f of features) {
    const w = (1 - DECAY) * (weights[f] ?? 0) + RATE * rating;
    weights[f] = Math.max(-1, Math.min(1, w));
  }
  return {
    version: 1,
    weights,
    likes: profile.likes + (rating > 0 ? 1 : 0),
    dislikes: profile.dislikes + (rating < 0 ? 1 : 0),
  };
}

/** The score adjustment a profile makes for some features, within ±{@link MAX_SHIFT}. */
export function profileShift(profile: Profile | undefined, features: readonly string[]): number {
  if (!profile || features.length === 0) return 0;
  let sum = 0;
  for (const f of features) sum += profile.weights[f] ?? 0;
  return (MAX_SHIFT * sum) / features.length;
}

const FEATURE_WORDS: Record<string, string> = {
  'cx:simple': 'simple ratios',
  'cx:moderate': 'moderately complex ratios',
  'cx:complex': 'complex ratios',
  'reg:bass': 'bass notes',
  'reg:low': 'low notes',
  'reg:mid': 'middle-register notes',
  'reg:high': 'high notes',
  'rough:smooth': 'smooth (beat-free) chords',
  'rough:medium': 'slightly rough chords',
  'rough:rough': 'rough, beating chords',
};

const IC_WORDS: Record<string, string> = {
  P1: 'octaves and unisons',
  m2: 'minor seconds',
  M2: 'major seconds',
  m3: 'minor thirds',
  M3: 'major thirds',
  P4: 'perfect fourths',
  TT: 'tritones',
  P5: 'perfect fifths',
  m6: 'minor sixths',
  M6: 'major sixths',
  m7: 'minor sevenths',
  M7: 'major sevenths',
};

/** Words for a feature key, e.g. `ic:P5` -> `perfect fifths`. */
export function describeFeature(key: string): string {
  const [kind, value = ''] = key.split(':');
  if (kind === 'ic') return IC_WORDS[value] ?? value;
  if (kind === 'band') return `${value} beats`;
  return FEATURE_WORDS[key] ?? key;
}

/** Plain-language reasons for the profile's effect on some features (strongest first). */
export function explainProfile(profile: Profile | undefined, features: readonly string[]): string[] {
  if (!profile) return [];
  return features
    .map((f) => [f, profile.weights[f] ?? 0] as const)
    .filter(([, w]) => Math.abs(w) >= 0.1)
    .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]))
    .map(
      ([f, w]) =>
        `your profile: you ${w > 0 ? 'liked' : 'disliked'} ${describeFeature(f)} before (${w > 0 ? 'raised' : 'lowered'} by ${((MAX_SHIFT * Math.abs(w)) / features.length).toFixed(3)})`,
    );
}

/** What a suggestion id encodes. */
export interface SuggestionKey {
  readonly goal: string;
  readonly frequency: number;
  readonly features: string[];
}

function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): string {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

/**
 * A stable id for a suggestion: base64url of its goal, frequency and features, so feedback by
 * id needs no server state. The same suggestion always gets the same id.
 */
export function encodeSuggestionId(key: SuggestionKey): string {
  return `s1.${toBase64Url(JSON.stringify([key.goal, Math.round(key.frequency * 1000) / 1000, key.features]))}`;
}

/**
 * Decodes an id made by {@link encodeSuggestionId}.
 *
 * @throws HarmonyError `BAD_SUGGESTION_ID`
 */
export function decodeSuggestionId(id: string): SuggestionKey {
  const fail = (): never => {
    throw new HarmonyError('BAD_SUGGESTION_ID', `not a suggestion id: "${id.slice(0, 40)}"`, 'id');
  };
  if (typeof id !== 'string' || !id.startsWith('s1.') || id.length > 2000) return fail();
  let data: unknown;
  try {
    data = JSON.parse(fromBase64Url(id.slice(3)));
  } catch {
    return fail();
  }
  if (!Array.isArray(data) || data.length !== 3) return fail();
  const [goal, frequency, features] = data as unknown[];
  if (typeof goal !== 'string' || typeof frequency !== 'number' || !Array.isArray(features)) return fail();
  if (!features.every((f) => typeof f === 'string' && f.length < 40)) return fail();
  return { goal, frequency, features: features as string[] };
}
