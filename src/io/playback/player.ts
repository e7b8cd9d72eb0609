import { Quantizer } from '../../dsp/quantize.js';
import type { Engine } from '../../render/engine.js';
import type { PcmOut } from './speaker-out.js';

/** How a {@link Player} paces and converts audio. */
export interface PlayerOptions {
  /** Most audio written ahead of the clock, ms (the output latency we add). */
  latencyMs: number;
  /** Channels sent to the device (the synthesis channels are mapped onto them). */
  channels: number;
  dither: boolean;
  seed: number;
}

/** What a finished playback did. */
export interface PlayResult {
  frames: number;
  /** Times the writer fell behind the clock after start (the device may have run dry). */
  lateBlocks: number;
  blockFrames: number;
}

/** Fades of pause, resume and volume changes, seconds. */
const GAIN_RAMP_SEC = 0.03;
/** Fade-out of a stop (Ctrl-C, q). */
export const STOP_FADE_SEC = 0.04;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Real-time playback of an {@link Engine}: renders blocks, converts them to 16-bit PCM (same
 * dither as file output, so the device gets the samples `tone` would write), and paces the writes
 * by a monotonic clock so that at most `latencyMs` of audio is ahead of real time, whatever the
 * device (ALSA's file and null plugins take audio instantly). Volume and pause are smoothed.
 *
 * @example
 * const player = new Player(engine, await openSpeaker(req), { latencyMs: 100, channels: 1, dither: true, seed: 1 });
 * process.once('SIGINT', () => player.stop());
 * await player.run();
 */
export class Player {
  readonly blockFrames: number;
  private readonly engine: Engine;
  private readonly out: PcmOut;
  private readonly opts: PlayerOptions;
  private gain = 1;
  private targetGain = 1;
  private volumeDbValue = 0;
  private pausedValue = false;
  private stopping = false;

  constructor(engine: Engine, out: PcmOut, opts: PlayerOptions) {
    this.engine = engine;
    this.out = out;
    this.opts = opts;
    const f = Math.round((engine.sampleRate * opts.latencyMs) / 4000);
    this.blockFrames = Math.max(64, Math.min(4096, f));
  }

  /** Output volume relative to the render, dB (0 = as rendered). */
  get volumeDb(): number {
    return this.volumeDbValue;
  }

  set volumeDb(db: number) {
    this.volumeDbValue = Math.max(-60, Math.min(0, db));
    this.updateTarget();
  }

  get paused(): boolean {
    return this.pausedValue;
  }

  /** Pause (fade out) or resume (fade in). The synthesis does not advance while paused. */
  setPaused(on: boolean): void {
    this.pausedValue = on;
    this.updateTarget();
  }

  /** Seconds played so far (synthesis time). */
  get position(): number {
    return this.engine.frame / this.engine.sampleRate;
  }

  /** Fade out over {@link STOP_FADE_SEC} and end. */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.engine.stop(STOP_FADE_SEC);
  }

  private updateTarget(): void {
    this.targetGain = this.pausedValue ? 0 : 10 ** (this.volumeDbValue / 20);
  }

  /** Play until the engine ends or {@link stop}; the device is closed when this resolves. */
  async run(): Promise<PlayResult> {
    const { engine, out } = this;
    const sr = engine.sampleRate;
    const block = this.blockFrames;
    const q = new Quantizer({
      format: 's16',
      channels: this.opts.channels,
      dither: this.opts.dither,
      seed: this.opts.seed,
    });
    // in the engine's arena, where the kernels work in place
    const planar = Array.from({ length: engine.channels }, () => engine.arena.f64(block));
    const bytes = engine.arena.bytes(block * q.frameBytes);
    const step = 1 / (GAIN_RAMP_SEC * sr);
    let t0 = performance.now();
    let sent = 0;
    let late = 0;
    try {
      for (;;) {
        let n: number;
        if (this.pausedValue && this.gain === 0) {
          if (this.stopping) break;
          n = block;
          for (const ch of planar) ch.fill(0, 0, n);
        } else {
          n = engine.render(planar, block);
          if (n === 0) break;
          this.applyGain(planar, n, step);
        }
        const len = q.encode(planar, n, bytes);
        await out.write(bytes.subarray(0, len));
        sent += n;
        const aheadMs = (sent * 1000) / sr - (performance.now() - t0);
        if (aheadMs < 0 && sent > block) {
          // the writer fell behind the clock: count it and start the schedule again from now
          late++;
          t0 = performance.now() - (sent * 1000) / sr;
        } else if (aheadMs > this.opts.latencyMs) await sleep(aheadMs - this.opts.latencyMs);
      }
    } finally {
      await out.close();
    }
    // what is still queued plays out before we return (a real device drains in close())
    const left = (sent * 1000) / sr - (performance.now() - t0);
    if (left > 0) await sleep(left);
    return { frames: sent, lateBlocks: late, blockFrames: block };
  }

  /** Smoothed output gain (volume and pause); exactly unity when untouched. */
  private applyGain(planar: Float64Array[], n: number, step: number): void {
    let g = this.gain;
    const target = this.targetGain;
    if (g === target) {
      if (g === 1) return;
      for (const ch of planar) for (let i = 0; i < n; i++) ch[i]! *= g;
      return;
    }
    for (let i = 0; i < n; i++) {
      if (g < target) g = Math.min(target, g + step);
      else if (g > target) g = Math.max(target, g - step);
      for (const ch of planar) ch[i]! *= g;
    }
    this.gain = g;
  }
}
