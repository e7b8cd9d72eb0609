import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { PassThrough, type Writable } from 'node:stream';
import ffmpegPkg from 'fluent-ffmpeg';
import { OmniError } from '../errors.js';

/**
 * Everything OmniSonic asks of FFmpeg goes through this module, the only one that loads
 * `fluent-ffmpeg`: finding the binary, encoding a raw PCM stream, decoding a file.
 */

/** Where the FFmpeg in use came from. */
export type FfmpegSource = 'FFMPEG_PATH' | 'PATH' | 'bundled';

export interface FfmpegLocation {
  path: string;
  source: FfmpegSource;
}

/** How to get FFmpeg, in one line (the hint of ENCODER_MISSING). */
export const FFMPEG_HOWTO =
  'install it (apt-get install ffmpeg, brew install ffmpeg), or npm install @ffmpeg-installer/ffmpeg, or set FFMPEG_PATH to its binary';

function isExecutable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Find FFmpeg: `FFMPEG_PATH`, then `ffmpeg` on `PATH`, then the binary of the optional
 * dependency `@ffmpeg-installer/ffmpeg` (skipped when `OMNISONIC_NO_BUNDLED_FFMPEG=1`, for tests).
 * Throws ENCODER_MISSING with a hint on how to get it.
 *
 * @example
 * const { path, source } = locateFfmpeg(); // { path: '/usr/bin/ffmpeg', source: 'PATH' }
 */
export function locateFfmpeg(env: NodeJS.ProcessEnv = process.env): FfmpegLocation {
  const given = env.FFMPEG_PATH;
  if (given !== undefined && given !== '') {
    if (isExecutable(given)) return { path: given, source: 'FFMPEG_PATH' };
    throw new OmniError('ENCODER_MISSING', `FFMPEG_PATH=${given} is not an executable file`, {
      hint: FFMPEG_HOWTO,
    });
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, process.platform === 'win32' ? 'ffmpeg.exe' : 'ffmpeg');
    if (isExecutable(candidate)) return { path: candidate, source: 'PATH' };
  }
  if (env.OMNISONIC_NO_BUNDLED_FFMPEG !== '1') {
    try {
      const require = createRequire(import.meta.url);
      const bundled = require('@ffmpeg-installer/ffmpeg') as { path?: string };
      if (bundled.path && isExecutable(bundled.path)) return { path: bundled.path, source: 'bundled' };
    } catch {
      // not installed: fall through
    }
  }
  throw new OmniError('ENCODER_MISSING', 'FFmpeg was not found (needed to encode and decode this format)', {
    hint: FFMPEG_HOWTO,
  });
}

/** The last meaningful lines of FFmpeg's stderr, joined into one line. */
export function stderrTail(stderr: string | null | undefined, lines = 3): string {
  const kept = (stderr ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^(size=|video:|\[out#|frame=)/.test(l));
  const tail = kept.slice(-lines).join(' | ');
  return tail.length > 400 ? `...${tail.slice(-400)}` : tail;
}

function command(location: FfmpegLocation): ffmpegPkg.FfmpegCommand {
  const cmd = ffmpegPkg({ stdoutLines: 40 });
  cmd.setFfmpegPath(location.path);
  return cmd;
}

/** Raw PCM that is fed to FFmpeg's stdin. */
export interface RawInput {
  /** FFmpeg's name of the sample format: s16le, s24le, s32le, f32le. */
  format: 's16le' | 's24le' | 's32le' | 'f32le';
  sampleRate: number;
  channels: number;
}

/** Codec, container and options of one encoded output. */
export interface EncodeSettings {
  /** FFmpeg muxer name (-f). */
  muxer: string;
  codec: string;
  /** Further output options (-b:a, -q:a, -ar, -metadata, -movflags...). */
  options: string[];
}

/** A running encoder: write PCM into `input` (respecting backpressure), end it, await `done`. */
export interface EncodeJob {
  readonly input: Writable;
  /** Resolves when FFmpeg exited successfully; rejects with ENCODER_FAILED otherwise. */
  readonly done: Promise<void>;
  /** Stop FFmpeg now (the output is then incomplete). */
  kill(): void;
}

/**
 * Start FFmpeg encoding raw PCM from a stream we write into, to a file path or into a writable
 * stream (standard output). `what` names the output in error messages. FFmpeg is run directly,
 * with its arguments in full: no capability queries (`-formats`, `-encoders`) before each encode,
 * which tripled the time of short encodes; an encoder FFmpeg lacks fails the encode with
 * FFmpeg's own message.
 *
 * @example
 * const job = startEncode(locateFfmpeg(), { format: 's16le', sampleRate: 48000, channels: 1 },
 *   { muxer: 'mp3', codec: 'libmp3lame', options: ['-b:a', '192k'] }, '/tmp/x.mp3.tmp', 'x.mp3');
 * job.input.end(pcm); await job.done;
 */
export function startEncode(
  location: FfmpegLocation,
  input: RawInput,
  settings: EncodeSettings,
  output: string | Writable,
  what: string,
): EncodeJob {
  const args = [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-f',
    input.format,
    '-ar',
    String(input.sampleRate),
    '-ac',
    String(input.channels),
    '-i',
    'pipe:0',
    '-vn',
    '-sn',
    '-c:a',
    settings.codec,
    ...settings.options, // separate arguments: never split at spaces
    '-f',
    settings.muxer,
    '-y',
    typeof output === 'string' ? output : 'pipe:1',
  ];
  const child = spawn(location.path, args, {
    stdio: ['pipe', typeof output === 'string' ? 'ignore' : 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => {
    stderr = (stderr + d).slice(-8000);
  });
  // FFmpeg gone early: writes fail with EPIPE, reported through `done`
  child.stdin!.on('error', () => {});
  if (typeof output !== 'string') child.stdout!.pipe(output, { end: true });
  let killed = false;
  const done = new Promise<void>((resolve, reject) => {
    let failure: Error | null = null;
    child.on('error', (e) => {
      failure = e;
    });
    child.on('close', (code, signal) => {
      if (killed || code === 0) return resolve();
      const tail = stderrTail(stderr) || failure?.message || `exit ${code ?? signal}`;
      reject(new OmniError('ENCODER_FAILED', `FFmpeg failed writing ${what}: ${tail}`, { cause: failure }));
    });
  });
  // errors surface through `done`; keep unhandled-rejection reports away until awaited
  done.catch(() => {});
  return {
    input: child.stdin!,
    done,
    kill() {
      if (killed) return;
      killed = true;
      child.stdin!.destroy();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/**
 * Decode any audio file FFmpeg reads into a WAV of 32-bit floats (mono or stereo: more
 * channels are mixed down to stereo), returned whole. Throws BAD_AUDIO when FFmpeg cannot read it.
 *
 * @example
 * const wavBytes = await decodeToFloatWav(locateFfmpeg(), 'rain.ogg');
 */
export function decodeToFloatWav(
  location: FfmpegLocation,
  path: string,
  sampleRate?: number,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const out = new PassThrough();
  out.on('data', (c: Buffer) => chunks.push(c));
  const cmd = command(location)
    .input(path)
    .noVideo()
    .audioCodec('pcm_f32le')
    .audioFilters('aformat=channel_layouts=mono|stereo')
    .format('wav');
  if (sampleRate !== undefined) cmd.audioFrequency(sampleRate);
  cmd.addOption('-hide_banner');
  cmd.addOption('-nostdin');
  const finished = new Promise<void>((resolve) => out.on('end', () => resolve()));
  return new Promise((resolve, reject) => {
    cmd.on('error', (err: Error, _stdout: string | null, stderr: string | null) => {
      const tail = stderrTail(stderr, 1) || err.message.split('\n')[0];
      reject(new OmniError('BAD_AUDIO', `${path}: FFmpeg cannot decode it (${tail})`, { cause: err }));
    });
    cmd.on('end', () => {
      finished.then(() => resolve(Buffer.concat(chunks)));
    });
    cmd.pipe(out, { end: true });
  });
}
