import { existsSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { invalid, OmniError } from '../errors.js';
import type { Player } from '../io/playback/player.js';
import { mixScene, toneScene } from '../render/build.js';
import { Engine, sceneChannels } from '../render/engine.js';
import { parseLayers } from '../render/layer-syntax.js';
import type { Scene } from '../render/scene.js';
import { parseDuration, parseFrequency, parseGain, parseNumber } from '../render/values.js';
import { sampleRateOf, seedOf } from './options.js';
import { info, warn } from './report.js';
import { fadesOf } from './run.js';
import { toneOptionsOf } from './tone.js';

type Given = (option: string) => boolean;

/** What `play` was asked to play, as a scene. */
async function sceneOf(inputs: string[], opts: Record<string, unknown>, given: Given): Promise<Scene> {
  const sampleRate = sampleRateOf(opts);
  const a4 = parseNumber(String(opts.a4 ?? '440'), '--a4', 200, 1000);
  const first = inputs[0]!;
  if (inputs.length === 1) {
    const isFile = existsSync(first) && statSync(first).isFile();
    if (isFile && extname(first).toLowerCase() === '.json')
      return presetScene(first, opts, given, sampleRate);
    if (isFile) return mixOf([`file:${first}`], opts, given, sampleRate, a4);
    if (isFrequency(first, a4, sampleRate)) return toneScene(toneOptionsOf(first, opts));
    if (!/[:@~]/.test(first) && !/^noise/i.test(first)) return presetScene(first, opts, given, sampleRate);
  }
  return mixOf(inputs, opts, given, sampleRate, a4);
}

function isFrequency(text: string, a4: number, sampleRate: number): boolean {
  try {
    parseFrequency(text, { a4, sampleRate, field: 'frequency' });
    return true;
  } catch {
    return /^[\d.]+\s*(hz)?$/i.test(text) || /^[A-G][#b]?-?\d/.test(text);
  }
}

async function mixOf(
  texts: string[],
  opts: Record<string, unknown>,
  given: Given,
  sampleRate: number,
  a4: number,
) {
  const layers = parseLayers(texts, { a4, sampleRate });
  let longestFile = 0;
  for (const l of layers) {
    if (l.kind !== 'file') continue;
    const { readAudioFile } = await import('../io/audio-file.js');
    const audio = await readAudioFile(l.path!, sampleRate);
    l.audio = audio.channels;
    longestFile = Math.max(longestFile, audio.channels[0]!.length / sampleRate);
  }
  const duration =
    !given('duration') && longestFile > 0 ? longestFile : parseDuration(String(opts.duration ?? 'inf'));
  return mixScene(layers, {
    duration,
    amplitude: given('amplitude') ? parseGain(String(opts.amplitude), '--amplitude') : 1,
    normalize: opts.normalize !== false,
    duty: parseNumber(String(opts.duty ?? '0.5'), '--duty', 0.01, 0.99),
    sampleRate,
    seed: seedOf(opts),
    ...fadesOf(opts),
  });
}

async function presetScene(name: string, opts: Record<string, unknown>, given: Given, sampleRate: number) {
  let mod: { loadPresetScene: (n: string, o: Record<string, unknown>) => Promise<{ scene: Scene }> };
  try {
    mod = await import('../presets/resolve.js');
  } catch (e) {
    throw new OmniError('NOT_FOUND', `'${name}' is not a frequency, a file, or a known preset`, { cause: e });
  }
  const durationOverride = given('duration') ? parseDuration(String(opts.duration)) : undefined;
  const { scene } = await mod.loadPresetScene(name, { sampleRate, durationOverride });
  return scene;
}

/** Options of live MIDI input from the command line. */
function liveOptions(opts: Record<string, unknown>): { voices?: string; synth?: string; soundfont?: string } {
  const o: { voices?: string; synth?: string; soundfont?: string } = {};
  if (opts.voices !== undefined) o.voices = String(opts.voices);
  if (opts.synth !== undefined) o.synth = String(opts.synth);
  if (opts.soundfont !== undefined) o.soundfont = String(opts.soundfont);
  return o;
}

/** `omnisonic play <input...>` */
export async function runPlay(inputs: string[], opts: Record<string, unknown>, given: Given): Promise<void> {
  const interactive = Boolean(opts.interactive);
  if (interactive && !process.stdin.isTTY) {
    throw invalid('BAD_USAGE', '--interactive needs a terminal on standard input', 'interactive');
  }
  const latencyMs = parseNumber(String(opts.latency ?? '100').replace(/ms$/i, ''), '--latency', 5, 2000);
  const dither = String(opts.dither ?? 'tpdf').toLowerCase();
  if (dither !== 'tpdf' && dither !== 'none')
    throw invalid('BAD_VALUE', `--dither: must be tpdf or none, got ${opts.dither}`, 'dither');
  const midiIn = opts.midiIn === undefined ? undefined : String(opts.midiIn);
  if (midiIn === undefined && inputs.length === 0)
    throw invalid('BAD_USAGE', 'play: give a frequency, layers, a preset or a file (or --midi-in <port>)');
  const live = midiIn === undefined ? undefined : await import('../midi/live.js');
  const scene = live ? live.liveMidiScene(sampleRateOf(opts)) : await sceneOf(inputs, opts, given);
  const channels =
    opts.channels === undefined
      ? sceneChannels(scene)
      : parseNumber(String(opts.channels), '-c/--channels', 1, 8);
  if (!Number.isInteger(channels))
    throw invalid('BAD_VALUE', `-c/--channels: must be 1 to 8, got ${opts.channels}`);
  const engine = new Engine(scene);
  const midi = live ? await live.startMidiInput(engine, midiIn!, liveOptions(opts)) : null;
  if (midi) {
    if (midi.fallback) warn(midi.fallback);
    info(
      `MIDI input: ${midi.name}, ${midi.bank ? `SoundFont ${basename(midi.bank)}` : 'built-in synthesizer'}`,
    );
  }
  const device = opts.device === undefined ? undefined : String(opts.device);
  const { openSpeaker } = await import('../io/playback/speaker-out.js');
  const { Player } = await import('../io/playback/player.js');
  const out = await openSpeaker({ device, sampleRate: engine.sampleRate, channels }).catch((e) => {
    midi?.close();
    throw e;
  });
  const player = new Player(engine, out, {
    latencyMs,
    channels,
    dither: dither === 'tpdf',
    seed: seedOf(opts),
  });
  info(
    `playing on '${device ?? 'default'}' (${out.description}): ${engine.sampleRate} Hz, ${channels} ch, s16; latency ${latencyMs} ms ahead of the clock, blocks of ${player.blockFrames} frames (${((1000 * player.blockFrames) / engine.sampleRate).toFixed(1)} ms)`,
  );
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts > 2) process.exit(130);
    player.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const ui = interactive ? await startInteractive(player, engine, scene) : null;
  try {
    const result = await player.run();
    info(
      `played ${(result.frames / engine.sampleRate).toFixed(3)} s; ${result.lateBlocks} block(s) written late`,
    );
  } finally {
    midi?.close();
    ui?.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function startInteractive(player: Player, engine: Engine, scene: Scene) {
  const { Interactive } = await import('../io/playback/interactive.js');
  return new Interactive(player, engine, scene);
}
