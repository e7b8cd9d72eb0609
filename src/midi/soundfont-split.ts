import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { invalid, OmniError } from '../errors.js';
import { packagePath } from '../package-root.js';
import { MAX_BLOCK } from '../render/engine.js';
import type { Block } from '../render/layer.js';
import type { SoundBank } from './bank.js';
import type { MidiSink } from './scene.js';
import type { MidiSong } from './smf.js';
import { type EffectProcessors, SoundFontSynth, spessa } from './soundfont.js';

/** The built worker entry (tsc output; the CLI bundle runs it from the package too). */
export const SPLIT_WORKER_FILE = packagePath('dist/midi/soundfont-worker.js');

/** Frames a worker renders at a time (a multiple of the engine's 128-frame grid). */
export const SPLIT_CHUNK = 2048;
/** Chunks a worker may render ahead of the mix. */
export const SPLIT_SLOTS = 8;
/** Signals of one chunk: dry left, dry right, then the reverb, chorus and delay sends. */
export const SPLIT_SIGNALS = 5;
/** Control words shared with a worker: chunks produced, chunks consumed, stop, failed. */
export const CTRL = { produced: 0, consumed: 1, stop: 2, failed: 3 } as const;
/** Songs shorter than this render in one thread unless OMNISONIC_MIDI_THREADS asks otherwise. */
export const SPLIT_MIN_SECONDS = 10;
/**
 * Songs with fewer notes sounding on average (held, plus {@link RELEASE_GUESS_SEC} of release)
 * render in one thread unless OMNISONIC_MIDI_THREADS asks otherwise: with few voices the effects
 * in the main thread and a bank loaded by every worker cost more than the threads save.
 */
export const SPLIT_MIN_POLYPHONY = 40;
const RELEASE_GUESS_SEC = 0.5;
const MAX_THREADS = 8;
/** A worker that produces nothing for this long has stopped: the render fails. */
const STALL_MS = 120_000;

/** What a render worker is given (workerData). */
export interface SplitWorkerData {
  bankPath: string;
  smf: SharedArrayBuffer;
  name: string;
  sampleRate: number;
  noteChannels: number;
  ctrl: SharedArrayBuffer;
  data: SharedArrayBuffer;
}

/**
 * Threads a SoundFont render uses: `OMNISONIC_MIDI_THREADS` when set (1 = one thread), else one
 * a core (at most 8), and one for songs under {@link SPLIT_MIN_SECONDS}.
 */
export function midiThreads(song: MidiSong): number {
  const env = process.env.OMNISONIC_MIDI_THREADS;
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isInteger(n) || n < 1 || n > MAX_THREADS)
      throw invalid(
        'BAD_VALUE',
        `OMNISONIC_MIDI_THREADS: must be 1 to ${MAX_THREADS}, got ${env}`,
        'threads',
      );
    return n;
  }
  if (song.duration < SPLIT_MIN_SECONDS || meanPolyphony(song) < SPLIT_MIN_POLYPHONY) return 1;
  return Math.min(MAX_THREADS, availableParallelism());
}

/** Notes sounding on average over the song: held time plus a release guess, over its length. */
export function meanPolyphony(song: MidiSong): number {
  const on = new Float64Array(16 * 128).fill(-1);
  let sounding = 0;
  const s = song.stream();
  while (s.next()) {
    const m = s.msg;
    const kind = (m & 0xf0) >> 4;
    if (s.sysex || (kind !== 0x8 && kind !== 0x9)) continue;
    const k = (m & 0x0f) * 128 + ((m >> 8) & 0x7f);
    if (on[k]! >= 0) sounding += s.time - on[k]! + RELEASE_GUESS_SEC;
    on[k] = kind === 0x9 && m >> 16 > 0 ? s.time : -1;
  }
  for (const t of on) if (t >= 0) sounding += song.duration - t + RELEASE_GUESS_SEC;
  return song.duration > 0 ? sounding / song.duration : 0;
}

/**
 * The channels each thread plays, as bit masks: channels with notes dealt to `threads` groups,
 * the busiest first to the group with the fewest notes. Fewer groups when fewer channels play.
 */
export function channelGroups(song: MidiSong, threads: number): number[] {
  const notes = new Float64Array(16);
  const s = song.stream();
  while (s.next()) if (!s.sysex && (s.msg & 0xf0) === 0x90 && s.msg >> 16 > 0) notes[s.msg & 0x0f]!++;
  const channels = [...notes.keys()].filter((c) => notes[c]! > 0).sort((a, b) => notes[b]! - notes[a]!);
  const groups = Array.from({ length: Math.min(threads, channels.length) }, () => ({ mask: 0, notes: 0 }));
  for (const c of channels) {
    const g = groups.reduce((a, b) => (b.notes < a.notes ? b : a));
    g.mask |= 1 << c;
    g.notes += notes[c]!;
  }
  return groups.map((g) => g.mask);
}

/** The reverb, chorus and delay processors of `donor` with a send bus added to their input. */
function summing(donor: ReturnType<typeof fresh>, buses: Float32Array[]): EffectProcessors {
  // input comes first; the start index of the call is the 4th, 6th and 5th argument
  const wrap = <T extends object>(real: T, bus: Float32Array, startArg: number): T =>
    new Proxy(real, {
      get(target, key) {
        if (key !== 'process') return Reflect.get(target, key);
        return (...args: unknown[]) => {
          const input = args[0] as Float32Array;
          const at = args[startArg] as number;
          const n = args[startArg + 1] as number;
          for (let i = 0; i < n; i++) input[i]! += bus[at + i]!;
          return (target as { process: (...a: unknown[]) => unknown }).process(...args);
        };
      },
    });
  return {
    reverbProcessor: wrap(donor.reverbProcessor, buses[0]!, 3),
    chorusProcessor: wrap(donor.chorusProcessor, buses[1]!, 5),
    delayProcessor: wrap(donor.delayProcessor, buses[2]!, 4),
  };
}

function fresh(sampleRate: number) {
  return new (spessa().SpessaSynthProcessor)(sampleRate, { maxBufferSize: 128 });
}

interface Lane {
  worker: Worker;
  ctrl: Int32Array;
  data: Float32Array;
}

/**
 * A SoundFont synthesizer whose voices render in worker threads, each playing the notes of its
 * group of channels, while this thread runs the effects on the sum of their sends. Every worker
 * and this thread read every message of the song (so controllers, programs, tuning and effect
 * settings are the same everywhere) and cut their renders on the same frames; voices,
 * reverb, chorus and delay being linear in their input, the mix equals a render in one thread
 * to rounding (about 1e-7). GS insertion effects are not linear: songs that use them render
 * in one thread ({@link usesInsertionEffects}).
 */
export class SplitSoundFont implements MidiSink {
  readonly id = undefined;
  readonly params: readonly string[];
  private readonly host: SoundFontSynth;
  private readonly lanes: Lane[] = [];
  private readonly dryL = new Float32Array(MAX_BLOCK);
  private readonly dryR = new Float32Array(MAX_BLOCK);
  private readonly sends = [0, 1, 2].map(() => new Float32Array(MAX_BLOCK));

  private constructor(
    readonly sampleRate: number,
    bank: SoundBank,
  ) {
    this.host = new SoundFontSynth(sampleRate, bank, {
      noteChannels: 0,
      effects: summing(fresh(sampleRate), this.sends),
      addDry: (l, r, n) => {
        for (let i = 0; i < n; i++) {
          l[i]! += this.dryL[i]!;
          r[i]! += this.dryR[i]!;
        }
      },
    });
    this.params = this.host.params;
  }

  /**
   * Start one worker a group of `groups` (channel masks) for `song`, or undefined when the
   * built worker file is missing (the sources run directly): render in one thread then.
   */
  static async start(
    song: MidiSong,
    bank: SoundBank,
    sampleRate: number,
    groups: number[],
  ): Promise<SplitSoundFont | undefined> {
    if (!existsSync(SPLIT_WORKER_FILE)) return undefined;
    const split = new SplitSoundFont(sampleRate, bank);
    const smf = new SharedArrayBuffer(song.bytes.byteLength);
    new Uint8Array(smf).set(song.bytes);
    for (const noteChannels of groups) {
      const ctrl = new SharedArrayBuffer(16);
      const data = new SharedArrayBuffer(SPLIT_SLOTS * SPLIT_SIGNALS * SPLIT_CHUNK * 4);
      const workerData: SplitWorkerData = {
        bankPath: bank.path,
        smf,
        name: 'song',
        sampleRate,
        noteChannels,
        ctrl,
        data,
      };
      const worker = new Worker(SPLIT_WORKER_FILE, { workerData });
      worker.unref();
      // errors are signalled through the shared control words
      worker.on('error', () => {});
      split.lanes.push({ worker, ctrl: new Int32Array(ctrl), data: new Float32Array(data) });
    }
    await split.host.ready;
    return split;
  }

  /** Worker threads rendering voices. */
  get threads(): number {
    return this.lanes.length;
  }

  get limitedFrames(): number {
    return this.host.limitedFrames;
  }

  handlePacked(msg: number, frame?: number): void {
    this.host.handlePacked(msg, frame);
  }

  sysex(data: Uint8Array, frame?: number): void {
    this.host.sysex(data, frame);
  }

  render(block: Block): void {
    const n = block.frames;
    this.dryL.fill(0, 0, n);
    this.dryR.fill(0, 0, n);
    for (const s of this.sends) s.fill(0, 0, n);
    const outs = [this.dryL, this.dryR, ...this.sends];
    for (const lane of this.lanes) {
      for (let pos = 0; pos < n; ) {
        const frame = block.start + pos;
        const chunk = Math.floor(frame / SPLIT_CHUNK);
        const off = frame - chunk * SPLIT_CHUNK;
        const k = Math.min(SPLIT_CHUNK - off, n - pos);
        this.waitFor(lane, chunk);
        const base = (chunk % SPLIT_SLOTS) * SPLIT_SIGNALS * SPLIT_CHUNK + off;
        for (let s = 0; s < SPLIT_SIGNALS; s++) {
          const src = lane.data.subarray(base + s * SPLIT_CHUNK, base + s * SPLIT_CHUNK + k);
          const dst = outs[s]!;
          for (let i = 0; i < k; i++) dst[pos + i]! += src[i]!;
        }
        pos += k;
      }
      Atomics.store(lane.ctrl, CTRL.consumed, Math.floor((block.start + n) / SPLIT_CHUNK));
      Atomics.notify(lane.ctrl, CTRL.consumed);
    }
    this.host.render(block);
  }

  private waitFor(lane: Lane, chunk: number): void {
    let since = Date.now();
    let seen = Atomics.load(lane.ctrl, CTRL.produced);
    while (seen <= chunk) {
      if (Atomics.load(lane.ctrl, CTRL.failed))
        throw new OmniError('INTERNAL', 'a SoundFont render thread failed');
      Atomics.wait(lane.ctrl, CTRL.produced, seen, 1000);
      const now = Atomics.load(lane.ctrl, CTRL.produced);
      if (now !== seen) since = Date.now();
      else if (Date.now() - since > STALL_MS)
        throw new OmniError('INTERNAL', 'a SoundFont render thread stopped responding');
      seen = now;
    }
  }

  set(param: string, value: number | string): void {
    this.host.set(param, value);
  }

  peakGain(): number {
    return this.host.peakGain();
  }

  releaseAt(frame: number): void {
    this.host.releaseAt(frame);
  }

  /** Stop the workers. */
  async close(): Promise<void> {
    for (const lane of this.lanes) {
      Atomics.store(lane.ctrl, CTRL.stop, 1);
      Atomics.notify(lane.ctrl, CTRL.consumed);
    }
    await Promise.all(this.lanes.map((l) => l.worker.terminate()));
  }
}

/**
 * True when the song sends a Roland GS system exclusive message to the insertion effect
 * (address 40 03 xx) or assigns a part to it (40 4x 22): those render in one thread.
 */
export function usesInsertionEffects(song: MidiSong): boolean {
  const s = song.stream();
  while (s.next()) {
    const d = s.sysex;
    if (!d || d.length < 8 || d[0] !== 0x41 || d[2] !== 0x42 || d[3] !== 0x12 || d[4] !== 0x40) continue;
    if (d[5] === 0x03 || ((d[5]! & 0xf0) === 0x40 && d[6] === 0x22)) return true;
  }
  return false;
}
