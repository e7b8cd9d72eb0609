import { extname } from 'node:path';
import { nowMs } from '../clock.js';
import { Quantizer, type SampleFormat } from '../dsp/quantize.js';
import { invalid, OmniError } from '../errors.js';
import type { Engine } from '../render/engine.js';
import { type ByteSink, FileSink, StdoutSink, StreamSink } from './sinks.js';
import { type OutputTarget, outputTarget } from './target.js';
import { MAX_WAV_DATA, wavHeader, wavPadding } from './wav.js';

/** Containers and codecs OmniSonic writes. */
export const OUTPUT_TYPES = ['wav', 'raw', 'flac', 'mp3', 'ogg', 'opus', 'm4a'] as const;
export type OutputType = (typeof OUTPUT_TYPES)[number];
/** Types that go through FFmpeg. */
export const ENCODED_TYPES: readonly OutputType[] = ['flac', 'mp3', 'ogg', 'opus', 'm4a'];

/** Everything about where and how a render is written. */
export interface OutputPlan {
  /** A file path, or '-' for standard output. */
  target: string;
  type: OutputType;
  format: SampleFormat;
  /** Channels written; the synthesis channels are mapped onto them. */
  channels: number;
  sampleRate: number;
  dither: boolean;
  seed?: number;
  /** Encoder bitrate such as '192k' (mp3, ogg, opus, m4a). */
  bitrate?: string;
  /** Encoder quality (codec scale: mp3 0-9 lower is better, vorbis 0-10, flac 0-12 compression). */
  quality?: number;
  metadata?: { title?: string; comment?: string };
}

/** Result of a finished render. */
export interface OutputResult {
  frames: number;
  bytes: number;
  clipped: number;
  /** True when the reader closed the pipe before the end. */
  readerClosed: boolean;
}

/** Output type from `-t` or the file's extension (wav when neither says). */
export function outputTypeFor(target: string, type: string | undefined): OutputType {
  if (type !== undefined) {
    const t = type.toLowerCase();
    if (!(OUTPUT_TYPES as readonly string[]).includes(t)) {
      throw invalid('BAD_VALUE', `-t: unknown type '${type}' (known: ${OUTPUT_TYPES.join(', ')})`, 'type');
    }
    return t as OutputType;
  }
  if (target === '-') return 'wav';
  const ext = extname(target).slice(1).toLowerCase();
  if (ext === 'pcm') return 'raw';
  if ((OUTPUT_TYPES as readonly string[]).includes(ext)) return ext as OutputType;
  if (ext === 'oga') return 'ogg';
  if (ext === 'aac' || ext === 'mp4') return 'm4a';
  if (ext === '') return 'wav';
  throw invalid(
    'BAD_VALUE',
    `cannot tell the output type from '.${ext}'`,
    'output',
    'give -t wav|flac|mp3|ogg|opus|m4a|raw',
  );
}

export interface WriteHooks {
  /** Called after each block with frames done so far. */
  onProgress?: (frames: number) => void;
  /** Set by the caller to stop early (Ctrl-C), e.g. an AbortSignal: the output is then discarded. */
  signal?: { readonly aborted: boolean };
}

const BLOCK = 4096;
const BLOCKS_PER_WRITE = 16;
/** Longest stretch of rendering without letting the event loop run. */
const YIELD_MS = 40;

/**
 * Render `engine` to the planned output in blocks, in constant memory: WAV (exact sizes when
 * the length is known, 0xFFFFFFFF when endless), raw PCM, or an encoded format through FFmpeg.
 * Files appear only when complete.
 */
export async function writeOutput(
  engine: Engine,
  plan: OutputPlan,
  hooks: WriteHooks = {},
): Promise<OutputResult> {
  const q = new Quantizer({
    format: plan.format,
    channels: plan.channels,
    dither: plan.dither,
    seed: plan.seed,
  });
  const total = engine.totalFrames;
  const known = Number.isFinite(total);
  const dataBytes = known ? (total - engine.frame) * q.frameBytes : null;
  if (plan.type === 'wav' && dataBytes !== null && dataBytes > MAX_WAV_DATA) {
    throw invalid(
      'TOO_LONG',
      `the WAV would hold ${dataBytes} bytes, more than its 4 GiB limit`,
      'duration',
      'use -t flac, -t raw, or a shorter duration',
    );
  }
  if (known && total - engine.frame < 1) {
    throw invalid(
      'BAD_DURATION',
      `the duration is shorter than one sample (1/${engine.sampleRate} s): nothing to write`,
      'duration',
    );
  }
  const target = outputTarget(plan.target);
  if (target.kind === 'file' && !known) {
    throw invalid(
      'BAD_DURATION',
      "duration 'inf' needs -o - (standard output), a FIFO or a device, play or serve",
      'duration',
    );
  }
  const sink = await openSink(plan, target, known ? total - engine.frame : null);
  const header =
    plan.type === 'wav'
      ? wavHeader({ sampleRate: plan.sampleRate, channels: plan.channels, format: plan.format, dataBytes })
      : null;
  let bytes = 0;
  let frames = 0;
  try {
    if (header) {
      await sink.write(header);
      bytes += header.length;
    }
    // in the kernels' arena: the engine renders and the quantiser reads and writes in place
    const mem = engine.arena;
    const planar = Array.from({ length: engine.channels }, () => mem.f64(BLOCK));
    // blocks are quantised into large chunks (few, large writes), two of them in turn: one is
    // rendered while the other is still being written (a pipe takes it as its reader drains)
    const chunks = [0, 1].map(() => mem.bytes(BLOCK * q.frameBytes * BLOCKS_PER_WRITE));
    let chunk = chunks[0]!;
    let inFlight: Promise<void> | null = null;
    let fill = 0;
    let lastYield = nowMs();
    while (!sink.closed) {
      if (hooks.signal?.aborted) throw new OmniError('INTERNAL', 'interrupted');
      const n = engine.render(planar, BLOCK);
      if (n > 0) {
        fill += q.encode(planar, n, chunk.subarray(fill));
        frames += n;
      }
      if (fill > 0 && (n === 0 || fill + BLOCK * q.frameBytes > chunk.length)) {
        // the other chunk must be written before this one goes, and before it is reused
        if (inFlight) await inFlight;
        inFlight = Promise.resolve(sink.write(chunk.subarray(0, fill)));
        // a failure is taken up at the next await of inFlight, not reported as unhandled
        inFlight.catch(() => {});
        bytes += fill;
        fill = 0;
        chunk = chunk === chunks[0] ? chunks[1]! : chunks[0]!;
        hooks.onProgress?.(frames);
        // let signals (Ctrl-C) and timers run between chunks, even when writes are synchronous
        const now = nowMs();
        if (now - lastYield > YIELD_MS) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          lastYield = nowMs();
        }
      }
      if (n === 0) break;
    }
    if (inFlight) await inFlight;
    // a data chunk of odd size is followed by a pad byte (RIFF chunks are word-aligned)
    const pad = header && known && !sink.closed ? wavPadding(bytes - header.length) : null;
    if (pad && pad.length > 0) {
      await sink.write(pad);
      bytes += pad.length;
    }
    if (plan.type === 'wav' && header && target.kind === 'file') {
      // the length may have changed (a stop): write the exact sizes
      const exact = wavHeader({
        sampleRate: plan.sampleRate,
        channels: plan.channels,
        format: plan.format,
        dataBytes: bytes - header.length - (pad?.length ?? 0),
      });
      await sink.finish(exact);
    } else {
      await sink.finish();
    }
  } catch (e) {
    await sink.abort();
    throw e;
  }
  return { frames, bytes, clipped: q.clipped, readerClosed: sink.closed };
}

async function openSink(plan: OutputPlan, target: OutputTarget, frames: number | null): Promise<ByteSink> {
  const stream = async () => (target.kind === 'stdout' ? new StdoutSink() : StreamSink.open(target.path));
  if (ENCODED_TYPES.includes(plan.type)) {
    const { openEncoderSink, encodeSettings } = await import('./encoder.js');
    // settings first: a refused combination opens nothing
    encodeSettings(plan, { stream: target.kind !== 'file', knownLength: frames !== null });
    if (target.kind === 'file') return openEncoderSink(plan, target.path, null, frames);
    return openEncoderSink(plan, null, await stream(), frames);
  }
  return target.kind === 'file' ? new FileSink(target.path, plan.target) : stream();
}
