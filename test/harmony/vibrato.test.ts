import { describe, expect, it } from 'vitest';
import { analyzeAudio } from '../../src/harmony/analysis/analyze.js';
import { parseNote } from '../../src/harmony/notes.js';
import { renderBowed } from './synth.js';

const SR = 44100;
const names = (x: Float64Array) =>
  analyzeAudio({ channels: [x], sampleRate: SR }).notes.map((n) => n.note.replace(/[+-]\d+c$/, ''));

describe('sustained tones with vibrato and chorus', () => {
  for (const note of ['G3', 'D5', 'A5']) {
    it(`reads a violin-like ${note} with 6 Hz vibrato and a chorus as one note`, () => {
      const x = renderBowed([parseNote(note)], { vibratoHz: 6, vibratoCents: 20, chorusCents: 6, seed: 3 });
      expect(names(x)).toEqual([note]);
    });
  }

  it('reads a string-ensemble-like D major triad with vibrato as D4 F#4 A4', () => {
    const x = renderBowed(
      ['D4', 'F#4', 'A4'].map((n) => parseNote(n)),
      { vibratoCents: 15, chorusCents: 5, seed: 5 },
    );
    expect(names(x)).toEqual(['D4', 'F#4', 'A4']);
  });
});
