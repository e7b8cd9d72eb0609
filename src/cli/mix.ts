import { refuseInputAsOutput } from '../io/target.js';
import { mixScene } from '../render/build.js';
import { sceneChannels } from '../render/engine.js';
import { parseLayers } from '../render/layer-syntax.js';
import { parseDuration, parseGain, parseNumber } from '../render/values.js';
import { outputPlanOf, sampleRateOf, seedOf } from './options.js';
import { fadesOf, runScene } from './run.js';

/** `omnisonic mix <layer...>` */
export async function runMix(texts: string[], opts: Record<string, unknown>): Promise<void> {
  const sampleRate = sampleRateOf(opts);
  const a4 = parseNumber(String(opts.a4 ?? '440'), '--a4', 200, 1000);
  const layers = parseLayers(texts, { a4, sampleRate });
  let longestFile = 0;
  for (const l of layers) {
    if (l.kind !== 'file') continue;
    // the WAV reader (wavefile) loads only for mixes with a file layer
    const { readAudioFile } = await import('../io/audio-file.js');
    const audio = await readAudioFile(l.path!, sampleRate);
    l.audio = audio.channels;
    longestFile = Math.max(longestFile, audio.channels[0]!.length / sampleRate);
  }
  // -d has no default value in the parser: given (5 included) or not is then plain
  const duration =
    opts.duration === undefined && longestFile > 0
      ? longestFile
      : parseDuration(String(opts.duration ?? '5'));
  const seed = seedOf(opts);
  const scene = mixScene(layers, {
    duration,
    amplitude: parseGain(String(opts.amplitude ?? '1'), '--amplitude'),
    normalize: opts.normalize !== false,
    duty: parseNumber(String(opts.duty ?? '0.5'), '--duty', 0.01, 0.99),
    sampleRate,
    seed,
    ...fadesOf(opts),
  });
  const channels = sceneChannels(scene);
  const plan = outputPlanOf(opts, channels, seed);
  const inputs = layers.flatMap((l) => (l.kind === 'file' ? [l.path!] : []));
  if (inputs.length > 0) refuseInputAsOutput(plan.target, inputs);
  await runScene(scene, plan);
}
