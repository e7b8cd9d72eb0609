import { invalid } from '../errors.js';
import { FileSink, StdoutSink } from '../io/sinks.js';
import { midiToHz } from '../render/values.js';
import { tempoEvent, type WriteEvent, writeMidi } from './write.js';

/** Options of {@link suggestionMidi}. */
export interface SuggestionMidiOptions {
  /** Reference pitch of A4, Hz (default 440). */
  a4?: number;
  /** Length of each step (the chord, then the chord plus each suggestion), seconds (default 2). */
  stepSec?: number;
  /** GM program of every note (default 0, piano). */
  program?: number;
  /** Note velocity 1-127 (default 90). */
  velocity?: number;
}

/** A suggested note; a binaural one has a frequency for each ear. */
export interface SuggestionNote {
  frequency: number;
  left?: number;
  right?: number;
}

/** Pitch bend range written to every channel with RPN 0, semitones. */
export const EXPORT_BEND_RANGE = 2;
const TPQ = 480;
const BPM = 120;
const TICKS_PER_SEC = (TPQ * BPM) / 60;
const CENTRE = 8192;
/** Melodic channels, 0-based: all but 10 (percussion). */
const CHANNELS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15];

/** The nearest MIDI key of a frequency and the 14-bit pitch bend that reaches it (±2 semitones). */
export function keyAndBend(hz: number, a4 = 440): { key: number; bend: number; cents: number } {
  if (!(hz > 0) || !Number.isFinite(hz))
    throw invalid('BAD_FREQUENCY', `midi export: frequency must be > 0, got ${hz}`);
  const exact = 69 + 12 * Math.log2(hz / a4);
  const key = Math.round(exact);
  if (key < 0 || key > 127) {
    throw invalid(
      'BAD_FREQUENCY',
      `midi export: ${hz.toFixed(2)} Hz is outside the MIDI note range (${midiToHz(0, a4).toFixed(2)} to ${midiToHz(127, a4).toFixed(0)} Hz)`,
    );
  }
  const cents = (exact - key) * 100;
  const bend = Math.max(0, Math.min(16383, Math.round(CENTRE + (cents / (100 * EXPORT_BEND_RANGE)) * 8192)));
  return { key, bend: Math.abs(cents) < 0.5 ? CENTRE : bend, cents };
}

/**
 * A short Standard MIDI File (format 0, 120 BPM) of harmonic suggestions: the input chord, then
 * the chord with each suggestion added in turn. Notes off 12-TET get a pitch bend; notes whose
 * bends differ go to different channels (never channel 10), each set to a ±2 semitone bend range.
 * @example
 * const bytes = suggestionMidi({ frequencies: [261.63, 329.63] }, [{ frequency: 392 }, { frequency: 436 }]);
 */
export function suggestionMidi(
  input: { frequencies: number[] },
  suggestions: SuggestionNote[],
  opts: SuggestionMidiOptions = {},
): Uint8Array {
  const a4 = opts.a4 ?? 440;
  const step = Math.round((opts.stepSec ?? 2) * TICKS_PER_SEC);
  const velocity = Math.max(1, Math.min(127, Math.round(opts.velocity ?? 90)));
  const program = Math.max(0, Math.min(127, Math.round(opts.program ?? 0)));
  if (input.frequencies.length === 0) throw invalid('BAD_USAGE', 'midi export: the input chord is empty');
  if (step < 1) throw invalid('BAD_VALUE', 'midi export: the step is too short');
  const chord = input.frequencies.map((f) => keyAndBend(f, a4));
  const extra = suggestions.map((s) => keyAndBend(s.frequency, a4));
  const ears = suggestions.map((s) =>
    s.left !== undefined && s.right !== undefined
      ? { left: keyAndBend(s.left, a4), right: keyAndBend(s.right, a4) }
      : undefined,
  );

  // one channel per distinct bend of the chord; suggestions share a chord channel with the same
  // bend, else take turns on the spare channels (so a release never hears the next bend)
  const bendChannel = new Map<number, number>();
  for (const n of chord) {
    if (!bendChannel.has(n.bend)) {
      const ch = CHANNELS[bendChannel.size];
      if (ch === undefined)
        throw invalid('BAD_VALUE', 'midi export: more than 15 differently tuned notes in the chord');
      bendChannel.set(n.bend, ch);
    }
  }
  const spare = CHANNELS.slice(bendChannel.size);
  const used = new Set<number>(bendChannel.values());
  const binaural = ears.some((e) => e !== undefined);
  if (binaural && spare.length < 4)
    throw invalid(
      'BAD_VALUE',
      'midi export: a binaural step needs 4 free channels; the chord takes too many',
    );
  const pans = new Map<number, number>();
  const plain = binaural ? spare.slice(4) : spare;
  const events: WriteEvent[] = [
    tempoEvent(0, BPM),
    { tick: 0, meta: 0x03, data: ascii('OmniSonic suggestions') },
  ];
  const noteOn = (tick: number, ch: number, key: number, len: number) => {
    events.push(
      { tick, bytes: [0x90 | ch, key, velocity] },
      { tick: tick + len, bytes: [0x80 | ch, key, 0] },
    );
  };
  const len = Math.max(1, Math.round(step * 0.9));
  const steps = [undefined, ...extra];
  steps.forEach((s, i) => {
    const tick = i * step;
    events.push({
      tick,
      meta: 0x06,
      data: ascii(i === 0 ? 'input' : stepName(suggestions[i - 1]!)),
    });
    for (const [bend, ch] of bendChannel) if (i === 0) events.push(bendEvent(tick, ch, bend));
    for (const n of chord) noteOn(tick, bendChannel.get(n.bend)!, n.key, len);
    const ear = ears[i - 1];
    if (ear) {
      // each ear on its own channel, panned hard left and right, bent to its exact frequency
      const pair = ((i - 1) % 2) * 2;
      for (const [n, ch, pan] of [
        [ear.left, spare[pair]!, 0],
        [ear.right, spare[pair + 1]!, 127],
      ] as const) {
        used.add(ch);
        pans.set(ch, pan);
        events.push(bendEvent(tick, ch, n.bend));
        noteOn(tick, ch, n.key, len);
      }
    } else if (s) {
      let ch = bendChannel.get(s.bend);
      if (ch === undefined) {
        ch = plain.length > 0 ? plain[(i - 1) % Math.min(2, plain.length)]! : CHANNELS[0]!;
        used.add(ch);
        events.push(bendEvent(tick, ch, s.bend));
      }
      noteOn(tick, ch, s.key, len);
    }
  });
  const setup: WriteEvent[] = [];
  for (const ch of [...used].sort((a, b) => a - b)) {
    const cc = (n: number, v: number) => setup.push({ tick: 0, bytes: [0xb0 | ch, n, v] });
    cc(101, 0);
    cc(100, 0);
    cc(6, EXPORT_BEND_RANGE);
    cc(38, 0);
    cc(101, 127);
    cc(100, 127);
    const pan = pans.get(ch);
    if (pan !== undefined) cc(10, pan);
    setup.push({ tick: 0, bytes: [0xc0 | ch, program] });
  }
  return writeMidi({
    format: 0,
    ticksPerQuarter: TPQ,
    tracks: [[...events.slice(0, 2), ...setup, ...events.slice(2)]],
  });
}

/**
 * `omnisonic suggest ... --midi out.mid`: write {@link suggestionMidi} to `path` ('-' for
 * stdout), atomically (a temporary file renamed when complete).
 * @example await writeSuggestionMidi('out.mid', { frequencies: [220] }, [{ frequency: 330 }], {})
 */
export async function writeSuggestionMidi(
  path: string,
  input: { frequencies: number[] },
  suggestions: SuggestionNote[],
  opts: SuggestionMidiOptions = {},
): Promise<void> {
  const bytes = suggestionMidi(input, suggestions, opts);
  const sink = path === '-' ? new StdoutSink() : new FileSink(path);
  try {
    await sink.write(bytes);
    await sink.finish();
  } catch (e) {
    await sink.abort();
    throw e;
  }
}

function stepName(s: SuggestionNote): string {
  if (s.left !== undefined && s.right !== undefined)
    return `+ left ${s.left.toFixed(2)} Hz, right ${s.right.toFixed(2)} Hz`;
  return `+ ${s.frequency.toFixed(2)} Hz`;
}

function bendEvent(tick: number, ch: number, bend: number): WriteEvent {
  return { tick, bytes: [0xe0 | ch, bend & 0x7f, bend >> 7] };
}

function ascii(s: string): number[] {
  return Array.from(s, (c) => c.charCodeAt(0) & 0x7f);
}
