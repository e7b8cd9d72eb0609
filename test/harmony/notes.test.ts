import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HarmonyError } from '../../src/harmony/errors.js';
import {
  centsBetween,
  hzToMidi,
  midiName,
  midiToHz,
  nearestNote,
  parseFrequency,
  parseNote,
  parseNoteToMidi,
  tunedFrequency,
  tuningRatio,
  tuningTable,
} from '../../src/harmony/notes.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof HarmonyError ? e.code : 'not a HarmonyError';
  }
  return undefined;
}

describe('note names', () => {
  it('parses standard names in 12-TET with A4 = 440', () => {
    expect(parseNote('A4')).toBe(440);
    expect(parseNote('A5')).toBeCloseTo(880, 9);
    expect(parseNote('C4')).toBeCloseTo(261.6255653, 6);
    expect(parseNote('A0')).toBeCloseTo(27.5, 9);
    expect(parseNote('C-1')).toBeCloseTo(8.1757989, 6);
  });

  it('treats enharmonic spellings alike and accepts double accidentals', () => {
    expect(parseNote('C#5')).toBeCloseTo(parseNote('Db5'), 9);
    expect(parseNote('Bb3')).toBeCloseTo(parseNote('A#3'), 9);
    expect(parseNote('Cx4')).toBeCloseTo(parseNote('D4'), 9);
    expect(parseNote('C##4')).toBeCloseTo(parseNote('D4'), 9);
    expect(parseNote('Ebb4')).toBeCloseTo(parseNote('D4'), 9);
    expect(parseNote('B#3')).toBeCloseTo(parseNote('C4'), 9);
    expect(parseNote('Cb4')).toBeCloseTo(parseNote('B3'), 9);
  });

  it('applies cents offsets and any A4', () => {
    expect(parseNote('A4+15c')).toBeCloseTo(440 * 2 ** (15 / 1200), 9);
    expect(parseNote('A4-15c')).toBeCloseTo(440 * 2 ** (-15 / 1200), 9);
    expect(parseNote('Bb3+50.5c')).toBeCloseTo(midiToHz(58.505), 9);
    expect(parseNote('A4', 432)).toBe(432);
    expect(parseNote('E5', 415)).toBeCloseTo(415 * 2 ** (7 / 12), 9);
    expect(parseNoteToMidi('A4+50c')).toBeCloseTo(69.5, 12);
  });

  it('parses hertz as well as names', () => {
    expect(parseFrequency('440')).toBe(440);
    expect(parseFrequency('440hz')).toBe(440);
    expect(parseFrequency('27.5 Hz')).toBe(27.5);
    expect(parseFrequency(' A4 ')).toBe(440);
    expect(parseFrequency(100)).toBe(100);
  });

  it('rejects bad input with typed errors', () => {
    expect(codeOf(() => parseNote('H4'))).toBe('BAD_NOTE');
    expect(codeOf(() => parseNote('A'))).toBe('BAD_NOTE');
    expect(codeOf(() => parseNote(''))).toBe('BAD_NOTE');
    expect(codeOf(() => parseNote('A12'))).toBe('BAD_NOTE');
    expect(codeOf(() => parseNote('C-2'))).toBe('BAD_NOTE');
    expect(codeOf(() => parseNote('A4+2000c'))).toBe('BAD_NOTE');
    expect(codeOf(() => parseNote('A4', 0))).toBe('BAD_FREQUENCY');
    expect(codeOf(() => parseFrequency('-5'))).toBe('BAD_FREQUENCY');
    expect(codeOf(() => parseFrequency('0hz'))).toBe('BAD_FREQUENCY');
    expect(codeOf(() => nearestNote(Number.NaN))).toBe('BAD_FREQUENCY');
  });

  it('names MIDI notes with sharps or flats', () => {
    expect(midiName(60)).toBe('C4');
    expect(midiName(61)).toBe('C#4');
    expect(midiName(61, true)).toBe('Db4');
    expect(midiName(0)).toBe('C-1');
    expect(midiName(127)).toBe('G9');
  });

  it('finds the nearest note with cents', () => {
    const n = nearestNote(parseNote('A4+15c'));
    expect(n.name).toBe('A4');
    expect(n.cents).toBeCloseTo(15, 9);
    expect(n.label).toBe('A4+15c');
    expect(nearestNote(440).label).toBe('A4');
    expect(nearestNote(parseNote('C5-49c')).label).toBe('C5-49c');
    expect(nearestNote(parseNote('C5-51c')).label).toBe('B4+49c');
  });

  it('round-trips MIDI numbers through names (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 127 }), fc.boolean(), (midi, flats) => {
        expect(parseNoteToMidi(midiName(midi, flats))).toBe(midi);
      }),
    );
  });

  it('round-trips frequencies through nearest-note labels within half a cent (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 20, max: 12000, noNaN: true }),
        fc.double({ min: 400, max: 480, noNaN: true }),
        (hz, a4) => {
          const back = parseNote(nearestNote(hz, a4).label, a4);
          expect(Math.abs(centsBetween(hz, back))).toBeLessThanOrEqual(0.5 + 1e-9);
        },
      ),
    );
  });

  it('converts between MIDI and Hz consistently', () => {
    fc.assert(
      fc.property(fc.double({ min: -10, max: 140, noNaN: true }), (m) => {
        expect(hzToMidi(midiToHz(m))).toBeCloseTo(m, 9);
      }),
    );
  });
});

describe('tuning tables', () => {
  it('just intonation has pure 5-limit intervals', () => {
    const t = tuningTable(264, 'just');
    expect(t[4]!.hz).toBeCloseTo(330, 9); // 5/4
    expect(t[7]!.hz).toBeCloseTo(396, 9); // 3/2
    expect(t[4]!.cents).toBeCloseTo(386.3137, 3);
    expect(t[7]!.cents).toBeCloseTo(701.955, 3);
    expect(t[3]!.deviation).toBeCloseTo(15.641, 3); // 6/5 is 15.6 cents wider than 12-TET
    expect(t[12]!.hz).toBeCloseTo(528, 9);
  });

  it('pythagorean tuning stacks pure fifths', () => {
    expect(tuningRatio(4, 'pythagorean')).toBeCloseTo(81 / 64, 12);
    expect(1200 * Math.log2(tuningRatio(4, 'pythagorean'))).toBeCloseTo(407.82, 2);
    // Every entry is a power of 3 (from -5 to +6 fifths) folded into the octave.
    const folded = (x: number): number => x / 2 ** Math.floor(Math.log2(x));
    for (let s = 0; s < 12; s++) {
      const r = tuningRatio(s, 'pythagorean');
      const hits = [-6, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6].filter(
        (k) => Math.abs(folded(3 ** k) - r) < 1e-9,
      );
      expect(hits.length).toBe(1);
    }
    // The Pythagorean comma: twelve fifths exceed seven octaves by 23.46 cents.
    expect(1200 * Math.log2(1.5 ** 12 / 2 ** 7)).toBeCloseTo(23.46, 2);
  });

  it('12-TET steps are exactly 100 cents and negative/compound intervals work', () => {
    expect(tuningRatio(7, '12tet')).toBeCloseTo(2 ** (7 / 12), 12);
    expect(tunedFrequency(200, 19, 'just')).toBeCloseTo(600, 9);
    expect(tunedFrequency(300, -5, 'just')).toBeCloseTo(225, 9);
    expect(tunedFrequency(300, -12, 'pythagorean')).toBeCloseTo(150, 9);
  });
});
