import { createRequire } from 'node:module';
import { invalid } from '../errors.js';
import { MAX_BLOCK } from '../render/engine.js';
import type { Block, Layer } from '../render/layer.js';
import { MIX_CEILING } from '../render/scene.js';
import type { SoundBank } from './bank.js';
import { EventQueue } from './event-queue.js';
import { packMidi } from './message.js';
import { installPlate } from './plate-reverb.js';
import { installFastVoices } from './soundfont-voice.js';
import { MIN_NOTE_SEC } from './synth.js';

type Core = typeof import('spessasynth_core');
type Processor = InstanceType<Core['SpessaSynthProcessor']>;

let core: Core | undefined;

/** spessasynth_core, loaded on first use (a package outside the CLI bundle). */
export function spessa(): Core {
  if (!core) {
    core = createRequire(import.meta.url)('spessasynth_core') as Core;
    // the engine logs to the console by default; OmniSonic reports for itself
    core.SpessaLog.infoEnabled = false;
    core.SpessaLog.warnEnabled = false;
    core.SpessaLog.groupEnabled = false;
  }
  return core;
}

/** Resolves when the SF3 (Ogg Vorbis) sample decoder is ready: wait before the first render. */
export function soundFontReady(): Promise<void> {
  return spessa().BasicSoundBank.isSF3DecoderReady;
}

/**
 * spessasynth renders at most this many frames a call (its internal block). Calls are cut on a
 * grid of absolute frames (and at each event), so any render made of blocks that are multiples
 * of it gives the same samples, however it is cut into blocks.
 */
export const SPESSA_BLOCK = 128;
/** Gain from the engine's level (quiet, to leave room for many voices) to OmniSonic's. */
const MAKEUP_GAIN = 2;
const SYSEX = 0x100;
const ALL_CHANNELS = 0xffff;
/**
 * Voices sounding at once; a note beyond them takes the place of the least important voice
 * (released and quiet ones first), so a render costs at most this many voices a sample.
 */
export const MAX_VOICES = 350;

/** spessasynth's reverb, chorus and delay processors, when given instead of its own. */
export type EffectProcessors = Pick<
  ConstructorParameters<Core['SpessaSynthProcessor']>[1] & object,
  'reverbProcessor' | 'chorusProcessor' | 'delayProcessor'
>;

/** Options of a {@link SoundFontSynth}. */
export interface SoundFontOptions {
  id?: string;
  /**
   * Channels whose notes it plays, bit i for channel i (default all 16). Every other message
   * applies to every channel, so synthesizers given disjoint sets, fed the same messages, sum
   * to the sound of one synthesizer with all of them (see soundfont-split.ts).
   */
  noteChannels?: number;
  /** Effect processors in place of spessasynth's own. */
  effects?: EffectProcessors;
  /** Adds more dry sound into the raw output of each block, `(L, R, frames)`, before the mix. */
  addDry?: (left: Float32Array, right: Float32Array, frames: number) => void;
  /**
   * Render voices and the reverb with spessasynth_core's own code instead of OmniSonic's faster
   * renderer (soundfont-voice.ts) and plate (plate-reverb.ts), which give the same samples: for
   * tests and benchmarks.
   */
  engineVoices?: boolean;
  /**
   * Keep released voices until the engine ends them (-90 dB on the envelope) instead of when
   * they can no longer be heard (soundfont-voice.ts): the engine's samples to the bit, for tests.
   */
  keepInaudibleVoices?: boolean;
}

/**
 * SoundFont (SF2, SF3, DLS) synthesis with spessasynth_core as an engine {@link Layer}: General
 * MIDI and GS/XG messages, reverb and chorus, stereo. Messages are queued at their frame and
 * applied sample-accurately (to the engine's 128-frame grid within a block). Wait for
 * {@link ready} before rendering (the SF3 Vorbis decoder starts asynchronously).
 * @example
 * const synth = new SoundFontSynth(48000, bank);
 * await synth.ready;
 * synth.handleMidi([0x90, 60, 100], 0);
 */
export class SoundFontSynth implements Layer {
  readonly id: string | undefined;
  readonly params: readonly string[] = ['gain'];
  readonly ready: Promise<void>;
  /** Frames whose peak was cut at the ceiling. */
  limitedFrames = 0;
  private readonly proc: Processor;
  private readonly queue = new EventQueue();
  private frame = 0;
  private gain = 1;
  /** Raw output of the last {@link renderRaw}, before gain and limiter. */
  readonly L = new Float32Array(MAX_BLOCK);
  readonly R = new Float32Array(MAX_BLOCK);
  private readonly noteChannels: number;
  private readonly addDry: SoundFontOptions['addDry'];
  /** Frame at which each (channel, note) last started, for zero-length notes. */
  private readonly started = new Float64Array(16 * 128).fill(-1);
  /** The engine's core with the fast voice renderer, and its channels when it was installed. */
  private readonly fastCore: { midiChannels: unknown[] } | undefined;
  private fastChannels = 0;
  private readonly endInaudible: boolean;

  constructor(
    readonly sampleRate: number,
    bank: SoundBank,
    opts: SoundFontOptions = {},
  ) {
    this.id = opts.id;
    this.noteChannels = opts.noteChannels ?? ALL_CHANNELS;
    this.addDry = opts.addDry;
    const { SpessaSynthProcessor } = spessa();
    this.proc = new SpessaSynthProcessor(sampleRate, {
      maxBufferSize: SPESSA_BLOCK,
      effectsEnabled: true,
      ...opts.effects,
    });
    this.proc.setSystemParameter('voiceCap', MAX_VOICES);
    this.proc.soundBankManager.addSoundBank(bank.bank as never, 'main');
    this.proc.onMissingPreset = () => undefined;
    this.ready = this.proc.processorInitialized;
    this.endInaudible = !opts.keepInaudibleVoices;
    if (!opts.engineVoices) {
      const core = (
        this.proc as unknown as { synthCore: { midiChannels: unknown[]; reverbProcessor: unknown } }
      ).synthCore;
      this.fastCore = core;
      this.installVoices();
      installPlate(core.reverbProcessor, sampleRate);
    }
  }

  /** Put the fast voice renderer on the engine's channels (again when a message added some). */
  private installVoices(): void {
    const core = this.fastCore;
    if (!core || core.midiChannels.length === this.fastChannels) return;
    installFastVoices(core, { endInaudible: this.endInaudible });
    this.fastChannels = core.midiChannels.length;
  }

  /** Voices sounding now. */
  get activeVoices(): number {
    return this.proc.voiceCount;
  }

  /** Queue a channel message at `frame` (or the next block); system messages are ignored. */
  handleMidi(bytes: ArrayLike<number>, frame?: number): void {
    const msg = packMidi(bytes);
    if (msg !== undefined) this.handlePacked(msg, frame);
  }

  /** Queue a checked channel message packed as status | data1 << 8 | data2 << 16. */
  handlePacked(msg: number, frame?: number): void {
    this.enqueue(frame, msg, undefined);
  }

  /** Queue a system exclusive message (its bytes after 0xF0), e.g. MIDI Tuning Standard. */
  sysex(data: Uint8Array, frame?: number): void {
    this.enqueue(frame, SYSEX, data.slice());
  }

  private enqueue(frame: number | undefined, msg: number, sysex: Uint8Array | undefined): void {
    const f = frame === undefined || !(frame > this.frame) ? this.frame : Math.round(frame);
    this.queue.push(f, msg, sysex);
  }

  render(block: Block): void {
    this.renderRaw(block.start, block.frames);
    this.addDry?.(this.L, this.R, block.frames);
    this.mix(block, block.frames);
  }

  /** Render frames `[start, start + n)` (n up to MAX_BLOCK) into {@link L} and {@link R}, raw. */
  renderRaw(start: number, n: number): void {
    const end = start + n;
    let pos = 0;
    const q = this.queue;
    while (q.size > 0 && q.frame < end) {
      const at = Math.max(0, q.frame - start);
      if (at > pos) {
        this.renderSpan(start, pos, at - pos);
        pos = at;
      }
      const msg = q.msg;
      const sysex = q.sysex;
      q.pop();
      this.apply(msg, sysex, start + pos);
    }
    if (pos < n) this.renderSpan(start, pos, n - pos);
    this.frame = end;
  }

  private renderSpan(start: number, off: number, n: number): void {
    this.installVoices();
    this.L.fill(0, off, off + n);
    this.R.fill(0, off, off + n);
    for (let i = 0; i < n; ) {
      const k = Math.min(SPESSA_BLOCK - ((start + off + i) % SPESSA_BLOCK), n - i);
      this.proc.process(this.L, this.R, off + i, k);
      i += k;
    }
  }

  private mix(block: Block, n: number): void {
    const g = this.gain * MAKEUP_GAIN;
    const { left, right } = block;
    let limited = 0;
    for (let i = 0; i < n; i++) {
      let l = this.L[i]! * g;
      let r = this.R[i]! * g;
      const pk = Math.max(Math.abs(l), Math.abs(r));
      if (pk > MIX_CEILING) {
        l *= MIX_CEILING / pk;
        r *= MIX_CEILING / pk;
        limited++;
      }
      if (right) {
        left[i]! += l;
        right[i]! += r;
      } else left[i]! += (l + r) * 0.5;
    }
    this.limitedFrames += limited;
  }

  private apply(msg: number, sysex: Uint8Array | undefined, frame: number): void {
    if (sysex) {
      this.proc.systemExclusive(sysex);
      return;
    }
    const status = msg & 0xff;
    const ch = status & 0x0f;
    const d1 = (msg >> 8) & 0x7f;
    const d2 = (msg >> 16) & 0x7f;
    const kind = status >> 4;
    if (kind === 0x9 && d2 > 0) this.started[ch * 128 + d1] = frame;
    else if (kind === 0x8 || kind === 0x9) {
      const start = this.started[ch * 128 + d1]!;
      const min = Math.round(MIN_NOTE_SEC * this.sampleRate);
      if (start >= 0 && frame - start < min) {
        // a zero-length (or very short) note: released after MIN_NOTE_SEC so that it sounds
        this.started[ch * 128 + d1] = -1;
        this.enqueue(start + min, 0x80 | ch | (d1 << 8), undefined);
        return;
      }
      this.started[ch * 128 + d1] = -1;
    }
    if ((kind === 0x8 || kind === 0x9) && !(this.noteChannels & (1 << ch))) return;
    this.proc.processMessage(kind === 0xc || kind === 0xd ? [status, d1] : [status, d1, d2]);
  }

  set(param: string, value: number | string): void {
    if (param !== 'gain') throw invalid('BAD_VALUE', `unknown parameter '${param}' (known: gain)`, param);
    const v = Number(value);
    if (!Number.isFinite(v) || v < 0 || v > 16)
      throw invalid('BAD_VALUE', `gain: must be 0 to 16, got ${value}`, param);
    this.gain = v;
  }

  peakGain(): number {
    return MIX_CEILING;
  }

  /** Release every note at `frame` (live stop). */
  releaseAt(frame: number): void {
    for (let ch = 0; ch < 16; ch++) this.enqueue(frame, 0xb0 | ch | (123 << 8), undefined);
  }
}
