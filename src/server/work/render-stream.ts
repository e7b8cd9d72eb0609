/**
 * Rendering for the server: a {@link Scene} becomes the bytes of an audio file, handed out in
 * chunks as they are rendered, with the same engine, quantizer (TPDF dither) and WAV header as
 * the CLI, and the CLI's FFmpeg settings (`encodeSettings` of `src/io/encoder.ts`) for encoded
 * formats. A consumer that returns a promise from `onChunk` is waited for (backpressure), so a
 * response never has to exist whole in memory. No server framework here: this runs in a worker
 * thread or a queue's sandboxed processor.
 */
import { Writable } from 'node:stream';
import { bytesPerSample, Quantizer } from '../../dsp/quantize.js';
import { OmniError } from '../../errors.js';
import type { OutputPlan, OutputType } from '../../io/output.js';
import { MAX_WAV_DATA, wavHeader } from '../../io/wav.js';
import { Engine } from '../../render/engine.js';
import type { Scene } from '../../render/scene.js';

/** MIME type of each output type. */
export const CONTENT_TYPES: Record<OutputType, string> = {
  wav: 'audio/wav',
  flac: 'audio/flac',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  opus: 'audio/ogg; codecs=opus',
  m4a: 'audio/mp4',
  raw: 'application/octet-stream',
};

/** What is known of a response before its first byte. */
export interface AudioHead {
  contentType: string;
  /** Exact length in bytes (WAV and raw); absent for encoded formats. */
  length?: number;
}

export interface StreamOptions {
  /** Stop early (the client went away): the promise rejects with ABORTED. */
  signal?: AbortSignal;
  /** Called once, before the first chunk. */
  onHead?: (head: AudioHead) => void;
  /**
   * Each chunk; a returned promise is awaited. The chunk is a fresh buffer the consumer may keep,
   * unless `reuseChunks` is set.
   */
  onChunk: (chunk: Buffer) => void | Promise<void>;
  /**
   * The consumer is done with each chunk once `onChunk` returned (or its promise settled): the
   * render fills the same buffer again instead of allocating one per chunk. Ignored for encoded
   * formats, whose PCM goes to FFmpeg.
   */
  reuseChunks?: boolean;
  /** Fraction rendered, 0..1, at most every few percent. */
  onProgress?: (fraction: number) => void;
  /** Run on the engine before rendering (to attach ready-made layers, e.g. a MIDI synth). */
  prepare?: (engine: Engine) => void;
  /** Bytes per chunk (default 256 KiB). */
  chunkBytes?: number;
  /** Longest time the loop runs before yielding to its event loop, ms (default 8). */
  sliceMs?: number;
}

/** A finished render. */
export interface RenderSummary extends AudioHead {
  frames: number;
  clipped: number;
  bytes: number;
}

const BLOCK = 4096;
const yieldNow = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The error of a render stopped by its signal. */
export function abortedError(): OmniError {
  return new OmniError('CANCELLED', 'the job was cancelled');
}

/**
 * Bytes of audio data of `frames` frames of `plan`; TOO_LONG when over the WAV limit.
 * @example audioDataBytes(48000, plan) === 96000 // 1 s of 48 kHz 16-bit mono
 */
export function audioDataBytes(frames: number, plan: OutputPlan): number {
  const dataBytes = frames * bytesPerSample(plan.format) * plan.channels;
  if (plan.type === 'wav' && dataBytes > MAX_WAV_DATA) {
    throw new OmniError(
      'TOO_LONG',
      `the response would hold ${dataBytes} bytes of audio, more than a WAV file holds`,
      { field: 'duration' },
    );
  }
  return dataBytes;
}

/**
 * Render `scene` to `plan` (`plan.target` is ignored), chunk by chunk. A WAV whose data has an
 * odd size ends with the RIFF pad byte (its header already counts it).
 */
export async function renderStream(scene: Scene, plan: OutputPlan, o: StreamOptions): Promise<RenderSummary> {
  const engine = new Engine(scene);
  o.prepare?.(engine);
  const total = engine.totalFrames;
  if (!Number.isFinite(total))
    throw new OmniError('BAD_DURATION', 'duration: must be finite here', { field: 'duration' });
  const frameBytes = bytesPerSample(plan.format) * plan.channels;
  const dataBytes = audioDataBytes(total, plan);
  const q = new Quantizer({
    format: plan.format,
    channels: plan.channels,
    dither: plan.dither,
    seed: plan.seed,
  });
  const encoded = plan.type !== 'wav' && plan.type !== 'raw';
  const pad = plan.type === 'wav' ? dataBytes % 2 : 0;
  const header =
    plan.type === 'wav'
      ? wavHeader({ sampleRate: plan.sampleRate, channels: plan.channels, format: plan.format, dataBytes })
      : Buffer.alloc(0);
  const head: AudioHead = {
    contentType: CONTENT_TYPES[plan.type],
    ...(encoded ? {} : { length: header.length + dataBytes + pad }),
  };
  let bytes = 0;
  const emit = async (chunk: Buffer) => {
    bytes += chunk.length;
    await o.onChunk(chunk);
  };
  const sink = encoded ? await openEncoded(plan, emit) : null;
  o.onHead?.(head);
  const chunkFrames = Math.max(1, Math.floor((o.chunkBytes ?? 256 * 1024) / frameBytes));
  // in the engine's arena, where the kernels work in place
  const planar = Array.from({ length: engine.channels }, () => engine.arena.f64(BLOCK));
  const slice = o.sliceMs ?? 8;
  // one spare byte: the pad byte goes into the last chunk
  let out = Buffer.allocUnsafeSlow(header.length + chunkFrames * frameBytes + 1);
  header.copy(out, 0);
  let pos = header.length;
  let inChunk = 0;
  let frames = 0;
  let reported = 0;
  let t0 = performance.now();
  const reuse = Boolean(o.reuseChunks) && !sink;
  const flush = async () => {
    if (pos === 0) return;
    const full = out.subarray(0, pos);
    if (!reuse) out = Buffer.allocUnsafeSlow(chunkFrames * frameBytes + 1);
    pos = 0;
    inChunk = 0;
    if (sink) await sink.write(full);
    else await emit(full);
  };
  try {
    for (;;) {
      if (o.signal?.aborted) throw abortedError();
      const n = engine.render(planar, Math.min(BLOCK, chunkFrames - inChunk));
      if (n === 0) break;
      pos += q.encode(planar, n, new Uint8Array(out.buffer, out.byteOffset + pos, n * frameBytes));
      frames += n;
      inChunk += n;
      if (inChunk === chunkFrames) await flush();
      if (o.onProgress && frames - reported >= total / 50) {
        reported = frames;
        o.onProgress(frames / total);
      }
      if (performance.now() - t0 > slice) {
        await yieldNow();
        t0 = performance.now();
      }
    }
    if (pad) out[pos++] = 0;
    await flush();
    if (o.signal?.aborted) throw abortedError();
    if (sink) await sink.finish();
    o.onProgress?.(1);
    return { ...head, frames, clipped: q.clipped, bytes };
  } catch (e) {
    sink?.abort();
    throw e;
  }
}

/**
 * Render into one buffer (no `onChunk` consumer): the whole file in memory.
 * @example const { body } = await renderToBuffer(toneScene({ freq: 440, duration: 1 }), plan);
 */
export async function renderToBuffer(
  scene: Scene,
  plan: OutputPlan,
  o: Omit<StreamOptions, 'onChunk'> = {},
): Promise<RenderSummary & { body: Buffer }> {
  const chunks: Buffer[] = [];
  const summary = await renderStream(scene, plan, { ...o, onChunk: (c) => void chunks.push(c) });
  return { ...summary, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) };
}

interface Encoder {
  write(chunk: Buffer): Promise<void>;
  finish(): Promise<void>;
  abort(): void;
}

/** FFmpeg fed with PCM, its output handed to `emit` chunk by chunk, both ways with backpressure. */
async function openEncoded(plan: OutputPlan, emit: (chunk: Buffer) => Promise<void>): Promise<Encoder> {
  const { locateFfmpeg, startEncode } = await import('../../io/ffmpeg.js');
  const { encodeSettings, RAW_FORMATS } = await import('../../io/encoder.js');
  const out = new Writable({
    highWaterMark: 256 * 1024,
    write(chunk: Buffer, _enc, done) {
      emit(chunk).then(() => done(), done);
    },
  });
  const finished = new Promise<void>((resolve, reject) => {
    out.once('finish', resolve);
    out.once('error', reject);
  });
  const job = startEncode(
    locateFfmpeg(),
    { format: RAW_FORMATS[plan.format], sampleRate: plan.sampleRate, channels: plan.channels },
    encodeSettings(plan),
    out,
    `the ${plan.type} response`,
  );
  return {
    async write(chunk) {
      if (!job.input.write(chunk)) {
        await Promise.race([new Promise((r) => job.input.once('drain', r)), job.done]);
      }
    },
    async finish() {
      job.input.end();
      await job.done;
      await finished;
    },
    abort() {
      job.kill();
    },
  };
}
