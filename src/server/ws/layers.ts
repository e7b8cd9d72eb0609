import type { Adsr } from '../../dsp/envelope.js';
import { NOISE_COLORS, type NoiseColor } from '../../dsp/noise.js';
import { WAVES, type Wave } from '../../dsp/oscillator.js';
import { invalid } from '../../errors.js';
import type { LayerSpec } from '../../render/scene.js';
import { TONE_PARAMS } from '../../render/tone-layer.js';
import { checkFrequency, parseFrequency, parseGain } from '../../render/values.js';

/** Most layers one live session may hold (scene layers plus added ones). */
export const MAX_LAYERS = 32;

type Obj = Record<string, unknown>;

/** True for a plain JSON object. */
export function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Throw BAD_VALUE when `o` has keys outside `allowed`. */
export function onlyKeys(o: Obj, allowed: readonly string[], field: string): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) {
      throw invalid(
        'BAD_VALUE',
        `${field}: unknown field '${k}' (known: ${allowed.join(', ')})`,
        `${field}.${k}`,
      );
    }
  }
}

/** A finite number in [lo, hi], or `undefined` when absent. */
export function num(o: Obj, key: string, lo: number, hi: number, field: string): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi) {
    throw invalid(
      'BAD_VALUE',
      `${field}.${key}: must be a number from ${lo} to ${hi}, got ${JSON.stringify(v)}`,
      `${field}.${key}`,
    );
  }
  return v;
}

/** A frequency in Hz: a number, or text such as `440hz` or `A4`, below Nyquist. */
export function freqOf(v: unknown, sampleRate: number, field: string): number {
  if (typeof v === 'number') return checkFrequency(v, sampleRate, field);
  if (typeof v === 'string' && v.length <= 32) return parseFrequency(v, { sampleRate, field });
  throw invalid(
    'BAD_FREQUENCY',
    `${field}: must be a frequency in Hz or a note name, got ${JSON.stringify(v)}`,
    field,
  );
}

/** A gain: a linear number in [0, 16] or text in dB (`-6dB`). */
export function gainOf(v: unknown, field: string): number {
  if (typeof v !== 'number' && (typeof v !== 'string' || v.length > 32)) {
    throw invalid('BAD_GAIN', `${field}: must be a linear gain or dB text, got ${JSON.stringify(v)}`, field);
  }
  const g = parseGain(v, field);
  if (g > 16) throw invalid('BAD_GAIN', `${field}: must be at most 16 (+24 dB), got ${v}`, field);
  return g;
}

/** A waveform name. */
export function waveOf(v: unknown, field: string): Wave {
  if (typeof v !== 'string' || !WAVES.includes(v as Wave)) {
    throw invalid(
      'BAD_WAVEFORM',
      `${field}: must be one of ${WAVES.join(', ')}, got ${JSON.stringify(v)}`,
      field,
    );
  }
  return v as Wave;
}

function idOf(v: unknown, field: string): string {
  if (typeof v !== 'string' || !/^[A-Za-z_][\w.-]{0,63}$/.test(v)) {
    throw invalid(
      'BAD_VALUE',
      `${field}: an id is a name of letters, digits, _ . - (at most 64), got ${JSON.stringify(v)}`,
      field,
    );
  }
  return v;
}

function envelopeOf(v: unknown, field: string): Adsr {
  if (!isObject(v))
    throw invalid('BAD_VALUE', `${field}: must be an object { attack, decay, sustain, release }`, field);
  onlyKeys(v, ['attack', 'decay', 'sustain', 'release', 'attackSec', 'decaySec', 'releaseSec'], field);
  const sec = (a: string, b: string): number => num(v, a, 0, 60, field) ?? num(v, b, 0, 60, field) ?? 0;
  return {
    attackSec: sec('attack', 'attackSec'),
    decaySec: sec('decay', 'decaySec'),
    sustain: num(v, 'sustain', 0, 1, field) ?? 1,
    releaseSec: sec('release', 'releaseSec'),
  };
}

const COMMON = ['type', 'id', 'gain', 'pan', 'envelope'];
const KEYS: Record<string, readonly string[]> = {
  tone: [...COMMON, 'freq', 'wave', 'duty', 'am', 'fm', 'beat', 'isochronic'],
  binaural: [...COMMON, 'carrier', 'beat', 'wave'],
  isochronic: [...COMMON, 'freq', 'rate', 'duty', 'wave'],
  noise: [...COMMON, 'color'],
};

/**
 * Validate one layer of a live scene (the engine's {@link LayerSpec} shape) and return a clean
 * copy. File layers are refused: a client must not name paths on the server.
 * @example layerFromJson({ type: 'tone', freq: 'A4', gain: '-12dB' }, 48000, 'layers[0]')
 */
export function layerFromJson(raw: unknown, sampleRate: number, field: string): LayerSpec {
  if (!isObject(raw)) throw invalid('BAD_VALUE', `${field}: a layer must be an object with a 'type'`, field);
  const type = raw.type;
  if (type === 'file')
    throw invalid('BAD_VALUE', `${field}: file layers are not available in live sessions`, `${field}.type`);
  const keys = typeof type === 'string' ? KEYS[type] : undefined;
  if (!keys) {
    throw invalid(
      'BAD_VALUE',
      `${field}.type: must be one of ${Object.keys(KEYS).join(', ')}, got ${JSON.stringify(type)}`,
      `${field}.type`,
    );
  }
  onlyKeys(raw, keys, field);
  const nyq = sampleRate / 2;
  const common: { id?: string; gain?: number; pan?: number; envelope?: Adsr } = {};
  if (raw.id !== undefined) common.id = idOf(raw.id, `${field}.id`);
  if (raw.gain !== undefined) common.gain = gainOf(raw.gain, `${field}.gain`);
  const pan = num(raw, 'pan', -1, 1, field);
  if (pan !== undefined) common.pan = pan;
  if (raw.envelope !== undefined) common.envelope = envelopeOf(raw.envelope, `${field}.envelope`);
  const wave = raw.wave === undefined ? undefined : waveOf(raw.wave, `${field}.wave`);
  const duty = num(raw, 'duty', 0.01, 0.99, field);
  switch (type) {
    case 'noise': {
      if (typeof raw.color !== 'string' || !NOISE_COLORS.includes(raw.color as NoiseColor)) {
        throw invalid(
          'BAD_WAVEFORM',
          `${field}.color: must be one of ${NOISE_COLORS.join(', ')}, got ${JSON.stringify(raw.color)}`,
          `${field}.color`,
        );
      }
      return { type: 'noise', color: raw.color as NoiseColor, ...common };
    }
    case 'binaural': {
      const carrier = freqOf(raw.carrier, sampleRate, `${field}.carrier`);
      const beat = num(raw, 'beat', 0, 100, field) ?? 0;
      checkEars(carrier, beat, nyq, field);
      return { type: 'binaural', carrier, beat, ...(wave ? { wave } : {}), ...common };
    }
    case 'isochronic': {
      const freq = freqOf(raw.freq, sampleRate, `${field}.freq`);
      const rate = num(raw, 'rate', 0.1, 1000, field);
      if (rate === undefined)
        throw invalid('BAD_VALUE', `${field}.rate: pulses per second are required`, `${field}.rate`);
      return {
        type: 'isochronic',
        freq,
        rate,
        ...(duty !== undefined ? { duty } : {}),
        ...(wave ? { wave } : {}),
        ...common,
      };
    }
    default: {
      const freq = freqOf(raw.freq, sampleRate, `${field}.freq`);
      const spec: LayerSpec = { type: 'tone', freq, ...common };
      if (wave) spec.wave = wave;
      if (duty !== undefined) spec.duty = duty;
      const beat = num(raw, 'beat', 0, 100, field);
      if (beat !== undefined) {
        checkEars(freq, beat, nyq, field);
        spec.beat = beat;
      }
      if (raw.am !== undefined)
        spec.am = pair(raw.am, 'am', ['rate', 'depth'], [nyq, 1], field) as { rate: number; depth: number };
      if (raw.fm !== undefined) {
        spec.fm = pair(raw.fm, 'fm', ['rate', 'dev'], [nyq, nyq], field) as { rate: number; dev: number };
        if (freq + spec.fm.dev >= nyq) {
          throw invalid(
            'BAD_FREQUENCY',
            `${field}.fm.dev: freq + dev reaches ${freq + spec.fm.dev} Hz, not below ${nyq} (Nyquist)`,
            `${field}.fm.dev`,
          );
        }
      }
      if (raw.isochronic !== undefined) {
        const p = pair(raw.isochronic, 'isochronic', ['rate', 'duty'], [1000, 0.99], field);
        spec.isochronic = { rate: p.rate!, duty: p.duty ?? 0.5 };
      }
      return spec;
    }
  }
}

function pair(
  v: unknown,
  name: string,
  keys: [string, string],
  his: [number, number],
  field: string,
): Record<string, number> {
  const f = `${field}.${name}`;
  if (!isObject(v)) throw invalid('BAD_VALUE', `${f}: must be an object { ${keys.join(', ')} }`, f);
  onlyKeys(v, keys, f);
  const a = num(v, keys[0], 0, his[0], f);
  if (a === undefined) throw invalid('BAD_VALUE', `${f}.${keys[0]}: is required`, `${f}.${keys[0]}`);
  const b = num(v, keys[1], 0, his[1], f);
  return b === undefined ? { [keys[0]]: a } : { [keys[0]]: a, [keys[1]]: b };
}

function checkEars(carrier: number, beat: number, nyq: number, field: string): void {
  if (carrier - beat / 2 <= 0) {
    throw invalid(
      'BAD_FREQUENCY',
      `${field}.beat: the left ear would get ${carrier - beat / 2} Hz; the carrier must exceed beat/2`,
      `${field}.beat`,
    );
  }
  if (carrier + beat / 2 >= nyq) {
    throw invalid(
      'BAD_FREQUENCY',
      `${field}.beat: the right ear would get ${carrier + beat / 2} Hz, not below ${nyq} (Nyquist)`,
      `${field}.beat`,
    );
  }
}

/** Parameters a live `set` may change, with their validation. */
export const SET_PARAMS: readonly string[] = [...TONE_PARAMS, 'color'];

/**
 * Validate the `params` of a `set` message; returns values ready for `Engine.set`.
 * @example setParamsFromJson({ freq: 'A5', gain: '-6dB' }, 48000)
 */
export function setParamsFromJson(raw: unknown, sampleRate: number): Record<string, number | string> {
  if (!isObject(raw) || Object.keys(raw).length === 0) {
    throw invalid('BAD_VALUE', `params: must be a non-empty object of ${SET_PARAMS.join(', ')}`, 'params');
  }
  onlyKeys(raw, SET_PARAMS, 'params');
  const out: Record<string, number | string> = {};
  const nyq = sampleRate / 2;
  for (const [k, v] of Object.entries(raw)) {
    const f = `params.${k}`;
    if (k === 'freq') out[k] = freqOf(v, sampleRate, f);
    else if (k === 'gain') out[k] = gainOf(v, f);
    else if (k === 'wave') out[k] = waveOf(v, f);
    else if (k === 'color') {
      if (typeof v !== 'string' || !NOISE_COLORS.includes(v as NoiseColor)) {
        throw invalid('BAD_WAVEFORM', `${f}: must be one of ${NOISE_COLORS.join(', ')}`, f);
      }
      out[k] = v;
    } else {
      const [lo, hi] = RANGES[k] ?? [0, nyq];
      out[k] = num(raw, k, lo, hi === Number.POSITIVE_INFINITY ? nyq : hi, 'params')!;
    }
  }
  return out;
}

const RANGES: Record<string, [number, number]> = {
  pan: [-1, 1],
  beat: [0, 100],
  duty: [0.01, 0.99],
  amRate: [0, Number.POSITIVE_INFINITY],
  amDepth: [0, 1],
  fmRate: [0, Number.POSITIVE_INFINITY],
  fmDev: [0, Number.POSITIVE_INFINITY],
  rate: [0, 1000],
};
