/**
 * `play --midi-in -` plays raw MIDI bytes from stdin with the SoundFont bank (default bank,
 * `--soundfont`) or the built-in voices (`--synth builtin`). Playback is captured with ALSA's
 * file plugin (test/fixtures/alsa/asound.conf, see DEVELOPERS.md) and compared by spectrum with
 * `render` of the same note.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MidiByteParser } from '../../src/midi/input.js';
import { writeMidi } from '../../src/midi/write.js';
import { CLI, requireComponent, tempDir } from '../helpers/cli.js';
import { peakFrequency, spectrumDb } from '../helpers/signal.js';
import { note } from './helpers.js';
import { harmonicProfile, haveDefaultBank, profileDistance, SR } from './sf-helpers.js';

const ROOT = join(import.meta.dirname, '..', '..');
const ALSA_CONF = join(ROOT, 'test', 'fixtures', 'alsa', 'asound.conf');
const env = { ...process.env, NO_COLOR: '1', ALSA_CONFIG_PATH: ALSA_CONF };
const dir = tempDir('omni-live-sf-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FLUTE = 73;
const A5 = 81; // 880 Hz

describe('raw MIDI bytes (--midi-in -)', () => {
  it('gives channel messages: running status, real-time bytes and sysex skipped', () => {
    const got: number[][] = [];
    const p = new MidiByteParser((m) => got.push(m));
    p.push(Uint8Array.of(0xc0, 73, 0x90, 60, 100, 0xf8, 64, 90));
    p.push(Uint8Array.of(0xf0, 0x7e, 0x7f, 0x09, 0x01, 0xf7, 0x80, 60));
    p.push(Uint8Array.of(0, 0xb1, 10, 0));
    expect(got).toEqual([
      [0xc0, 73],
      [0x90, 60, 100],
      [0x90, 64, 90],
      [0x80, 60, 0],
      [0xb1, 10, 0],
    ]);
  });
});

const speakerLoads =
  existsSync(join(ROOT, 'node_modules', 'speaker')) &&
  spawnSync(process.execPath, ['-e', "require('speaker')"], { cwd: ROOT, env }).status === 0;
const have =
  requireComponent('speaker with ALSA (npm install speaker; apt-get install libasound2-dev)', speakerLoads) &&
  haveDefaultBank();

/**
 * Play the flute's A5 live: program change and note-on once the CLI has opened its input, the
 * note-off about a second later, then the end of stdin (the CLI stops 2 s after it). Returns
 * the captured left channel and stderr.
 */
function playLive(
  args: string[],
  name: string,
): Promise<{ code: number | null; stderr: string; x: Float64Array }> {
  const cap = join(dir, `${name}.raw`);
  const child = spawn(
    process.execPath,
    [
      CLI,
      'play',
      '--midi-in',
      '-',
      '-r',
      String(SR),
      '--verbose',
      '--device',
      `capture:FILE=${cap}`,
      ...args,
    ],
    { env, stdio: ['pipe', 'ignore', 'pipe'] },
  );
  let stderr = '';
  let sent = false;
  const kill = setTimeout(() => child.kill('SIGKILL'), 60_000);
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (!sent && /playing on/.test(stderr)) {
      sent = true;
      child.stdin.write(Buffer.from([0xc0, FLUTE, 0x90, A5, 100]));
      setTimeout(() => {
        child.stdin.write(Buffer.from([0x80, A5, 0]));
        child.stdin.end();
      }, 1000);
    }
  });
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(kill);
      const b = existsSync(cap) ? readFileSync(cap) : Buffer.alloc(0);
      const s = new Int16Array(b.buffer, b.byteOffset, b.length >> 1);
      const x = new Float64Array(s.length >> 1);
      for (let i = 0; i < x.length; i++) x[i] = s[2 * i]! / 32768;
      resolve({ code, stderr, x });
    });
  });
}

/** First sample above -40 dBFS. */
function onset(x: Float64Array): number {
  const i = x.findIndex((v) => Math.abs(v) > 0.01);
  return i < 0 ? x.length : i;
}

describe.skipIf(!have)('play --midi-in with a SoundFont', () => {
  it("plays the bank's flute: the spectrum of render's flute, not the built-in voice's", async () => {
    const file = join(dir, 'flute.mid');
    writeFileSync(
      file,
      writeMidi({ tracks: [[{ tick: 0, bytes: [0xc0, FLUTE] }, ...note(0, A5, 0, 960, 100)]] }),
    );
    const out = join(dir, 'flute.raw');
    const r = spawnSync(process.execPath, [CLI, 'render', file, '-r', String(SR), '-t', 'raw', '-o', out], {
      env,
    });
    expect(r.status).toBe(0);
    const rb = readFileSync(out);
    const rs = new Int16Array(rb.buffer, rb.byteOffset, rb.length >> 1);
    const rendered = Float64Array.from({ length: rs.length >> 1 }, (_, i) => rs[2 * i]! / 32768);

    const sf = await playLive([], 'sf');
    expect(sf.code, sf.stderr).toBe(0);
    expect(sf.stderr).toMatch(/MIDI input: stdin, SoundFont FluidR3Mono/);
    const builtin = await playLive(['--synth', 'builtin'], 'builtin');
    expect(builtin.code, builtin.stderr).toBe(0);
    expect(builtin.stderr).toMatch(/MIDI input: stdin, built-in synthesizer/);

    const n = 8192;
    const at = (x: Float64Array) => onset(x) + Math.round(0.3 * SR);
    for (const x of [sf.x, builtin.x]) {
      expect(x.length).toBeGreaterThan(at(x) + n);
      // the strongest partial is a harmonic of 880 Hz (the flute's is the second)
      const f = peakFrequency(spectrumDb(x, n, at(x)), SR) / 880;
      expect(Math.abs(f - Math.round(f))).toBeLessThan(0.01);
    }
    const pRendered = harmonicProfile(rendered, 880, at(rendered), n);
    const pLive = harmonicProfile(sf.x, 880, at(sf.x), n);
    const pBuiltin = harmonicProfile(builtin.x, 880, at(builtin.x), n);
    expect(profileDistance(pLive, pRendered)).toBeLessThan(3);
    expect(profileDistance(pBuiltin, pRendered)).toBeGreaterThan(6);
  }, 120_000);
});
