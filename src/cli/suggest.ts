import { mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { invalid, OmniError } from '../errors.js';
import { parseFrequency as parseHarmonyFrequency } from '../harmony/notes.js';
import {
  applyFeedback,
  describeFeature,
  emptyProfile,
  type Profile,
  validateProfile,
} from '../harmony/profile.js';
import { type Goal, type Suggestion, type SuggestResponse, suggest } from '../harmony/recommend.js';
import { toOmniError, withOmniErrors } from '../harmony-bridge.js';
import { FileSink, ioError } from '../io/sinks.js';
import type { MixLayer } from '../render/build.js';
import { parseDuration, parseNumber } from '../render/values.js';
import { printSuggestTable } from './suggest-table.js';

/** Highest frequency accepted (Nyquist of the default 48 kHz rate). */
const NYQUIST = 24000;
const GOALS = ['consonant', 'tension', 'binaural'] as const;
const TUNINGS = ['just', '12tet', 'pythagorean'] as const;

/** One frequency or note for `suggest`, in Hz, checked against Nyquist. */
function frequencyOf(text: string, a4: number, field: string): number {
  let hz: number;
  try {
    const khz = /^\s*(\d+(?:\.\d*)?|\.\d+)\s*khz\s*$/i.exec(text); // as tone and mix accept
    hz = khz ? Number(khz[1]) * 1000 : parseHarmonyFrequency(text, a4);
  } catch (e) {
    const err = toOmniError(e);
    if (err instanceof OmniError)
      throw new OmniError(err.code, `${field}: ${err.message}`, {
        field,
        ...(err.hint ? { hint: err.hint } : {}),
      });
    throw err;
  }
  if (!(hz > 0) || hz >= NYQUIST) {
    throw invalid('BAD_FREQUENCY', `${field}: must be > 0 and < ${NYQUIST} (Nyquist), got ${text}`, field);
  }
  return hz;
}

/**
 * `--range lo..hi` in Hz or notes, e.g. `100..2000`, `C3..C6`.
 * @example parseRange('C3..C6', 440) // [130.81, 1046.5]
 */
export function parseRange(text: string, a4: number): [number, number] {
  const parts = text.split('..');
  if (parts.length !== 2 || !parts[0]!.trim() || !parts[1]!.trim()) {
    throw invalid(
      'BAD_VALUE',
      `--range: must be lo..hi (Hz or notes, e.g. 100..2000 or C3..C6), got ${text}`,
      'range',
    );
  }
  const lo = frequencyOf(parts[0]!, a4, '--range');
  const hi = frequencyOf(parts[1]!, a4, '--range');
  if (!(hi > lo))
    throw invalid('BAD_VALUE', `--range: the low end must be below the high end, got ${text}`, 'range');
  return [lo, hi];
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], option: string): T {
  const v = String(value).toLowerCase();
  if (!allowed.includes(v as T)) {
    throw invalid(
      'BAD_VALUE',
      `${option}: must be ${allowed.join(', ')}; got ${String(value)}`,
      option.replace(/^-+/, ''),
    );
  }
  return v as T;
}

/** Rank of --like/--dislike: 1..count. */
function rankOf(value: unknown, option: string, count: number): number | undefined {
  if (value === undefined) return undefined;
  const r = Number(String(value).trim());
  if (!Number.isInteger(r) || r < 1 || r > count) {
    throw invalid(
      'BAD_VALUE',
      `${option}: must be the rank of a shown suggestion, 1 to ${count}, got ${String(value)}`,
      option.replace(/^-+/, ''),
      count < 50 ? 'ranks count from 1 in the table; -n shows more suggestions' : undefined,
    );
  }
  return r;
}

/** Default profile file: $XDG_CONFIG_HOME/omnisonic/profile.json, else ~/.config/omnisonic/profile.json. */
export function defaultProfilePath(): string {
  const xdg = process.env.XDG_CONFIG_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(process.env.HOME || homedir(), '.config');
  return join(base, 'omnisonic', 'profile.json');
}

/** Reads a profile file; undefined when there is none. */
export function loadProfile(path: string): Profile | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw ioError(e, path, 'read');
  }
  const hint = 'fix or delete it, or start over with --reset-profile';
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new OmniError('BAD_VALUE', `${path}: the profile is not valid JSON`, { field: 'profile', hint });
  }
  try {
    return validateProfile(json);
  } catch (e) {
    throw new OmniError('BAD_VALUE', `${path}: ${(e as Error).message}`, { field: 'profile', hint });
  }
}

/** Writes a profile atomically (temporary file in the same folder, then rename). */
export async function saveProfile(path: string, profile: Profile, makeFolder: boolean): Promise<void> {
  if (makeFolder) {
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (e) {
      throw ioError(e, dirname(path), 'create');
    }
  }
  const sink = new FileSink(path);
  try {
    sink.write(new TextEncoder().encode(`${JSON.stringify(profile, null, 2)}\n`));
    await sink.finish();
  } catch (e) {
    await sink.abort();
    throw e;
  }
}

/** What a like or dislike taught the profile, in words. */
function learned(s: Suggestion, rank: number, rating: number, profile: Profile, path: string): string {
  const words = s.features.map(describeFeature);
  const verb = rating > 0 ? 'liked' : 'disliked';
  const tilt = rating > 0 ? 'favours' : 'avoids';
  return `${verb} #${rank} ${s.note} (${s.band ? `${s.band} ${s.beat} Hz beat` : s.interval}): the profile now ${tilt} ${words.join(', ')} (${profile.likes} like(s), ${profile.dislikes} dislike(s); ${path})\n`;
}

/** The audition of the input plus the top suggestion (binaural: left and right ear tones). */
async function renderAudition(result: SuggestResponse, target: string, duration: number): Promise<void> {
  const top = result.suggestions[0];
  if (!top) throw new OmniError('BAD_VALUE', '--render: there is no suggestion to render');
  const layers: MixLayer[] = result.input.frequencies.map((freq) => ({ kind: 'tone', freq }));
  if (top.left !== undefined && top.right !== undefined) {
    layers.push({ kind: 'tone', freq: top.left, pan: -1 }, { kind: 'tone', freq: top.right, pan: 1 });
  } else layers.push({ kind: 'tone', freq: top.frequency });
  const [{ mixScene }, { sceneChannels }, { outputPlanOf }, { runScene }] = await Promise.all([
    import('../render/build.js'),
    import('../render/engine.js'),
    import('./options.js'),
    import('./run.js'),
  ]);
  const scene = mixScene(layers, { duration, fadeIn: 0.05, fadeOut: 0.2 });
  await runScene(scene, outputPlanOf({ output: target }, sceneChannels(scene), 0x5eed));
}

/** `omnisonic suggest <freq|note...>` */
export async function runSuggest(texts: string[], opts: Record<string, unknown>): Promise<void> {
  const a4 = parseNumber(String(opts.a4 ?? '440'), '--a4', 200, 1000);
  const count = parseNumber(String(opts.count ?? '5'), '-n/--count', 1, 50);
  if (!Number.isInteger(count))
    throw invalid('BAD_VALUE', `-n/--count: must be a whole number from 1 to 50, got ${opts.count}`, 'count');
  const goal: Goal = oneOf(opts.goal ?? 'consonant', GOALS, '--goal');
  const tuning = oneOf(opts.tuning ?? 'just', TUNINGS, '--tuning');
  const range = opts.range === undefined ? undefined : parseRange(String(opts.range), a4);
  const like = rankOf(opts.like, '--like', count);
  const dislike = rankOf(opts.dislike, '--dislike', count);
  if (like !== undefined && like === dislike)
    throw invalid('BAD_USAGE', '--like and --dislike name the same rank', 'like');
  const renderTo = opts.render as string | undefined;
  if (renderTo === '') throw invalid('BAD_USAGE', '--render: empty file name', 'render');
  if (renderTo === '-' && opts.json)
    throw invalid('BAD_USAGE', '--render - and --json both want stdout', 'render');
  const midiTo = opts.midi === undefined ? undefined : String(opts.midi);
  if (midiTo === '') throw invalid('BAD_USAGE', '--midi: empty file name', 'midi');
  if (midiTo === '-' && opts.json)
    throw invalid(
      'BAD_USAGE',
      '--midi - and --json both want stdout',
      'midi',
      'write the MIDI file to a file',
    );
  if (midiTo === '-' && renderTo === '-')
    throw invalid('BAD_USAGE', '--midi - and --render - both want stdout', 'midi');
  const renderSeconds = parseDuration(String(opts.duration ?? '4'), '-d/--duration', false);
  if (opts.from !== undefined && texts.length > 0) {
    throw invalid('BAD_USAGE', 'give notes or --from <audio file>, not both', 'from');
  }
  const profilePath = (opts.profile as string | undefined) ?? defaultProfilePath();
  const isDefaultProfile = opts.profile === undefined;
  const reset = Boolean(opts.resetProfile);
  if (texts.length === 0 && opts.from === undefined) {
    if (reset) {
      await saveProfile(profilePath, emptyProfile(), isDefaultProfile);
      process.stderr.write(`profile reset: ${profilePath}\n`);
      return;
    }
    throw invalid(
      'BAD_USAGE',
      'give one or more notes (e.g. C4 E4) or --from <audio file>',
      'freq',
      'omnisonic suggest --help shows examples',
    );
  }

  let frequencies: number[];
  let fromChord: string | undefined;
  if (opts.from !== undefined) {
    const { analyzeFile } = await import('./analyze.js');
    const analysis = await analyzeFile(String(opts.from), { a4 });
    if (analysis.notes.length === 0)
      throw new OmniError('BAD_AUDIO', `${opts.from}: no notes found to suggest from`);
    frequencies = analysis.notes.map((n) => n.frequency).slice(0, 16);
    fromChord = analysis.chord ? `${opts.from}: ${analysis.chord.name}` : String(opts.from);
  } else {
    frequencies = texts.map((t, i) => frequencyOf(t, a4, texts.length > 1 ? `note ${i + 1}` : 'frequency'));
  }

  let profile = reset ? undefined : loadProfile(profilePath);
  const ask = () =>
    withOmniErrors(() =>
      suggest({
        frequencies,
        count,
        goal,
        tuning,
        a4,
        ...(range ? { range } : {}),
        ...(profile ? { profile } : {}),
      }),
    );
  let result = ask();
  if (reset || like !== undefined || dislike !== undefined) {
    let next = emptyProfile();
    if (!reset && profile) next = profile;
    const notes: string[] = [];
    for (const [rank, rating] of [
      [like, 1],
      [dislike, -1],
    ] as const) {
      if (rank === undefined) continue;
      const s = result.suggestions[rank - 1];
      if (!s)
        throw invalid(
          'BAD_VALUE',
          `rank ${rank}: only ${result.suggestions.length} suggestion(s) were found`,
          'rank',
        );
      next = withOmniErrors(() => applyFeedback(next, s.id, rating));
      notes.push(learned(s, rank, rating, next, profilePath));
    }
    await saveProfile(profilePath, next, isDefaultProfile);
    if (reset) process.stderr.write(`profile reset: ${profilePath}\n`);
    for (const n of notes) process.stderr.write(n);
    profile = next;
    if (notes.length > 0) result = ask(); // re-ranked with what was just learned
  }

  if (opts.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else
    await printSuggestTable(
      result,
      { goal, tuning, a4, ...(fromChord ? { from: fromChord } : {}) },
      renderTo === '-' || midiTo === '-' ? process.stderr : process.stdout,
    );
  if (midiTo !== undefined) {
    const { writeSuggestionMidi } = await import('../midi/export.js');
    await writeSuggestionMidi(midiTo, result.input, result.suggestions, { a4 });
  }
  if (renderTo !== undefined) await renderAudition(result, renderTo, renderSeconds);
}
