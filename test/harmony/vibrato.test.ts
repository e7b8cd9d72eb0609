import { describe, expect, it } from 'vitest';
import { analyzeAudio } from '../../src/harmony/analysis/analyze.js';
import { averagedSpectrum, findPeaks, mergeSplitPartials } from '../../src/harmony/analysis/spectrum.js';
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

describe('mergeSplitPartials', () => {
  it('merges peaks within 40 cents into one partial of their summed power at the power-weighted mean', () => {
    const m = mergeSplitPartials([
      { frequency: 440, amplitude: 0.3 },
      { frequency: 446, amplitude: 0.4 },
      { frequency: 436, amplitude: 0.1 },
    ]);
    expect(m).toHaveLength(1);
    expect(m[0]!.amplitude).toBeCloseTo(Math.sqrt(0.09 + 0.16 + 0.01), 12);
    expect(m[0]!.frequency).toBeCloseTo((440 * 0.09 + 446 * 0.16 + 436 * 0.01) / 0.26, 9);
  });

  it('keeps partials a semitone apart (and 60 cents apart) separate', () => {
    const semitone = 440 * 2 ** (1 / 12);
    expect(
      mergeSplitPartials([
        { frequency: 440, amplitude: 0.3 },
        { frequency: semitone, amplitude: 0.3 },
      ]),
    ).toHaveLength(2);
    expect(
      mergeSplitPartials([
        { frequency: 440, amplitude: 0.3 },
        { frequency: 440 * 2 ** (60 / 1200), amplitude: 0.3 },
      ]),
    ).toHaveLength(2);
  });

  it('merges two clusters of one swinging partial whose means end up within 40 cents', () => {
    // 973 Hz (47 cents below 1000) seeds a second cluster, 985 Hz joins it: means 37 cents apart
    const m = mergeSplitPartials([
      { frequency: 1000, amplitude: 1 },
      { frequency: 973, amplitude: 0.6 },
      { frequency: 985, amplitude: 0.59 },
    ]);
    expect(m).toHaveLength(1);
    expect(m[0]!.amplitude).toBeCloseTo(Math.sqrt(1 + 0.36 + 0.59 ** 2), 6);
  });

  it('merges the sidebands of a rendered vibrato tone: one partial per harmonic', () => {
    const f0 = parseNote('D5');
    const x = renderBowed([f0], { vibratoHz: 6, vibratoCents: 20, chorusCents: 6, harmonics: 6, seed: 9 });
    const raw = findPeaks(averagedSpectrum(x, SR, 32768), -40, 20, 12000);
    const merged = mergeSplitPartials(raw);
    expect(raw.length).toBeGreaterThan(merged.length);
    for (let h = 1; h <= 6; h++) {
      // the cluster around harmonic h: one partial holds nearly all of its power, at h f0
      const near = merged.filter((p) => Math.abs(1200 * Math.log2(p.frequency / (h * f0))) < 60);
      const total = near.reduce((s, p) => s + p.amplitude ** 2, 0);
      const main = near.reduce((m, p) => (p.amplitude > m.amplitude ? p : m));
      expect(main.amplitude ** 2 / total).toBeGreaterThan(0.9);
      expect(Math.abs(1200 * Math.log2(main.frequency / (h * f0)))).toBeLessThan(10);
    }
  });
});
