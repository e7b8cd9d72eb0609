import type { Adsr } from '../dsp/envelope.js';
import { NOISE_COLORS, type NoiseColor } from '../dsp/noise.js';
import { WAVES, type Wave } from '../dsp/oscillator.js';
import { invalid } from '../errors.js';
import {
  type AmSpec,
  DEFAULT_FADE,
  DEFAULT_GAIN,
  type FmSpec,
  type LayerSpec,
  type Scene,
  type ToneLayerSpec,
} from './scene.js';
import { checkFrequency, type Hertz, type Seconds } from './values.js';

/** Options of one tone (the `tone` command, `POST /generate-frequency/`, {@link toneScene}). */
export interface ToneOptions {
  freq: Hertz;
  /** Seconds (default 5); Infinity for endless streams. */
  duration?: Seconds;
  wave?: Wave;
  duty?: number;
  /** Peak amplitude, linear (default 0.5, -6 dBFS). */
  amplitude?: number;
  fadeIn?: Seconds;
  fadeOut?: Seconds;
  envelope?: Adsr;
  sweep?: { to: Hertz; curve?: 'lin' | 'exp' };
  am?: AmSpec;
  fm?: FmSpec;
  binaural?: Hertz;
  isochronic?: Hertz;
  pan?: number;
  sampleRate?: number;
  seed?: number;
}

/** One layer of a mix, parsed: a tone, a noise, or a file (decoded by the caller). */
export interface MixLayer {
  kind: 'tone' | 'noise' | 'file';
  freq?: Hertz;
  wave?: Wave;
  color?: NoiseColor;
  path?: string;
  audio?: Float32Array[];
  gain?: number;
  pan?: number;
}

/** Options of a mix (the `mix` command, `POST /mix-frequencies/`, {@link mixScene}). */
export interface MixOptions {
  duration?: Seconds;
  /** Master gain after the mix (default 1). */
  amplitude?: number;
  /** Keep the sum under -1 dBFS (default true). */
  normalize?: boolean;
  duty?: number;
  fadeIn?: Seconds;
  fadeOut?: Seconds;
  sampleRate?: number;
  seed?: number;
}

export const DEFAULT_RATE = 48000;
export const DEFAULT_DURATION: Seconds = 5;

function checkWave(w: string | undefined, field: string): Wave {
  const wave = (w ?? 'sine').toLowerCase();
  if (!WAVES.includes(wave as Wave)) {
    throw invalid('BAD_WAVEFORM', `${field}: unknown waveform '${w}' (known: ${WAVES.join(', ')})`, field);
  }
  return wave as Wave;
}

function checkRange(v: number | undefined, lo: number, hi: number, field: string): void {
  if (v === undefined) return;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi) {
    throw invalid('BAD_VALUE', `${field}: must be from ${lo} to ${hi}, got ${v}`, field);
  }
}

function checkFades(o: { fadeIn?: number; fadeOut?: number }): void {
  checkRange(o.fadeIn, 0, 3600, 'fadeIn');
  checkRange(o.fadeOut, 0, 3600, 'fadeOut');
}

/**
 * The scene of one tone, validated: every frequency it will reach (sweep, FM, binaural ears)
 * must stay above 0 and below Nyquist.
 * @example toneScene({ freq: 440, duration: 3 })
 */
export function toneScene(o: ToneOptions): Scene {
  const sr = o.sampleRate ?? DEFAULT_RATE;
  const nyq = sr / 2;
  checkFrequency(o.freq, sr, 'frequency');
  const wave = checkWave(o.wave, 'wave');
  checkRange(o.duty, 0.01, 0.99, 'duty');
  checkRange(o.amplitude, 0, 1, 'amplitude');
  checkRange(o.pan, -1, 1, 'pan');
  checkFades(o);
  const spec: ToneLayerSpec = { type: 'tone', freq: o.freq, wave, gain: o.amplitude ?? DEFAULT_GAIN };
  if (o.duty !== undefined) spec.duty = o.duty;
  if (o.pan !== undefined) spec.pan = o.pan;
  if (o.envelope) {
    const e = o.envelope;
    for (const [k, v] of [
      ['attack', e.attackSec],
      ['decay', e.decaySec],
      ['release', e.releaseSec],
    ] as const)
      checkRange(v, 0, 3600, `envelope ${k}`);
    checkRange(e.sustain, 0, 1, 'envelope sustain');
    spec.envelope = e;
  }
  let top = o.freq;
  if (o.sweep) {
    checkFrequency(o.sweep.to, sr, 'sweep');
    if (!Number.isFinite(o.duration ?? DEFAULT_DURATION)) {
      throw invalid('BAD_DURATION', 'sweep: needs a finite duration', 'sweep');
    }
    spec.sweep = { to: o.sweep.to, curve: o.sweep.curve ?? 'exp' };
    top = Math.max(top, o.sweep.to);
  }
  if (o.am) {
    checkRange(o.am.rate, 0, nyq, 'am rate');
    checkRange(o.am.depth, 0, 1, 'am depth');
    spec.am = o.am;
  }
  if (o.fm) {
    checkRange(o.fm.rate, 0, nyq, 'fm rate');
    checkRange(o.fm.dev, 0, nyq, 'fm deviation');
    if (top + o.fm.dev >= nyq) {
      throw invalid(
        'BAD_FREQUENCY',
        `fm: frequency + deviation reaches ${top + o.fm.dev} Hz, not below ${nyq} (Nyquist)`,
        'fm',
      );
    }
    spec.fm = o.fm;
  }
  if (o.binaural !== undefined) {
    checkRange(o.binaural, 0, 100, 'binaural');
    const low = Math.min(o.freq, o.sweep?.to ?? o.freq) - o.binaural / 2;
    if (low <= 0)
      throw invalid(
        'BAD_FREQUENCY',
        `binaural: the left ear would get ${low} Hz; the carrier must exceed beat/2`,
        'binaural',
      );
    if (top + o.binaural / 2 >= nyq) {
      throw invalid(
        'BAD_FREQUENCY',
        `binaural: the right ear would get ${top + o.binaural / 2} Hz, not below ${nyq} (Nyquist)`,
        'binaural',
      );
    }
    spec.beat = o.binaural;
  }
  if (o.isochronic !== undefined) {
    checkRange(o.isochronic, 0.1, 1000, 'isochronic');
    spec.isochronic = { rate: o.isochronic, duty: o.duty ?? 0.5 };
  }
  return baseScene([spec], o, sr);
}

/**
 * The scene of a mix, validated. Layer frequencies must already be in Hz (ratios resolved).
 * @example mixScene([{ kind: 'tone', freq: 261.63 }, { kind: 'noise', color: 'pink', gain: 0.1 }], { duration: 4 })
 */
export function mixScene(layers: MixLayer[], o: MixOptions = {}): Scene {
  const sr = o.sampleRate ?? DEFAULT_RATE;
  if (layers.length === 0) throw invalid('BAD_LAYER', 'mix: give at least one layer', 'layers');
  checkRange(o.amplitude, 0, 16, 'amplitude');
  checkRange(o.duty, 0.01, 0.99, 'duty');
  checkFades(o);
  const specs: LayerSpec[] = layers.map((l, i) => {
    const field = `layers[${i}]`;
    checkRange(l.gain, 0, 16, `${field}.gain`);
    checkRange(l.pan, -1, 1, `${field}.pan`);
    const common = { gain: l.gain ?? DEFAULT_GAIN, ...(l.pan !== undefined ? { pan: l.pan } : {}) };
    if (l.kind === 'noise') {
      if (!NOISE_COLORS.includes(l.color as NoiseColor)) {
        throw invalid(
          'BAD_WAVEFORM',
          `${field}: unknown noise colour '${l.color}' (known: ${NOISE_COLORS.join(', ')})`,
          field,
        );
      }
      return { type: 'noise', color: l.color as NoiseColor, ...common };
    }
    if (l.kind === 'file') {
      return { type: 'file', path: l.path ?? '', ...(l.audio ? { audio: l.audio } : {}), ...common };
    }
    checkFrequency(l.freq ?? Number.NaN, sr, `${field}.frequency`);
    const spec: ToneLayerSpec = {
      type: 'tone',
      freq: l.freq!,
      wave: checkWave(l.wave, `${field}.waveform`),
      ...common,
    };
    if (o.duty !== undefined) spec.duty = o.duty;
    return spec;
  });
  const scene = baseScene(specs, o, sr);
  scene.master = { ...scene.master, gain: o.amplitude ?? 1, normalize: o.normalize ?? true };
  return scene;
}

function baseScene(
  layers: LayerSpec[],
  o: { duration?: number; fadeIn?: number; fadeOut?: number; seed?: number },
  sr: number,
): Scene {
  const duration = o.duration ?? DEFAULT_DURATION;
  if (!(duration > 0))
    throw invalid('BAD_DURATION', `duration: must be > 0 seconds, got ${duration}`, 'duration');
  return {
    sampleRate: sr,
    duration,
    layers,
    master: { fadeIn: o.fadeIn ?? DEFAULT_FADE, fadeOut: o.fadeOut ?? DEFAULT_FADE },
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
  };
}
