import type { Command } from 'commander';
import { BITS_TO_FORMAT } from '../dsp/quantize.js';
import { invalid } from '../errors.js';
import { type OutputPlan, outputTypeFor } from '../io/output.js';
import { parseNumber } from '../render/values.js';

/** Options of synthesis shared by tone and mix (tone adds its own). */
export function addSynthOptions(cmd: Command, kind: { layers?: boolean } = {}): void {
  cmd.option('-d, --duration <time>', 'length: 1.5, 90s, 2m, 1h, or inf (stdout only)', '5');
  if (!kind.layers) {
    cmd
      .option('-w, --wave <wave>', 'sine|square|saw|triangle|pulse (band-limited)', 'sine')
      .option('--duty <0..1>', 'pulse width of -w pulse', '0.5')
      .option('-a, --amplitude <gain>', 'peak level, linear or dB', '-6dB')
      .option('--envelope <A,D,S,R>', 'ADSR: attack, decay, release in seconds, sustain level 0..1')
      .option('--sweep <to>', 'glide the frequency to <to> over the duration')
      .option('--sweep-curve <curve>', 'lin|exp', 'exp')
      .option('--am <rate[:depth]>', 'amplitude modulation: rate in Hz, depth 0..1 (default 1)')
      .option('--fm <rate:devHz>', 'frequency modulation: rate in Hz, deviation in Hz')
      .option('--binaural <beatHz>', 'binaural beat: left f - beat/2, right f + beat/2')
      .option('--isochronic <rateHz>', 'isochronic pulses at this rate')
      .option('--pan <-1..1>', 'equal-power pan (stereo output)');
  } else {
    cmd
      .option('--duty <0..1>', 'pulse width of pulse layers', '0.5')
      .option('-a, --amplitude <gain>', 'master gain applied after the mix, linear or dB', '1');
  }
  cmd
    .option('--fade <time>', 'fade in and out (0 for none)', '10ms')
    .option('--fade-in <time>', 'fade in (overrides --fade)')
    .option('--fade-out <time>', 'fade out (overrides --fade)')
    .option('--seed <n>', 'seed of noise and dither: equal seeds give identical renders')
    .option('--a4 <Hz>', 'reference pitch of A4 for note names', '440');
}

/** Output options shared by tone, mix, render. */
export function addOutputOptions(cmd: Command): void {
  cmd
    .option('-o, --output <file|->', "output file, or '-' for stdout (default: stdout when piped)")
    .option('-t, --type <type>', 'wav|flac|mp3|ogg|opus|m4a|raw (default: from the extension)')
    .option('-r, --rate <Hz>', 'sample rate', '48000')
    .option('-b, --bits <bits>', '16|24|32|32f', '16')
    .option('-c, --channels <n>', 'channels written (default: 1, or 2 when a layer needs stereo)')
    .option('--dither <kind>', 'tpdf|none (integer formats)', 'tpdf')
    .option('--bitrate <rate>', 'encoder bitrate, e.g. 192k (mp3, ogg, opus, m4a)')
    .option('--quality <q>', 'encoder quality (mp3 0-9, ogg 0-10, flac 0-12 compression level)');
}

/** Sample rate from -r, checked. */
export function sampleRateOf(opts: Record<string, unknown>): number {
  const r = parseNumber(String(opts.rate ?? '48000').replace(/hz$/i, ''), '-r/--rate', 8000, 384000);
  if (!Number.isInteger(r))
    throw invalid('BAD_VALUE', `-r/--rate: must be a whole number of Hz, got ${opts.rate}`, 'rate');
  return r;
}

/** Seed from --seed (a fixed default keeps renders reproducible). */
export function seedOf(opts: Record<string, unknown>): number {
  if (opts.seed === undefined) return 0x5eed;
  const s = parseNumber(String(opts.seed), '--seed', 0, 2 ** 32 - 1);
  if (!Number.isInteger(s))
    throw invalid('BAD_VALUE', `--seed: must be a whole number, got ${opts.seed}`, 'seed');
  return s;
}

/**
 * The output plan from -o/-t/-r/-b/-c/--dither/--bitrate/--quality. `synthChannels` is the
 * channel count the synthesis needs (the default of -c).
 */
export function outputPlanOf(opts: Record<string, unknown>, synthChannels: number, seed: number): OutputPlan {
  const given = opts.output as string | undefined;
  // audio is binary: never onto a terminal, whether by default or by -o -
  if ((given === undefined || given === '-') && process.stdout.isTTY) {
    throw invalid(
      'BAD_USAGE',
      given === undefined ? 'no output given and stdout is a terminal' : '-o -: stdout is a terminal',
      'output',
      'add -o file.wav, or pipe: -o - | aplay',
    );
  }
  const target = given ?? '-';
  if (target === '') throw invalid('BAD_USAGE', '-o: empty file name', 'output');
  const type = outputTypeFor(target, opts.type as string | undefined);
  const format = BITS_TO_FORMAT[String(opts.bits ?? '16').toLowerCase()];
  if (!format) throw invalid('BAD_VALUE', `-b/--bits: must be 16, 24, 32 or 32f, got ${opts.bits}`, 'bits');
  const channels =
    opts.channels === undefined ? synthChannels : parseNumber(String(opts.channels), '-c/--channels', 1, 8);
  if (!Number.isInteger(channels))
    throw invalid('BAD_VALUE', `-c/--channels: must be 1 to 8, got ${opts.channels}`);
  const dither = String(opts.dither ?? 'tpdf').toLowerCase();
  if (dither !== 'tpdf' && dither !== 'none') {
    throw invalid('BAD_VALUE', `--dither: must be tpdf or none, got ${opts.dither}`, 'dither');
  }
  const plan: OutputPlan = {
    target,
    type,
    format,
    channels,
    sampleRate: sampleRateOf(opts),
    dither: dither === 'tpdf',
    seed,
  };
  if (opts.bitrate !== undefined) {
    const b = String(opts.bitrate);
    if (!/^\d+(\.\d+)?k?$/i.test(b))
      throw invalid('BAD_VALUE', `--bitrate: must look like 192k, got ${b}`, 'bitrate');
    const bps = Number.parseFloat(b) * (/k$/i.test(b) ? 1000 : 1);
    if (bps < 6000 || bps > 640000)
      throw invalid('BAD_VALUE', `--bitrate: must be 6k to 640k, got ${b}`, 'bitrate');
    plan.bitrate = b.toLowerCase();
  }
  if (opts.quality !== undefined) plan.quality = parseNumber(String(opts.quality), '--quality', 0, 12);
  return plan;
}
