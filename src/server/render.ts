/**
 * Rendering for the server: a {@link Scene} becomes the bytes of an audio file in memory, with
 * the same engine, quantizer (TPDF dither) and WAV header as the CLI, and the CLI's FFmpeg
 * settings (`encodeSettings` of `src/io/encoder.ts`) for encoded formats, captured in memory. The work is chunked: the loop yields to the event
 * loop every few milliseconds, so `/health` and other requests answer during a long render.
 */
import { PassThrough } from 'node:stream';
import { bytesPerSample, Quantizer } from '../dsp/quantize.js';
import { OmniError } from '../errors.js';
import type { OutputPlan, OutputType } from '../io/output.js';
import { MAX_WAV_DATA, wavHeader } from '../io/wav.js';
import { Engine } from '../render/engine.js';
import type { Scene } from '../render/scene.js';

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

/** A finished render. */
export interface RenderedFile {
  body: Buffer;
  contentType: string;
  frames: number;
  clipped: number;
}

export interface RenderLimits {
  /** Largest response in bytes (default 512 MiB). */
  maxBytes?: number;
  /** Stop early when aborted (the client went away). */
  signal?: AbortSignal;
  /** Longest time the loop runs before yielding, ms (default 8). */
  sliceMs?: number;
}

const BLOCK = 4096;
const yieldNow = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Render `scene` into a file of `plan.type` held in memory (`plan.target` is ignored).
 * @example const { body, contentType } = await renderToBuffer(toneScene({ freq: 440, duration: 1 }), plan);
 */
export async function renderToBuffer(
  scene: Scene,
  plan: OutputPlan,
  limits: RenderLimits = {},
): Promise<RenderedFile> {
  const engine = new Engine(scene);
  const total = engine.totalFrames;
  if (!Number.isFinite(total))
    throw new OmniError('BAD_DURATION', 'duration: must be finite here', { field: 'duration' });
  const frameBytes = bytesPerSample(plan.format) * plan.channels;
  const dataBytes = total * frameBytes;
  const maxBytes = limits.maxBytes ?? 512 * 1024 * 1024;
  if (dataBytes > maxBytes || (plan.type === 'wav' && dataBytes > MAX_WAV_DATA)) {
    throw new OmniError(
      'TOO_LONG',
      `the response would hold ${dataBytes} bytes of audio, more than the limit of ${maxBytes}`,
      {
        field: 'duration',
      },
    );
  }
  const q = new Quantizer({
    format: plan.format,
    channels: plan.channels,
    dither: plan.dither,
    seed: plan.seed,
  });
  const encoded = plan.type !== 'wav' && plan.type !== 'raw';
  const sink = encoded ? await openEncoded(plan) : null;
  const header =
    plan.type === 'wav'
      ? wavHeader({ sampleRate: plan.sampleRate, channels: plan.channels, format: plan.format, dataBytes })
      : Buffer.alloc(0);
  const out = encoded ? Buffer.alloc(0) : Buffer.allocUnsafe(header.length + dataBytes);
  header.copy(out, 0);
  let pos = header.length;
  // in the engine's arena, where the kernels work in place
  const planar = Array.from({ length: engine.channels }, () => engine.arena.f64(BLOCK));
  const chunk = engine.arena.bytes(BLOCK * frameBytes);
  const slice = limits.sliceMs ?? 8;
  let frames = 0;
  let t0 = performance.now();
  try {
    for (;;) {
      if (limits.signal?.aborted) throw new OmniError('INTERNAL', 'render aborted: the client went away');
      const n = engine.render(planar, BLOCK);
      if (n === 0) break;
      const len = q.encode(
        planar,
        n,
        encoded ? chunk : new Uint8Array(out.buffer, out.byteOffset + pos, n * frameBytes),
      );
      if (sink) await sink.write(chunk.subarray(0, len));
      pos += len;
      frames += n;
      if (performance.now() - t0 > slice) {
        await yieldNow();
        t0 = performance.now();
      }
    }
    const body = sink ? await sink.finish() : out.subarray(0, pos);
    return { body, contentType: CONTENT_TYPES[plan.type], frames, clipped: q.clipped };
  } catch (e) {
    sink?.abort();
    throw e;
  }
}

interface MemoryEncoder {
  write(chunk: Uint8Array): Promise<void>;
  finish(): Promise<Buffer>;
  abort(): void;
}

async function openEncoded(plan: OutputPlan): Promise<MemoryEncoder> {
  const { locateFfmpeg, startEncode } = await import('../io/ffmpeg.js');
  const { encodeSettings, RAW_FORMATS } = await import('../io/encoder.js');
  const settings = encodeSettings(plan);
  const captured = new PassThrough();
  const chunks: Buffer[] = [];
  captured.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve) => captured.on('end', () => resolve()));
  const job = startEncode(
    locateFfmpeg(),
    { format: RAW_FORMATS[plan.format], sampleRate: plan.sampleRate, channels: plan.channels },
    settings,
    captured,
    `the ${plan.type} response`,
  );
  return {
    async write(chunk) {
      // copy: the caller reuses its chunk
      if (!job.input.write(Buffer.from(chunk))) {
        await Promise.race([new Promise((r) => job.input.once('drain', r)), job.done]);
      }
    },
    async finish() {
      job.input.end();
      await job.done;
      await ended;
      return Buffer.concat(chunks);
    },
    abort() {
      job.kill();
    },
  };
}
