import { closeSync, openSync, readSync, renameSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { SampleFormat } from '../dsp/quantize.js';
import { invalid } from '../errors.js';
import { type EncodeJob, type EncodeSettings, locateFfmpeg, type RawInput, startEncode } from './ffmpeg.js';
import type { OutputPlan, OutputType } from './output.js';
import { type ByteSink, ioError, tempPathFor } from './sinks.js';

/** FFmpeg's raw input format for each of our sample formats. */
export const RAW_FORMATS: Record<SampleFormat, RawInput['format']> = {
  s16: 's16le',
  s24: 's24le',
  s32: 's32le',
  f32: 'f32le',
};

/** Sample rates Opus encodes at; other rates are resampled by FFmpeg to the next one up. */
export const OPUS_RATES = [8000, 12000, 16000, 24000, 48000] as const;

/** The Opus rate used for `rate`: the smallest supported rate at or above it (48000 at most). */
export function opusRateFor(rate: number): number {
  return OPUS_RATES.find((r) => r >= rate) ?? 48000;
}

const QUALITY_RANGE: Partial<Record<OutputType, [number, number]>> = {
  mp3: [0, 9],
  ogg: [0, 10],
  opus: [0, 10],
  flac: [0, 12],
};

/**
 * Codec, container and options for an encoded output plan. Throws BAD_VALUE / BAD_USAGE for
 * combinations the format cannot hold (mp3 with more than two channels, flac from floats...).
 *
 * @example
 * encodeSettings({ type: 'mp3', bitrate: '192k', ... }) // { muxer: 'mp3', codec: 'libmp3lame', options: ['-b:a', '192k'] }
 */
export function encodeSettings(
  plan: OutputPlan,
  to: { stream: boolean; knownLength: boolean } = { stream: plan.target === '-', knownLength: true },
): EncodeSettings & { viaFile?: boolean } {
  const options: string[] = [];
  const q = plan.quality;
  const range = QUALITY_RANGE[plan.type];
  if (q !== undefined) {
    if (!range)
      throw invalid('BAD_USAGE', `--quality does not apply to ${plan.type}; give --bitrate`, 'quality');
    if (q < range[0] || q > range[1])
      throw invalid(
        'BAD_VALUE',
        `--quality: ${plan.type} takes ${range[0]} to ${range[1]}, got ${q}`,
        'quality',
      );
  }
  const bitrate = (fallback: string | null) => {
    if (plan.bitrate !== undefined) options.push('-b:a', plan.bitrate);
    else if (q !== undefined) options.push(plan.type === 'opus' ? '-compression_level' : '-q:a', String(q));
    else if (fallback) options.push(...fallback.split(' '));
  };
  let muxer: string;
  let codec: string;
  switch (plan.type) {
    case 'mp3':
      if (plan.channels > 2)
        throw invalid(
          'BAD_VALUE',
          `mp3 holds 1 or 2 channels, got -c ${plan.channels}`,
          'channels',
          'use -t ogg, opus or m4a',
        );
      muxer = 'mp3';
      codec = 'libmp3lame';
      bitrate('-b:a 192k');
      options.push('-id3v2_version', '3');
      break;
    case 'ogg':
      muxer = 'ogg';
      codec = 'libvorbis';
      bitrate('-q:a 5');
      break;
    case 'opus': {
      muxer = 'opus';
      codec = 'libopus';
      bitrate(`-b:a ${plan.channels === 1 ? 96 : 64 * plan.channels}k`);
      if (plan.bitrate !== undefined && q !== undefined) options.push('-compression_level', String(q));
      const rate = opusRateFor(plan.sampleRate);
      if (rate !== plan.sampleRate) options.push('-ar', String(rate));
      break;
    }
    case 'flac':
      if (plan.format === 'f32' || plan.format === 's32') {
        throw invalid('BAD_VALUE', 'flac holds 16 or 24-bit samples', 'bits', 'use -b 16 or -b 24 with flac');
      }
      if (plan.bitrate !== undefined)
        throw invalid(
          'BAD_USAGE',
          '--bitrate does not apply to flac (lossless); --quality sets compression',
          'bitrate',
        );
      muxer = 'flac';
      codec = 'flac';
      options.push('-compression_level', String(q ?? 5));
      if (plan.format === 's24') options.push('-sample_fmt', 's32');
      break;
    case 'm4a':
      muxer = 'ipod';
      codec = 'aac';
      bitrate(`-b:a ${plan.channels === 1 ? 128 : 96 * Math.min(plan.channels, 2)}k`);
      // a pipe cannot be rewound to write the index at the end: fragmented MP4 instead, one
      // fragment a second (audio has no video keyframes to cut at, so FFmpeg would otherwise
      // hold the whole stream until the end)
      if (to.stream)
        options.push('-movflags', 'empty_moov+default_base_moof+frag_keyframe', '-frag_duration', '1000000');
      else options.push('-movflags', '+faststart');
      break;
    default:
      throw invalid('BAD_USAGE', `${plan.type} is not an encoded type`, 'type');
  }
  const meta = plan.metadata ?? {};
  if (meta.title) options.push('-metadata', `title=${meta.title}`);
  if (meta.comment) options.push('-metadata', `comment=${meta.comment}`);
  // FLAC's header holds the length and the MD5 of the audio, written once the encode ends by
  // seeking back: to a stream, a render of known length is encoded into a file first
  const viaFile = plan.type === 'flac' && to.stream && to.knownLength;
  return { muxer, codec, options, ...(viaFile ? { viaFile } : {}) };
}

/**
 * Bytes written to it go into FFmpeg's stdin. For a regular file, FFmpeg writes a temporary file
 * renamed into place on success; for standard output, a device or a FIFO, FFmpeg writes into a
 * pipe that is forwarded to `out`. FLAC of known length to a stream goes through a temporary file
 * first, so its header holds the length and the MD5 (FFmpeg fills them in by seeking back). A
 * failing FFmpeg turns into ENCODER_FAILED with the tail of its message, and no file is left
 * behind. A reader that goes away stops FFmpeg at once.
 */
class EncoderSink implements ByteSink {
  private readonly job: EncodeJob;
  /** Where FFmpeg writes, renamed to `target` (a file) or copied to `out` (FLAC to a stream). */
  private readonly tmp: string | null;
  private readonly target: string;
  private readonly out: ByteSink | null;
  private readonly pump: Promise<void>;
  private failure: unknown = null;

  constructor(
    plan: OutputPlan,
    settings: EncodeSettings & { viaFile?: boolean },
    file: string | null,
    out: ByteSink | null,
  ) {
    const location = locateFfmpeg();
    const input: RawInput = {
      format: RAW_FORMATS[plan.format],
      sampleRate: plan.sampleRate,
      channels: plan.channels,
    };
    this.target = file ?? plan.target;
    const what =
      file === null ? `${plan.type} to ${plan.target === '-' ? 'standard output' : plan.target}` : file;
    this.out = out;
    if (file === null && !settings.viaFile) {
      this.tmp = null;
      const pipe = new PassThroughOut();
      this.job = startEncode(location, input, settings, pipe.stream, what);
      this.pump = pipe.forward(out!, () => this.job.kill());
      this.pump.catch((e) => {
        this.failure ??= e;
      });
    } else {
      this.tmp = tempPathFor(file ?? join(tmpdir(), `omnisonic.${plan.type}`));
      this.job = startEncode(location, input, settings, this.tmp, what);
      this.pump = Promise.resolve();
    }
    this.job.done.catch((e) => {
      this.failure ??= e;
    });
  }

  get closed(): boolean {
    return this.out?.closed ?? false;
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.closed) return;
    // copied: the caller reuses its buffer
    if (this.job.input.write(Buffer.from(chunk))) return;
    await new Promise<void>((resolve) => {
      const input = this.job.input;
      const done = () => {
        input.off('drain', done);
        resolve();
      };
      input.on('drain', done);
      this.job.done.then(done, done);
    });
    if (this.failure) throw this.failure;
  }

  async finish(): Promise<void> {
    if (this.closed) {
      this.job.kill();
      await this.pump;
      return;
    }
    this.job.input.end();
    try {
      await this.job.done;
      await this.pump;
    } catch (e) {
      await this.abort();
      throw e;
    }
    if (this.tmp && this.out) {
      // FLAC made whole in a file: now to the stream
      try {
        await copyFileTo(this.tmp, this.out);
      } finally {
        await this.abort();
      }
    } else if (this.tmp) {
      try {
        renameSync(this.tmp, this.target);
      } catch (e) {
        await this.abort();
        throw ioError(e, this.target, 'write');
      }
    }
  }

  async abort(): Promise<void> {
    this.job.kill();
    await this.job.done.catch(() => {});
    await this.pump.catch(() => {});
    if (this.tmp) {
      try {
        unlinkSync(this.tmp);
      } catch {}
    }
    await this.out?.abort();
  }
}

/** Copy a file into a sink in large pieces, stopping when the reader goes away. */
async function copyFileTo(path: string, out: ByteSink): Promise<void> {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0 || out.closed) break;
      await out.write(buf.subarray(0, n));
    }
    await out.finish();
  } finally {
    closeSync(fd);
  }
}

/** FFmpeg's stdout, forwarded to an EPIPE-safe stream sink with backpressure. */
class PassThroughOut {
  readonly stream = new PassThrough();

  async forward(sink: ByteSink, onReaderGone: () => void): Promise<void> {
    for await (const chunk of this.stream) {
      await sink.write(chunk as Buffer);
      if (sink.closed) {
        onReaderGone();
        this.stream.destroy();
        return;
      }
    }
    await sink.finish();
  }
}

/**
 * Open a sink that encodes raw PCM through FFmpeg into `plan.type`: into the regular file
 * `file` (its real path), or into the stream sink `out` (standard output, a device, a FIFO).
 */
export async function openEncoderSink(
  plan: OutputPlan,
  file: string | null,
  out: ByteSink | null,
  frames: number | null,
): Promise<ByteSink> {
  const settings = encodeSettings(plan, { stream: file === null, knownLength: frames !== null });
  return new EncoderSink(plan, settings, file, out);
}
