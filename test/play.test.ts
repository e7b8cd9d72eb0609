import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { peakFrequency, spectrumDb } from './helpers/signal.js';

// Playback is captured with ALSA's file plugin (test/fixtures/alsa/asound.conf, see DEVELOPERS.md):
// `--device capture:FILE=<path>` writes the raw PCM that reached "the sound card" to <path>.
const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'omnisonic.cjs');
const ALSA_CONF = join(ROOT, 'test', 'fixtures', 'alsa', 'asound.conf');
const CI = process.env.CI === 'true';
const dir = mkdtempSync(join(tmpdir(), 'omni-play-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { ...process.env, NO_COLOR: '1', ALSA_CONFIG_PATH: ALSA_CONF };

/** speaker installed and loading with the test ALSA configuration (checked in a child: it may abort). */
const speakerLoads =
  existsSync(join(ROOT, 'node_modules', 'speaker')) &&
  spawnSync(process.execPath, ['-e', "require('speaker')"], { cwd: ROOT, env }).status === 0;
const HAVE = speakerLoads;

function omni(args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: dir,
    env: { ...env, ...extraEnv },
    maxBuffer: 1 << 28,
  });
  return {
    code: r.status,
    signal: r.signal,
    stdout: r.stdout,
    stderr: r.stderr.toString(),
    wallSec: (performance.now() - t0) / 1000,
  };
}

function int16(b: Buffer): Int16Array {
  return new Int16Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
}

let n = 0;
const capturePath = () => join(dir, `capture-${n++}.raw`);

if (!HAVE) {
  const why =
    'playback: skipped, speaker cannot load with ALSA (npm install speaker; apt-get install libasound2-dev alsa-utils)';
  if (CI) it(`${why} (required when CI=true)`, () => expect(HAVE).toBe(true));
  else it.skip(why, () => {});
}

describe.runIf(HAVE)('play (captured with the ALSA file plugin)', () => {
  it('plays exactly the samples tone renders, in real time (play -d 2 lasts 2 s)', () => {
    const cap = capturePath();
    const r = omni(['play', '1000', '-d', '2', '--device', `capture:FILE=${cap}`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.length).toBe(0);
    expect(r.wallSec).toBeGreaterThanOrEqual(1.9);
    const ref = omni(['tone', '1000', '-d', '2', '-t', 'raw', '-o', '-']);
    expect(ref.code, ref.stderr).toBe(0);
    const played = readFileSync(cap);
    expect(played.length).toBe(2 * 48000 * 2);
    expect(played.equals(ref.stdout)).toBe(true);
  });

  it('several arguments play as mix layers, stereo, identical to mix', () => {
    const cap = capturePath();
    const layers = ['200', '3/2@0.5~0.5', 'noise:pink@-30dB'];
    const r = omni(['play', ...layers, '-d', '1', '--seed', '9', '--device', `capture:FILE=${cap}`]);
    expect(r.code, r.stderr).toBe(0);
    const ref = omni(['mix', ...layers, '-d', '1', '--seed', '9', '-t', 'raw', '-o', '-']);
    const played = readFileSync(cap);
    expect(played.length).toBe(48000 * 2 * 2);
    expect(played.equals(ref.stdout)).toBe(true);
  });

  it('plays an audio file once by default', () => {
    const wav = join(dir, 'src.wav');
    expect(omni(['tone', '1000', '-d', '0.8', '-r', '44100', '-o', wav]).code).toBe(0);
    const cap = capturePath();
    const r = omni(['play', wav, '-r', '44100', '--device', `capture:FILE=${cap}`]);
    expect(r.code, r.stderr).toBe(0);
    const x = Array.from(int16(readFileSync(cap)), (v) => v / 32768);
    expect(x.length).toBe(Math.round(0.8 * 44100));
    expect(Math.abs(peakFrequency(spectrumDb(x, 16384, 8000), 44100) - 1000)).toBeLessThan(1);
  });

  it('Ctrl-C fades out within 50 ms, ends on silence, exits 0', async () => {
    const cap = capturePath();
    const child = spawn(
      process.execPath,
      [BIN, 'play', '440', '--dither', 'none', '--device', `capture:FILE=${cap}`],
      {
        cwd: dir,
        env,
      },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // wait until half a second has been played, then interrupt
    for (let i = 0; i < 400; i++) {
      await new Promise((r) => setTimeout(r, 25));
      if (existsSync(cap) && statSync(cap).size >= 48000) break;
    }
    child.kill('SIGINT');
    expect(await exited, stderr).toBe(0);
    const x = int16(readFileSync(cap));
    const full = 0.5011872336 * 32767; // -6 dBFS
    let lastFull = 0;
    for (let i = 0; i < x.length; i++) if (Math.abs(x[i]!) >= 0.9 * full) lastFull = i;
    expect(x.length).toBeGreaterThan(24000);
    expect((x.length - lastFull) / 48000).toBeLessThanOrEqual(0.05);
    for (const v of x.subarray(-8)) expect(Math.abs(v)).toBeLessThanOrEqual(2);
    // and before the fade the tone played at full level throughout (no gap)
    let quietest = Number.POSITIVE_INFINITY;
    for (let i = 960; i + 48 < lastFull - 2400; i += 48) {
      let p = 0;
      for (let j = i; j < i + 110; j++) p = Math.max(p, Math.abs(x[j]!));
      quietest = Math.min(quietest, p);
    }
    expect(quietest).toBeGreaterThan(0.95 * full);
  });

  it('an unknown device: exit 1 with a clear message, no crash', () => {
    const r = omni(['play', '440', '-d', '1', '--device', 'nonexistent']);
    expect(r.code).toBe(1);
    expect(r.signal).toBeNull();
    expect(r.stderr).toMatch(/^omnisonic: error: cannot open audio device 'nonexistent'/);
    expect(r.stderr).not.toMatch(/Assertion|Aborted|at .*\.js/);
  });

  it('no usable ALSA device at all: exit 1 with a clear message, never an abort', () => {
    const conf = join(dir, 'empty-asound.conf');
    writeFileSync(conf, '# no devices\n');
    const r = omni(['play', '440', '-d', '1'], { ALSA_CONFIG_PATH: conf });
    expect(r.code).toBe(1);
    expect(r.signal).toBeNull();
    expect(r.stderr).toMatch(/^omnisonic: error: no usable audio device/);
    expect(r.stderr).toMatch(/hint:/);
  });

  it('--interactive refuses a standard input that is not a terminal (exit 2)', () => {
    const r = omni(['play', '440', '--interactive', '--device', `capture:FILE=${capturePath()}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--interactive needs a terminal/);
  });

  it('--verbose reports the device, the latency and the block size', () => {
    const r = omni([
      'play',
      '440',
      '-d',
      '0.3',
      '--latency',
      '60',
      '--verbose',
      '--device',
      `capture:FILE=${capturePath()}`,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/latency 60 ms/);
    expect(r.stderr).toMatch(/blocks of 720 frames/);
  });
});
