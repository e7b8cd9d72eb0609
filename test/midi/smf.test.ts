import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isOmniError } from '../../src/errors.js';
import { parseMidi } from '../../src/midi/smf.js';
import { tempoEvent, vlq, type WriteEvent, writeMidi } from '../../src/midi/write.js';

function badMidi(bytes: Uint8Array): string {
  try {
    parseMidi(bytes, 'x.mid');
  } catch (e) {
    if (isOmniError(e) && e.code === 'BAD_MIDI') return e.message;
    throw e;
  }
  throw new Error('parsed without error');
}

const simple = (): Uint8Array =>
  writeMidi({
    tracks: [
      [
        { tick: 0, bytes: [0x90, 60, 100] },
        { tick: 480, bytes: [0x80, 60, 0] },
      ],
    ],
  });

describe('SMF parser', () => {
  it('decodes variable-length quantities of the standard examples', () => {
    // the values and encodings listed in the Standard MIDI File specification
    const table: [number, number[]][] = [
      [0, [0x00]],
      [0x40, [0x40]],
      [0x7f, [0x7f]],
      [0x80, [0x81, 0x00]],
      [0x2000, [0xc0, 0x00]],
      [0x3fff, [0xff, 0x7f]],
      [0x4000, [0x81, 0x80, 0x00]],
      [0x100000, [0xc0, 0x80, 0x00]],
      [0x1fffff, [0xff, 0xff, 0x7f]],
      [0x200000, [0x81, 0x80, 0x80, 0x00]],
      [0x0fffffff, [0xff, 0xff, 0xff, 0x7f]],
    ];
    for (const [v, bytes] of table) {
      expect(vlq(v)).toEqual(bytes);
      const song = parseMidi(
        writeMidi({ ticksPerQuarter: 0x7fff, tracks: [[{ tick: v, bytes: [0x90, 60, 1] }]] }),
      );
      expect(song.events[0]!.tick).toBe(v);
    }
  });

  it('reads running status, note on with velocity 0, CC, program change, pitch bend', () => {
    const events: WriteEvent[] = [
      { tick: 0, bytes: [0xc0, 5] },
      { tick: 0, bytes: [0x90, 60, 100] },
      { tick: 10, bytes: [0x90, 64, 90] },
      { tick: 20, bytes: [0x90, 60, 0] },
      { tick: 30, bytes: [0xb0, 64, 127] },
      { tick: 40, bytes: [0xe0, 0, 0x60] },
    ];
    const withRunning = writeMidi({ tracks: [events], runningStatus: true });
    const without = writeMidi({ tracks: [events], runningStatus: false });
    expect(withRunning.length).toBeLessThan(without.length);
    for (const bytes of [withRunning, without]) {
      const song = parseMidi(bytes);
      expect(song.events.map((e) => e.bytes)).toEqual(events.map((e) => (e as { bytes: number[] }).bytes));
      expect(song.events.map((e) => e.tick)).toEqual([0, 0, 10, 20, 30, 40]);
    }
  });

  it('converts ticks to seconds through tempo changes', () => {
    const song = parseMidi(
      writeMidi({
        ticksPerQuarter: 480,
        tracks: [
          [tempoEvent(0, 120), tempoEvent(960, 60), tempoEvent(1440, 240)],
          [
            { tick: 480, bytes: [0x90, 60, 100] },
            { tick: 960, bytes: [0x90, 62, 100] },
            { tick: 1440, bytes: [0x90, 64, 100] },
            { tick: 1920, bytes: [0x90, 65, 100] },
          ],
        ],
      }),
    );
    expect(song.format).toBe(1);
    expect(song.trackCount).toBe(2);
    expect(song.events.map((e) => e.time)).toEqual([0.25, 0.5, 1.0, 1.125].map((x) => x * 2));
    expect(song.tempos.map((t) => t.usPerQuarter)).toEqual([500000, 1000000, 250000]);
  });

  it('uses 120 BPM when a file has no tempo', () => {
    const song = parseMidi(simple());
    expect(song.events[1]!.time).toBeCloseTo(0.5, 12);
    expect(song.duration).toBeCloseTo(0.5, 12);
  });

  it('merges the tracks of format 1 in time order', () => {
    const song = parseMidi(
      writeMidi({
        tracks: [
          [{ tick: 100, bytes: [0x90, 60, 1] }],
          [{ tick: 50, bytes: [0x91, 61, 1] }],
          [{ tick: 75, bytes: [0x92, 62, 1] }],
        ],
      }),
    );
    expect(song.events.map((e) => [e.track, e.tick])).toEqual([
      [1, 50],
      [2, 75],
      [0, 100],
    ]);
  });

  it('reads SMPTE division (25 fps, 40 ticks a frame: 1 ms a tick)', () => {
    const bytes = simple();
    bytes[12] = 256 - 25;
    bytes[13] = 40;
    const song = parseMidi(bytes);
    expect(song.smpte).toEqual({ fps: 25, ticksPerFrame: 40 });
    expect(song.events[1]!.time).toBeCloseTo(0.48, 12);
  });

  it('skips sysex and keeps track names', () => {
    const bytes = writeMidi({
      tracks: [
        [
          { tick: 0, meta: 0x03, data: [...Buffer.from('Piano')] },
          { tick: 0, bytes: [0x90, 60, 100] },
        ],
      ],
    });
    // insert a sysex event (delta 0, F0, length 3, bytes) after the name
    const sysex = [0x00, 0xf0, 0x03, 0x7e, 0x09, 0xf7];
    const at = 22 + 4 + 5; // header 14 + 8 track header, then delta+FF 03 05 "Piano"
    const out = new Uint8Array(bytes.length + sysex.length);
    out.set(bytes.subarray(0, at));
    out.set(sysex, at);
    out.set(bytes.subarray(at), at + sysex.length);
    new DataView(out.buffer).setUint32(18, new DataView(bytes.buffer).getUint32(18) + sysex.length);
    const song = parseMidi(out);
    expect(song.trackNames).toEqual(['Piano']);
    expect(song.events.map((e) => e.bytes)).toEqual([[0x90, 60, 100]]);
  });

  it('round-trips random event lists through the writer (property)', () => {
    const msg = fc.oneof(
      fc
        .tuple(fc.constantFrom(0x80, 0x90, 0xa0, 0xb0, 0xe0), fc.nat(15), fc.nat(127), fc.nat(127))
        .map(([k, c, a, b]) => [k | c, a, b]),
      fc.tuple(fc.constantFrom(0xc0, 0xd0), fc.nat(15), fc.nat(127)).map(([k, c, a]) => [k | c, a]),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(100000), msg), { maxLength: 60 }),
        fc.boolean(),
        (list, running) => {
          const events = list.map(([tick, bytes]) => ({ tick, bytes }));
          const song = parseMidi(writeMidi({ tracks: [events], runningStatus: running }));
          const sorted = events.map((e, i) => ({ e, i })).sort((a, b) => a.e.tick - b.e.tick || a.i - b.i);
          expect(song.events.map((e) => [e.tick, e.bytes])).toEqual(sorted.map(({ e }) => [e.tick, e.bytes]));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('never throws anything but BAD_MIDI on random corruption (property)', () => {
    const base = writeMidi({
      tracks: [
        [
          tempoEvent(0, 100),
          ...Array.from({ length: 20 }, (_, i) => ({ tick: i * 10, bytes: [0x90, 60 + i, 64] })),
        ],
      ],
    });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(base.length - 1), fc.nat(255)), { minLength: 1, maxLength: 6 }),
        fc.nat(base.length),
        (edits, cut) => {
          const bytes = base.slice(0, Math.max(cut, 1));
          for (const [at, v] of edits) if (at < bytes.length) bytes[at] = v;
          try {
            parseMidi(bytes);
          } catch (e) {
            expect(isOmniError(e) && e.code === 'BAD_MIDI').toBe(true);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('SMF validation', () => {
  it('refuses a file that is not MIDI', () => {
    expect(badMidi(new TextEncoder().encode('RIFF....WAVEfmt nothing here'))).toMatch(
      /does not start with 'MThd'/,
    );
    expect(badMidi(new Uint8Array(5))).toMatch(/too short/);
  });

  it('refuses a truncated file', () => {
    const bytes = simple();
    expect(badMidi(bytes.subarray(0, bytes.length - 3))).toMatch(/truncated/);
    expect(badMidi(bytes.subarray(0, 16))).toMatch(/truncated/);
  });

  it('refuses zero tracks, format 2 and two tracks in format 0', () => {
    const bytes = simple();
    const zero = bytes.slice(0, 14);
    zero[11] = 0;
    expect(badMidi(zero)).toMatch(/zero tracks/);
    const f2 = bytes.slice();
    f2[9] = 2;
    expect(badMidi(f2)).toMatch(/format 2/);
    const two = bytes.slice();
    two[11] = 2;
    expect(badMidi(two)).toMatch(/format 0 must have one track/);
  });

  it('refuses more tracks announced than present', () => {
    const bytes = writeMidi({ format: 1, tracks: [[{ tick: 0, bytes: [0x90, 60, 1] }]] });
    bytes[11] = 3;
    expect(badMidi(bytes)).toMatch(/announces 3 tracks, found 1/);
  });

  it('refuses absurd tempos', () => {
    const zero = writeMidi({ tracks: [[{ tick: 0, meta: 0x51, data: [0, 0, 0] }]] });
    expect(badMidi(zero)).toMatch(/absurd tempo.*infinite BPM/);
    const fast = writeMidi({ tracks: [[tempoEvent(0, 10000), { tick: 0, bytes: [0x90, 60, 1] }]] });
    expect(badMidi(fast)).toMatch(/absurd tempo/);
    const short = writeMidi({ tracks: [[{ tick: 0, meta: 0x51, data: [7, 0xa1] }]] });
    expect(badMidi(short)).toMatch(/tempo event .* 2 bytes/);
  });

  it('refuses a song of absurd length (slow tempo, huge delta)', () => {
    const bytes = writeMidi({
      ticksPerQuarter: 1,
      tracks: [
        [
          { tick: 0, meta: 0x51, data: [0xff, 0xff, 0xff] },
          { tick: 0x0fffffff, bytes: [0x90, 60, 1] },
        ],
      ],
    });
    expect(badMidi(bytes)).toMatch(/hours/);
  });

  it('refuses bad chunk lengths, stray data bytes, bad VLQs and system messages', () => {
    const long = simple();
    new DataView(long.buffer).setUint32(18, 1000);
    expect(badMidi(long)).toMatch(/claims 1000 bytes/);
    const head = simple();
    new DataView(head.buffer).setUint32(4, 2);
    expect(badMidi(head)).toMatch(/header chunk length 2/);
    const stray = simple();
    stray[23] = 0x3c; // the first status byte becomes a data byte
    expect(badMidi(stray)).toMatch(/no running status/);
    const vlq5 = writeMidi({ tracks: [[]] });
    const bad = new Uint8Array([...vlq5.subarray(0, 18), 0, 0, 0, 6, 0x81, 0x81, 0x81, 0x81, 0x81, 0x00]);
    expect(badMidi(bad)).toMatch(/longer than 4 bytes/);
    const sys = simple();
    sys[23] = 0xf8;
    expect(badMidi(sys)).toMatch(/0xf8 .* not allowed/);
  });
});
