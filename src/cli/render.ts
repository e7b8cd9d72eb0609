import { dirname, resolve } from 'node:path';
import { OmniError } from '../errors.js';
import { refuseInputAsOutput } from '../io/target.js';
import { loadPresetScene } from '../presets/resolve.js';
import { presetDuration } from '../presets/scene.js';
import { sceneChannels } from '../render/engine.js';
import { parseDuration } from '../render/values.js';
import { outputPlanOf, sampleRateOf, seedOf } from './options.js';
import { info } from './report.js';
import { runScene } from './run.js';

async function renderMidi(path: string, opts: Record<string, unknown>): Promise<void> {
  let mod: { renderMidiFile?: (p: string, o: Record<string, unknown>) => Promise<void> };
  try {
    // loaded only for .mid files
    mod = (await import('../midi/render.js')) as typeof mod;
  } catch (e) {
    throw new OmniError(
      'INTERNAL',
      `MIDI rendering is not available in this build (${(e as Error).message})`,
      {
        cause: e,
      },
    );
  }
  if (typeof mod.renderMidiFile !== 'function') {
    throw new OmniError('INTERNAL', 'MIDI rendering is not available in this build (no renderMidiFile)');
  }
  await mod.renderMidiFile(path, opts);
}

/**
 * `omnisonic render <preset|file.json|song.mid>`: the preset is found and validated before any
 * output is opened, so a bad preset writes nothing.
 */
export async function runRender(arg: string, opts: Record<string, unknown>): Promise<void> {
  if (/\.midi?$/i.test(arg)) return renderMidi(arg, opts);
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
