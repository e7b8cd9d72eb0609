/**
 * OmniSonic's library API: the same synthesis as the CLI, for programs.
 *
 * @example
 * import { renderTone, writeWavFile } from 'omnisonic';
 * const { channels, sampleRate } = renderTone({ freq: 440, duration: 1 });
 * await writeWavFile('a4.wav', { freq: 440, duration: 3 });
 */
import type { SampleFormat } from './dsp/quantize.js';
import { type OutputPlan, type OutputResult, writeOutput } from './io/output.js';
import { type MixLayer, type MixOptions, mixScene, type ToneOptions, toneScene } from './render/build.js';
import { Engine } from './render/engine.js';
import type { Scene } from './render/scene.js';

export type { Adsr } from './dsp/envelope.js';
export { NOISE_COLORS, type NoiseColor } from './dsp/noise.js';
export { WAVES, type Wave } from './dsp/oscillator.js';
export type { SampleFormat } from './dsp/quantize.js';
export { ERROR_CODES, type ErrorCode, OmniError } from './errors.js';
export { decodeWav, readAudioFile } from './io/audio-file.js';
export type { OutputPlan, OutputResult, OutputType } from './io/output.js';
export { wavHeader } from './io/wav.js';
export { type MixLayer, type MixOptions, mixScene, type ToneOptions, toneScene } from './render/build.js';
export { Engine, MAX_BLOCK } from './render/engine.js';
export type { Block, Layer } from './render/layer.js';
export { parseLayers } from './render/layer-syntax.js';
export type { LayerSpec, Scene, TimelineStep } from './render/scene.js';
export { midiToHz, noteToMidi, parseDuration, parseFrequency, parseGain } from './render/values.js';

/** A finished render held in memory: planar channels at `sampleRate`. */
export interface RenderedAudio {
  sampleRate: number;
  channels: Float32Array[];
}

/**
 * Render a scene into memory (for short sounds; stream long ones with {@link Engine} or
 * {@link writeScene}).
 * @example renderScene(toneScene({ freq: 440, duration: 1 })).channels[0].length // 48000
 */
export function renderScene(scene: Scene): RenderedAudio {
  const engine = new Engine(scene);
  if (!Number.isFinite(engine.totalFrames)) throw new RangeError('renderScene needs a finite duration');
  const channels = Array.from({ length: engine.channels }, () => new Float32Array(engine.totalFrames));
  const block = Array.from({ length: engine.channels }, () => new Float64Array(4096));
  let pos = 0;
  for (let n = engine.render(block, 4096); n > 0; n = engine.render(block, 4096)) {
    for (let c = 0; c < channels.length; c++) channels[c]!.set(block[c]!.subarray(0, n), pos);
    pos += n;
  }
  return { sampleRate: scene.sampleRate, channels };
}

/**
 * Render one tone into memory.
 * @example renderTone({ freq: 440, duration: 1, wave: 'saw' })
 */
export function renderTone(options: ToneOptions): RenderedAudio {
  return renderScene(toneScene(options));
}

/**
 * Render a mix of layers into memory.
 * @example renderMix([{ kind: 'tone', freq: 261.63 }, { kind: 'tone', freq: 392 }], { duration: 2 })
 */
export function renderMix(layers: MixLayer[], options: MixOptions = {}): RenderedAudio {
  return renderScene(mixScene(layers, options));
}

/**
 * Stream a scene to a file or stdout in constant memory (WAV, raw, or FFmpeg formats). The file
 * appears only when complete.
 * @example await writeScene(toneScene({ freq: 440, duration: 600 }), { target: 'a.wav', type: 'wav' })
 */
export function writeScene(
  scene: Scene,
  plan: Partial<OutputPlan> & Pick<OutputPlan, 'target'>,
): Promise<OutputResult> {
  const engine = new Engine(scene);
  const full: OutputPlan = {
    type: 'wav',
    format: 's16' as SampleFormat,
    channels: engine.channels,
    sampleRate: scene.sampleRate,
    dither: true,
    ...plan,
  };
  return writeOutput(engine, full);
}

/**
 * Write one tone to a WAV file (16-bit, dithered).
 * @example await writeWavFile('a4.wav', { freq: 440, duration: 3 })
 */
export function writeWavFile(path: string, options: ToneOptions): Promise<OutputResult> {
  return writeScene(toneScene(options), { target: path, type: 'wav' });
}

// harmony: notes, consonance models, recommendations, analysis
export * as harmony from './harmony/index.js';
export { suggestionMidi } from './midi/export.js';
// MIDI: read and write Standard MIDI Files, render them, the polyphonic synthesizer
export { midiScene } from './midi/scene.js';
export { parseMidi } from './midi/smf.js';
export { PolySynth } from './midi/synth.js';
export { writeMidi } from './midi/write.js';
// presets: find, list and load presets as scenes
export { listPresets, loadPresetScene } from './presets/resolve.js';
