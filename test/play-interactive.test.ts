import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { peakFrequency, spectrumDb } from './helpers/signal.js';

// `play --interactive` needs a terminal: util-linux `script` gives it a pseudo-terminal whose
// keyboard is our pipe. What was played is captured with the ALSA file plugin (DEVELOPERS.md).
const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'omnisonic.cjs');
const CI = process.env.CI === 'true';
const env = {
  ...process.env,
  NO_COLOR: '1',
  ALSA_CONFIG_PATH: join(ROOT, 'test', 'fixtures', 'alsa', 'asound.conf'),
};
const dir = mkdtempSync(join(tmpdir(), 'omni-play-i-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HAVE =
  spawnSync('sh', ['-c', 'command -v script'], { encoding: 'utf8' }).stdout.trim() !== '' &&
  existsSync(join(ROOT, 'node_modules', 'speaker')) &&
  spawnSync(process.execPath, ['-e', "require('speaker')"], { cwd: ROOT, env }).status === 0;

if (!HAVE) {
  const why = 'play --interactive: skipped, needs util-linux script and speaker with ALSA';
  if (CI) it(`${why} (required when CI=true)`, () => expect(HAVE).toBe(true));
  else it.skip(why, () => {});
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.runIf(HAVE)('play --interactive on a terminal', () => {
  it('up an octave by semitones, volume down 6 dB, pause, resume, q: glides without clicks, status line', async () => {
    const cap = join(dir, 'i.raw');
    const cmd = `'${process.execPath}' '${BIN}' play 440 -i --dither none --device capture:FILE=${cap}`;
    const child = spawn('script', ['-qfec', cmd, '/dev/null'], { cwd: dir, env });
    let screen = '';
    child.stdout.on('data', (d: Buffer) => {
      screen += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const bytesAt = () => (existsSync(cap) ? statSync(cap).size : 0);
    for (let i = 0; i < 400 && bytesAt() < 48000; i++) await sleep(25);
    for (let i = 0; i < 12; i++) {
      child.stdin.write('\x1b[A');
      await sleep(20);
    }
    for (let i = 0; i < 6; i++) child.stdin.write('\x1b[D');
    await sleep(600);
    child.stdin.write(' ');
    await sleep(600);
    child.stdin.write(' ');
    await sleep(600);
    child.stdin.write('q');
    expect(await exited, screen).toBe(0);

    expect(screen).toContain('\r\x1b[2K440.00 Hz (A4)');
    expect(screen).toMatch(/880\.00 Hz \(A5\)\s+vol -6 dB/);
    expect(screen).toMatch(/paused/);

    const b = readFileSync(cap);
    const x = Float64Array.from(new Int16Array(b.buffer, b.byteOffset, b.length / 2), (v) => v / 32768);
    const sr = 48000;
    expect(peakFrequency(spectrumDb(x, 8192, 2000), sr)).toBeCloseTo(440, 0);
    // the end, before the quit fade: an octave up, 6 dB down
    const tail = x.subarray(x.length - 0.06 * sr - 8192, x.length - 0.06 * sr);
    expect(peakFrequency(spectrumDb(tail, 8192), sr)).toBeCloseTo(880, 0);
    const amp = tail.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(20 * Math.log10(amp / 0.5)).toBeCloseTo(-6, 0);
    // pause: a stretch of silence of at least 0.4 s
    let run = 0;
    let longest = 0;
    for (const v of x) {
      run = v === 0 ? run + 1 : 0;
      longest = Math.max(longest, run);
    }
    expect(longest / sr).toBeGreaterThan(0.4);
    // no clicks: no step between samples beyond what a 880 Hz sine at -6 dBFS can make
    let maxStep = 0;
    for (let i = 1; i < x.length; i++) maxStep = Math.max(maxStep, Math.abs(x[i]! - x[i - 1]!));
    expect(maxStep).toBeLessThan(0.5 * ((2 * Math.PI * 880) / sr) * 1.05);
  });
});
