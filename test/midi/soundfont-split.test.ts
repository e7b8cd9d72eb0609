/**
 * A SoundFont render split over worker threads (channel groups, effects on the summed sends in
 * the main thread) gives the samples of a render in one thread, to rounding.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultBankPath, loadBank } from '../../src/midi/bank.js';
import { parseMidi } from '../../src/midi/smf.js';
import { channelGroups, meanPolyphony, usesInsertionEffects } from '../../src/midi/soundfont-split.js';
import { type WriteEvent, writeMidi } from '../../src/midi/write.js';
import { run, tempDir } from '../helpers/cli.js';
import { note } from './helpers.js';
import { haveDefaultBank } from './sf-helpers.js';

const dir = tempDir('omni-sf-split-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const have = haveDefaultBank();

/** 5 s, 5 channels: piano, strings, flute, bass (panned, with reverb and chorus sends) and drums. */
function song(extra: WriteEvent[] = []): Uint8Array {
  const parts = [
    [0, 0, 20],
    [1, 48, 100],
    [2, 73, 64],
    [3, 33, 40],
  ] as const;
  const tracks: WriteEvent[][] = parts.map(([ch, program, pan]) => {
    const ev: WriteEvent[] = [
      { tick: 0, bytes: [0xc0 | ch, program] },
      { tick: 0, bytes: [0xb0 | ch, 10, pan] },
      { tick: 0, bytes: [0xb0 | ch, 91, 90] },
      { tick: 0, bytes: [0xb0 | ch, 93, 60] },
    ];
    for (let b = 0; b < 16; b++)
      ev.push(...note(ch, 48 + ((b * 5 + ch * 7) % 24), b * 240, b * 240 + 200, 90));
    return ev;
  });
  const drums: WriteEvent[] = [];
  for (let b = 0; b < 16; b++) drums.push(...note(9, b % 2 ? 38 : 36, b * 240, b * 240 + 60, 100));
  tracks.push([...drums, ...extra]);
  return writeMidi({ tracks });
}

function render(file: string, threads: number) {
  const out = join(dir, `out-${threads}.raw`);
  const r = run(['render', file, '-r', '22050', '-t', 'raw', '-b', '32f', '-o', out, '--verbose'], {
    env: { OMNISONIC_MIDI_THREADS: String(threads) },
  });
  const bytes = r.status === 0 ? readFileSync(out) : Buffer.alloc(0);
  return { ...r, x: new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4) };
}

describe('channel groups of a split render', () => {
  it('deals the channels with notes to two disjoint groups covering them', () => {
    const s = parseMidi(song());
    const groups = channelGroups(s, 2);
    expect(groups).toHaveLength(2);
    expect(groups[0]! & groups[1]!).toBe(0);
    expect(groups[0]! | groups[1]!).toBe(0b1000001111);
    expect(channelGroups(s, 8)).toHaveLength(5);
  });

  it('weighs a channel by how long its notes sound, not by how many it has', () => {
    // channel 0: 40 short notes; channels 1 and 2: 10 chords' worth of notes held ~4 s each;
    // channel 3: two short notes. The held channels are most of the work: they go apart
    const tracks: WriteEvent[][] = [[], [], [], []];
    for (let i = 0; i < 40; i++) tracks[0]!.push(...note(0, 60 + (i % 12), i * 240, i * 240 + 20, 90));
    for (const ch of [1, 2])
      for (let i = 0; i < 10; i++) tracks[ch]!.push(...note(ch, 48 + ch, i * 2000, i * 2000 + 1900, 80));
    tracks[3]!.push(...note(3, 40, 0, 20, 90), ...note(3, 41, 240, 260, 90));
    const groups = channelGroups(parseMidi(writeMidi({ tracks })), 2);
    expect(groups).toHaveLength(2);
    const groupOf = (ch: number) => groups.findIndex((m) => (m & (1 << ch)) !== 0);
    expect(groupOf(1)).not.toBe(groupOf(2));
    expect(groups[0]! | groups[1]!).toBe(0b1111);
  });

  it.skipIf(!have)("weighs a note by its preset's voices and release in the bank", () => {
    // a harp (release 9.6 s in the default bank) and three flutes (0.25 s), the same notes each:
    // the harp's ringing voices are most of the work, so it gets a thread of its own
    const tracks: WriteEvent[][] = [0, 1, 2, 3].map((ch) => {
      const ev: WriteEvent[] = [{ tick: 0, bytes: [0xc0 | ch, ch === 0 ? 46 : 73] }];
      for (let i = 0; i < 40; i++) ev.push(...note(ch, 60 + (i % 12), i * 240, i * 240 + 100, 90));
      return ev;
    });
    const s = parseMidi(writeMidi({ tracks }));
    expect(channelGroups(s, 2, loadBank(defaultBankPath()!)).sort((a, b) => a - b)).toEqual([0b0001, 0b1110]);
    // without the bank, the four channels weigh the same
    expect(channelGroups(s, 2)).not.toContain(0b0001);
  });

  it('sees a GS insertion effect message (rendered in one thread)', () => {
    const efx: WriteEvent = {
      tick: 0,
      sysex: [0x41, 0x10, 0x42, 0x12, 0x40, 0x03, 0x00, 0x01, 0x10, 0x2c, 0xf7],
    };
    expect(usesInsertionEffects(parseMidi(song([efx])))).toBe(true);
    expect(usesInsertionEffects(parseMidi(song()))).toBe(false);
  });
});

describe.skipIf(!have)('render song.mid in worker threads', () => {
  const file = join(dir, 'song.mid');
  writeFileSync(file, song());

  it('equals the render in one thread to rounding (3 threads)', () => {
    const one = render(file, 1);
    const three = render(file, 3);
    expect(one.status).toBe(0);
    expect(three.status).toBe(0);
    expect(one.stderr).toMatch(/SoundFont .*, 1 thread\(s\)/);
    expect(three.stderr).toMatch(/SoundFont .*, 3 thread\(s\)/);
    expect(three.x.length).toBe(one.x.length);
    let peak = 0;
    let diff = 0;
    let err = 0;
    let sig = 0;
    for (let i = 0; i < one.x.length; i++) {
      peak = Math.max(peak, Math.abs(one.x[i]!));
      diff = Math.max(diff, Math.abs(one.x[i]! - three.x[i]!));
      err += (one.x[i]! - three.x[i]!) ** 2;
      sig += one.x[i]! ** 2;
    }
    expect(peak).toBeGreaterThan(0.05);
    expect(diff).toBeLessThan(1e-5);
    expect(10 * Math.log10(err / sig)).toBeLessThan(-100);
  }, 120_000);

  it('refuses a bad OMNISONIC_MIDI_THREADS with exit 2', () => {
    const r = render(file, 0);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/OMNISONIC_MIDI_THREADS: must be 1 to 8, got 0/);
  });
});

describe('when a render splits by default', () => {
  it('estimates the notes sounding on average (held time plus half a second of release)', () => {
    // 8 channels holding one note each for the whole 10 s, and 4 channels of 0.5 s notes every second
    const tracks: WriteEvent[][] = [];
    for (let ch = 0; ch < 8; ch++) tracks.push(note(ch, 60 + ch, 0, 9600));
    for (let ch = 8; ch < 12; ch++)
      for (let b = 0; b < 10; b++) tracks.push(note(ch, 60, b * 960, b * 960 + 480));
    const s = parseMidi(writeMidi({ tracks }));
    expect(s.duration).toBeCloseTo(10, 5);
    // (8 x 10.5 + 40 x 1) / 10
    expect(meanPolyphony(s)).toBeCloseTo(12.4, 5);
  });
});
