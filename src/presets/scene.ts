/**
 * From a validated preset to the engine's {@link Scene}: note names and "-6dB" become numbers,
 * a binaural layer's `carrier` becomes the engine's `freq`, timeline keys map to engine
 * parameters.
 */
import type { Adsr } from '../dsp/envelope.js';
import type { NoiseColor } from '../dsp/noise.js';
import type { Wave } from '../dsp/oscillator.js';
import type { LayerSpec, MasterSpec, Scene, TimelineStep } from '../render/scene.js';
import type { LoadedPreset } from './load.js';
import { type Preset, type PresetEnvelope, type PresetLayer, STEP_PARAMS } from './types.js';
import { type Parsed, parsePresetFrequency, parsePresetGain, parsePresetTime } from './values.js';

/** Options of {@link presetToScene}. */
export interface SceneOptions {
  /** Replace the preset's duration (seconds; Infinity for endless streams). */
  durationOverride?: number;
  /** Replace the preset's seed. */
  seed?: number;
}

function value(p: Parsed): number {
  if (!p.ok) throw new Error(`preset not validated: ${p.reason}`);
  return p.value;
}

/** Duration of a validated preset in seconds. */
export function presetDuration(p: Preset): number {
  return value(parsePresetTime(p.duration));
}

function envelopeOf(e: PresetEnvelope | undefined): Adsr | undefined {
  if (!e) return undefined;
  return {
    attackSec: value(parsePresetTime(e.attack)),
    decaySec: e.decay === undefined ? 0 : value(parsePresetTime(e.decay)),
    sustain: e.sustain ?? 1,
    releaseSec: value(parsePresetTime(e.release)),
  };
}

function layerOf(l: PresetLayer, audio: Float32Array[] | undefined, sr: number, a4: number): LayerSpec {
  const base: { id?: string; gain?: number; pan?: number } = {};
  if (l.id !== undefined) base.id = l.id;
  if (l.gain !== undefined) base.gain = value(parsePresetGain(l.gain));
  if (l.pan !== undefined) base.pan = l.pan;
  const hz = (v: number | string) => value(parsePresetFrequency(v, sr, a4));
  switch (l.type) {
    case 'tone': {
      const spec: LayerSpec = { ...base, type: 'tone', freq: hz(l.freq), wave: (l.wave ?? 'sine') as Wave };
      if (l.duty !== undefined) spec.duty = l.duty;
      const env = envelopeOf(l.envelope);
      if (env) spec.envelope = env;
      if (l.am) spec.am = { rate: l.am.rate, depth: l.am.depth ?? 1 };
      if (l.fm) spec.fm = { rate: l.fm.rate, dev: l.fm.dev };
      return spec;
    }
    case 'binaural': {
      const carrier = hz(l.carrier);
      const env = envelopeOf(l.envelope);
      // the engine's tone layer does binaural beats with AM: use its tone form when AM is asked
      if (l.am) {
        return {
          ...base,
          type: 'tone',
          freq: carrier,
          beat: l.beat,
          wave: (l.wave ?? 'sine') as Wave,
          am: { rate: l.am.rate, depth: l.am.depth ?? 1 },
          ...(env ? { envelope: env } : {}),
        };
      }
      return {
        ...base,
        type: 'binaural',
        carrier,
        beat: l.beat,
        wave: (l.wave ?? 'sine') as Wave,
        ...(env ? { envelope: env } : {}),
      };
    }
    case 'isochronic': {
      const env = envelopeOf(l.envelope);
      return {
        ...base,
        type: 'isochronic',
        freq: hz(l.freq),
        rate: l.rate,
        duty: l.duty ?? 0.5,
        wave: (l.wave ?? 'sine') as Wave,
        ...(env ? { envelope: env } : {}),
      };
    }
    case 'noise':
      return { ...base, type: 'noise', color: (l.color ?? 'pink') as NoiseColor };
    case 'file':
      return { ...base, type: 'file', path: l.path, loop: l.loop ?? false, ...(audio ? { audio } : {}) };
  }
}

function stepOf(
  s: NonNullable<Preset['timeline']>[number],
  byId: Map<string, PresetLayer>,
  sr: number,
  a4: number,
): TimelineStep {
  const set: Record<string, number | string> = {};
  for (const [key, v] of Object.entries(s.set)) {
    const dot = key.lastIndexOf('.');
    const id = key.slice(0, dot);
    const param = key.slice(dot + 1);
    if (id === 'master') {
      set[key] = value(parsePresetGain(v));
      continue;
    }
    const layer = byId.get(id)!;
    const target = STEP_PARAMS[layer.type][param]!;
    if (target === 'freq') set[`${id}.freq`] = value(parsePresetFrequency(v, sr, a4));
    else if (target === 'gain') set[`${id}.gain`] = value(parsePresetGain(v));
    else set[`${id}.${target}`] = v;
  }
  const step: TimelineStep = { at: value(parsePresetTime(s.at)), set };
  if (s.glide !== undefined) step.glide = value(parsePresetTime(s.glide));
  return step;
}

/** Engine parameters that change at once (rates of pulses and modulators). */
const STEPPED_PARAMS = new Set(['rate', 'amRate', 'fmRate']);
/** A glide of a stepped parameter moves in steps of this many seconds (at most 600 steps). */
const SUBSTEP_SEC = 0.1;

function initialRates(layers: LayerSpec[]): Map<string, number> {
  const current = new Map<string, number>();
  for (const l of layers) {
    if (l.id === undefined) continue;
    if (l.type === 'isochronic') current.set(`${l.id}.rate`, l.rate);
    if (l.type === 'tone') {
      current.set(`${l.id}.amRate`, l.am?.rate ?? 0);
      current.set(`${l.id}.fmRate`, l.fm?.rate ?? 0);
    }
  }
  return current;
}

/**
 * The engine switches pulse and modulation rates at once (their phase runs on, so no click);
 * a timeline glide of such a rate becomes fine steps, exponential between positive rates, so a
 * session can slow its pulses smoothly.
 */
function expandSteppedGlides(steps: TimelineStep[], layers: LayerSpec[]): TimelineStep[] {
  const current = initialRates(layers);
  const out: TimelineStep[] = [];
  for (const s of [...steps].sort((a, b) => a.at - b.at)) {
    const glide = s.glide ?? 0;
    const rest: Record<string, number | string> = {};
    for (const [key, v] of Object.entries(s.set)) {
      if (!STEPPED_PARAMS.has(key.slice(key.lastIndexOf('.') + 1))) {
        rest[key] = v;
        continue;
      }
      const to = Number(v);
      const from = current.get(key) ?? 0;
      current.set(key, to);
      if (glide <= 0 || from === to) {
        rest[key] = to;
        continue;
      }
      const n = Math.min(600, Math.max(1, Math.ceil(glide / SUBSTEP_SEC)));
      const expo = from > 0 && to > 0;
      for (let i = 1; i <= n + 1; i++) {
        const f = i > n ? 1 : (i - 0.5) / n;
        const rate = i > n ? to : expo ? from * (to / from) ** f : from + (to - from) * f;
        out.push({ at: s.at + (glide * (i - 1)) / n, set: { [key]: rate } });
      }
    }
    if (Object.keys(rest).length > 0) out.push({ ...s, set: rest });
  }
  return out.sort((a, b) => a.at - b.at);
}

/**
 * The engine scene of a loaded (validated) preset.
 * @example presetToScene(await loadPresetFile('presets/alpha-relax.json', 'alpha-relax.json'), { durationOverride: 10 })
 */
export function presetToScene(loaded: LoadedPreset, opts: SceneOptions = {}): Scene {
  const { preset: p, sampleRate: sr } = loaded;
  const a4 = p.a4 ?? 440;
  const layers = p.layers.map((l, i) => layerOf(l, loaded.audio.get(i), sr, a4));
  const byId = new Map<string, PresetLayer>();
  for (const l of p.layers) if (l.id !== undefined) byId.set(l.id, l);
  const scene: Scene = {
    sampleRate: sr,
    duration: opts.durationOverride ?? presetDuration(p),
    layers,
  };
  if (p.timeline?.length) {
    scene.timeline = expandSteppedGlides(
      p.timeline.map((s) => stepOf(s, byId, sr, a4)),
      layers,
    );
  }
  const m = p.master ?? {};
  const master: MasterSpec = {};
  if (m.gain !== undefined) master.gain = value(parsePresetGain(m.gain));
  if (m.normalize !== undefined) master.normalize = m.normalize;
  if (m.limiter !== undefined) master.limiter = m.limiter;
  if (m.fadeIn !== undefined) master.fadeIn = value(parsePresetTime(m.fadeIn));
  if (m.fadeOut !== undefined) master.fadeOut = value(parsePresetTime(m.fadeOut));
  scene.master = master;
  const seed = opts.seed ?? p.seed;
  if (seed !== undefined) scene.seed = seed;
  return scene;
}
