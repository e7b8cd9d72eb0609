/**
 * Note names, MIDI numbers and frequencies: 12-TET with any A4, just intonation and
 * Pythagorean tuning tables, and nearest-note naming with cents.
 */
import { HarmonyError } from './errors.js';
import { type Ratio, ratioValue } from './ratio.js';

/** A frequency in hertz. */
export type Hertz = number;
/** A pitch difference in cents (1/100 of a 12-TET semitone). */
export type Cents = number;
/** A tuning system for building intervals above a root. */
export type Tuning = '12tet' | 'just' | 'pythagorean';

/** The default reference pitch of A4. */
export const DEFAULT_A4: Hertz = 440;

/** Pitch-class names spelled with sharps, index = pitch class (C = 0). */
export const SHARP_NAMES = ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'] as const;
/** Pitch-class names spelled with flats, index = pitch class (C = 0). */
export const FLAT_NAMES = ['C', 'Db', 'D', 'Eb', 'E', 'F', 'Gb', 'G', 'Ab', 'A', 'Bb', 'B'] as const;

const LETTER_PC: Record<string, number> = { C: 0, D: 2, E: 4, F: 5, G: 7, A: 9, B: 11 };

const r = (num: number, den: number): Ratio => ({ num, den });

/** 5-limit just intonation: one ratio per semitone above the root (0..11). */
// biome-ignore format: keep the table readable
export const JUST_RATIOS: readonly Ratio[] = [
  r(1, 1), r(16, 15), r(9, 8), r(6, 5), r(5, 4), r(4, 3),
  r(45, 32), r(3, 2), r(8, 5), r(5, 3), r(9, 5), r(15, 8),
];

/** Pythagorean tuning (stacked pure fifths 3/2): one ratio per semitone above the root. */
// biome-ignore format: keep the table readable
export const PYTHAGOREAN_RATIOS: readonly Ratio[] = [
  r(1, 1), r(256, 243), r(9, 8), r(32, 27), r(81, 64), r(4, 3),
  r(729, 512), r(3, 2), r(128, 81), r(27, 16), r(16, 9), r(243, 128),
];

/** MIDI note number (may be fractional) to frequency. @example midiToHz(69) // 440 */
export function midiToHz(midi: number, a4: Hertz = DEFAULT_A4): Hertz {
  return a4 * 2 ** ((midi - 69) / 12);
}

/** Frequency to fractional MIDI note number. @example hzToMidi(261.6256) // ~60 */
export function hzToMidi(hz: Hertz, a4: Hertz = DEFAULT_A4): number {
  return 69 + 12 * Math.log2(hz / a4);
}

/** Cents from `fromHz` up to `toHz` (negative when `toHz` is lower). */
export function centsBetween(fromHz: Hertz, toHz: Hertz): Cents {
  return 1200 * Math.log2(toHz / fromHz);
}

const NOTE_RE = /^([A-Ga-g])(##|x|#|♯|bb|b|♭)?(-?\d{1,2})(?:\s*([+-]\s*\d+(?:\.\d+)?)\s*(?:c|ct|cents?))?$/;

/**
 * Parses a note name to a fractional MIDI number: `A4` = 69, `C#5`, `Bb3`, `Cx4` (double sharp),
 * `Ebb2`, `C-1` (MIDI 0) and cents offsets like `A4+15c` or `Bb3-30.5c`.
 *
 * @throws HarmonyError `BAD_NOTE` when the text is not a note name or is outside C-1..B9
 * @example parseNoteToMidi('A4+50c') // 69.5
 */
export function parseNoteToMidi(name: string): number {
  const text = name.trim();
  const m = NOTE_RE.exec(text);
  if (!m) {
    throw new HarmonyError('BAD_NOTE', `not a note name: "${name}" (expected e.g. A4, C#5, Bb3 or A4+15c)`);
  }
  const letter = m[1]!.toUpperCase();
  const acc = m[2] ?? '';
  const shift =
    acc === '##' || acc === 'x' ? 2 : acc === '#' || acc === '♯' ? 1 : acc === 'bb' ? -2 : acc ? -1 : 0;
  const octave = Number(m[3]);
  const cents = m[4] ? Number(m[4].replace(/\s+/g, '')) : 0;
  const midi = 12 * (octave + 1) + LETTER_PC[letter]! + shift + cents / 100;
  if (octave < -1 || octave > 9 || midi < -1 || midi > 132) {
    throw new HarmonyError('BAD_NOTE', `note out of range: "${name}" (octaves -1 to 9 are accepted)`);
  }
  if (Math.abs(cents) > 1200) {
    throw new HarmonyError('BAD_NOTE', `cents offset out of range in "${name}" (at most ±1200c)`);
  }
  return midi;
}

/**
 * Parses a note name (with optional cents) to a frequency in 12-TET with the given A4.
 *
 * @throws HarmonyError `BAD_NOTE` for unparsable or out-of-range names, `BAD_FREQUENCY` for a bad A4
 * @example parseNote('A4+15c', 440) // 443.82...
 */
export function parseNote(name: string, a4: Hertz = DEFAULT_A4): Hertz {
  checkA4(a4);
  return midiToHz(parseNoteToMidi(name), a4);
}

/**
 * Parses a frequency given as hertz (`440`, `440hz`, `27.5 Hz`) or as a note name (`A4`, `C#5`,
 * `A4+15c`).
 *
 * @throws HarmonyError `BAD_FREQUENCY` for zero, negative or non-finite values, `BAD_NOTE` for bad names
 * @example parseFrequency('440hz') // 440
 */
export function parseFrequency(text: string | number, a4: Hertz = DEFAULT_A4): Hertz {
  if (typeof text === 'number') return checkHz(text, String(text));
  const t = text.trim();
  const hz = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)\s*(?:hz)?$/i.exec(t);
  if (hz) return checkHz(Number(hz[1]), text);
  return parseNote(t, a4);
}

function checkHz(hz: number, text: string): Hertz {
  if (!Number.isFinite(hz) || hz <= 0) {
    throw new HarmonyError('BAD_FREQUENCY', `frequency must be a number > 0 Hz, got "${text}"`);
  }
  return hz;
}

function checkA4(a4: Hertz): void {
  if (!Number.isFinite(a4) || a4 <= 0) {
    throw new HarmonyError('BAD_FREQUENCY', `A4 reference must be > 0 Hz, got ${a4}`, 'a4');
  }
}

/** Name of an integer MIDI note. @example midiName(61) // 'C#4'; midiName(61, true) // 'Db4' */
export function midiName(midi: number, flats = false): string {
  const m = Math.round(midi);
  const pc = ((m % 12) + 12) % 12;
  const octave = Math.floor(m / 12) - 1;
  return `${(flats ? FLAT_NAMES : SHARP_NAMES)[pc]}${octave}`;
}

/** The nearest 12-TET note to a frequency. */
export interface NearestNote {
  /** Note name without cents, e.g. `A4`. */
  readonly name: string;
  /** Integer MIDI number of that note. */
  readonly midi: number;
  /** Deviation of the frequency from the note, in cents (-50..+50). */
  readonly cents: Cents;
  /** Exact 12-TET frequency of the note. */
  readonly noteHz: Hertz;
  /** Name with cents when they round to a non-zero value, e.g. `A4+15c` (parseable by {@link parseNote}). */
  readonly label: string;
}

/**
 * The nearest 12-TET note to a frequency and its deviation in cents.
 *
 * @example nearestNote(443.82).label // 'A4+15c'
 */
export function nearestNote(hz: Hertz, a4: Hertz = DEFAULT_A4, flats = false): NearestNote {
  checkHz(hz, String(hz));
  const exact = hzToMidi(hz, a4);
  const midi = Math.round(exact);
  const cents = (exact - midi) * 100;
  const name = midiName(midi, flats);
  const rounded = Math.round(cents);
  const label = rounded === 0 ? name : `${name}${rounded > 0 ? '+' : ''}${rounded}c`;
  return { name, midi, cents, noteHz: midiToHz(midi, a4), label };
}

/**
 * The frequency ratio of `semitones` above a root in a tuning. Just and Pythagorean tunings
 * use their 12-entry tables and exact octaves; negative and compound intervals are supported.
 *
 * @example tuningRatio(4, 'just') // 1.25
 */
export function tuningRatio(semitones: number, tuning: Tuning): number {
  const s = Math.round(semitones);
  if (tuning === '12tet' || s !== semitones) return 2 ** (semitones / 12);
  const octave = Math.floor(s / 12);
  const pc = s - 12 * octave;
  const table = tuning === 'just' ? JUST_RATIOS : PYTHAGOREAN_RATIOS;
  return ratioValue(table[pc]!) * 2 ** octave;
}

/** The frequency `semitones` above `rootHz` in a tuning. @example tunedFrequency(200, 7, 'just') // 300 */
export function tunedFrequency(rootHz: Hertz, semitones: number, tuning: Tuning): Hertz {
  return rootHz * tuningRatio(semitones, tuning);
}

/** One row of a tuning table. */
export interface TuningRow {
  readonly semitones: number;
  readonly hz: Hertz;
  /** Size of the interval above the root, in cents. */
  readonly cents: Cents;
  /** Deviation from the 12-TET interval of the same number of semitones, in cents. */
  readonly deviation: Cents;
}

/** The 13 steps (unison to octave) of a tuning above a root. */
export function tuningTable(rootHz: Hertz, tuning: Tuning): TuningRow[] {
  const rows: TuningRow[] = [];
  for (let s = 0; s <= 12; s++) {
    const ratio = tuningRatio(s, tuning);
    const cents = 1200 * Math.log2(ratio);
    rows.push({ semitones: s, hz: rootHz * ratio, cents, deviation: cents - 100 * s });
  }
  return rows;
}
