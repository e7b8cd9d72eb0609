import { performance } from 'node:perf_hooks';
import type { WebSocket } from 'ws';
import { invalid, OmniError } from '../../errors.js';
import type { LayerSpec } from '../../render/scene.js';
import { LayerBook } from './layer-book.js';
import { Outbox } from './outbox.js';
import type { LayerRef } from './protocol.js';
import type { SessionStats } from './session.js';
import { HEADER_BYTES, type SynthOutput, type SynthSpec, VIZ_ONLY_BLOCK } from './synth.js';
import type { WireError } from './synth-host.js';
import type { SynthPool } from './workers.js';

/** Fade applied to a removed layer before it goes, seconds. */
const REMOVE_FADE_SEC = 0.01;
/** How far behind real time a stream may fall before it re-anchors its clock, seconds. */
const MAX_LAG_SEC = 1;

export interface AudioStreamOptions {
  pool: SynthPool;
  spec: SynthSpec;
  latencyMs: number;
  bytesPerSec: number;
  socket: WebSocket;
  stats: SessionStats;
  /** Called when the client reads too slowly and the session must close. */
  onSlow(reason: string): void;
  /** Called once the stream has ended after `stop`, with the number of frames it sent. */
  onEnd(frame: number): void;
  /** Called when the synthesis refused a change, or broke (`fatal`: the session must end). */
  onError(error: WireError, fatal: boolean): void;
}

/** Phase of the next session's viz schedule: golden-ratio steps spread sessions evenly. */
let nextVizPhase = 0;

/**
 * The paced output of one session, on the main thread; its synthesis runs in a worker thread
 * ({@link SynthPool}). Frame `f` is due at `start + f / rate` on a monotonic clock and is
 * requested up to `latency` ahead; changes go to the synthesis at once and apply from the first
 * block requested after them, which is the frame their answer names. A change also asks for
 * the next block at once (it may then leave up to one block earlier than the lookahead), so
 * that it is heard one worker round trip later instead of up to a block period later.
 * Rendered frames and viz summaries go to the client through the session's {@link Outbox},
 * which guards against slow clients (SPEC section 5).
 */
export class AudioStream {
  readonly sampleRate: number;
  readonly channels: number;
  readonly fftSize: number | null;
  private readonly pool: SynthPool;
  private readonly sid: number;
  private readonly o: AudioStreamOptions;
  private readonly book: LayerBook;
  private readonly block: number;
  private readonly framesPerMs: number;
  private readonly latencyFrames: number;
  private readonly maxAhead: number;
  private readonly out: Outbox;
  private readonly removals: { index: number; at: number }[] = [];
  private t0 = 0;
  /** Frames asked of the synthesis so far: the frame where a change sent now applies. */
  private requested = 0;
  /** Frames received from it. */
  private received = 0;
  private eager = false;
  private ended = false;
  private closed = false;

  private constructor(
    o: AudioStreamOptions,
    info: { channels: number; fftSize: number | null },
    sid: number,
  ) {
    this.o = o;
    this.pool = o.pool;
    this.sid = sid;
    this.sampleRate = o.spec.scene.sampleRate;
    this.channels = info.channels;
    this.fftSize = info.fftSize;
    this.book = new LayerBook(o.spec.scene.layers);
    this.block = o.spec.audio?.blockSize ?? VIZ_ONLY_BLOCK;
    this.framesPerMs = this.sampleRate / 1000;
    this.latencyFrames = Math.round(o.latencyMs * this.framesPerMs);
    this.maxAhead = this.latencyFrames + 4 * this.block;
    this.out = new Outbox({ socket: o.socket, stats: o.stats, bytesPerSec: o.bytesPerSec, onSlow: o.onSlow });
  }

  /** Start the synthesis of `o.spec`; resolves once it runs (frame 0 is due then). */
  static open(
    o: Omit<AudioStreamOptions, 'spec'> & { spec: Omit<SynthSpec, 'vizPhase'> },
  ): Promise<AudioStream> {
    nextVizPhase = (nextVizPhase + 0.618034) % 1;
    const opts: AudioStreamOptions = { ...o, spec: { ...o.spec, vizPhase: nextVizPhase } };
    return new Promise((resolve, reject) => {
      let stream: AudioStream | null = null;
      const sid = o.pool.open(opts.spec, {
        onOpened: (info) => {
          stream = new AudioStream(opts, info, sid);
          stream.t0 = performance.now();
          resolve(stream);
        },
        onFailed: (error) => {
          if (stream) opts.onError(error, true);
          else
            reject(
              error.known ? new OmniError(error.code as 'INTERNAL', error.message) : new Error(error.message),
            );
        },
        onError: (error) => opts.onError(error, false),
        onOutput: (out) => stream?.deliver(out),
      });
    });
  }

  /** The frame where a change sent now applies (the next frame asked of the synthesis). */
  get frame(): number {
    return this.requested;
  }

  get layerCount(): number {
    return this.book.size;
  }

  /** Throw BAD_VALUE unless layer `ref` exists and has every parameter of `params`. */
  check(ref: LayerRef, params: Record<string, number | string>): void {
    this.book.check(ref, params);
  }

  /** Change parameters of a layer; every one is checked first. Returns the frame where it applies. */
  set(ref: LayerRef, params: Record<string, number | string>, glideSec: number): number {
    const layer = this.book.check(ref, params);
    return this.send({ op: 'set', layer, params, glide: glideSec });
  }

  /** Add a layer (it fades in); returns its index. */
  add(spec: LayerSpec): number {
    const index = this.book.add(spec);
    this.send({ op: 'add', spec });
    return index;
  }

  /** Fade a layer out and remove it once the fade has been rendered; returns the frame of the fade's start. */
  remove(ref: LayerRef): number {
    const layer = this.book.indexOf(ref);
    if (this.removals.some((r) => r.index === layer))
      throw invalid('BAD_VALUE', `layer '${ref}' is already being removed`, 'layer');
    const frame = this.send({ op: 'set', layer, params: { gain: 0 }, glide: REMOVE_FADE_SEC });
    this.removals.push({ index: layer, at: frame + Math.round(REMOVE_FADE_SEC * this.sampleRate) });
    return frame;
  }

  /** Play one MIDI message (the session's MIDI voice joins the mix on the first). */
  midi(data: number[]): void {
    if (!this.book.has('midi')) this.book.attach('midi');
    this.send({ op: 'midi', data });
  }

  /** Fade out over `fadeSec` and end. */
  stop(fadeSec: number): void {
    this.send({ op: 'stop', fade: fadeSec });
  }

  private send(c: Parameters<SynthPool['control']>[1]): number {
    this.pool.control(this.sid, c);
    this.eager = true;
    return this.requested;
  }

  /** End the synthesis (the session closed or restarted). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pool.close(this.sid);
  }

  /** Ask for the blocks due at `now`; returns the time the next block is due. */
  pump(now: number): number {
    if (this.closed || this.ended) return Number.POSITIVE_INFINITY;
    const block = this.block;
    this.out.drain();
    let target = Math.floor((now - this.t0) * this.framesPerMs) + this.latencyFrames;
    if (target - this.requested > this.latencyFrames + MAX_LAG_SEC * this.sampleRate) {
      // the process stalled for over a second: re-anchor rather than burst out a backlog
      this.o.stats.late++;
      this.t0 = now - (this.requested + block - this.latencyFrames) / this.framesPerMs;
      target = this.requested + block;
    }
    if (this.eager) target += block; // a change waits for no block period
    this.eager = false;
    if (this.removals.length > 0) this.applyRemovals();
    let blocks = 0;
    // never more in flight than the lookahead and a few blocks, even if the synthesis lags
    while (this.requested + block <= target && this.requested + block - this.received <= this.maxAhead) {
      this.requested += block;
      blocks++;
    }
    if (blocks > 0) this.pool.request(this.sid, blocks, this.out.backlog <= this.out.vizDropBytes);
    return this.t0 + (this.requested + block - this.latencyFrames) / this.framesPerMs;
  }

  /** Drop the layers whose fade-out has been requested in full, in the synthesis and the book alike. */
  private applyRemovals(): void {
    for (let i = 0; i < this.removals.length; ) {
      const r = this.removals[i]!;
      if (r.at > this.requested) {
        i++;
        continue;
      }
      this.removals.splice(i, 1);
      this.pool.control(this.sid, { op: 'drop', layer: r.index });
      this.book.remove(r.index);
      for (const other of this.removals) if (other.index > r.index) other.index--;
    }
  }

  /** Frames and viz summaries rendered by the synthesis: to the client. */
  private deliver(r: SynthOutput): void {
    if (this.closed) return;
    const stats = this.o.stats;
    this.received = r.frame;
    stats.vizDropped += r.vizSkipped;
    const net = (this.o.socket as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
    net?.cork();
    try {
      if (r.audio) {
        const ab = r.audio;
        const frameBytes = this.channels * (this.o.spec.audio?.format === 's16' ? 2 : 4);
        const view = new DataView(ab);
        for (let off = 0; off + HEADER_BYTES <= ab.byteLength; ) {
          const n = view.getUint32(off + 12, true);
          if (n === 0) break;
          const first = view.getFloat64(off + 4, true);
          // how long before its first frame is due this frame goes out (negative: late)
          const headroom = first / this.framesPerMs - (performance.now() - this.t0);
          if (headroom < stats.minHeadroomMs) stats.minHeadroomMs = headroom;
          if (headroom < 0) stats.lateFrames++;
          const bytes = HEADER_BYTES + n * frameBytes;
          stats.audioFrames++;
          if (!this.out.audio(Buffer.from(ab, off, bytes))) return;
          off += (bytes + 3) & ~3;
        }
      }
      for (const v of r.viz) this.out.viz(v);
    } finally {
      net?.uncork();
    }
    if (r.done && !this.ended) {
      this.ended = true;
      this.o.onEnd(r.frame);
    }
  }
}
