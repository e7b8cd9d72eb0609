/**
 * Requests of the audio endpoints turned into scenes and output plans: the same synthesis as
 * `omnisonic tone`, `mix` and `render`. No server framework here: the routes validate with these
 * functions on the event loop, and the job runner (a worker thread or a queue's sandboxed
 * processor) builds its scene with them again.
 */
import type { Wave } from '../../dsp/oscillator.js';
import { BITS_TO_FORMAT } from '../../dsp/quantize.js';
import { invalid } from '../../errors.js';
import type { OutputPlan, OutputType } from '../../io/output.js';
import { type MixLayer, mixScene, type ToneOptions, toneScene } from '../../render/build.js';
import { sceneChannels } from '../../render/engine.js';
import type { Scene } from '../../render/scene.js';
import { checkFrequency, parseDuration, parseFrequency, parseGain } from '../../render/values.js';
import { presetScene } from '../routes/preset-source.js';
import type { GenerateBody, MixBody, OutputFieldsBody, RenderBody } from '../schemas.js';

const DEFAULT_SEED = 0x5eed;

/** Seconds from a number or text: at least one sample at `sampleRate` (when given), within the server's limit. */
export function durationOf(
  v: number | string | undefined,
  maxDuration: number,
  sampleRate?: number,
  fallback = 5,
): number {
  const d = v === undefined ? fallback : parseDuration(v, 'duration', false);
  if (sampleRate !== undefined && Math.round(d * sampleRate) < 1) {
    throw invalid(
      'BAD_DURATION',
      `duration: at least one sample (1/${sampleRate} s), got ${v} s`,
      'duration',
    );
  }
  if (d > maxDuration) {
    throw invalid('TOO_LONG', `duration: at most ${maxDuration} s on this server, got ${d} s`, 'duration');
  }
  return d;
}

/** Hz from a number or a note name, below Nyquist. */
export function frequencyOf(v: number | string, sampleRate: number, field: string): number {
  return typeof v === 'number'
    ? checkFrequency(v, sampleRate, field)
    : parseFrequency(v, { sampleRate, field });
}

function gainOf(v: number | string | undefined, field: string): number | undefined {
  return v === undefined ? undefined : parseGain(v, field);
}

/** The output plan of a request's output fields (target unused: bytes stay in memory). */
export function planOf(b: OutputFieldsBody, synthChannels: number): OutputPlan {
  const type = (b.format ?? 'wav') as OutputType;
  const format = BITS_TO_FORMAT[String(b.bitDepth ?? 16)]!;
  if (type === 'flac' && (format === 'f32' || format === 's32')) {
    throw invalid('BAD_VALUE', 'bitDepth: FLAC holds 16 or 24-bit samples', 'bitDepth');
  }
  if (type === 'opus' || type === 'mp3' || type === 'ogg' || type === 'm4a') {
    if (b.bitDepth !== undefined && b.bitDepth !== 16) {
      throw invalid('BAD_VALUE', `bitDepth: ${type} has no bit depth; leave it out`, 'bitDepth');
    }
  }
  const plan: OutputPlan = {
    target: '-',
    type,
    format,
    channels: b.channels ?? synthChannels,
    sampleRate: b.sampleRate ?? 48000,
    dither: b.dither ?? true,
    seed: b.seed ?? DEFAULT_SEED,
  };
  if (b.bitrate !== undefined) {
    const bps = Number.parseFloat(b.bitrate) * (/k$/i.test(b.bitrate) ? 1000 : 1);
    if (bps < 6000 || bps > 640000)
      throw invalid('BAD_VALUE', `bitrate: must be 6k to 640k, got ${b.bitrate}`, 'bitrate');
    if (type === 'wav' || type === 'raw' || type === 'flac') {
      throw invalid('BAD_VALUE', `bitrate: ${type} is lossless; leave it out`, 'bitrate');
    }
    plan.bitrate = b.bitrate.toLowerCase();
  }
  return plan;
}

/** Tone options and plan of a `/generate-frequency/` body, validated, with every default filled. */
export function generateRequest(
  b: GenerateBody,
  maxDuration: number,
): { tone: ToneOptions; plan: OutputPlan } {
  const sampleRate = b.sampleRate ?? 48000;
  const tone: ToneOptions = {
    freq: frequencyOf(b.frequency, sampleRate, 'frequency'),
    duration: durationOf(b.duration, maxDuration, sampleRate),
    wave: (b.waveform ?? 'sine') as Wave,
    amplitude: gainOf(b.amplitude, 'amplitude') ?? 10 ** (-6 / 20),
    sampleRate,
    seed: b.seed ?? DEFAULT_SEED,
    fadeIn: b.fade ?? 0.01,
    fadeOut: b.fade ?? 0.01,
  };
  if (tone.amplitude! > 1)
    throw invalid('BAD_GAIN', `amplitude: must be at most 1 (0 dBFS), got ${b.amplitude}`, 'amplitude');
  if (b.duty !== undefined) tone.duty = b.duty;
  if (b.binaural !== undefined) tone.binaural = b.binaural;
  if (b.isochronic !== undefined) tone.isochronic = b.isochronic;
  if (b.pan !== undefined) tone.pan = b.pan;
  const stereo = b.binaural !== undefined || (b.pan !== undefined && b.pan !== 0);
  return { tone, plan: planOf(b, stereo ? 2 : 1) };
}

/** Layers, scene and plan of a `/mix-frequencies/` body. */
export function mixRequest(
  b: MixBody,
  maxDuration: number,
): { layers: MixLayer[]; scene: Scene; plan: OutputPlan } {
  const sampleRate = b.sampleRate ?? 48000;
  let root: number | undefined;
  const layers = b.layers.map((l, i): MixLayer => {
    const field = `layers[${i}]`;
    const common = {
      ...(l.gain !== undefined ? { gain: parseGain(l.gain, `${field}.gain`) } : {}),
      ...(l.pan !== undefined ? { pan: l.pan } : {}),
    };
    if (l.noise !== undefined) {
      if (l.frequency !== undefined || l.waveform !== undefined) {
        throw invalid('BAD_LAYER', `${field}: a layer is a tone (frequency) or a noise, not both`, field);
      }
      return { kind: 'noise', color: l.noise as MixLayer['color'], ...common };
    }
    if (l.frequency === undefined)
      throw invalid('BAD_LAYER', `${field}: give frequency or noise`, `${field}.frequency`);
    let freq: number;
    const ratio =
      typeof l.frequency === 'string'
        ? /^\s*(\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)\s*$/.exec(l.frequency)
        : null;
    if (ratio) {
      if (root === undefined)
        throw invalid('BAD_LAYER', `${field}: a ratio needs a tone layer before it`, `${field}.frequency`);
      if (Number(ratio[2]) === 0)
        throw invalid('BAD_LAYER', `${field}: ratio with a zero denominator`, `${field}.frequency`);
      freq = checkFrequency((root * Number(ratio[1])) / Number(ratio[2]), sampleRate, `${field}.frequency`);
    } else {
      freq = frequencyOf(l.frequency, sampleRate, `${field}.frequency`);
    }
    root ??= freq;
    return { kind: 'tone', freq, wave: (l.waveform ?? 'sine') as Wave, ...common };
  });
  const scene = mixScene(layers, {
    duration: durationOf(b.duration, maxDuration, sampleRate),
    amplitude: gainOf(b.amplitude, 'amplitude') ?? 1,
    normalize: b.normalize ?? true,
    duty: b.duty ?? 0.5,
    sampleRate,
    seed: b.seed ?? DEFAULT_SEED,
    fadeIn: b.fade ?? 0.01,
    fadeOut: b.fade ?? 0.01,
  });
  return { layers, scene, plan: planOf(b, sceneChannels(scene)) };
}

/** A rendering job: the scene, its output plan and the file name of the response. */
export interface AudioJob {
  scene: Scene;
  plan: OutputPlan;
  /** File name without extension. */
  name: string;
  /** The request in canonical form (every default filled): the cache key's source. */
  canonical: unknown;
}

/** The job of a `/generate-frequency/` body. */
export function generateJob(b: GenerateBody, maxDuration: number): AudioJob {
  const { tone, plan } = generateRequest(b, maxDuration);
  return {
    scene: toneScene(tone),
    plan,
    name: `tone-${+tone.freq.toFixed(3)}hz`,
    canonical: { tone, plan: { ...plan, target: undefined } },
  };
}

/** The job of a `/mix-frequencies/` body. */
export function mixJob(b: MixBody, maxDuration: number): AudioJob {
  const { scene, plan } = mixRequest(b, maxDuration);
  return { scene, plan, name: 'mix', canonical: { scene, plan: { ...plan, target: undefined } } };
}

/** The job of a `/render/` body (a preset by name or inline). */
export async function renderJob(
  b: RenderBody,
  maxDuration: number,
  presetDirs: string[] | undefined,
): Promise<AudioJob> {
  const sampleRate = b.sampleRate ?? 48000;
  const scene = await presetScene(b.preset, { sampleRate, presetDirs });
  if (b.duration !== undefined) scene.duration = durationOf(b.duration, maxDuration, sampleRate);
  if (!Number.isFinite(scene.duration) || scene.duration > maxDuration) {
    throw invalid(
      'TOO_LONG',
      `duration: at most ${maxDuration} s on this server, the preset lasts ${scene.duration} s`,
      'duration',
    );
  }
  const plan = planOf(b, sceneChannels(scene));
  const name = typeof b.preset === 'string' ? b.preset : 'preset';
  // file layers carry decoded audio: the key holds their paths, not their samples
  const layers = scene.layers.map((l) => ({ ...l, audio: undefined }));
  return {
    scene,
    plan,
    name: name.replace(/[^\w.-]/g, '_'),
    canonical: { scene: { ...scene, layers }, plan: { ...plan, target: undefined } },
  };
}
