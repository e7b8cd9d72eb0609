import { Param } from '../dsp/param.js';
import { Rng } from '../dsp/rng.js';
import { invalid } from '../errors.js';
import { MAX_BLOCK } from '../render/engine.js';
import { type Block, type Layer, panGains } from '../render/layer.js';
import { MIX_CEILING } from '../render/scene.js';
import { midiToHz } from '../render/values.js';
import { drumSound } from './drums.js';
import { packMidi } from './message.js';
import { Voice } from './voice.js';
import { type VoiceMap, type VoiceSettings, voiceFor } from './voices.js';

/** Options of a {@link PolySynth}. */
export interface PolySynthOptions {
  /** Layer id (for `Engine.set`). */
  id?: string;
  voiceMap?: VoiceMap;
  /** Notes sounding at once before the oldest is stolen (default 32, or the voice map's). */
  polyphony?: number;
  /** Seed of the percussion noise. */
  seed?: number;
  /** Reference pitch of A4, Hz (default 440). */
  a4?: number;
  /** Master gain before the limiter, linear (default 1). */
  gain?: number;
}

/** Level of one full-velocity note at full channel volume: a few notes fit under full scale, the limiter handles more. */
export const VOICE_HEADROOM = 0.35;
/** Time the limiter takes to give back gain, seconds. */
const LIMITER_RELEASE_SEC = 0.15;
const INTERNAL_RELEASE_ALL = 0;
/** Shortest note: a note-off sooner after its note-on (same tick included) waits until then. */
export const MIN_NOTE_SEC = 0.05;

interface ChannelState {
  program: number;
  volume: number;
  expression: number;
  panL: number;
  panR: number;
  pedal: boolean;
  bendRaw: number;
  bendRange: number;
  bendFactor: number;
  rpn: number;
  drum: boolean;
  voice: VoiceSettings;
}

/**
 * A polyphonic General-MIDI-style synthesizer as an engine {@link Layer}: per-channel program
 * voices, channel 10 percussion, velocity, volume (CC7), expression (CC11), pan (CC10), sustain
 * pedal (CC64), pitch bend with RPN 0 range, voice stealing, and a limiter so that the output
 * never passes -1 dBFS. Events are sample-accurate: each is applied at its frame.
 * @example
 * const synth = new PolySynth(48000);
 * engine.attach(synth);
 * synth.handleMidi([0x90, 60, 100], 0);      // middle C at frame 0
 * synth.handleMidi([0x80, 60, 0], 48000);    // released one second later
 * synth.handleMidi([0x90, 64, 90]);          // live: from the next block
 */
export class PolySynth implements Layer {
  readonly id: string | undefined;
  readonly params: readonly string[] = ['gain'];
  readonly sampleRate: number;
  /** Frames at which the limiter reduced the gain (a measure of how hard the mix was). */
  limitedFrames = 0;
  private readonly voices: Voice[];
  private readonly polyphony: number;
  private readonly channels: ChannelState[];
  private readonly map: VoiceMap;
  private readonly a4: number;
  private readonly rng: Rng;
  private readonly gain: Param;
  private readonly qFrame: number[] = [];
  private readonly qMsg: number[] = [];
  private head = 0;
  private frame = 0;
  private limiterGain = 1;
  private readonly limiterRelease: number;
  private readonly mixL = new Float64Array(MAX_BLOCK);
  private readonly mixR = new Float64Array(MAX_BLOCK);
  private readonly t1 = new Float64Array(MAX_BLOCK);
  private readonly t2 = new Float64Array(MAX_BLOCK);
  private readonly gains = new Float64Array(MAX_BLOCK);

  constructor(sampleRate: number, opts: PolySynthOptions = {}) {
    this.id = opts.id;
    this.sampleRate = sampleRate;
    this.map = opts.voiceMap ?? {};
    this.polyphony = opts.polyphony ?? this.map.polyphony ?? 32;
    if (!Number.isInteger(this.polyphony) || this.polyphony < 1 || this.polyphony > 256) {
      throw invalid('BAD_VALUE', `polyphony: must be 1 to 256, got ${this.polyphony}`, 'polyphony');
    }
    this.voices = Array.from({ length: this.polyphony + 8 }, () => new Voice(sampleRate));
    const drums = this.map.drums ?? [10];
    this.channels = Array.from({ length: 16 }, (_, ch) => ({
      program: 0,
      volume: 100,
      expression: 127,
      panL: Math.SQRT1_2,
      panR: Math.SQRT1_2,
      pedal: false,
      bendRaw: 0,
      bendRange: 2,
      bendFactor: 1,
      rpn: 0x3fff,
      drum: drums.includes(ch + 1),
      voice: voiceFor(this.map, ch, 0),
    }));
    this.a4 = opts.a4 ?? 440;
    this.rng = new Rng(opts.seed ?? 0x5eed);
    this.gain = new Param(opts.gain ?? 1);
    this.limiterRelease = 1 - Math.exp(-1 / (LIMITER_RELEASE_SEC * sampleRate));
  }

  /** Notes sounding now (releases included). */
  get activeVoices(): number {
    return this.voices.reduce((n, v) => n + (v.active ? 1 : 0), 0);
  }

  /**
   * Queue a MIDI channel message (`[status, data1, data2]`) at absolute frame `frame`, or at the
   * start of the next rendered block when `frame` is omitted or already past. Other messages
   * (system, sysex) are ignored. Throws BAD_VALUE for malformed bytes.
   * @example synth.handleMidi([0xb0, 64, 127], 24000) // sustain pedal down at 0.5 s
   */
  handleMidi(bytes: ArrayLike<number>, frame?: number): void {
    const msg = packMidi(bytes);
    if (msg !== undefined) this.enqueue(frame, msg);
  }

  /** Queue a checked channel message packed as status | data1 << 8 | data2 << 16. */
  handlePacked(msg: number, frame?: number): void {
    this.enqueue(frame, msg);
  }

  private enqueue(frame: number | undefined, msg: number): void {
    const f = frame === undefined || !(frame > this.frame) ? this.frame : Math.round(frame);
    const q = this.qFrame;
    let at = q.length;
    if (at > this.head && q[at - 1]! > f) {
      let lo = this.head;
      let hi = at;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (q[mid]! <= f) lo = mid + 1;
        else hi = mid;
      }
      at = lo;
    }
    if (at === q.length) {
      q.push(f);
      this.qMsg.push(msg);
    } else {
      q.splice(at, 0, f);
      this.qMsg.splice(at, 0, msg);
    }
  }

  render(block: Block): void {
    const n = block.frames;
    const stereo = block.right !== null;
    this.mixL.fill(0, 0, n);
    if (stereo) this.mixR.fill(0, 0, n);
    const end = block.start + n;
    let pos = 0;
    for (;;) {
      const qf = this.head < this.qFrame.length ? this.qFrame[this.head]! : Number.POSITIVE_INFINITY;
      const rf = this.nextOff();
      const f = Math.min(qf, rf);
      if (f >= end) break;
      const at = Math.max(0, f - block.start);
      if (at > pos) {
        this.renderSpan(pos, at - pos, stereo);
        pos = at;
      }
      if (rf <= qf) this.releaseDue(block.start + pos);
      else {
        this.apply(this.qMsg[this.head]!, block.start + pos);
        this.head++;
      }
    }
    if (pos < n) this.renderSpan(pos, n - pos, stereo);
    if (this.head > 1024 && this.head * 2 > this.qFrame.length) {
      this.qFrame.splice(0, this.head);
      this.qMsg.splice(0, this.head);
      this.head = 0;
    }
    this.frame = end;
    this.limit(block, n, stereo);
  }

  private renderSpan(off: number, n: number, stereo: boolean): void {
    const mixR = stereo ? this.mixR : null;
    for (const v of this.voices) {
      if (!v.active) continue;
      const ch = this.channels[v.channel]!;
      const vol = ((ch.volume / 127) * ch.expression) / 127;
      const g = vol * vol;
      const tl = stereo ? g * ch.panL : g;
      const tr = stereo ? g * ch.panR : g;
      v.render(this.t1, this.t2, this.mixL, mixR, off, n, ch.bendFactor, tl, tr, this.rng);
    }
  }

  /** Master gain, then a peak limiter (instant attack, smooth release) under -1 dBFS. */
  private limit(block: Block, n: number, stereo: boolean): void {
    const gains = this.gains;
    this.gain.fill(gains, 0, n);
    const L = this.mixL;
    const R = this.mixR;
    const ceil = MIX_CEILING;
    const rel = this.limiterRelease;
    let g = this.limiterGain;
    let limited = 0;
    for (let i = 0; i < n; i++) {
      const mg = gains[i]!;
      const l = L[i]! * mg;
      const r = stereo ? R[i]! * mg : 0;
      const pk = Math.max(Math.abs(l), Math.abs(r));
      g += (1 - g) * rel;
      if (pk * g > ceil) {
        g = ceil / pk;
        limited++;
      }
      L[i] = l * g;
      if (stereo) R[i] = r * g;
    }
    this.limiterGain = g;
    this.limitedFrames += limited;
    const out = block.left;
    for (let i = 0; i < n; i++) out[i]! += L[i]!;
    if (stereo) {
      const outR = block.right!;
      for (let i = 0; i < n; i++) outR[i]! += R[i]!;
    }
  }

  private apply(msg: number, frame: number): void {
    const status = msg & 0xff;
    const d1 = (msg >> 8) & 0x7f;
    const d2 = (msg >> 16) & 0x7f;
    if (status === INTERNAL_RELEASE_ALL) {
      for (const v of this.voices) if (v.active) v.release();
      for (const ch of this.channels) ch.pedal = false;
      return;
    }
    const ch = this.channels[status & 0x0f]!;
    const chIndex = status & 0x0f;
    switch (status >> 4) {
      case 0x9:
        // note on with velocity 0 is a note off
        if (d2 > 0) this.noteOn(chIndex, ch, d1, d2, frame);
        else this.noteOff(chIndex, ch, d1, frame);
        break;
      case 0x8:
        this.noteOff(chIndex, ch, d1, frame);
        break;
      case 0xb:
        this.control(chIndex, ch, d1, d2);
        break;
      case 0xc:
        ch.program = d1;
        ch.voice = voiceFor(this.map, chIndex, d1);
        break;
      case 0xe:
        ch.bendRaw = ((d2 << 7) | d1) - 8192;
        this.updateBend(ch);
        break;
      default:
        break; // aftertouch: not used
    }
  }

  /** Earliest frame of a waiting note-off, or infinity. */
  private nextOff(): number {
    let f = Number.POSITIVE_INFINITY;
    for (const v of this.voices) if (v.offAt >= 0 && v.active && v.offAt < f) f = v.offAt;
    return f;
  }

  /** Apply the waiting note-offs due at `frame`. */
  private releaseDue(frame: number): void {
    for (const v of this.voices) {
      if (v.offAt < 0 || v.offAt > frame) continue;
      v.offAt = -1;
      if (!v.active || !v.held) continue;
      if (this.channels[v.channel]!.pedal) {
        v.held = false;
        v.pedal = true;
      } else v.release();
    }
  }

  private noteOff(chIndex: number, ch: ChannelState, note: number, frame: number): void {
    const min = Math.round(MIN_NOTE_SEC * this.sampleRate);
    for (const v of this.voices) {
      if (!v.active || !v.held || v.channel !== chIndex || v.note !== note || v.drum) continue;
      if (frame - v.startFrame < min) {
        // a zero-length (or very short) note: released MIN_NOTE_SEC after its start, so it sounds
        v.offAt = v.startFrame + min;
        continue;
      }
      if (ch.pedal) {
        v.held = false;
        v.pedal = true;
      } else v.release();
    }
  }

  private noteOn(chIndex: number, ch: ChannelState, note: number, vel: number, frame: number): void {
    const velocity = (vel / 127) ** 2;
    if (ch.drum) {
      const sound = drumSound(note);
      if (sound.chokes) {
        for (const v of this.voices)
          if (v.active && v.drum && v.channel === chIndex && sound.chokes.includes(v.note)) v.kill();
      }
      this.allocate().startDrum(chIndex, note, sound, velocity * VOICE_HEADROOM * 1.5, frame);
      return;
    }
    for (const v of this.voices)
      if (v.active && !v.drum && v.channel === chIndex && v.note === note) v.kill();
    const hz = midiToHz(note, this.a4);
    const voice = this.allocate();
    voice.startNote(chIndex, note, hz, velocity * VOICE_HEADROOM * ch.voice.gain, ch.voice, frame);
  }

  /** A free voice; steals the quietest releasing or else the oldest one when over polyphony. */
  private allocate(): Voice {
    let sounding = 0;
    for (const v of this.voices) if (v.active && !v.stolen) sounding++;
    if (sounding >= this.polyphony) {
      let victim: Voice | undefined;
      for (const v of this.voices) {
        if (!v.active || v.stolen) continue;
        if (!victim) victim = v;
        else if (v.releasing !== victim.releasing) {
          if (v.releasing) victim = v;
        } else if (v.releasing ? v.level < victim.level : v.startFrame < victim.startFrame) victim = v;
      }
      victim?.kill();
    }
    let free = this.voices.find((v) => !v.active);
    if (!free) {
      // every slot is busy fading: cut the quietest
      free = this.voices.reduce((a, b) => (b.level < a.level ? b : a));
    }
    return free;
  }

  private control(chIndex: number, ch: ChannelState, cc: number, value: number): void {
    switch (cc) {
      case 7:
        ch.volume = value;
        break;
      case 10:
        [ch.panL, ch.panR] = panGains((value - 64) / 63);
        break;
      case 11:
        ch.expression = value;
        break;
      case 64: {
        const down = value >= 64;
        if (ch.pedal && !down) {
          for (const v of this.voices) if (v.active && v.channel === chIndex && v.pedal) v.release();
        }
        ch.pedal = down;
        break;
      }
      case 101:
        ch.rpn = (value << 7) | (ch.rpn & 0x7f);
        break;
      case 100:
        ch.rpn = (ch.rpn & 0x3f80) | value;
        break;
      case 6:
        if (ch.rpn === 0) {
          ch.bendRange = value + (ch.bendRange % 1);
          this.updateBend(ch);
        }
        break;
      case 38:
        if (ch.rpn === 0) {
          ch.bendRange = Math.floor(ch.bendRange) + value / 100;
          this.updateBend(ch);
        }
        break;
      case 120: // all sound off
        for (const v of this.voices) if (v.active && v.channel === chIndex) v.kill();
        break;
      case 121: // reset all controllers
        ch.expression = 127;
        ch.bendRaw = 0;
        ch.rpn = 0x3fff;
        this.updateBend(ch);
        this.control(chIndex, ch, 64, 0);
        break;
      case 123: // all notes off
        for (const v of this.voices)
          if (v.active && v.channel === chIndex && (v.held || v.pedal)) v.release();
        break;
      default:
        break;
    }
  }

  private updateBend(ch: ChannelState): void {
    ch.bendFactor = 2 ** (((ch.bendRaw / 8192) * ch.bendRange) / 12);
  }

  set(param: string, value: number | string, glideFrames: number): void {
    if (param !== 'gain') throw invalid('BAD_VALUE', `unknown parameter '${param}' (known: gain)`, param);
    const v = Number(value);
    if (!Number.isFinite(v) || v < 0 || v > 16)
      throw invalid('BAD_VALUE', `gain: must be 0 to 16, got ${value}`, param);
    this.gain.set(v, Math.max(glideFrames, Math.round(0.005 * this.sampleRate)));
  }

  /** The limiter keeps the output under -1 dBFS. */
  peakGain(): number {
    return MIX_CEILING;
  }

  /** Release every note at `frame` (live stop); pedals are lifted. */
  releaseAt(frame: number): void {
    this.enqueue(frame, INTERNAL_RELEASE_ALL);
  }
}
