import type { Block, Layer } from '../render/layer.js';
import type { Scene } from '../render/scene.js';
import { DRUM_TAIL_SEC } from './drums.js';
import type { MidiSong, MidiStream } from './smf.js';
import { PolySynth } from './synth.js';
import { type VoiceMap, voiceFor } from './voices.js';

/** A synthesizer that plays queued MIDI messages as an engine layer. */
export interface MidiSink extends Layer {
  /** Queue a checked channel message packed as status | data1 << 8 | data2 << 16 at `frame`. */
  handlePacked(msg: number, frame?: number): void;
  /** Queue a system exclusive message (bytes after 0xF0); synthesizers without sysex ignore it. */
  sysex?(data: Uint8Array, frame?: number): void;
  /** Frames where the output limiter acted. */
  limitedFrames: number;
}

/** Options of {@link midiScene}. */
export interface MidiSceneOptions {
  sampleRate?: number;
  voiceMap?: VoiceMap;
  seed?: number;
  a4?: number;
  /** Seconds; default the song plus its release tail. */
  duration?: number;
  /** Force mono or stereo; default stereo only when the song pans a channel off centre. */
  channels?: 1 | 2;
  fadeIn?: number;
  fadeOut?: number;
  /** A ready synthesizer (e.g. a SoundFontSynth, stereo by default); default the built-in one. */
  synth?: MidiSink;
  /** Release tail of `synth` after the last event, seconds (default 2). */
  tail?: number;
}

/** Reverb and release tail of a SoundFont render, seconds. */
const SOUNDFONT_TAIL_SEC = 2;

/**
 * Feeds a song's events to a synthesizer block by block, reading them from the song's stream, so
 * the queue holds one block of events whatever the song's length.
 */
export class MidiSequencer implements Layer {
  readonly id: string | undefined;
  readonly params: readonly string[];
  private pending: boolean;

  constructor(
    private readonly stream: MidiStream,
    readonly synth: MidiSink,
    private readonly sampleRate: number,
  ) {
    this.id = synth.id;
    this.params = synth.params;
    this.pending = stream.next();
  }

  render(block: Block): void {
    this.feed(block.start + block.frames);
    this.synth.render(block);
  }

  /** Queue the song's events before frame `end` to the synthesizer. */
  feed(end: number): void {
    const s = this.stream;
    while (this.pending) {
      const frame = Math.round(s.time * this.sampleRate);
      if (frame >= end) break;
      if (s.sysex) this.synth.sysex?.(s.sysex, frame);
      else this.synth.handlePacked(s.msg, frame);
      this.pending = s.next();
    }
  }

  set(param: string, value: number | string, glideFrames: number): void {
    this.synth.set(param, value, glideFrames);
  }

  peakGain(): number {
    return this.synth.peakGain();
  }

  releaseAt(frame: number): void {
    this.synth.releaseAt(frame);
  }
}

/**
 * The scene and synthesizer that play a parsed song: the events are streamed to the synth at
 * their frames by `layer`, the length is the song plus the longest release of the voices it
 * uses (then silence). Attach `layer` to the engine of the scene.
 * @example
 * const { scene, layer } = midiScene(parseMidi(bytes));
 * const engine = new Engine(scene);
 * engine.attach(layer);
 */
export function midiScene(
  song: MidiSong,
  o: MidiSceneOptions = {},
): { scene: Scene; synth: MidiSink; layer: MidiSequencer } {
  const sr = o.sampleRate ?? 48000;
  const map = o.voiceMap ?? {};
  const synth = o.synth ?? new PolySynth(sr, { voiceMap: map, seed: o.seed ?? 0x5eed, a4: o.a4 ?? 440 });
  let tail = 0.05;
  let stereo = o.synth !== undefined;
  if (o.synth) tail = o.tail ?? SOUNDFONT_TAIL_SEC;
  else {
    const drums = (map.drums ?? [10]).map((c) => c - 1);
    const programs = new Uint8Array(16);
    const counted = new Uint8Array(16 * 128);
    const s = song.stream();
    while (s.next()) {
      if (s.sysex) continue;
      const m = s.msg;
      const kind = (m & 0xff) >> 4;
      const ch = m & 0x0f;
      const d1 = (m >> 8) & 0x7f;
      const d2 = (m >> 16) & 0x7f;
      if (kind === 0xc) programs[ch] = d1;
      else if (kind === 0xb && d1 === 10 && d2 !== 64) stereo = true;
      else if (kind === 0x9 && d2 > 0 && !counted[ch * 128 + programs[ch]!]) {
        counted[ch * 128 + programs[ch]!] = 1;
        tail = Math.max(
          tail,
          drums.includes(ch) ? DRUM_TAIL_SEC : voiceFor(map, ch, programs[ch]!).releaseSec,
        );
      }
    }
  }
  const duration = o.duration ?? song.duration + tail + 0.05;
  const scene: Scene = {
    sampleRate: sr,
    duration,
    layers: [],
    channels: o.channels ?? (stereo ? 2 : 1),
    master: { fadeIn: o.fadeIn ?? 0, fadeOut: o.fadeOut ?? 0.01 },
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
  };
  return { scene, synth, layer: new MidiSequencer(song.stream(), synth, sr) };
}
