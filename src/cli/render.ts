import { open } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { invalid, OmniError } from '../errors.js';
import { refuseInputAsOutput } from '../io/target.js';
import type { MidiRenderOptions } from '../midi/render.js';
import { isMidiContent } from '../midi/sniff.js';
import { loadPresetScene } from '../presets/resolve.js';
import { presetDuration } from '../presets/scene.js';
import { sceneChannels } from '../render/engine.js';
import { parseDuration, parseNumber } from '../render/values.js';
import { outputPlanOf, sampleRateOf, seedOf } from './options.js';
import { info, warn } from './report.js';
import { fadesOf, runScene } from './run.js';

type MidiModule = typeof import('../midi/render.js');

async function midiModule(): Promise<MidiModule> {
  try {
    // loaded only for MIDI files
    return await import('../midi/render.js');
  } catch (e) {
    throw new OmniError(
      'INTERNAL',
      `MIDI rendering is not available in this build (${(e as Error).message})`,
      {
        cause: e,
      },
    );
  }
}

/**
 * `omnisonic render song.mid`: a Standard MIDI File through the output options of `tone`, with
 * the SoundFont bank (`--soundfont`, `OMNISONIC_SOUNDFONT`, the default bank) or the built-in
 * voices (`--synth builtin`, `--voices`). Nothing is written when the file is invalid.
 */
async function renderMidi(mod: MidiModule, path: string, opts: Record<string, unknown>): Promise<void> {
  const song = await mod.readMidiFile(path);
  const name = basename(path);
  const voiceMap = opts.voices !== undefined ? await mod.loadVoiceMap(String(opts.voices)) : undefined;
  const sampleRate = sampleRateOf(opts);
  const seed = seedOf(opts);
  const o: MidiRenderOptions = { sampleRate, seed, name };
  if (voiceMap) {
    if (opts.soundfont !== undefined || (opts.synth !== undefined && String(opts.synth) !== 'builtin'))
      throw invalid(
        'BAD_USAGE',
        '--voices maps the built-in voices: it does not go with a SoundFont',
        'voices',
      );
    o.voiceMap = voiceMap;
    o.synth = 'builtin';
  }
  if (opts.synth !== undefined) o.synth = String(opts.synth);
  if (opts.soundfont !== undefined) o.soundfont = String(opts.soundfont);
  if (opts.duration !== undefined) o.duration = parseDuration(String(opts.duration), '-d/--duration', false);
  if (opts.a4 !== undefined) o.a4 = parseNumber(String(opts.a4).replace(/hz$/i, ''), '--a4', 1, 20000);
  if (opts.fadeOut !== undefined || opts.fade !== undefined) o.fadeOut = fadesOf(opts).fadeOut;
  if (song.noteCount === 0) info(`${name}: no notes; the render is silent`);
  const r = await mod.prepareMidiRender(song, o);
  if (r.fallback) warn(r.fallback);
  const plan = outputPlanOf(opts, r.scene.channels ?? 1, seed);
  info(
    `${name}: format ${song.format}, ${song.trackCount} track(s), ${song.noteCount} notes, ${song.duration.toFixed(3)} s + tail -> ${r.scene.duration.toFixed(3)} s, ${r.bank ? `SoundFont ${basename(r.bank.path)}, ${r.threads} thread(s)` : 'built-in synthesizer'}`,
  );
  try {
    await runScene(r.scene, plan, (engine) => engine.attach(r.layer));
  } finally {
    await r.close();
  }
  if (r.synth.limitedFrames > 0) {
    info(
      `limiter active on ${((100 * r.synth.limitedFrames) / (r.scene.duration * sampleRate)).toFixed(2)}% of frames`,
    );
  }
}

/**
 * `omnisonic render <preset|file.json|song.mid>`: the preset is found and validated before any
 * output is opened, so a bad preset writes nothing.
 */
export async function runRender(arg: string, opts: Record<string, unknown>): Promise<void> {
  if (/\.(midi?|kar|rmi)$/i.test(arg) || (await isMidiFile(arg)))
    return renderMidi(await midiModule(), arg, opts);
  const presetDirs = (opts.presetDir as string[] | undefined) ?? [];
  const durationOverride = opts.duration === undefined ? undefined : parseDuration(String(opts.duration));
  const sampleRate = opts.rateGiven ? sampleRateOf(opts) : undefined;
  const seed = opts.seed === undefined ? undefined : seedOf(opts);
  const { scene, preset, source } = await loadPresetScene(arg, {
    presetDirs,
    ...(sampleRate === undefined ? {} : { sampleRate }),
    ...(durationOverride === undefined ? {} : { durationOverride }),
    ...(seed === undefined ? {} : { seed }),
  });
  info(`preset ${preset.name} (${source}), ${presetDuration(preset)} s`);
  const plan = outputPlanOf({ ...opts, rate: String(scene.sampleRate) }, sceneChannels(scene), seedOf(opts));
  plan.metadata = { title: preset.name, ...(preset.description ? { comment: preset.description } : {}) };
  // the preset and its audio files are inputs: never written over
  const base = dirname(source);
  const files = preset.layers.flatMap((l) => (l.type === 'file' ? [resolve(base, l.path)] : []));
  refuseInputAsOutput(plan.target, [source, ...files]);
  await runScene(scene, plan);
}

/** True when `path` is a file that starts like MIDI (MThd, or RIFF....RMID), whatever its name. */
async function isMidiFile(path: string): Promise<boolean> {
  try {
    const f = await open(path, 'r');
    try {
      const head = new Uint8Array(12);
      const { bytesRead } = await f.read(head, 0, 12, 0);
      return isMidiContent(head.subarray(0, bytesRead));
    } finally {
      await f.close();
    }
  } catch {
    return false;
  }
}
