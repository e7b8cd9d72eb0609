import { type Arena, arena } from '../dsp/arena.js';
import { fadeGain } from '../dsp/envelope.js';
import { PeakLimiter } from '../dsp/limiter.js';
import { Param } from '../dsp/param.js';
import { Rng } from '../dsp/rng.js';
import { invalid } from '../errors.js';
import type { Block, Layer } from './layer.js';
import {
  DEFAULT_FADE,
  type LayerSpec,
  layerNeedsStereo,
  MIX_CEILING,
  type Scene,
  type TimelineStep,
} from './scene.js';
import { FileLayer, NoiseLayer } from './source-layers.js';
import { ToneLayer } from './tone-layer.js';

/** Largest block the engine renders in one go; callers may ask for any number of frames. */
export const MAX_BLOCK = 4096;
const SCRATCH_ARRAYS = 5;
/**
 * Arena room an engine reserves when it is made: its own blocks, its layers' kernel state and
 * the output buffers of whoever renders it, so that all of them land in one arena.
 */
const ARENA_RESERVE = 1 << 20;

interface PendingStep {
  frame: number;
  glideFrames: number;
  set: Record<string, number | string>;
}

/**
 * The streaming renderer: turns a {@link Scene} into blocks of samples, in constant memory,
 * for any length (endless included). Files, stdout, the sound card and WebSocket sessions all
 * pull blocks from an Engine.
 *
 * @example
 * const engine = new Engine({ sampleRate: 48000, duration: 1, layers: [{ type: 'tone', freq: 440 }] });
 * const out = [new Float64Array(1024)];
 * while (engine.render(out, 1024) > 0) { ... }
 */
export class Engine {
  readonly sampleRate: number;
  /** Channels of the synthesis: 1, or 2 when a layer needs stereo. */
  readonly channels: 1 | 2;
  /** Total length in frames (Infinity for endless scenes); shortened by {@link stop}. */
  totalFrames: number;
  /** Index of the next frame to render. */
  frame = 0;
  /** Gain applied to every layer so that the mix stays under the ceiling (1 when not needed). */
  readonly normalization: number;
  private readonly layers: Layer[] = [];
  private readonly master: Param;
  /** Peak limiter of the master section, when the scene asks for one. */
  readonly limiter: PeakLimiter | null;
  private readonly fadeInFrames: number;
  private fadeOutFrames: number;
  private readonly steps: PendingStep[];
  private readonly block: Block;
  private readonly ownLeft: Float64Array;
  private readonly ownRight: Float64Array;
  private readonly rng: Rng;
  /** The arena of the engine's blocks; callers allocate their output arrays here too. */
  readonly arena: Arena;

  constructor(scene: Scene) {
    this.arena = arena(ARENA_RESERVE);
    this.sampleRate = scene.sampleRate;
    const sr = scene.sampleRate;
    this.totalFrames = Number.isFinite(scene.duration)
      ? Math.round(scene.duration * sr)
      : Number.POSITIVE_INFINITY;
    const timeline = scene.timeline ?? [];
    this.channels = sceneChannels(scene);
    this.rng = new Rng(scene.seed ?? 0x5eed);
    for (const spec of scene.layers) this.layers.push(this.makeLayer(spec));
    const m = scene.master ?? {};
    const peak = this.layers.reduce((sum, l, i) => sum + peakOver(l, i, timeline), 0);
    const normalize = m.normalize ?? true;
    this.normalization = normalize && peak > MIX_CEILING ? MIX_CEILING / peak : 1;
    this.master = new Param((m.gain ?? 1) * this.normalization);
    this.limiter = m.limiter ? new PeakLimiter(sr, MIX_CEILING) : null;
    this.fadeInFrames = Math.round((m.fadeIn ?? DEFAULT_FADE) * sr);
    this.fadeOutFrames = Math.round((m.fadeOut ?? DEFAULT_FADE) * sr);
    if (Number.isFinite(this.totalFrames) && this.fadeInFrames + this.fadeOutFrames > this.totalFrames) {
      // very short renders: the fades share the length
      const half = Math.floor(this.totalFrames / 2);
      this.fadeInFrames = Math.min(this.fadeInFrames, half);
      this.fadeOutFrames = Math.min(this.fadeOutFrames, half);
    }
    this.steps = timeline
      .map((s: TimelineStep) => ({
        frame: Math.round(s.at * sr),
        glideFrames: Math.round((s.glide ?? 0) * sr),
        set: s.set,
      }))
      .sort((a, b) => a.frame - b.frame);
    for (const step of this.steps) this.checkStep(step);
    // block buffers live in the kernels' arena, so the SIMD kernels work on them in place
    const mem = this.arena;
    this.ownLeft = mem.f64(MAX_BLOCK);
    this.ownRight = this.channels === 2 ? mem.f64(MAX_BLOCK) : new Float64Array(0);
    this.block = {
      left: this.ownLeft,
      right: this.channels === 2 ? this.ownRight : null,
      frames: 0,
      start: 0,
      scratch: Array.from({ length: SCRATCH_ARRAYS }, () => mem.f64(MAX_BLOCK)),
    };
  }

  /** True when every frame has been rendered. */
  get done(): boolean {
    return this.frame >= this.totalFrames;
  }

  /**
   * Render up to `frames` frames into the planar arrays `out` (one per channel of
   * {@link channels}, each at least `frames` long). Returns the frames written: fewer at the
   * end, 0 once done.
   */
  render(out: Float64Array[], frames: number): number {
    let written = 0;
    while (written < frames && this.frame < this.totalFrames) {
      let n = Math.min(frames - written, MAX_BLOCK, this.totalFrames - this.frame);
      const next = this.steps[0];
      if (next && next.frame <= this.frame) {
        this.steps.shift();
        this.applyStep(next);
        continue;
      }
      if (next && next.frame < this.frame + n) n = next.frame - this.frame;
      this.renderBlock(out, written, n);
      written += n;
      this.frame += n;
    }
    return written;
  }

  /**
   * Change parameters of a layer (by id or index) from the next rendered frame, gliding over
   * `glideSec`. Returns the frame where the change applies.
   */
  set(layer: string | number, params: Record<string, number | string>, glideSec = 0): number {
    const target = this.findLayer(layer);
    const glide = Math.round(Math.max(0, glideSec) * this.sampleRate);
    for (const [k, v] of Object.entries(params)) target.set(k, v, glide);
    return this.frame;
  }

  /** Add a layer while rendering (it fades in through its own smoothing). Returns its index. */
  add(spec: LayerSpec): number {
    if (spec.id !== undefined && this.layers.some((l) => l.id === spec.id)) {
      throw invalid('BAD_VALUE', `layer id '${spec.id}' is already in use`, 'id');
    }
    const layer = this.makeLayer(spec);
    const gain = (spec as { gain?: number }).gain;
    layer.set('gain', 0, 0);
    layer.set('gain', gain ?? 0.5, Math.round(0.01 * this.sampleRate));
    this.layers.push(layer);
    return this.layers.length - 1;
  }

  /**
   * Attach a ready-made layer (a MIDI synthesizer, a custom source). It is rendered after the
   * scene's layers and counts for neither normalisation nor the timeline's checks.
   */
  attach(layer: Layer): void {
    this.layers.push(layer);
  }

  /** Remove a layer (by id or index). */
  remove(layer: string | number): void {
    const l = this.findLayer(layer);
    this.layers.splice(this.layers.indexOf(l), 1);
  }

  /** Number of layers. */
  get layerCount(): number {
    return this.layers.length;
  }

  /** End the render `fadeSec` from now, with a fade-out (live stop, Ctrl-C). */
  stop(fadeSec = 0.05): void {
    const n = Math.max(1, Math.round(fadeSec * this.sampleRate));
    if (this.frame + n < this.totalFrames) {
      this.totalFrames = this.frame + n;
      this.fadeOutFrames = n;
      for (const l of this.layers) l.releaseAt(this.frame);
    }
  }

  private renderBlock(out: Float64Array[], offset: number, n: number): void {
    const b = this.block;
    // layers add straight into the caller's arrays when the block starts at their beginning
    const direct = offset === 0;
    b.left = direct ? out[0]! : this.ownLeft;
    b.right = this.channels === 2 ? (direct ? out[1]! : this.ownRight) : null;
    b.frames = n;
    b.start = this.frame;
    b.left.fill(0, 0, n);
    b.right?.fill(0, 0, n);
    for (const layer of this.layers) layer.render(b);
    const chans = b.right ? [b.left, b.right] : [b.left];
    const start = this.frame;
    const total = this.totalFrames;
    const fadeIn = this.fadeInFrames;
    const fadeOut = this.fadeOutFrames;
    const edge = start < fadeIn || start + n > total - fadeOut || !this.master.isConstant();
    if (!edge) {
      const g = this.master.value;
      if (g !== 1) for (const ch of chans) for (let i = 0; i < n; i++) ch[i]! *= g;
    } else {
      const gains = b.scratch[0]!;
      this.master.fill(gains, 0, n);
      for (let i = 0; i < n; i++) {
        const f = start + i;
        let g = gains[i]!;
        if (f < fadeIn) g *= fadeGain(f, fadeIn);
        const fromEnd = total - 1 - f;
        if (fromEnd < fadeOut) g *= fadeGain(fromEnd, fadeOut);
        gains[i] = g;
      }
      for (const ch of chans) for (let i = 0; i < n; i++) ch[i]! *= gains[i]!;
    }
    this.limiter?.process(chans, n);
    if (!direct) for (let c = 0; c < chans.length; c++) out[c]!.set(chans[c]!.subarray(0, n), offset);
  }

  private makeLayer(spec: LayerSpec): Layer {
    const sr = this.sampleRate;
    switch (spec.type) {
      case 'tone':
        return new ToneLayer(spec, sr, this.totalFrames);
      case 'binaural':
        return new ToneLayer(
          { ...spec, type: 'tone', freq: spec.carrier, beat: spec.beat },
          sr,
          this.totalFrames,
        );
      case 'isochronic':
        return new ToneLayer(
          { ...spec, type: 'tone', isochronic: { rate: spec.rate, duty: spec.duty ?? 0.5 } },
          sr,
          this.totalFrames,
        );
      case 'noise':
        return new NoiseLayer(spec, sr, this.rng.fork());
      case 'file':
        return new FileLayer(spec, sr);
    }
  }

  private findLayer(ref: string | number): Layer {
    const l =
      typeof ref === 'number'
        ? this.layers[ref]
        : (this.layers.find((x) => x.id === ref) ?? this.byIndexText(ref));
    if (!l) throw invalid('BAD_VALUE', `no layer '${ref}' (layers: ${this.layers.length})`, 'layer');
    return l;
  }

  private byIndexText(ref: string): Layer | undefined {
    return /^\d+$/.test(ref) ? this.layers[Number(ref)] : undefined;
  }

  private checkStep(step: PendingStep): void {
    for (const key of Object.keys(step.set)) {
      const dot = key.lastIndexOf('.');
      const id = key.slice(0, dot);
      const param = key.slice(dot + 1);
      if (dot <= 0) throw invalid('BAD_VALUE', `timeline: '${key}' is not <layerId>.<param>`, 'timeline');
      if (id === 'master') {
        if (param !== 'gain') throw invalid('BAD_VALUE', `timeline: master has only 'gain', got '${param}'`);
        continue;
      }
      const layer = this.layers.find((l) => l.id === id);
      if (!layer) throw invalid('BAD_VALUE', `timeline: unknown layer id '${id}'`, 'timeline');
      if (!layer.params.includes(param)) {
        throw invalid('BAD_VALUE', `timeline: layer '${id}' has no parameter '${param}'`, 'timeline');
      }
    }
  }

  private applyStep(step: PendingStep): void {
    for (const [key, value] of Object.entries(step.set)) {
      const dot = key.lastIndexOf('.');
      const id = key.slice(0, dot);
      const param = key.slice(dot + 1);
      if (id === 'master') this.master.set(Number(value) * this.normalization, step.glideFrames);
      else this.findLayer(id).set(param, value, step.glideFrames);
    }
  }
}

/** Channels a scene is synthesised in: its own choice, else 2 when a layer or step needs stereo. */
export function sceneChannels(scene: Scene): 1 | 2 {
  if (scene.channels) return scene.channels;
  const timeline = scene.timeline ?? [];
  const stereoByTimeline = timeline.some((s) => Object.keys(s.set).some((k) => /\.(pan|beat)$/.test(k)));
  return scene.layers.some(layerNeedsStereo) || stereoByTimeline ? 2 : 1;
}

/** Largest gain layer `index` reaches over the scene, timeline included. */
function peakOver(layer: Layer, _index: number, timeline: TimelineStep[]): number {
  let peak = layer.peakGain();
  if (layer.id === undefined) return peak;
  for (const s of timeline) {
    const v = s.set[`${layer.id}.gain`];
    if (typeof v === 'number' && v > peak) peak = v;
  }
  return peak;
}
