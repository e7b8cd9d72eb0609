/**
 * Parsing of the value forms a preset may hold (frequencies, times, gains), with messages in
 * the preset error style: the reason only; the caller adds the file and the JSON path.
 *
 * The patterns below are the ones in `presets/schema.json` (a test keeps them identical), so
 * the loader and an editor accept the same text. They are written to match in linear time.
 */
import { midiToHz, noteToMidi } from '../render/values.js';
import { show } from './schema-check.js';

/** Longest text of a frequency, time or gain value. */
export const MAX_VALUE_TEXT = 32;
/** A frequency in Hz ("440", "440hz", "1.5khz") or a note name ("A4", "C#5", "Bb3", "A4+15c"). */
export const FREQUENCY_PATTERN =
  '^ *([A-Ga-g][#b]{0,2}-?[0-9]{1,2}([+-][0-9]+(\\.[0-9]+)?c)?|([0-9]+(\\.[0-9]*)?|\\.[0-9]+) *([kK]?[hH][zZ])?) *$';
/** A time: parts with units ("1h", "2m", "1m30s", "500ms"), the last may be bare seconds. */
export const TIME_PATTERN =
  '^ *(?=[0-9.])(([0-9]+(\\.[0-9]*)?|\\.[0-9]+) *(ms|s|min|m|h) *)*(([0-9]+(\\.[0-9]*)?|\\.[0-9]+) *)?$';
/** A gain in decibels, at most +24 ("-6dB", "+3dB", "-20dBFS"). */
export const GAIN_PATTERN =
  '^ *(-([0-9]+(\\.[0-9]*)?|\\.[0-9]+)|\\+?(0*(1?[0-9]|2[0-3])(\\.[0-9]*)?|\\.[0-9]+|0*24(\\.0*)?)) *[dD][bB]([fF][sS])?$';

const FREQUENCY_RE = new RegExp(FREQUENCY_PATTERN, 'u');
const TIME_RE = new RegExp(TIME_PATTERN, 'u');
const GAIN_RE = new RegExp(GAIN_PATTERN, 'u');
const HZ_RE = /^ *([0-9]+(?:\.[0-9]*)?|\.[0-9]+) *([kK]?)[hH]?[zZ]? *$/;
const TIME_PART = /([0-9]+(?:\.[0-9]*)?|\.[0-9]+) *(ms|s|min|m|h)?/g;

/** Outcome of parsing: a value, or the reason it is invalid. */
export type Parsed = { ok: true; value: number } | { ok: false; reason: string };

/**
 * A preset frequency in Hz: a number, "440hz", "1.5khz", or a note name against `a4`. Must be
 * > 0 and below Nyquist.
 * @example parsePresetFrequency('A4', 48000, 432) // { ok: true, value: 432 }
 */
export function parsePresetFrequency(v: unknown, sampleRate: number, a4 = 440): Parsed {
  const nyq = sampleRate / 2;
  const bound = `must be > 0 and < ${nyq} (Nyquist)`;
  let hz: number;
  if (typeof v === 'number') hz = v;
  else if (typeof v === 'string') {
    if (v.length > MAX_VALUE_TEXT || !FREQUENCY_RE.test(v)) {
      if (/^ *-[0-9. ]+(hz)? *$/i.test(v)) return { ok: false, reason: `${bound}, got ${v.trim()}` };
      return { ok: false, reason: `must be Hz or a note name such as A4, C#5, Bb3, A4+15c, got ${show(v)}` };
    }
    const m = HZ_RE.exec(v);
    hz = m ? Number(m[1]) * (m[2] ? 1000 : 1) : midiToHz(noteToMidi(v)!, a4);
  } else return { ok: false, reason: `must be a number of Hz or a note name, got ${show(v)}` };
  if (!Number.isFinite(hz) || hz <= 0 || hz >= nyq) return { ok: false, reason: `${bound}, got ${show(v)}` };
  return { ok: true, value: hz };
}

/**
 * A time in seconds: a number >= 0 or "90s", "2m", "1h", "1m30s", "500ms".
 * @example parsePresetTime('1m30s') // { ok: true, value: 90 }
 */
export function parsePresetTime(v: unknown): Parsed {
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v < 0) return { ok: false, reason: `must be >= 0 seconds, got ${v}` };
    return { ok: true, value: v };
  }
  if (typeof v !== 'string' || v.length > MAX_VALUE_TEXT || !TIME_RE.test(v)) {
    return { ok: false, reason: `must be seconds or a time such as 90s, 2m, 1h, 1m30s, got ${show(v)}` };
  }
  let total = 0;
  for (const m of v.matchAll(TIME_PART)) {
    const unit = m[2] ?? 's';
    const mult = unit === 'ms' ? 0.001 : unit === 'm' || unit === 'min' ? 60 : unit === 'h' ? 3600 : 1;
    total += Number(m[1]) * mult;
  }
  return { ok: true, value: total };
}

/**
 * A gain as a linear factor: 0..16, or decibels up to +24 ("-6dB").
 * @example parsePresetGain('-6dB') // { ok: true, value: 0.501... }
 */
export function parsePresetGain(v: unknown): Parsed {
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v < 0 || v > 16)
      return { ok: false, reason: `must be from 0 to 16, got ${v}` };
    return { ok: true, value: v };
  }
  if (typeof v !== 'string' || v.length > MAX_VALUE_TEXT || !GAIN_RE.test(v)) {
    return {
      ok: false,
      reason: `must be a linear gain from 0 to 16 or decibels up to +24 ("-6dB"), got ${show(v)}`,
    };
  }
  const db = Number(/[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)/.exec(v)![0]);
  return { ok: true, value: 10 ** (db / 20) };
}
