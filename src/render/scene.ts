import type { Adsr } from '../dsp/envelope.js';
import type { NoiseColor } from '../dsp/noise.js';
import type { Wave } from '../dsp/oscillator.js';
import type { Hertz, Seconds } from './values.js';

/** Common fields of every layer. Gains are linear; pan is -1 (left) .. 1 (right). */
export interface LayerBase {
  /** Name that timeline steps and live `set` messages address. */
  id?: string;
  gain?: number;
  pan?: number;
  envelope?: Adsr;
}

/** Amplitude modulation: gain swings between 1 - depth and 1 at `rate` Hz. */
export interface AmSpec {
  rate: Hertz;
  depth: number;
}

/** Frequency modulation: the frequency swings by +-`dev` Hz at `rate` Hz. */
export interface FmSpec {
  rate: Hertz;
  dev: Hertz;
}

/** A periodic tone, optionally swept, modulated, split binaurally or pulsed isochronically. */
export interface ToneLayerSpec extends LayerBase {
  type: 'tone';
  freq: Hertz;
  wave?: Wave;
  duty?: number;
  am?: AmSpec;
  fm?: FmSpec;
  /** Glide from `freq` to `to` over the whole render. */
  sweep?: { to: Hertz; curve: 'lin' | 'exp' };
  /** Binaural beat in Hz: left plays freq - beat/2, right freq + beat/2. */
  beat?: Hertz;
  /** Isochronic pulses: the tone is gated on and off `rate` times a second. */
  isochronic?: { rate: Hertz; duty: number };
}

/** A binaural beat (preset form): a carrier split into two ears. */
export interface BinauralLayerSpec extends LayerBase {
  type: 'binaural';
  carrier: Hertz;
  beat: Hertz;
  wave?: Wave;
}

/** Isochronic pulses (preset form). */
export interface IsochronicLayerSpec extends LayerBase {
  type: 'isochronic';
  freq: Hertz;
  rate: Hertz;
  duty?: number;
  wave?: Wave;
}

/** Coloured noise. */
export interface NoiseLayerSpec extends LayerBase {
  type: 'noise';
  color: NoiseColor;
}

/** Decoded audio mixed in (already at the scene's sample rate). */
export interface FileLayerSpec extends LayerBase {
  type: 'file';
  path: string;
  loop?: boolean;
  /** Planar channels (1 or 2) at the scene's rate; filled by the loader. */
  audio?: Float32Array[];
}

export type LayerSpec =
  | ToneLayerSpec
  | BinauralLayerSpec
  | IsochronicLayerSpec
  | NoiseLayerSpec
  | FileLayerSpec;

/** A timed change: at `at` seconds, glide the named parameters to new values over `glide` seconds. */
export interface TimelineStep {
  at: Seconds;
  glide?: Seconds;
  /** `"<layerId>.<param>": value`, or `"master.gain"`. */
  set: Record<string, number | string>;
}

/** Master section: overall gain, normalisation, fades. */
export interface MasterSpec {
  gain?: number;
  /** Scale layer gains so that the sum peaks at or below -1 dBFS (default true). */
  normalize?: boolean;
  /** A peak limiter at -1 dBFS after the master gain: nothing the timeline or live changes do can clip. */
  limiter?: boolean;
  fadeIn?: Seconds;
  fadeOut?: Seconds;
}

/** Everything a render needs: what to synthesise, for how long, at which rate. */
export interface Scene {
  sampleRate: number;
  /** Seconds; Infinity for endless streams. */
  duration: Seconds;
  layers: LayerSpec[];
  timeline?: TimelineStep[];
  master?: MasterSpec;
  /** Force the channel count of the synthesis (1 or 2); otherwise stereo only when needed. */
  channels?: 1 | 2;
  /** Seed of the noise generators (same seed, same samples). */
  seed?: number;
}

/** The ceiling of a normalised mix: -1 dBFS. */
export const MIX_CEILING = 10 ** (-1 / 20);
/** Default fade in and out, seconds. */
export const DEFAULT_FADE: Seconds = 0.01;
/** Default amplitude of a tone or layer: -6 dBFS. */
export const DEFAULT_GAIN = 10 ** (-6 / 20);

/** True when a layer needs two channels (binaural, panned, or a stereo file). */
export function layerNeedsStereo(l: LayerSpec): boolean {
  if (l.pan !== undefined && l.pan !== 0) return true;
  if (l.type === 'binaural') return true;
  if (l.type === 'tone' && l.beat !== undefined && l.beat !== 0) return true;
  if (l.type === 'file' && l.audio !== undefined && l.audio.length > 1) return true;
  return false;
}
