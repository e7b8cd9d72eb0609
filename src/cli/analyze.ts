import { readFileSync, statSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { basename } from 'node:path';
import { invalid, OmniError } from '../errors.js';
import {
  type AnalysisResult,
  type AnalyzeOptions,
  analyzeAudio,
  monoMix,
} from '../harmony/analysis/analyze.js';
import { AnalysisStream } from '../harmony/analysis/stream.js';
import { assertAudible, refuseSilence, withOmniErrors } from '../harmony-bridge.js';
import { type DecodedAudio, decodeWav, readAudioFile } from '../io/audio-file.js';
import { defaultExport } from '../io/default-export.js';
import { type ByteSink, FileSink, ioError, StdoutSink } from '../io/sinks.js';
import { WavStream } from '../io/wav-stream.js';
import { parseNumber } from '../render/values.js';
import { colorsFor } from './suggest-table.js';

const PLOT_KINDS = ['spectrum', 'spectrogram', 'waveform'] as const;
type PlotKind = (typeof PLOT_KINDS)[number];

/** Analyses longer than this many seconds of audio show a spinner (on a terminal only). */
const SPINNER_SECONDS = 20;

/**
 * Decodes an audio file (WAV directly, other formats through FFmpeg) and analyses it; harmony
 * errors come back as catalogued {@link OmniError}s (silence, empty or corrupt audio: exit 2).
 *
 * @example const { result } = await analyzeFile('chord.wav', { a4: 440 });
 */
export async function analyzeFile(
  path: string,
  options: AnalyzeOptions = {},
): Promise<AnalysisResult & { audio: DecodedAudio }> {
  let isFolder = false;
  try {
    isFolder = statSync(path).isDirectory();
  } catch {} // a missing file is reported by readAudioFile
  if (isFolder) throw new OmniError('BAD_AUDIO', `${path}: is a folder, not an audio file`);
  const streamed = await analyzeWavFile(path, options);
  if (streamed) return streamed;
  const audio = await readAudioFile(path);
  assertAudible(audio.channels, path);
  const seconds = audio.channels[0]!.length / audio.sampleRate;
  const spinner = await startSpinner(path, seconds);
  try {
    const result = withOmniErrors(() => analyzeAudio(audio, options));
    return Object.defineProperty({ ...result }, 'audio', {
      value: audio,
      enumerable: false,
    }) as AnalysisResult & {
      audio: DecodedAudio;
    };
  } finally {
    spinner?.stop();
  }
}

/** Bytes of a WAV file read at a time by {@link analyzeWavFile}. */
const READ_BYTES = 1 << 20;

/**
 * A WAV file analysed as it is read, {@link READ_BYTES} at a time, never held whole (the result
 * of the whole-file analysis, in a few MB whatever the length); its samples are decoded again
 * only when asked for (`audio`, for a plot). Null for anything else (not a regular RIFF file of
 * 12 bytes to 1 GiB, or not openable): readAudioFile reads it, with its errors.
 */
async function analyzeWavFile(
  path: string,
  options: AnalyzeOptions,
): Promise<(AnalysisResult & { audio: DecodedAudio }) | null> {
  let size: number;
  let file: FileHandle;
  try {
    const st = statSync(path);
    if (!st.isFile() || st.size < 12 || st.size > 1 << 30) return null;
    size = st.size;
    file = await open(path, 'r');
  } catch {
    return null;
  }
  let spinner: { stop(): void } | undefined;
  try {
    const buf = Buffer.alloc(READ_BYTES);
    const read = async (at: number) => {
      try {
        return (await file.read(buf, 0, buf.length, at)).bytesRead;
      } catch (e) {
        throw ioError(e, path, 'read');
      }
    };
    let n = await read(0);
    if (n < 12 || buf.toString('latin1', 0, 4) !== 'RIFF') return null;
    const wav = new WavStream(path, { totalBytes: size });
    let analysis: AnalysisStream | null = null;
    for (let at = 0; n > 0; at += n, n = await read(at)) {
      const block = wav.push(buf.subarray(0, n));
      if (!analysis && wav.format) {
        analysis = new AnalysisStream(wav.format, options);
        spinner = await startSpinner(path, (wav.format.frames ?? 0) / wav.format.sampleRate);
      }
      if (block && block.length > 0 && block[0]!.length > 0) withOmniErrors(() => analysis!.add(block));
    }
    wav.end();
    const done = analysis!;
    refuseSilence(done.silenceReason(), path);
    const result = withOmniErrors(() => done.finish());
    return Object.defineProperty({ ...result }, 'audio', {
      get: () => decodeWav(readFileSync(path), path),
      enumerable: false,
    }) as AnalysisResult & { audio: DecodedAudio };
  } finally {
    spinner?.stop();
    await file.close();
  }
}

/** The spinner of an analysis of `seconds` of audio (on a terminal, for long ones only). */
async function startSpinner(path: string, seconds: number): Promise<{ stop(): void } | undefined> {
  // a terminal of unknown width (columns 0: a bare pseudo-terminal) makes ora redraw forever
  if (!process.stderr.isTTY || (process.stderr.columns ?? 0) <= 0 || seconds <= SPINNER_SECONDS) return;
  const ora = defaultExport<typeof import('ora').default>(await import('ora'));
  const spinner = ora({
    text: `analysing ${basename(path)} (${seconds.toFixed(0)} s)`,
    stream: process.stderr,
    isEnabled: true, // a terminal, as checked above (ora alone prints a static line under CI)
  }).start();
  await new Promise((resolve) => setImmediate(resolve)); // let the spinner draw once
  return spinner;
}

const db = (v: number, unit: string): string =>
  Number.isFinite(v) ? `${v.toFixed(1)} ${unit}` : `-inf ${unit}`;
const hz = (f: number): string => `${f >= 1000 ? f.toFixed(1) : f.toFixed(2)} Hz`;
const signed = (c: number): string => `${c >= 0 ? '+' : ''}${c.toFixed(1)}c`;

/** The human-readable report of an analysis. */
async function printReport(file: string, r: AnalysisResult, stream: NodeJS.WriteStream): Promise<void> {
  const c = await colorsFor(stream);
  const label = (s: string) => c.bold(s.padEnd(12));
  const lines = [
    `${c.bold(file)}  ${c.dim(`${r.duration.toFixed(3)} s, ${r.sampleRate} Hz, ${r.channels} channel(s)`)}`,
    `${label('notes')}${r.notes.length ? r.notes.map((n) => `${c.bold(n.note)} ${c.dim(`${hz(n.frequency)} ${signed(n.cents)}`)}`).join('  ') : 'none found'}`,
    `${label('chord')}${r.chord ? `${c.bold(r.chord.symbol)} (${r.chord.name})` : '-'}`,
    `${label('key')}${r.key ? `${r.key.name} ${c.dim(`(r = ${r.key.correlation.toFixed(2)}; next ${r.key.runnerUp.name}, ${r.key.runnerUp.correlation.toFixed(2)})`)}` : '-'}`,
    `${label('f0')}${r.f0 ? `${hz(r.f0.frequency)} (${r.f0.note}) ${c.dim(`confidence ${r.f0.confidence.toFixed(2)}`)}` : 'no clear period'}`,
    `${label('consonance')}${r.consonance ? `${r.consonance.consonance.toFixed(3)} ${c.dim(`(roughness ${r.consonance.roughness.toFixed(3)}, harmonicity ${r.consonance.harmonicity.toFixed(3)})`)}` : '-'}`,
    `${label('loudness')}${db(r.loudness.integratedLufs, 'LUFS')} integrated ${c.dim(`(momentary max ${db(r.loudness.momentaryMaxLufs, 'LUFS')}, short-term max ${db(r.loudness.shortTermMaxLufs, 'LUFS')})`)}`,
    `${label('peak')}${db(r.loudness.truePeakDbtp, 'dBTP')} true peak, ${db(r.loudness.samplePeakDbfs, 'dBFS')} sample peak, RMS ${db(r.loudness.rmsDbfs, 'dBFS')} ${c.dim(`(AES17 ${db(r.loudness.rmsAes17Dbfs, 'dBFS')})`)}`,
    `${label('partials')}${r.partials
      .slice()
      .sort((a, b) => b.amplitudeDb - a.amplitudeDb)
      .slice(0, 8)
      .sort((a, b) => a.frequency - b.frequency)
      .map((p) => `${p.frequency.toFixed(1)} ${c.dim(`(${p.note}, ${p.amplitudeDb.toFixed(1)} dB)`)}`)
      .join(
        '  ',
      )}${r.partials.length > 8 ? c.dim(`  (strongest 8 of ${r.partials.length}; --json lists all)`) : ''}`,
  ];
  stream.write(`${lines.join('\n')}\n`);
}

/** Draws the plot and writes it atomically (or to stdout with '-'). */
async function writePlot(target: string, kind: PlotKind, audio: DecodedAudio, title: string): Promise<void> {
  const { renderPlot } = await import('../io/plot.js');
  const png = renderPlot(monoMix(audio), audio.sampleRate, { kind, title });
  const sink: ByteSink = target === '-' ? new StdoutSink() : new FileSink(target);
  try {
    await sink.write(png);
    await sink.finish();
  } catch (e) {
    await sink.abort();
    throw e;
  }
}

/** `omnisonic analyze <audio file>` */
export async function runAnalyze(file: string, opts: Record<string, unknown>): Promise<void> {
  const a4 = parseNumber(String(opts.a4 ?? '440'), '--a4', 200, 1000);
  const maxNotes = parseNumber(String(opts.maxNotes ?? '8'), '--max-notes', 1, 16);
  const maxPartials = parseNumber(String(opts.partials ?? '24'), '--partials', 1, 100);
  if (!Number.isInteger(maxNotes) || !Number.isInteger(maxPartials)) {
    throw invalid('BAD_VALUE', '--max-notes and --partials must be whole numbers', 'maxNotes');
  }
  const kind = String(opts.plotKind ?? 'spectrum').toLowerCase() as PlotKind;
  if (!PLOT_KINDS.includes(kind)) {
    throw invalid(
      'BAD_VALUE',
      `--plot-kind: must be ${PLOT_KINDS.join(', ')}; got ${String(opts.plotKind)}`,
      'plotKind',
    );
  }
  const plot = opts.plot as string | undefined;
  if (plot === '') throw invalid('BAD_USAGE', '--plot: empty file name', 'plot');
  if (plot === '-' && opts.json) throw invalid('BAD_USAGE', '--plot - and --json both want stdout', 'plot');
  const result = await analyzeFile(file, { a4, maxNotes, maxPartials });
  if (opts.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else await printReport(file, result, plot === '-' ? process.stderr : process.stdout);
  if (plot !== undefined) {
    await writePlot(plot, kind, result.audio, `${basename(file)} ${kind}`.toUpperCase());
  }
}
