import { invalid } from '../errors.js';

/** Frequency in cycles per second. */
export type Hertz = number;
/** Time in seconds. */
export type Seconds = number;

const NOTE_RE = /^([A-Ga-g])([#b♯♭]{0,2})(-?\d{1,2})(?:([+-]\d+(?:\.\d+)?)c)?$/;
const SEMITONE: Record<string, number> = { c: 0, d: 2, e: 4, f: 5, g: 7, a: 9, b: 11 };

/**
 * MIDI note number (fractional with cents) of a note name such as `A4`, `C#5`, `Bb3`, `A4+15c`;
 * `undefined` when the text is not a note name.
 * @example noteToMidi('A4') // 69
 */
export function noteToMidi(text: string): number | undefined {
  const m = NOTE_RE.exec(text.trim());
  if (!m) return undefined;
  const [, letter, acc, octave, cents] = m;
  let semis = SEMITONE[letter!.toLowerCase()]!;
  for (const ch of acc!) semis += ch === '#' || ch === '♯' ? 1 : -1;
  const midi = (Number(octave) + 1) * 12 + semis + (cents ? Number(cents) / 100 : 0);
  return midi;
}

/** Frequency of a (fractional) MIDI note number with `a4` as reference. */
export function midiToHz(midi: number, a4: Hertz = 440): Hertz {
  return a4 * 2 ** ((midi - 69) / 12);
}

const HZ_RE = /^(\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?\s*(hz|khz)?$/i;

export interface FrequencyOptions {
  /** Reference pitch of A4 in Hz (default 440). */
  a4?: Hertz;
  /** Sample rate: frequencies must be below half of it. */
  sampleRate?: number;
  /** Name of the field or option, for error messages. */
  field?: string;
}

/**
 * Parse a frequency: `440`, `440hz`, `1.5khz`, `27.5`, or a note name (`A4`, `C#5`, `Bb3`,
 * `A4+15c`). Throws BAD_FREQUENCY / BAD_NOTE with the value and the limit.
 * @example parseFrequency('A4', { a4: 432 }) // 432
 */
export function parseFrequency(text: string, opts: FrequencyOptions = {}): Hertz {
  const s = String(text).trim();
  const field = opts.field ?? 'frequency';
  let hz: number;
  const numeric = HZ_RE.exec(s.replace(/^\+/, ''));
  if (numeric) {
    const m = /^[\d.eE+-]+/.exec(s.replace(/^\+/, ''))![0];
    hz = Number(m) * (/khz$/i.test(s) ? 1000 : 1);
  } else if (/^-\s*\d/.test(s)) {
    throw invalid('BAD_FREQUENCY', `${field}: must be > 0, got ${s}`, field);
  } else {
    const midi = noteToMidi(s);
    if (midi === undefined) {
      throw invalid(
        'BAD_NOTE',
        `${field}: '${s}' is neither a frequency in Hz nor a note name`,
        field,
        'use Hz (440, 27.5hz) or a note such as A4, C#5, Bb3, A4+15c',
      );
    }
    if (midi < -12 || midi > 140) throw invalid('BAD_NOTE', `${field}: note '${s}' is out of range`, field);
    hz = midiToHz(midi, opts.a4 ?? 440);
  }
  return checkFrequency(hz, opts.sampleRate, field, s);
}

/** Check that `hz` is finite, > 0 and below Nyquist (when a sample rate is given). */
export function checkFrequency(
  hz: number,
  sampleRate: number | undefined,
  field: string,
  shown?: string,
): Hertz {
  const v = shown ?? String(hz);
  if (!Number.isFinite(hz) || hz <= 0)
    throw invalid('BAD_FREQUENCY', `${field}: must be > 0, got ${v}`, field);
  if (sampleRate !== undefined && hz >= sampleRate / 2) {
    throw invalid(
      'BAD_FREQUENCY',
      `${field}: must be > 0 and < ${sampleRate / 2} (Nyquist), got ${v}`,
      field,
      'raise the sample rate with -r or lower the frequency',
    );
  }
  return hz;
}

const DUR_RE = /^((?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)\s*(ms|s|m|min|h)?$/i;

/**
 * Parse a duration: seconds (`1.5`), `500ms`, `90s`, `2m`, `1h`, `1m30s`, or `inf` (Infinity).
 * @example parseDuration('2m') // 120
 */
export function parseDuration(text: string | number, field = 'duration', allowInf = true): Seconds {
  if (typeof text === 'number') return checkDuration(text, field, allowInf, String(text));
  const s = text.trim().toLowerCase();
  if (s === 'inf' || s === 'infinity') {
    if (!allowInf) throw invalid('BAD_DURATION', `${field}: 'inf' is not allowed here`, field);
    return Number.POSITIVE_INFINITY;
  }
  let total = 0;
  const parts = s.match(/(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?\s*(ms|s|min|m|h)?/gi);
  if (!parts || parts.join('').replace(/\s/g, '') !== s.replace(/\s/g, '')) {
    throw invalid(
      'BAD_DURATION',
      `${field}: '${text}' is not a duration`,
      field,
      'use 1.5, 90s, 2m, 1h, 500ms or inf',
    );
  }
  for (const p of parts) {
    const m = DUR_RE.exec(p)!;
    const unit = (m[2] ?? 's').toLowerCase();
    const mult = unit === 'ms' ? 0.001 : unit === 'm' || unit === 'min' ? 60 : unit === 'h' ? 3600 : 1;
    total += Number(m[1]) * mult;
  }
  return checkDuration(total, field, allowInf, text);
}

function checkDuration(v: number, field: string, allowInf: boolean, shown: string): Seconds {
  if (v === Number.POSITIVE_INFINITY && allowInf) return v;
  if (!Number.isFinite(v) || v <= 0)
    throw invalid('BAD_DURATION', `${field}: must be > 0 seconds, got ${shown}`, field);
  return v;
}

/**
 * Parse a gain: linear (`0.5`) or decibels (`-6dB`). Returns a linear factor >= 0.
 * @example parseGain('-6dB') // 0.501...
 */
export function parseGain(text: string | number, field = 'gain'): number {
  if (typeof text === 'number') {
    if (!Number.isFinite(text) || text < 0)
      throw invalid('BAD_GAIN', `${field}: must be >= 0, got ${text}`, field);
    return text;
  }
  const s = text.trim();
  const db = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*db(fs)?$/i.exec(s);
  if (db) {
    const v = Number(db[1]);
    if (v > 24) throw invalid('BAD_GAIN', `${field}: ${s} is above the limit of +24 dB`, field);
    return 10 ** (v / 20);
  }
  if (/^\+?(\d+(?:\.\d*)?|\.\d+)$/.test(s)) return parseGain(Number(s), field);
  throw invalid(
    'BAD_GAIN',
    `${field}: '${s}' is not a gain`,
    field,
    'use a linear factor (0.5) or decibels (-6dB)',
  );
}

/** Parse a number within [lo, hi], with a clear BAD_VALUE error otherwise. */
export function parseNumber(text: string | number, field: string, lo: number, hi: number): number {
  const v = typeof text === 'number' ? text : Number(String(text).trim());
  if (String(text).trim() === '' || !Number.isFinite(v) || v < lo || v > hi) {
    throw invalid('BAD_VALUE', `${field}: must be a number from ${lo} to ${hi}, got ${String(text)}`, field);
  }
  return v;
}
