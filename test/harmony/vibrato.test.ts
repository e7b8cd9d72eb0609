import { describe, expect, it } from 'vitest';
import { analyzeAudio } from '../../src/harmony/analysis/analyze.js';
import {
  averagedSpectrum,
  findPeaks,
  mergeSplitPartials,
  type Partial,
} from '../../src/harmony/analysis/spectrum.js';
import { parseNote } from '../../src/harmony/notes.js';
import { renderBowed } from './synth.js';

const SR = 44100;
const midis = (x: Float64Array) =>
  analyzeAudio({ channels: [x], sampleRate: SR }).notes.map((n) => Math.round(n.midi));
const names = (x: Float64Array) =>
  analyzeAudio({ channels: [x], sampleRate: SR }).notes.map((n) => n.note.replace(/[+-]\d+c$/, ''));

describe('sustained tones with vibrato and chorus', () => {
  for (const note of ['G3', 'D5', 'A5']) {
    it(`reads a violin-like ${note} with 6 Hz vibrato and a chorus as one note`, () => {
      const x = renderBowed([parseNote(note)], { vibratoHz: 6, vibratoCents: 20, chorusCents: 6, seed: 3 });
      expect(names(x)).toEqual([note]);
    });
  }

  for (const note of ['C#6', 'G#6']) {
    it(`reads a violin-like ${note} with a wide vibrato (±50 cents, 5.5 Hz) as one note, not with its octave`, () => {
      for (const seed of [1, 2, 3, 4]) {
        const x = renderBowed([parseNote(note)], { vibratoHz: 5.5, vibratoCents: 50, harmonics: 10, seed });
        expect(midis(x)).toEqual([Math.round(69 + 12 * Math.log2(parseNote(note) / 440))]);
      }
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

  it('given the spectrum, merges the clusters of a partial smeared wider than 40 cents, and keeps steady partials 70 cents apart', () => {
    const f0 = parseNote('G#6');
    const x = renderBowed([f0], { vibratoHz: 5.5, vibratoCents: 50, harmonics: 3, seed: 2 });
    const spec = averagedSpectrum(x, SR, 32768);
    const raw = findPeaks(spec, -40, 20, 12000);
    const near = (ps: readonly Partial[], h: number) =>
      ps.filter((p) => Math.abs(1200 * Math.log2(p.frequency / (h * f0))) < 90);
    expect(mergeSplitPartials(raw).length).toBeGreaterThan(3);
    const merged = mergeSplitPartials(raw, 40, spec);
    for (let h = 1; h <= 3; h++) expect(near(merged, h)).toHaveLength(1);
    // two steady tones 70 cents apart, even low down (110 Hz: 4.5 Hz, 3.3 bins apart)
    for (const hz of [110, 1000]) {
      const y = Float64Array.from(
        { length: 66150 },
        (_, i) =>
          Math.sin((2 * Math.PI * hz * i) / SR) +
          0.5 * Math.sin((2 * Math.PI * hz * 2 ** (70 / 1200) * i) / SR),
      );
      const s = averagedSpectrum(y, SR, 32768);
      expect(mergeSplitPartials(findPeaks(s, -40, 20, 12000), 40, s)).toHaveLength(2);
    }
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
