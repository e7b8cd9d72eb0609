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
  const sounding = soundingSeconds(song).reduce((a, b) => a + b, 0);
  return song.duration > 0 ? sounding / song.duration : 0;
}

/**
 * Seconds of notes sounding on each channel: held time plus {@link RELEASE_GUESS_SEC} of release
 * a note, so zero for a channel without notes.
 */
function soundingSeconds(song: MidiSong): Float64Array {
  const one = [RELEASE_GUESS_SEC, Number.POSITIVE_INFINITY];
  return voiceSeconds(song, () => one);
}

/**
 * The voices a note starts, as pairs: each voice's release seconds and the longest it can sound
 * (a sample without a loop ends with its data; Infinity for a looped one).
 */
type NoteVoices = readonly number[];

/**
 * Seconds of voices sounding on each channel: for each note and each voice it starts, its held
 * time plus the voice's release, at most the voice's longest, as `voicesOf` gives them for the
 * channel's program and bank (as set before the note) and the note's key and velocity. Zero for
 * a channel without notes.
 */
function voiceSeconds(
  song: MidiSong,
  voicesOf: (ch: number, bankMsb: number, program: number, key: number, velocity: number) => NoteVoices,
): Float64Array {
  const on = new Float64Array(16 * 128).fill(-1);
  const sounding: (NoteVoices | undefined)[] = new Array(16 * 128);
  const program = new Uint8Array(16);
  const bankMsb = new Uint8Array(16);
  const seconds = new Float64Array(16);
  const end = (k: number, time: number) => {
    const v = sounding[k]!;
    const held = time - on[k]!;
    for (let i = 0; i < v.length; i += 2) seconds[k >> 7]! += Math.min(held + v[i]!, v[i + 1]!);
  };
  const s = song.stream();
  while (s.next()) {
    if (s.sysex) continue;
    const m = s.msg;
    const kind = (m & 0xf0) >> 4;
    const ch = m & 0x0f;
    if (kind === 0xc) program[ch] = (m >> 8) & 0x7f;
    else if (kind === 0xb && ((m >> 8) & 0x7f) === 0) bankMsb[ch] = (m >> 16) & 0x7f;
    if (kind !== 0x8 && kind !== 0x9) continue;
    const key = (m >> 8) & 0x7f;
    const k = ch * 128 + key;
    if (on[k]! >= 0) end(k, s.time);
    const velocity = (m >> 16) & 0x7f;
    if (kind === 0x9 && velocity > 0) {
      on[k] = s.time;
      sounding[k] = voicesOf(ch, bankMsb[ch]!, program[ch]!, key, velocity);
    } else on[k] = -1;
  }
  on.forEach((t, k) => {
    if (t >= 0) end(k, song.duration);
  });
  return seconds;
}

/** The parts of spessasynth_core's bank, presets and samples the estimate reads. */
interface BankPresets {
  getPreset(
    patch: { bankMSB: number; bankLSB: number; program: number; isGMGSDrum: boolean },
    system: string,
  ): { getVoiceParameters(key: number, velocity: number): VoiceParameters[] } | undefined;
}
interface VoiceParameters {
  generators: Int16Array;
  sample: {
    sampleRate: number;
    originalKey: number;
    loopEnd: number;
    startByteOffset?: number;
    endByteOffset?: number;
    compressedData?: unknown;
  };
}
// SoundFont generators (SF2.04 section 8.1.3): release of the volume envelope (timecents), sample
// modes (1 and 3 loop), overriding root key
const RELEASE_VOL_ENV = 38;
const SAMPLE_MODES = 54;
const OVERRIDING_ROOT_KEY = 58;
/** Releases longer than this count as this (a voice this quiet ends early, docs/midi.md). */
const RELEASE_CAP_SEC = 20;

/** Frames of a sample's data: from its byte range (16-bit), else up to its loop end. */
function sampleFrames(sample: VoiceParameters['sample']): number {
  const { startByteOffset: start, endByteOffset: end } = sample;
  if (!sample.compressedData && start !== undefined && end !== undefined && end > start)
    return (end - start) / 2;
  return sample.loopEnd;
}

/**
 * The voices of each note from the bank: those its preset starts for the key and velocity (two
 * for a stereo sample), with their volume envelopes' release times (a harp's 9.6 s against a
 * flute's 0.25 s in FluidR3) and, for samples without a loop (drums, timpani), their length at
 * the note's pitch. Cached by preset, key and velocity band. Channel 10 plays drums.
 */
function bankVoices(
  bank: SoundBank,
): (ch: number, msb: number, program: number, key: number, vel: number) => NoteVoices {
  const sb = bank.bank as BankPresets;
  const cache = new Map<object, (NoteVoices | undefined)[]>();
  const presets = new Map<number, ReturnType<BankPresets['getPreset']>>();
  const none: NoteVoices = [];
  return (ch, msb, program, key, velocity) => {
    // a preset lookup searches the bank's list: once for each bank, program and drum flag
    const patch = (ch === 9 ? 1 << 14 : 0) | (msb << 7) | program;
    if (!presets.has(patch))
      presets.set(patch, sb.getPreset({ bankMSB: msb, bankLSB: 0, program, isGMGSDrum: ch === 9 }, 'gs'));
    const preset = presets.get(patch);
    if (!preset) return none;
    let byKey = cache.get(preset);
    if (!byKey) {
      byKey = new Array(128 * 8);
      cache.set(preset, byKey);
    }
    const at = key * 8 + (velocity >> 4);
    let voices = byKey[at];
    if (!voices) {
      const list: number[] = [];
      for (const { generators: g, sample } of preset.getVoiceParameters(key, velocity)) {
        const release = Math.min(RELEASE_CAP_SEC, 2 ** (g[RELEASE_VOL_ENV]! / 1200));
        const mode = g[SAMPLE_MODES]! & 3;
        let longest = Number.POSITIVE_INFINITY;
        if (mode !== 1 && mode !== 3 && sample.sampleRate > 0) {
          const root = g[OVERRIDING_ROOT_KEY]! >= 0 ? g[OVERRIDING_ROOT_KEY]! : sample.originalKey;
          longest = sampleFrames(sample) / (sample.sampleRate * 2 ** ((key - root) / 12));
        }
        list.push(release, longest);
      }
      voices = list;
      byKey[at] = voices;
    }
    return voices;
  };
}

/**
 * The channels each thread plays, as bit masks: channels with notes dealt to `threads` groups by
 * the voice time their notes take (what a thread's work grows with), the busiest first to the
 * group with the least. A note's voices and release come from `bank` when given: a harp's long
 * release makes its channel the heaviest of an orchestra, far beyond its number of notes. Fewer
 * groups when fewer channels play.
 */
export function channelGroups(song: MidiSong, threads: number, bank?: SoundBank): number[] {
  let load = soundingSeconds(song);
  if (bank) {
    try {
      load = voiceSeconds(song, bankVoices(bank));
    } catch {
      // a bank whose presets cannot be read here: the estimate without it
    }
  }
  const channels = [...load.keys()].filter((c) => load[c]! > 0).sort((a, b) => load[b]! - load[a]!);
  const groups = Array.from({ length: Math.min(threads, channels.length) }, () => ({ mask: 0, load: 0 }));
  for (const c of channels) {
    const g = groups.reduce((a, b) => (b.load < a.load ? b : a));
    g.mask |= 1 << c;
    g.load += load[c]!;
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
