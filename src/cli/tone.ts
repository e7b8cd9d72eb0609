import type { Wave } from '../dsp/oscillator.js';
import { invalid } from '../errors.js';
import { type ToneOptions, toneScene } from '../render/build.js';
import { parseDuration, parseFrequency, parseGain, parseNumber } from '../render/values.js';
import { outputPlanOf, sampleRateOf, seedOf } from './options.js';
import { fadesOf, runScene } from './run.js';

/** The highest peak of a tone: full scale less the one step that 16-bit dither may add. */
const FULL_SCALE_TONE = 1 - 2 ** -15;

/** Parse `--envelope A,D,S,R`. */
export function parseEnvelope(text: string): NonNullable<ToneOptions['envelope']> {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.length !== 4) {
    throw invalid(
      'BAD_VALUE',
      `--envelope: needs A,D,S,R (four values), got '${text}'`,
      'envelope',
      'e.g. --envelope 0.01,0.1,0.7,0.3',
    );
  }
  return {
    attackSec: parseNumber(parts[0]!, '--envelope attack', 0, 3600),
    decaySec: parseNumber(parts[1]!, '--envelope decay', 0, 3600),
    sustain: parseNumber(parts[2]!, '--envelope sustain', 0, 1),
    releaseSec: parseNumber(parts[3]!, '--envelope release', 0, 3600),
  };
}

/** Options of `tone` as typed values. */
export function toneOptionsOf(freqText: string, opts: Record<string, unknown>): ToneOptions {
  const sampleRate = sampleRateOf(opts);
  const a4 = parseNumber(String(opts.a4 ?? '440'), '--a4', 200, 1000);
  const fq = (t: string, field: string) => parseFrequency(t, { a4, sampleRate, field });
  const o: ToneOptions = {
    freq: fq(freqText, 'frequency'),
    duration: parseDuration(String(opts.duration ?? '5')),
    wave: String(opts.wave ?? 'sine').toLowerCase() as Wave,
    duty: parseNumber(String(opts.duty ?? '0.5'), '--duty', 0.01, 0.99),
    amplitude: parseGain(String(opts.amplitude ?? '-6dB'), '--amplitude'),
    sampleRate,
    seed: seedOf(opts),
    ...fadesOf(opts),
  };
  if (o.amplitude! > 1)
    throw invalid('BAD_GAIN', `--amplitude: must be at most 1 (0 dBFS), got ${opts.amplitude}`, 'amplitude');
  if (opts.envelope !== undefined) o.envelope = parseEnvelope(String(opts.envelope));
  if (opts.sweep !== undefined) {
    const curve = String(opts.sweepCurve ?? 'exp').toLowerCase();
    if (curve !== 'lin' && curve !== 'exp')
      throw invalid('BAD_VALUE', `--sweep-curve: must be lin or exp, got ${opts.sweepCurve}`);
    o.sweep = { to: fq(String(opts.sweep), '--sweep'), curve };
  }
  if (opts.am !== undefined) {
    const [rate, depth] = String(opts.am).split(':');
    o.am = {
      rate: parseNumber(rate!.replace(/hz$/i, ''), '--am rate', 0.001, sampleRate / 2),
      depth: depth === undefined ? 1 : parseNumber(depth, '--am depth', 0, 1),
    };
  }
  if (opts.fm !== undefined) {
    const parts = String(opts.fm).split(':');
    if (parts.length !== 2)
      throw invalid('BAD_VALUE', `--fm: needs <rate>:<devHz>, got '${opts.fm}'`, 'fm', 'e.g. --fm 5:20');
    o.fm = {
      rate: parseNumber(parts[0]!.replace(/hz$/i, ''), '--fm rate', 0.001, sampleRate / 2),
      dev: parseNumber(parts[1]!.replace(/hz$/i, ''), '--fm deviation', 0, sampleRate / 2),
    };
  }
  if (opts.binaural !== undefined)
    o.binaural = parseNumber(String(opts.binaural).replace(/hz$/i, ''), '--binaural', 0.01, 100);
  if (opts.isochronic !== undefined) {
    o.isochronic = parseNumber(String(opts.isochronic).replace(/hz$/i, ''), '--isochronic', 0.1, 1000);
  }
  if (opts.pan !== undefined) o.pan = parseNumber(String(opts.pan), '--pan', -1, 1);
  return o;
}

/** `omnisonic tone <freq>` */
export async function runTone(freqText: string, opts: Record<string, unknown>): Promise<void> {
  const o = toneOptionsOf(freqText, opts);
  const scene = toneScene(o);
  // one tone cannot sum past its own peak: -a is its level as asked, up to 0 dBFS (the -1 dBFS
  // ceiling is for mixes, whose layers add up)
  scene.master = { ...scene.master, normalize: false };
  // ...less one 16-bit step, room for the dither's last bit (-0.0003 dB at 0 dBFS)
  const layer = scene.layers[0] as { gain?: number };
  if (layer.gain !== undefined) layer.gain = Math.min(layer.gain, FULL_SCALE_TONE);
  const stereo = o.binaural !== undefined || (o.pan !== undefined && o.pan !== 0);
  const plan = outputPlanOf(opts, stereo ? 2 : 1, o.seed!);
  await runScene(scene, plan);
}
