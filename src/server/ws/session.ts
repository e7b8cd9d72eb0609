import type { WebSocket } from 'ws';
import { bytesPerSample, Quantizer } from '../../dsp/quantize.js';
import { invalid, isOmniError, OmniError } from '../../errors.js';
import { Engine } from '../../render/engine.js';
import type { Scene } from '../../render/scene.js';
import { AudioStream } from './audio-stream.js';
import { layerFromJson, MAX_LAYERS } from './layers.js';
import { type MidiLayer, SineVoices } from './midi-voice.js';
import { type ClientMessage, parseClientMessage, type StartMessage, setParamsFromJson } from './protocol.js';
import { MessageLimiter } from './rate-limit.js';
import type { Paced } from './scheduler.js';

/** Messages a client may send per second (sustained), and the burst it may send at once. */
export const MESSAGE_RATE = 200;
export const MESSAGE_BURST = 200;
/** Largest text message accepted, bytes. */
export const MAX_MESSAGE_BYTES = 64 * 1024;

/** What a session needs from the server that holds it. */
export interface SessionHost {
  wake(at: number): void;
  schedule(session: Session): void;
  unschedule(session: Session): void;
  /** Resolve a preset name to a scene at `sampleRate`. */
  loadPreset(name: string, sampleRate: number): Promise<Scene>;
  /** Make the MIDI layer of a session (the full synth when present, else {@link SineVoices}). */
  makeMidiLayer(sampleRate: number, bank?: { soundfont?: string }): MidiLayer;
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
  private midi: MidiLayer | null = null;
  private readonly limiter = new MessageLimiter(MESSAGE_RATE, MESSAGE_BURST);
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

  /** The engine of the running stream (tests, bench). */
  get engine(): Engine | null {
    return this.stream?.engine ?? null;
  }

  /** Handle one message from the client. */
  onMessage(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean, now: number): void {
    if (this.state === 'closed') return;
    if (!this.admit(now)) return;
    this.stats.messages++;
    let text = '';
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
      this.dispatch(parseClientMessage(text), now);
    } catch (e) {
      this.fail(e, seqIn(text));
    }
  }

  /** Per-session rate limit; floods are dropped with one error a second. */
  private admit(now: number): boolean {
    if (this.limiter.admit(now)) return true;
    this.stats.dropped++;
    const refused = this.limiter.report(now);
    if (refused > 0) {
      this.sendJson({
        type: 'error',
        code: 'RATE_LIMITED',
        message: `too many messages: ${refused} dropped; the limit is ${MESSAGE_RATE} a second`,
      });
    }
    return false;
  }

  private dispatch(msg: ClientMessage, now: number): void {
    if (msg.type === 'ping') {
      this.sendJson({ type: 'pong', t: msg.t, frame: this.stream?.engine.frame ?? null, time: Date.now() });
      return;
    }
    if (msg.type === 'start') {
      void this.start(msg, now);
      return;
    }
    const stream = this.stream;
    if (!stream || (this.state !== 'running' && this.state !== 'stopping')) {
      throw invalid('BAD_MESSAGE', `'${msg.type}' needs a running session: send 'start' first`, 'type');
    }
    const engine = stream.engine;
    switch (msg.type) {
      case 'set': {
        const params = setParamsFromJson(msg.params, engine.sampleRate);
        const frame = stream.set(msg.layer, params, msg.glide);
        this.sendJson({ type: 'ack', seq: msg.seq, frame });
        return;
      }
      case 'add': {
        if (engine.layerCount >= MAX_LAYERS)
          throw invalid('TOO_LARGE', `a session holds at most ${MAX_LAYERS} layers`, 'layer');
        const spec = layerFromJson(msg.layer, engine.sampleRate, 'layer');
        const index = stream.add(spec);
        this.sendJson({ type: 'added', seq: msg.seq, layer: spec.id ?? index, index, frame: engine.frame });
        return;
      }
      case 'remove': {
        const frame = stream.remove(msg.layer);
        this.sendJson({ type: 'removed', seq: msg.seq, layer: msg.layer, frame });
        return;
      }
      case 'midi': {
        if (!this.midi) {
          this.midi = this.host.makeMidiLayer(engine.sampleRate);
          stream.attach(this.midi);
        }
        this.midi.handleMidi(msg.data, engine.frame);
        return;
      }
      case 'stop': {
        if (this.state === 'running') {
          engine.stop(msg.fade);
          this.state = 'stopping';
        }
        return;
      }
    }
  }

  private async start(msg: StartMessage, now: number): Promise<void> {
    const token = ++this.startToken;
    const audio = msg.audio;
    const sampleRate = audio?.sampleRate ?? 48000;
    const channels = audio?.channels ?? 2;
    let scene: Scene;
    if (msg.preset !== undefined) {
      this.state = 'starting';
      try {
        scene = await this.host.loadPreset(msg.preset, sampleRate);
      } catch (e) {
        if (token === this.startToken && this.state === 'starting')
          this.state = this.stream ? 'running' : 'idle';
        this.fail(e);
        return;
      }
      if (token !== this.startToken || (this.state as State) === 'closed') return;
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
    let engine: Engine;
    try {
      engine = new Engine(scene);
    } catch (e) {
      this.fail(e);
      return;
    }
    let midi: MidiLayer | null = null;
    try {
      if (msg.midi) midi = this.host.makeMidiLayer(sampleRate, msg.midi);
    } catch (e) {
      this.fail(e);
      return;
    }
    const quantizer = audio
      ? new Quantizer({ format: audio.format, channels: audio.channels, dither: audio.format === 's16' })
      : null;
    const bytesPerSec = audio ? sampleRate * audio.channels * bytesPerSample(audio.format) : 64 * 1024;
    this.midi = null;
    this.stream = new AudioStream({
      engine,
      layers: scene.layers,
      audio,
      viz: msg.viz,
      latencyMs: msg.latencyMs,
      quantizer,
      bytesPerSec,
      socket: this.socket,
      stats: this.stats,
      start: msg.preset !== undefined ? performanceNow() : now,
      onSlow: (reason) => this.close(1008, reason),
    });
    if (midi) {
      this.midi = midi;
      this.stream.attach(midi);
    }
    this.state = 'running';
    this.sendJson({
      type: 'started',
      ...(msg.seq !== null ? { seq: msg.seq } : {}),
      session: this.id,
      sampleRate,
      channels: audio?.channels ?? engine.channels,
      format: audio?.format ?? null,
      blockSize: audio?.blockSize ?? null,
      latency: msg.latencyMs,
      layers: engine.layerCount,
      viz: msg.viz ? { ...msg.viz, fftSize: this.stream.fftSize } : false,
    });
    this.host.schedule(this);
    this.host.wake(0);
  }

  pump(now: number): number {
    const stream = this.stream;
    if (!stream || (this.state !== 'running' && this.state !== 'stopping')) return Number.POSITIVE_INFINITY;
    const next = stream.pump(now);
    if (stream.engine.done && (this.state as State) !== 'closed') {
      this.state = 'idle';
      this.armIdle();
      this.sendJson({ type: 'stopped', frame: stream.engine.frame });
      this.host.unschedule(this);
      return Number.POSITIVE_INFINITY;
    }
    return next;
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
  close(code: number, reason: string): void {
    if (this.state === 'closed') return;
    this.dispose();
    if (this.socket.readyState === 0 || this.socket.readyState === 1) {
      this.socket.close(code, reason.slice(0, 120));
      setTimeout(() => this.socket.terminate(), 5000).unref();
    }
  }

  /** Forget everything (the socket closed). */
  dispose(): void {
    this.state = 'closed';
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.host.unschedule(this);
    this.stream = null;
    this.midi = null;
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

function performanceNow(): number {
  return performance.now();
}
