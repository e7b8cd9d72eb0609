import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { outputPlanOf, sampleRateOf, seedOf } from '../cli/options.js';
import { info } from '../cli/report.js';
import { fadesOf, runScene } from '../cli/run.js';
import { invalid, OmniError } from '../errors.js';
import { parseDuration, parseNumber } from '../render/values.js';
import { type MidiSceneOptions, midiScene } from './scene.js';
import { type MidiSong, parseMidi } from './smf.js';
import { checkVoiceMap, type VoiceMap } from './voices.js';

export { type MidiSceneOptions, midiScene } from './scene.js';

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
