/**
 * The preset file format (SPEC section 3), as it is written in JSON. Values keep the forms
 * users may write (note names, "-6dB", "2m"); {@link presetToScene} turns them into numbers.
 * `presets/schema.json` is the authority on what is allowed; these types mirror it.
 */

/** A frequency: Hz (440), or a string ("440hz", "1.5khz", "A4", "C#5", "A4+15c"). */
export type FrequencyValue = number | string;
/** A duration: seconds, or a string ("90s", "2m", "1h", "1m30s", "500ms"). */
export type TimeValue = number | string;
/** A gain: linear (0.5) or decibels ("-6dB"). */
export type GainValue = number | string;

export interface PresetEnvelope {
  attack: TimeValue;
  decay?: TimeValue;
  sustain?: number;
  release: TimeValue;
}

interface PresetLayerBase {
  id?: string;
  gain?: GainValue;
  pan?: number;
}

export interface PresetToneLayer extends PresetLayerBase {
  type: 'tone';
  freq: FrequencyValue;
  wave?: string;
  duty?: number;
  envelope?: PresetEnvelope;
  am?: { rate: number; depth?: number };
  fm?: { rate: number; dev: number };
}

export interface PresetBinauralLayer extends PresetLayerBase {
  type: 'binaural';
  carrier: FrequencyValue;
  beat: number;
  wave?: string;
  envelope?: PresetEnvelope;
  am?: { rate: number; depth?: number };
}

export interface PresetIsochronicLayer extends PresetLayerBase {
  type: 'isochronic';
  freq: FrequencyValue;
  rate: number;
  duty?: number;
  wave?: string;
  envelope?: PresetEnvelope;
}

export interface PresetNoiseLayer extends PresetLayerBase {
  type: 'noise';
  color?: string;
}

export interface PresetFileLayer extends PresetLayerBase {
  type: 'file';
  path: string;
  loop?: boolean;
}

export type PresetLayer =
  | PresetToneLayer
  | PresetBinauralLayer
  | PresetIsochronicLayer
  | PresetNoiseLayer
  | PresetFileLayer;

export interface PresetStep {
  at: TimeValue;
  glide?: TimeValue;
  set: Record<string, number | string>;
}

export interface PresetMaster {
  gain?: GainValue;
  normalize?: boolean;
  limiter?: boolean;
  fadeIn?: TimeValue;
  fadeOut?: TimeValue;
}

/** A preset as written in its JSON file (validated). */
export interface Preset {
  $schema?: string;
  name: string;
  /** Optional for user presets; every shipped preset has one (checked by a test). */
  description?: string;
  tags?: string[];
  duration: TimeValue;
  sampleRate?: number;
  a4?: number;
  seed?: number;
  layers: PresetLayer[];
  timeline?: PresetStep[];
  master?: PresetMaster;
}

/**
 * Parameters the timeline may set, per layer type, and the engine parameter each maps to
 * (a binaural layer's `carrier` is the engine's `freq`).
 */
export const STEP_PARAMS: Record<PresetLayer['type'], Record<string, string>> = {
  tone: {
    freq: 'freq',
    gain: 'gain',
    pan: 'pan',
    wave: 'wave',
    duty: 'duty',
    amRate: 'amRate',
    amDepth: 'amDepth',
    fmRate: 'fmRate',
    fmDev: 'fmDev',
  },
  binaural: {
    carrier: 'freq',
    beat: 'beat',
    gain: 'gain',
    pan: 'pan',
    wave: 'wave',
    amRate: 'amRate',
    amDepth: 'amDepth',
  },
  isochronic: { freq: 'freq', rate: 'rate', duty: 'duty', gain: 'gain', pan: 'pan', wave: 'wave' },
  noise: { gain: 'gain', pan: 'pan', color: 'color' },
  file: { gain: 'gain', pan: 'pan' },
};
