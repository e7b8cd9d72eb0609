import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { peakFrequency, spectrumDb } from './helpers/signal.js';

// CLI tests run the built binary (npm test builds first), as a user would.
const BIN = join(import.meta.dirname, '..', 'bin', 'omnisonic.cjs');
const CI = process.env.CI === 'true';
const which = (cmd: string) =>
  spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).stdout.trim();
const FFMPEG = which('ffmpeg');
const FFPROBE = which('ffprobe');
const HAVE = FFMPEG !== '' && FFPROBE !== '';
const dir = mkdtempSync(join(tmpdir(), 'omni-encode-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function omni(args: string[], env: NodeJS.ProcessEnv = {}, cwd = dir) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', ...env },
    maxBuffer: 1 << 28,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

/** Decode a file (or bytes on stdin) with the system FFmpeg to mono 32-bit floats at `rate`. */
function decode(input: string | Buffer, rate = 48000): Float32Array {
  const src = typeof input === 'string' ? input : 'pipe:0';
  const r = spawnSync(
    FFMPEG,
    ['-v', 'error', '-i', src, '-f', 'f32le', '-ac', '1', '-ar', String(rate), 'pipe:1'],
    {
      input: typeof input === 'string' ? undefined : input,
      maxBuffer: 1 << 28,
    },
  );
  expect(r.status, r.stderr.toString()).toBe(0);
  const b = r.stdout;
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
}

function probe(input: string | Buffer): Record<string, string> {
  const src = typeof input === 'string' ? input : 'pipe:0';
  const r = spawnSync(
    FFPROBE,
    [
      '-v',
      'error',
      '-show_entries',
      'stream=codec_name,sample_rate,channels,bit_rate:stream_tags:format=bit_rate:format_tags',
      '-of',
      'flat',
      src,
    ],
    { input: typeof input === 'string' ? undefined : input, encoding: 'utf8' },
  );
  const out: Record<string, string> = {};
  for (const line of r.stdout.split('\n')) {
    const m = /^(?:streams\.stream\.0|format)\.(?:tags\.)?([\w]+)="?([^"]*)"?$/.exec(line.trim());
    if (m) out[m[1]!.toLowerCase()] = m[2]!;
  }
  return out;
}

/** FFT peak of 16384 samples from the middle of the decoded audio. */
function peakHz(x: Float32Array, rate = 48000): number {
  const n = 16384;
  return peakFrequency(spectrumDb(x, n, Math.floor((x.length - n) / 2)), rate);
}

const CODECS = { mp3: 'mp3', ogg: 'vorbis', opus: 'opus', flac: 'flac', m4a: 'aac' } as const;

if (!HAVE) {
  if (CI) it('ffmpeg and ffprobe are installed (required when CI=true)', () => expect(HAVE).toBe(true));
  else it.skip('encoded output: skipped, ffmpeg/ffprobe not installed (apt-get install ffmpeg)', () => {});
}

describe.runIf(HAVE)('encoded output through FFmpeg', () => {
  for (const [type, codec] of Object.entries(CODECS)) {
    it(`${type}: file by extension decodes to ${codec} with its peak at 1 kHz`, () => {
      const file = join(dir, `tone.${type}`);
      const r = omni(['tone', '1000', '-d', '1', '-o', file]);
      expect(r.code, r.stderr).toBe(0);
      const info = probe(file);
      expect(info.codec_name).toBe(codec);
      expect(info.channels).toBe('1');
      const x = decode(file);
      expect(Math.abs(x.length / 48000 - 1)).toBeLessThan(0.08);
      expect(Math.abs(peakHz(x) - 1000)).toBeLessThan(1);
    });

    it(`${type}: -t ${type} -o - streams to stdout and decodes`, () => {
      const r = omni(['tone', '1000', '-d', '1', '-t', type, '-o', '-']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe('');
      expect(probe(r.stdout).codec_name).toBe(codec);
      const x = decode(r.stdout);
      expect(Math.abs(x.length / 48000 - 1)).toBeLessThan(0.08);
      expect(Math.abs(peakHz(x) - 1000)).toBeLessThan(1);
    });
  }

  it('opus at 44.1 kHz is resampled to 48 kHz inside FFmpeg and stays at 1 kHz', () => {
    const file = join(dir, 'r44.opus');
    const r = omni(['tone', '1000', '-d', '1', '-r', '44100', '-o', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(probe(file).sample_rate).toBe('48000');
    expect(Math.abs(peakHz(decode(file)) - 1000)).toBeLessThan(1);
  });

  it('stereo binaural to ogg keeps two channels', () => {
    const file = join(dir, 'bin.ogg');
    const r = omni(['tone', '200', '--binaural', '10', '-d', '1', '-o', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(probe(file).channels).toBe('2');
  });

  for (const bits of ['16', '24']) {
    it(`flac -b ${bits} is bit-identical to the WAV`, () => {
      const wav = join(dir, `l${bits}.wav`);
      const flac = join(dir, `l${bits}.flac`);
      for (const out of [wav, flac]) {
        const r = omni([
          'tone',
          '997',
          '-d',
          '1.5',
          '-b',
          bits,
          '--binaural',
          '7',
          '--seed',
          '42',
          '-o',
          out,
        ]);
        expect(r.code, r.stderr).toBe(0);
      }
      const pcm = (f: string) =>
        spawnSync(FFMPEG, ['-v', 'error', '-i', f, '-f', 's32le', 'pipe:1'], { maxBuffer: 1 << 28 }).stdout;
      const a = pcm(wav);
      const b = pcm(flac);
      expect(a.length).toBe(1.5 * 48000 * 2 * 4);
      expect(b.equals(a)).toBe(true);
    });
  }

  it('flac from 32-bit or float samples is refused (it would not be lossless)', () => {
    const r = omni(['tone', '440', '-d', '1', '-b', '32f', '-o', join(dir, 'f.flac')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/flac holds 16 or 24-bit/);
  });

  it('--bitrate sets the mp3 bitrate, --quality the vorbis quality', () => {
    const mp3 = join(dir, 'b96.mp3');
    expect(omni(['tone', '440', '-d', '2', '--bitrate', '96k', '-o', mp3]).code).toBe(0);
    expect(Math.abs(Number(probe(mp3).bit_rate) / 96000 - 1)).toBeLessThan(0.05);
    const lo = join(dir, 'q0.ogg');
    const hi = join(dir, 'q10.ogg');
    expect(omni(['mix', '440', 'noise:pink@-12dB', '-d', '2', '--quality', '0', '-o', lo]).code).toBe(0);
    expect(omni(['mix', '440', 'noise:pink@-12dB', '-d', '2', '--quality', '10', '-o', hi]).code).toBe(0);
    expect(readFileSync(hi).length).toBeGreaterThan(2 * readFileSync(lo).length);
  });

  it('title and comment metadata reach the file', async () => {
    const { Engine } = await import('../dist/render/engine.js');
    const { writeOutput } = await import('../dist/io/output.js');
    for (const type of ['mp3', 'ogg', 'opus', 'flac', 'm4a'] as const) {
      const target = join(dir, `meta.${type}`);
      const engine = new Engine({ sampleRate: 48000, duration: 0.5, layers: [{ type: 'tone', freq: 440 }] });
      await writeOutput(engine, {
        target,
        type,
        format: 's16',
        channels: 1,
        sampleRate: 48000,
        dither: true,
        metadata: { title: 'Alpha waves', comment: 'made by omnisonic' },
      });
      const tags = probe(target);
      expect(tags.title, type).toBe('Alpha waves');
      expect(tags.comment, type).toBe('made by omnisonic');
    }
  });

  it('a non-WAV file is decoded through FFmpeg as a mix layer', () => {
    const ogg = join(dir, 'src.ogg');
    expect(omni(['tone', '1000', '-d', '1', '-o', ogg]).code).toBe(0);
    const out = join(dir, 'fromogg.wav');
    const r = omni(['mix', `file:${ogg}`, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    const x = decode(out);
    expect(Math.abs(x.length / 48000 - 1)).toBeLessThan(0.05);
    expect(Math.abs(peakHz(x) - 1000)).toBeLessThan(1);
  });

  it('FFmpeg failing mid-stream: exit 1, the tail of its message, no partial file, old file kept', () => {
    const fake = join(dir, 'fake-ffmpeg');
    writeFileSync(
      fake,
      `#!/bin/sh
case " $* " in *" -formats "*|*" -encoders "*|*" -codecs "*) exec ${FFMPEG} "$@";; esac
for last; do :; done
head -c 300000 > /dev/null
printf partial > "$last"
echo "fake encoder: disk on fire" >&2
exit 1
`,
    );
    chmodSync(fake, 0o755);
    const work = mkdtempSync(join(dir, 'fail-'));
    writeFileSync(join(work, 'keep.mp3'), 'old');
    for (const name of ['new.mp3', 'keep.mp3']) {
      const r = omni(['tone', '440', '-d', '30', '-o', name], { FFMPEG_PATH: fake }, work);
      expect(r.code).toBe(1);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^omnisonic: error: FFmpeg failed writing .*fake encoder: disk on fire/);
    }
    expect(readdirSync(work)).toEqual(['keep.mp3']);
    expect(readFileSync(join(work, 'keep.mp3'), 'utf8')).toBe('old');
    const piped = omni(['tone', '440', '-d', '30', '-t', 'mp3', '-o', '-'], { FFMPEG_PATH: fake }, work);
    expect(piped.code).toBe(1);
    expect(piped.stderr).toMatch(/disk on fire/);
  });

  it('no FFmpeg anywhere: exit 1 with how to get it, and no file', () => {
    const work = mkdtempSync(join(dir, 'none-'));
    const env = { PATH: join(work, 'empty'), FFMPEG_PATH: '', OMNISONIC_NO_BUNDLED_FFMPEG: '1' };
    const r = omni(['tone', '440', '-d', '1', '-o', 'x.opus'], env, work);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^omnisonic: error: FFmpeg was not found/);
    expect(r.stderr).toMatch(/apt-get install ffmpeg.*@ffmpeg-installer\/ffmpeg.*FFMPEG_PATH/);
    expect(readdirSync(work)).toEqual([]);
    const bad = omni(['tone', '440', '-d', '1', '-o', 'x.mp3'], { FFMPEG_PATH: join(work, 'nope') }, work);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/FFMPEG_PATH=.*nope is not an executable/);
  });

  const bundled = join(import.meta.dirname, '..', 'node_modules', '@ffmpeg-installer', 'ffmpeg');
  it.runIf(existsSync(bundled))(
    'without a system FFmpeg the bundled @ffmpeg-installer binary is used',
    () => {
      const work = mkdtempSync(join(dir, 'bundled-'));
      const r = omni(
        ['tone', '1000', '-d', '1', '-o', 'b.mp3'],
        { PATH: join(work, 'empty'), FFMPEG_PATH: '' },
        work,
      );
      expect(r.code, r.stderr).toBe(0);
      expect(probe(join(work, 'b.mp3')).codec_name).toBe('mp3');
    },
  );

  /** An FFMPEG_PATH that logs each run (its arguments and PID) and then is the real FFmpeg. */
  function loggingFfmpeg(work: string): { path: string; log: string } {
    const log = join(work, 'ffmpeg.log');
    const path = join(work, 'ffmpeg');
    writeFileSync(path, `#!/bin/sh\necho "$$ $*" >> '${log}'\nexec '${FFMPEG}' "$@"\n`);
    chmodSync(path, 0o755);
    return { path, log };
  }

  it('an encode runs FFmpeg once: no -formats / -encoders queries first', () => {
    const work = mkdtempSync(join(dir, 'once-'));
    const ff = loggingFfmpeg(work);
    const r = omni(['tone', '440', '-d', '3', '-o', 'x.flac'], { FFMPEG_PATH: ff.path }, work);
    expect(r.code, r.stderr).toBe(0);
    const runs = readFileSync(ff.log, 'utf8').trim().split('\n');
    expect(runs).toHaveLength(1);
    expect(runs[0]).not.toMatch(/-formats|-encoders/);
  });

  it('flac on stdout of known length has total_samples and the MD5 in STREAMINFO', () => {
    const r = omni(['mix', '440', '550', '-d', '3', '-t', 'flac', '-o', '-']);
    expect(r.code, r.stderr).toBe(0);
    const b = r.stdout;
    expect(b.toString('latin1', 0, 4)).toBe('fLaC');
    const info = b.subarray(8, 42);
    const total = (info.readUInt8(13) & 0x0f) * 2 ** 32 + info.readUInt32BE(14);
    expect(total).toBe(3 * 48000);
    expect(info.subarray(18, 34).some((v) => v !== 0)).toBe(true);
    const d = spawnSync(
      FFPROBE,
      ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', 'pipe:0'],
      {
        input: b,
        encoding: 'utf8',
      },
    );
    expect(Number(d.stdout.trim())).toBeCloseTo(3, 2);
    // and the file it writes is the same bytes
    const f = join(dir, 'same.flac');
    expect(omni(['mix', '440', '550', '-d', '3', '-o', f]).code).toBe(0);
    expect(Buffer.compare(readFileSync(f), b)).toBe(0);
  });

  it('endless m4a into a reader that closes after 100 kB: exit 0, quiet, no FFmpeg left', async () => {
    const work = mkdtempSync(join(dir, 'm4a-'));
    const ff = loggingFfmpeg(work);
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [BIN, 'tone', '440', '-d', 'inf', '-t', 'm4a', '-o', '-'], {
      cwd: work,
      env: { ...process.env, NO_COLOR: '1', FFMPEG_PATH: ff.path },
    });
    let got = 0;
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const first = await new Promise<Buffer>((resolve) => {
      const parts: Buffer[] = [];
      const onData = (d: Buffer) => {
        parts.push(d);
        got += d.length;
        if (got >= 100_000) {
          child.stdout.off('data', onData);
          child.stdout.destroy(); // the reader goes away
          resolve(Buffer.concat(parts));
        }
      };
      child.stdout.on('data', onData);
    });
    const code = await new Promise<number | null>((resolve) => {
      const t = setTimeout(() => {
        child.kill('SIGKILL');
        resolve(-1);
      }, 30_000);
      child.on('close', (c) => {
        clearTimeout(t);
        resolve(c);
      });
    });
    expect(code, stderr).toBe(0);
    expect(stderr).toBe('');
    // a fragmented MP4 that starts with its header
    expect(first.toString('latin1', 4, 8)).toBe('ftyp');
    expect(first.includes(Buffer.from('moof'))).toBe(true);
    const pid = Number(readFileSync(ff.log, 'utf8').trim().split(' ')[0]);
    await new Promise((r) => setTimeout(r, 300));
    expect(existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ')).toBe(
      false,
    );
  });
});
