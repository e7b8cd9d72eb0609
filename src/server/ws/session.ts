import { performance } from 'node:perf_hooks';
import type { WebSocket } from 'ws';
import { bytesPerSample } from '../../dsp/quantize.js';
import { invalid, isOmniError, OmniError } from '../../errors.js';
import type { Scene } from '../../render/scene.js';
import { AudioStream } from './audio-stream.js';
import { FlowControl, overflowOf } from './flow.js';
import { layerFromJson, MAX_LAYERS } from './layers.js';
import { type ClientMessage, parseClientMessage, type StartMessage, setParamsFromJson } from './protocol.js';
import type { Paced } from './scheduler.js';
import type { WireError } from './synth-host.js';
import type { SynthPool } from './workers.js';

/** Messages a client may send per second (sustained), and the burst it may send at once. */
export const MESSAGE_RATE = 200;
export const MESSAGE_BURST = 200;
/** How soon values held past the budget are applied, ms. */
const FLUSH_MS = 10;
/**
 * How long a slow client has to read its backlog and the close frame before the connection is
 * cut, ms (the server holds only the socket's small buffer meanwhile).
 */
const SLOW_GRACE_MS = 30_000;
/** Messages kept while a stream starts (handled once it runs); more are dropped. */
const MAX_EARLY = 256;
/** Largest text message accepted, bytes. */
export const MAX_MESSAGE_BYTES = 64 * 1024;

/** What a session needs from the server that holds it. */
export interface SessionHost {
  wake(at: number): void;
  schedule(session: Session): void;
  unschedule(session: Session): void;
  /** Resolve a preset name to a scene at `sampleRate`. */
  loadPreset(name: string, sampleRate: number): Promise<Scene>;
  /** The threads that render the sessions. */
  pool: SynthPool;
  log(msg: string, err?: unknown): void;
  /** Close a connection that has no stream running for this long, ms (frees its session slot). */
  idleMs: number;
}

/** Counters of a session, for tests, metrics and the bench. */
export interface SessionStats {
  messages: number;
  errors: number;
  dropped: number;
  audioFrames: number;
  vizSent: number;
  vizDropped: number;
  warnings: number;
  maxBuffered: number;
  late: number;
  /** Smallest lead of a sent frame over real time, ms (below 0: the frame went out late). */
  minHeadroomMs: number;
  /** Audio frames sent after their first sample was due. */
  lateFrames: number;
}

type State = 'idle' | 'starting' | 'running' | 'stopping' | 'closed';

/**
 * One live synthesis session on one WebSocket: it validates the client's messages, owns an
 * {@link Engine}, and streams audio and viz frames paced by the server's shared scheduler.
 * See docs/websocket.md for the protocol.
 */
export class Session implements Paced {
  readonly id: string;
  readonly stats: SessionStats = {
    messages: 0,
    errors: 0,
    dropped: 0,
    audioFrames: 0,
    vizSent: 0,
    vizDropped: 0,
    warnings: 0,
    maxBuffered: 0,
    late: 0,
    minHeadroomMs: Number.POSITIVE_INFINITY,
    lateFrames: 0,
  };
  private state: State = 'idle';
  private readonly socket: WebSocket;
  private readonly host: SessionHost;
  private stream: AudioStream | null = null;
  /** Messages that came while the stream was starting. */
  private early: ClientMessage[] = [];
  private readonly flow = new FlowControl(MESSAGE_RATE, MESSAGE_BURST);
  private flowTimer: NodeJS.Timeout | null = null;
  private startToken = 0;
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(id: string, socket: WebSocket, host: SessionHost) {
    this.id = id;
    this.socket = socket;
    this.host = host;
    this.armIdle();
  }

  /** Close the connection if it is still idle (no stream) after the host's idle time. */
  private armIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.state === 'idle')
        this.close(1000, `idle: no stream for ${Math.round(this.host.idleMs / 1000)} s`);
    }, this.host.idleMs);
    this.idleTimer.unref();
  }

  /** The running stream (null once it ended or the session closed: tests, bench). */
  get engine(): AudioStream | null {
    return this.stream;
  }

  /** Handle one message from the client. */
  onMessage(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean, now: number): void {
    if (this.state === 'closed') return;
    this.stats.messages++;
    const within = this.flow.admit(now);
    let text = '';
    let msg: ClientMessage;
    try {
      if (isBinary) throw invalid('BAD_MESSAGE', 'binary messages are not accepted: send JSON text messages');
      const size = Array.isArray(data) ? data.reduce((s, b) => s + b.length, 0) : data.byteLength;
      if (size > MAX_MESSAGE_BYTES)
        throw invalid('TOO_LARGE', `message of ${size} bytes exceeds ${MAX_MESSAGE_BYTES}`);
      text = Array.isArray(data)
        ? Buffer.concat(data).toString('utf8')
        : Buffer.isBuffer(data)
          ? data.toString('utf8')
          : Buffer.from(data).toString('utf8');
      msg = parseClientMessage(text);
    } catch (e) {
      if (within) this.fail(e, seqIn(text));
      else this.dropOne();
      return;
    }
    if (this.state === 'starting' && msg.type !== 'start' && msg.type !== 'ping') {
      if (this.early.length < MAX_EARLY) this.early.push(msg);
      else this.dropOne();
    } else if (within || overflowOf(msg) === 'keep') {
      // held values go first, so that nothing applies out of order
      if (this.flow.holding) this.release();
      this.handle(msg);
    } else {
      this.hold(msg);
    }
  }

  private handle(msg: ClientMessage): void {
    try {
      this.dispatch(msg);
    } catch (e) {
      this.fail(e, 'seq' in msg && msg.seq !== null ? msg.seq : undefined);
      return;
    }
    if (msg.type !== 'ping' && msg.type !== 'start') this.kick();
  }

  /** A change was sent: ask for the block that carries it now rather than when it falls due. */
  private kick(): void {
    if (this.stream && (this.state === 'running' || this.state === 'stopping')) {
      this.stream.pump(performance.now());
      this.host.pool.flush();
    }
  }

  /** A message past the budget: coalesce it with the held ones of its kind, or drop it. */
  private hold(msg: ClientMessage): void {
    const stream = this.stream;
    if (msg.type === 'ping') this.flow.holdPing(msg.t);
    else if (msg.type === 'midi' && overflowOf(msg) === 'coalesce' && stream) this.flow.holdMidi(msg.data);
    else if (msg.type === 'set' && stream && this.state === 'running') {
      try {
        const params = setParamsFromJson(msg.params, stream.sampleRate);
        stream.check(msg.layer, params);
        this.flow.holdSet(msg.layer, params, msg.glide, msg.seq);
      } catch {
        this.dropOne(); // an invalid set past the budget is not answered one by one
        return;
      }
    } else {
      this.dropOne();
      return;
    }
    this.armFlow(FLUSH_MS);
  }

  private dropOne(): void {
    this.stats.dropped++;
    this.flow.drop();
    this.armFlow(FLUSH_MS);
  }

  /** Run {@link flowTick} in `ms` unless it is already due. */
  private armFlow(ms: number): void {
    if (this.flowTimer || this.state === 'closed') return;
    this.flowTimer = setTimeout(this.flowTick, Math.max(0, ms));
    this.flowTimer.unref();
  }

  /** Apply what is held and report what was coalesced or dropped (at most once a second). */
  private readonly flowTick = (): void => {
    this.flowTimer = null;
    if (this.state === 'closed') return;
    if (this.flow.holding) this.release();
    const now = performance.now();
    const r = this.flow.report(now);
    if (r) {
      this.sendJson({
        type: 'error',
        code: 'RATE_LIMITED',
        message: `too many messages (the limit is ${MESSAGE_RATE} a second): ${r.dropped} dropped, ${r.coalesced} coalesced into a later message of the same kind`,
        dropped: r.dropped,
        coalesced: r.coalesced,
      });
    }
    const next = this.flow.nextReportAt();
    if (next !== null) this.armFlow(next - now);
  };

  /** Apply the held sets, MIDI values and ping, in order. */
  private release(): void {
    const held = this.flow.take();
    const stream = this.stream;
    if (stream && (this.state === 'running' || this.state === 'stopping')) {
      let frame = stream.frame;
      for (const p of held.params) {
        try {
          frame = stream.set(p.layer, { [p.param]: p.value }, p.glide);
        } catch (e) {
          this.fail(e); // the layer went meanwhile
        }
      }
      for (const seq of held.acks) this.sendJson({ type: 'ack', seq, frame });
      for (const data of held.midi) this.playMidi(data);
      this.kick();
    }
    if (held.ping) this.pong(held.ping.t, held.ping.pings);
  }

  private pong(t: unknown, pings = 1): void {
    this.sendJson({
      type: 'pong',
      t,
      frame: this.stream?.frame ?? null,
      time: Date.now(),
      ...(pings > 1 ? { pings } : {}),
    });
  }

  private playMidi(data: number[]): void {
    this.stream!.midi(data);
  }

  private dispatch(msg: ClientMessage): void {
    if (msg.type === 'ping') {
      this.pong(msg.t);
      return;
    }
    if (msg.type === 'start') {
      void this.start(msg);
      return;
    }
    const stream = this.stream;
    if (!stream || (this.state !== 'running' && this.state !== 'stopping')) {
      throw invalid('BAD_MESSAGE', `'${msg.type}' needs a running session: send 'start' first`, 'type');
    }
    switch (msg.type) {
      case 'set': {
        const params = setParamsFromJson(msg.params, stream.sampleRate);
        const frame = stream.set(msg.layer, params, msg.glide);
        this.sendJson({ type: 'ack', seq: msg.seq, frame });
        return;
      }
      case 'add': {
        if (stream.layerCount >= MAX_LAYERS)
          throw invalid('TOO_LARGE', `a session holds at most ${MAX_LAYERS} layers`, 'layer');
        const spec = layerFromJson(msg.layer, stream.sampleRate, 'layer');
        const index = stream.add(spec);
        this.sendJson({ type: 'added', seq: msg.seq, layer: spec.id ?? index, index, frame: stream.frame });
        return;
      }
      case 'remove': {
        const frame = stream.remove(msg.layer);
        this.sendJson({ type: 'removed', seq: msg.seq, layer: msg.layer, frame });
        return;
      }
      case 'midi':
        this.playMidi(msg.data);
        return;
      case 'stop': {
        if (this.state === 'running') {
          stream.stop(msg.fade);
          this.state = 'stopping';
        }
        return;
      }
    }
  }

  private async start(msg: StartMessage): Promise<void> {
    const token = ++this.startToken;
    const audio = msg.audio;
    const sampleRate = audio?.sampleRate ?? 48000;
    const channels = audio?.channels ?? 2;
    // a new start replaces the running stream
    this.endStream();
    this.state = 'starting';
    const gone = (): boolean => token !== this.startToken || (this.state as State) === 'closed';
    let scene: Scene;
    if (msg.preset !== undefined) {
      try {
        scene = await this.host.loadPreset(msg.preset, sampleRate);
      } catch (e) {
        if (gone()) return;
        this.notStarted(e);
        return;
      }
      if (gone()) return;
      scene = {
        ...scene,
        sampleRate,
        duration: Number.POSITIVE_INFINITY,
        channels,
        timeline: scene.timeline ?? [],
      };
    } else {
      scene = {
        sampleRate,
        duration: Number.POSITIVE_INFINITY,
        layers: msg.layers!,
        master: { ...msg.master },
        channels,
        ...(msg.seed !== undefined ? { seed: msg.seed } : {}),
      };
    }
    const bytesPerSec = audio ? sampleRate * audio.channels * bytesPerSample(audio.format) : 64 * 1024;
    let stream: AudioStream;
    try {
      stream = await AudioStream.open({
        pool: this.host.pool,
        spec: { scene, audio, viz: msg.viz, ...(msg.midi ? { midi: msg.midi } : {}) },
        latencyMs: msg.latencyMs,
        bytesPerSec,
        socket: this.socket,
        stats: this.stats,
        onSlow: (reason) => this.close(1008, reason, SLOW_GRACE_MS),
        onEnd: (frame) => this.ended(stream, frame),
        onError: (error, fatal) => this.synthError(stream, error, fatal),
      });
    } catch (e) {
      if (gone()) return;
      this.notStarted(e);
      return;
    }
    if (gone()) {
      stream.close();
      return;
    }
    this.stream = stream;
    this.state = 'running';
    this.sendJson({
      type: 'started',
      ...(msg.seq !== null ? { seq: msg.seq } : {}),
      session: this.id,
      sampleRate,
      channels: audio?.channels ?? stream.channels,
      format: audio?.format ?? null,
      blockSize: audio?.blockSize ?? null,
      latency: msg.latencyMs,
      layers: stream.layerCount,
      viz: msg.viz ? { ...msg.viz, fftSize: stream.fftSize } : false,
    });
    this.host.schedule(this);
    this.host.wake(0);
    const early = this.early;
    this.early = [];
    for (const m of early) this.handle(m);
  }

  private notStarted(e: unknown): void {
    this.state = 'idle';
    this.armIdle();
    this.early = [];
    this.fail(e);
  }

  /** The stream ended after `stop`: the socket stays open for another `start`. */
  private ended(stream: AudioStream, frame: number): void {
    if (stream !== this.stream) return;
    this.endStream();
    this.state = 'idle';
    this.armIdle();
    this.sendJson({ type: 'stopped', frame });
  }

  /** The synthesis refused a change (an error to the client), or broke (the session ends). */
  private synthError(stream: AudioStream, error: WireError, fatal: boolean): void {
    if (stream !== this.stream) return;
    if (!error.known) this.host.log('ws session: synthesis failed', new Error(error.message));
    const e = error.known
      ? new OmniError(
          error.code as 'INTERNAL',
          error.message,
          error.field ? { field: error.field } : undefined,
        )
      : new OmniError('INTERNAL', 'internal error while rendering the session');
    this.fail(e);
    if (fatal) this.close(1011, 'the synthesis of this session failed');
  }

  private endStream(): void {
    if (!this.stream) return;
    this.stream.close();
    this.stream = null;
    this.host.unschedule(this);
  }

  pump(now: number): number {
    const stream = this.stream;
    if (!stream || (this.state !== 'running' && this.state !== 'stopping')) return Number.POSITIVE_INFINITY;
    return stream.pump(now);
  }

  /** Send a JSON message unless the socket is closing. */
  sendJson(msg: object): void {
    if (this.socket.readyState === 1) this.socket.send(JSON.stringify(msg));
  }

  private fail(e: unknown, seq?: number | string): void {
    this.stats.errors++;
    if (isOmniError(e)) {
      this.sendJson({
        type: 'error',
        code: e.code,
        message: e.message,
        ...(e.field ? { field: e.field } : {}),
        ...(seq !== undefined ? { seq } : {}),
      });
      return;
    }
    this.host.log('ws session: unexpected error', e);
    const err = new OmniError('INTERNAL', 'internal error while handling the message');
    this.sendJson({ type: 'error', code: err.code, message: err.message });
  }

  /** Close the session: stop rendering, close the socket with `code`, terminate it if it hangs. */
  close(code: number, reason: string, graceMs = 5000): void {
    if (this.state === 'closed') return;
    this.dispose();
    if (this.socket.readyState === 0 || this.socket.readyState === 1) {
      this.socket.close(code, reason.slice(0, 120));
      setTimeout(() => this.socket.terminate(), graceMs).unref();
    }
  }

  /** Forget everything (the socket closed). */
  dispose(): void {
    this.state = 'closed';
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.flowTimer) clearTimeout(this.flowTimer);
    this.endStream();
    this.early = [];
  }
}

/** The `seq` of a message that failed validation, when it has a usable one (to echo in the error). */
function seqIn(text: string): number | string | undefined {
  if (!text.includes('"seq"')) return undefined;
  try {
    const seq = (JSON.parse(text) as { seq?: unknown }).seq;
    if ((typeof seq === 'number' && Number.isFinite(seq)) || (typeof seq === 'string' && seq.length <= 64))
      return seq;
  } catch {
    // not JSON: no seq
  }
  return undefined;
}
