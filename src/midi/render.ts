import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { outputPlanOf, sampleRateOf, seedOf } from '../cli/options.js';
import { info } from '../cli/report.js';
import { fadesOf, runScene } from '../cli/run.js';
import { invalid, OmniError } from '../errors.js';
import type { Scene } from '../render/scene.js';
import { parseDuration, parseNumber } from '../render/values.js';
import { DRUM_TAIL_SEC } from './drums.js';
import { type MidiSong, parseMidi } from './smf.js';
import { PolySynth } from './synth.js';
import { checkVoiceMap, type VoiceMap, voiceFor } from './voices.js';

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

/** Read and check a voice-map JSON file (`--voices`). */
export async function loadVoiceMap(path: string): Promise<VoiceMap> {
  const text = await readText(path, 'voice map');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw invalid('BAD_PRESET', `${basename(path)}: not valid JSON (${(e as Error).message})`, 'voices');
  }
  return checkVoiceMap(json, basename(path));
}

/** Read and parse a MIDI file; NOT_FOUND when missing, BAD_MIDI when invalid. */
export async function readMidiFile(path: string): Promise<MidiSong> {
  const bytes = await readFile(path).catch((e: NodeJS.ErrnoException) => {
    throw fileError(path, 'MIDI file', e);
  });
  return parseMidi(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), basename(path));
}

/**
 * `omnisonic render song.mid`: render a Standard MIDI File with the built-in voices, through
 * the output options of `tone` (`-o`, `-t`, `-r`, `-b`, `-c`, ...), `-d` to cut or extend,
 * `--voices <file.json>` for a voice map. Nothing is written when the file is invalid.
 * @example await renderMidiFile('song.mid', { output: 'song.wav' })
 */
export async function renderMidiFile(path: string, opts: Record<string, unknown>): Promise<void> {
  const song = await readMidiFile(path);
  const voiceMap = opts.voices !== undefined ? await loadVoiceMap(String(opts.voices)) : {};
  const sampleRate = sampleRateOf(opts);
  const seed = seedOf(opts);
  const o: MidiSceneOptions = { sampleRate, voiceMap, seed };
  if (opts.duration !== undefined) o.duration = parseDuration(String(opts.duration), '-d/--duration', false);
  if (opts.a4 !== undefined) o.a4 = parseNumber(String(opts.a4).replace(/hz$/i, ''), '--a4', 1, 20000);
  if (opts.fadeOut !== undefined || opts.fade !== undefined) o.fadeOut = fadesOf(opts).fadeOut;
  const notes = song.events.filter((e) => e.bytes[0]! >> 4 === 9 && e.bytes[2]! > 0).length;
  if (notes === 0) info(`${basename(path)}: no notes; the render is silent`);
  const { scene, synth } = midiScene(song, o);
  const plan = outputPlanOf(opts, scene.channels ?? 1, seed);
  info(
    `${basename(path)}: format ${song.format}, ${song.trackCount} track(s), ${notes} notes, ${song.duration.toFixed(3)} s + tail -> ${scene.duration.toFixed(3)} s`,
  );
  await runScene(scene, plan, (engine) => engine.attach(synth));
  if (synth.limitedFrames > 0) {
    info(
      `limiter active on ${((100 * synth.limitedFrames) / (scene.duration * sampleRate)).toFixed(2)}% of frames`,
    );
  }
}

async function readText(path: string, what: string): Promise<string> {
  return readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw fileError(path, what, e);
  });
}

function fileError(path: string, what: string, e: NodeJS.ErrnoException): OmniError {
  if (e.code === 'ENOENT') return new OmniError('NOT_FOUND', `${what} '${path}' does not exist`);
  if (e.code === 'EISDIR') return new OmniError('BAD_USAGE', `${what} '${path}' is a directory`);
  return new OmniError('IO_ERROR', `cannot read ${what} '${path}': ${e.message}`, { cause: e });
}
