import { performance } from 'node:perf_hooks';
import type { WebSocket } from 'ws';
import type { Quantizer } from '../../dsp/quantize.js';
import { invalid } from '../../errors.js';
import type { Engine } from '../../render/engine.js';
import type { Layer } from '../../render/layer.js';
import type { LayerSpec } from '../../render/scene.js';
import { TONE_PARAMS } from '../../render/tone-layer.js';
import { Outbox } from './outbox.js';
import type { AudioOptions, LayerRef, VizOptions } from './protocol.js';
import type { SessionStats } from './session.js';
import { Visualizer } from './viz.js';

/** Bytes of the binary frame header: uint32 seq, float64 first frame, uint32 frame count. */
export const HEADER_BYTES = 16;
/** Block rendered when the client asked for no audio (viz only), frames. */
const VIZ_ONLY_BLOCK = 512;
/** Fade applied to a removed layer before it goes, seconds. */
const REMOVE_FADE_SEC = 0.01;
/** How far behind real time a stream may fall before it re-anchors its clock, seconds. */
const MAX_LAG_SEC = 1;

export interface AudioStreamOptions {
  engine: Engine;
  /** The scene's layers, in order (to check `set` parameters against them). */
  layers: LayerSpec[];
  audio: AudioOptions | null;
  viz: VizOptions | null;
  latencyMs: number;
  quantizer: Quantizer | null;
  bytesPerSec: number;
  socket: WebSocket;
  stats: SessionStats;
  /** Monotonic time (ms) of frame 0. */
  start: number;
  /** Called when the client reads too slowly and the session must close. */
  onSlow(reason: string): void;
}

/** Phase of the next session's viz schedule: golden-ratio steps spread sessions evenly. */
let nextVizPhase = 0;
const PARAMS_OF: Record<LayerSpec['type'], readonly string[]> = {
  tone: TONE_PARAMS,
  binaural: TONE_PARAMS,
  isochronic: TONE_PARAMS,
  noise: ['gain', 'pan', 'color'],
  file: ['gain', 'pan'],
};

/**
 * The paced output of one session: renders the engine block by block against a monotonic
 * clock (frame `f` is due at `start + f / rate`, rendered up to `latency` ahead), encodes binary
 * frames with the 16-byte header, emits viz frames, and hands both to its {@link Outbox}, which
 * guards against slow clients (SPEC section 5).
 */
export class AudioStream {
  readonly engine: Engine;
  readonly fftSize: number | null;
  private readonly socket: WebSocket;
  private readonly stats: SessionStats;
  private readonly quantizer: Quantizer | null;
  private readonly viz: Visualizer | null;
  private readonly block: number;
  private readonly planar: Float64Array[];
  private readonly framesPerMs: number;
  private readonly latencyFrames: number;
  private readonly maxBlocksPerPump: number;
  private readonly removals: { ref: LayerRef; at: number }[] = [];
  /** Ids and accepted parameters of the engine's layers, in the engine's order. */
  private readonly book: { id: string | undefined; params: readonly string[] }[];
  private t0: number;
  private seq = 0;
  private readonly out: Outbox;

  constructor(o: AudioStreamOptions) {
    this.engine = o.engine;
    this.socket = o.socket;
    this.stats = o.stats;
    this.quantizer = o.quantizer;
    this.block = o.audio?.blockSize ?? VIZ_ONLY_BLOCK;
    this.planar = Array.from({ length: o.engine.channels }, () => o.engine.arena.f64(this.block));
    nextVizPhase = (nextVizPhase + 0.618034) % 1;
    this.viz = o.viz ? new Visualizer(o.engine.sampleRate, o.engine.channels, o.viz, nextVizPhase) : null;
    this.fftSize = this.viz?.fftSize ?? null;
    this.framesPerMs = o.engine.sampleRate / 1000;
    this.latencyFrames = Math.round(o.latencyMs * this.framesPerMs);
    this.maxBlocksPerPump = Math.ceil(this.latencyFrames / this.block) + 4;
    this.out = new Outbox({ socket: o.socket, stats: o.stats, bytesPerSec: o.bytesPerSec, onSlow: o.onSlow });
    this.t0 = o.start;
    this.book = o.layers.map((l) => ({ id: l.id, params: PARAMS_OF[l.type] }));
  }

  /** Add a layer (it fades in); returns its index. */
  add(spec: LayerSpec): number {
    const index = this.engine.add(spec);
    this.book.push({ id: spec.id, params: PARAMS_OF[spec.type] });
    return index;
  }

  /** Attach a ready-made layer (the MIDI voice). */
  attach(layer: Layer): void {
    this.engine.attach(layer);
    this.book.push({ id: layer.id, params: layer.params });
  }

  /**
   * Change parameters of a layer from the next rendered block; every parameter is checked
   * against the layer first, so a bad one changes nothing. Returns the frame where it applies.
   */
  set(ref: LayerRef, params: Record<string, number | string>, glideSec: number): number {
    this.check(ref, params);
    return this.engine.set(ref, params, glideSec);
  }

  /** Throw BAD_VALUE unless layer `ref` exists and has every parameter of `params`. */
  check(ref: LayerRef, params: Record<string, number | string>): void {
    const entry = this.book[this.indexOf(ref)]!;
    for (const k of Object.keys(params)) {
      if (!entry.params.includes(k)) {
        throw invalid(
          'BAD_VALUE',
          `layer '${ref}' has no parameter '${k}' (it has: ${entry.params.join(', ')})`,
          `params.${k}`,
        );
      }
    }
  }

  private indexOf(ref: LayerRef): number {
    const book = this.book;
    let i = typeof ref === 'number' ? ref : book.findIndex((l) => l.id === ref);
    if (i < 0 && typeof ref === 'string' && /^\d+$/.test(ref)) i = Number(ref);
    if (i < 0 || i >= book.length)
      throw invalid('BAD_VALUE', `no layer '${ref}' (layers: ${book.length})`, 'layer');
    return i;
  }

  /** Fade a layer out and remove it once the fade has been rendered; returns the frame of the fade's start. */
  remove(ref: LayerRef): number {
    this.indexOf(ref);
    const frame = this.engine.set(ref, { gain: 0 }, REMOVE_FADE_SEC);
    this.removals.push({ ref, at: frame + Math.round(REMOVE_FADE_SEC * this.engine.sampleRate) });
    return frame;
  }

  /** Render and send what is due at `now`; returns the time the next block is due. */
  pump(now: number): number {
    const engine = this.engine;
    const block = this.block;
    let target = Math.floor((now - this.t0) * this.framesPerMs) + this.latencyFrames;
    if (target - engine.frame > this.latencyFrames + MAX_LAG_SEC * engine.sampleRate) {
      // the process stalled for over a second: re-anchor rather than burst out a backlog
      this.stats.late++;
      this.t0 = now - (engine.frame + block - this.latencyFrames) / this.framesPerMs;
      target = engine.frame + block;
    }
    this.out.drain();
    let blocks = 0;
    if (engine.frame + block <= target && !engine.done) {
      // one write for everything this pump sends (audio and viz): system calls are the cost
      const net = (this.socket as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
      net?.cork();
      try {
        while (engine.frame + block <= target && !engine.done && blocks < this.maxBlocksPerPump) {
          if (this.removals.length > 0) this.applyRemovals();
          if (!this.renderBlock()) return Number.POSITIVE_INFINITY;
          blocks++;
        }
      } finally {
        net?.uncork();
      }
    }
    return this.t0 + (engine.frame + block - this.latencyFrames) / this.framesPerMs;
  }

  private applyRemovals(): void {
    const frame = this.engine.frame;
    while (this.removals.length > 0 && this.removals[0]!.at <= frame) {
      const { ref } = this.removals.shift()!;
      let index: number;
      try {
        index = this.indexOf(ref);
        this.engine.remove(ref);
      } catch {
        continue; // already gone
      }
      this.book.splice(index, 1);
      if (typeof ref === 'number') {
        for (const r of this.removals) if (typeof r.ref === 'number' && r.ref > ref) r.ref--;
      }
    }
  }

  /** Render one block and send it; false when the session had to close. */
  private renderBlock(): boolean {
    const engine = this.engine;
    const first = engine.frame;
    const n = engine.render(this.planar, this.block);
    if (n === 0) return true;
    // how long before its first frame is due this block goes out (negative: late)
    const headroom = first / this.framesPerMs - (performance.now() - this.t0);
    if (headroom < this.stats.minHeadroomMs) this.stats.minHeadroomMs = headroom;
    if (headroom < 0) this.stats.lateFrames++;
    const out = this.out;
    const q = this.quantizer;
    if (q) {
      const buf = Buffer.allocUnsafeSlow(HEADER_BYTES + n * q.frameBytes);
      buf.writeUInt32LE(this.seq, 0);
      buf.writeDoubleLE(first, 4);
      buf.writeUInt32LE(n, 12);
      q.encode(this.planar, n, buf.subarray(HEADER_BYTES));
      this.seq = (this.seq + 1) >>> 0;
      this.stats.audioFrames++;
      if (!out.audio(buf)) return false;
    }
    const viz = this.viz;
    if (viz) {
      viz.push(this.planar, n);
      const end = first + n;
      if (viz.due(end)) {
        if (out.backlog > out.vizDropBytes) {
          viz.skip(end); // not worth the transform: it would be dropped
          this.stats.vizDropped++;
        } else {
          out.viz(viz.takeJson(end));
        }
      }
    }
    return true;
  }
}
