import type { Scene } from '../render/scene.js';
import { DRUM_TAIL_SEC } from './drums.js';
import type { MidiSong } from './smf.js';
import { PolySynth } from './synth.js';
import { type VoiceMap, voiceFor } from './voices.js';

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
}

/**
 * The scene and synthesizer that play a parsed song: every event queued at its frame, the
 * length of the song plus the longest release of the voices it uses (then silence). Attach the
 * synth to the engine of the scene.
 * @example
 * const { scene, synth } = midiScene(parseMidi(bytes));
 * const engine = new Engine(scene);
 * engine.attach(synth);
 */
export function midiScene(song: MidiSong, o: MidiSceneOptions = {}): { scene: Scene; synth: PolySynth } {
  const sr = o.sampleRate ?? 48000;
  const map = o.voiceMap ?? {};
  const synth = new PolySynth(sr, { voiceMap: map, seed: o.seed ?? 0x5eed, a4: o.a4 ?? 440 });
  const drums = (map.drums ?? [10]).map((c) => c - 1);
  let tail = 0.05;
  let stereo = false;
  const programs = Array.from({ length: 16 }, () => 0);
  const counted = new Set<string>();
  for (const e of song.events) {
    const [s, d1, d2] = e.bytes as [number, number, number];
    const kind = s >> 4;
    const ch = s & 0x0f;
    if (kind === 0xc) programs[ch] = d1;
    else if (kind === 0xb && d1 === 10 && d2 !== 64) stereo = true;
    else if (kind === 0x9 && d2 > 0) {
      const key = `${ch}:${programs[ch]}`;
      if (!counted.has(key)) {
        counted.add(key);
        tail = Math.max(
          tail,
          drums.includes(ch) ? DRUM_TAIL_SEC : voiceFor(map, ch, programs[ch]!).releaseSec,
        );
      }
    }
    synth.handleMidi(e.bytes, Math.round(e.time * sr));
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
  return { scene, synth };
}
