import { open, readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { invalid, OmniError } from '../errors.js';
import type { Scene } from '../render/scene.js';
import { chooseSynth, loadBank, type SoundBank } from './bank.js';
import { checkDensity } from './density.js';
import { type MidiSceneOptions, type MidiSequencer, type MidiSink, midiScene } from './scene.js';
import { MAX_MIDI_FILE_BYTES, type MidiSong, parseMidi } from './smf.js';
import { isMidiContent } from './sniff.js';
import { SoundFontSynth, soundFontReady } from './soundfont.js';
import { channelGroups, midiThreads, SplitSoundFont, usesInsertionEffects } from './soundfont-split.js';
import { checkVoiceMap, type VoiceMap } from './voices.js';

export { type MidiSceneOptions, midiScene } from './scene.js';

/** Read and check a voice-map JSON file (`--voices`). */
export async function loadVoiceMap(path: string): Promise<VoiceMap> {
  const text = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw fileError(path, 'voice map', e);
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw invalid('BAD_PRESET', `${basename(path)}: not valid JSON (${(e as Error).message})`, 'voices');
  }
  return checkVoiceMap(json, basename(path));
}

/** The Standard MIDI File inside an RIFF MIDI file (its `data` chunk), or the bytes as they are. */
export function smfBytes(bytes: Uint8Array, name: string): Uint8Array {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 12 || !isMidiContent(bytes) || bytes[0] !== 0x52) return bytes;
  for (let p = 12; p + 8 <= bytes.length; ) {
    const id = String.fromCharCode(...bytes.subarray(p, p + 4));
    const len = v.getUint32(p + 4, true);
    if (id === 'data') return bytes.subarray(p + 8, Math.min(bytes.length, p + 8 + len));
    p += 8 + len + (len & 1);
  }
  throw new OmniError('BAD_MIDI', `${name}: an RIFF MIDI file without a 'data' chunk`);
}

/** Read and parse a MIDI file (SMF or RMID); NOT_FOUND when missing, BAD_MIDI when invalid. */
export async function readMidiFile(path: string): Promise<MidiSong> {
  const f = await open(path, 'r').catch((e: NodeJS.ErrnoException) => {
    throw fileError(path, 'MIDI file', e);
  });
  try {
    const { size } = await f.stat();
    if (size > MAX_MIDI_FILE_BYTES + 64) {
      throw new OmniError(
        'TOO_LARGE',
        `${basename(path)}: ${size} bytes, more than the ${MAX_MIDI_FILE_BYTES / 1048576} MiB a MIDI file may have`,
      );
    }
  } finally {
    await f.close();
  }
  const bytes = await readFile(path).catch((e: NodeJS.ErrnoException) => {
    throw fileError(path, 'MIDI file', e);
  });
  const all = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return parseMidi(smfBytes(all, basename(path)), basename(path));
}

/** How to render a song: the scene options plus the choice of synthesizer. */
export interface MidiRenderOptions extends Omit<MidiSceneOptions, 'synth'> {
  /** `builtin`, `soundfont` or undefined (a bank when one is found, else built-in). */
  synth?: string;
  /** A bank file (SF2, SF3, DLS); default `OMNISONIC_SOUNDFONT`, then the default bank. */
  soundfont?: string;
  /** The song's name in messages. */
  name?: string;
}

/** A song ready to render: attach `layer` to an engine of `scene`. */
export interface MidiRender {
  scene: Scene;
  layer: MidiSequencer;
  synth: MidiSink;
  /** The bank used, or undefined for the built-in synthesizer. */
  bank: SoundBank | undefined;
  /** Why the built-in synthesizer plays when no bank was asked for but none was found. */
  fallback: string | undefined;
  /** Threads rendering voices (1: the calling thread). */
  threads: number;
  /** Stop the render's worker threads (call once the render is over or abandoned). */
  close(): Promise<void>;
}

/**
 * Prepare a song for rendering with a SoundFont (the default bank when installed) or the
 * built-in voices. The CLI and the server call it alike.
 * @example
 * const r = await prepareMidiRender(song, { sampleRate: 44100 });
 * const engine = new Engine(r.scene); engine.attach(r.layer);
 */
export async function prepareMidiRender(song: MidiSong, o: MidiRenderOptions): Promise<MidiRender> {
  const choice = chooseSynth(o.synth, o.soundfont);
  const sr = o.sampleRate ?? 48000;
  const { synth: _kind, soundfont: _file, name = 'song', ...sceneOptions } = o;
  if (choice.kind === 'builtin') {
    const { scene, layer, synth } = midiScene(song, sceneOptions);
    return {
      scene,
      layer,
      synth,
      bank: undefined,
      fallback: choice.reason,
      threads: 1,
      close: async () => {},
    };
  }
  checkDensity(song, sr, name);
  const bank = loadBank(choice.path);
  await soundFontReady();
  const threads = midiThreads(song);
  const groups = threads > 1 && !usesInsertionEffects(song) ? channelGroups(song, threads, bank) : [];
  const split = groups.length > 1 ? await SplitSoundFont.start(song, bank, sr, groups) : undefined;
  const sf = split ?? new SoundFontSynth(sr, bank);
  if (!split) await (sf as SoundFontSynth).ready;
  const { scene, layer, synth } = midiScene(song, { ...sceneOptions, synth: sf, channels: o.channels ?? 2 });
  return {
    scene,
    layer,
    synth,
    bank,
    fallback: undefined,
    threads: split?.threads ?? 1,
    close: async () => split?.close(),
  };
}

function fileError(path: string, what: string, e: NodeJS.ErrnoException): OmniError {
  if (e.code === 'ENOENT') return new OmniError('NOT_FOUND', `${what} '${path}' does not exist`);
  if (e.code === 'EISDIR') return new OmniError('BAD_USAGE', `${what} '${path}' is a directory`);
  return new OmniError('IO_ERROR', `cannot read ${what} '${path}': ${e.message}`, { cause: e });
}
