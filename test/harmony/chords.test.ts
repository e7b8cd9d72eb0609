import { describe, expect, it } from 'vitest';
import { analyzeAudio } from '../../src/harmony/analysis/analyze.js';
import { estimateKey, spellingForFrequencies, spellingForKey } from '../../src/harmony/analysis/key.js';
import { nameChord, nameChordHz, nameStrongChord, pitchClassesByInterval } from '../../src/harmony/chords.js';
import { parseNote } from '../../src/harmony/notes.js';
import { renderChord } from './synth.js';

describe('chord naming from intervals and strong notes', () => {
  it('keeps a just minor third a minor third when the chord is detuned (no per-note rounding)', () => {
    // A3 30 cents sharp, and a just minor third (6/5) above it a few hertz sharp: C4 alone
    // would round to C#4, but the interval is 3 semitones
    const a = 220 * 2 ** (30 / 1200);
    const c = a * 1.2 * 1.005;
    expect(pitchClassesByInterval([a, c])).toEqual([9, 0]);
    const e = a * 1.5;
    expect(nameChordHz([a, c, e])!.symbol).toBe('Am');
  });

  it('prefers the triad when the extra note is weak, the seventh when it is strong', () => {
    const base = [
      { frequency: 130.81, weight: 1 },
      { frequency: 164.81, weight: 0.8 },
      { frequency: 196, weight: 0.9 },
    ];
    expect(nameStrongChord([...base, { frequency: 233.08, weight: 0.1 }])!.symbol).toBe('C');
    expect(nameStrongChord([...base, { frequency: 233.08, weight: 0.7 }])!.symbol).toBe('C7');
  });

  it('spells one answer with one kind of accidental, from the key', () => {
    expect(nameChordHz([220, 277.18], 440, spellingForFrequencies([220, 277.18]))!.name).toBe(
      'A and C# (major third)',
    );
    expect(nameChordHz([233.08, 293.66, 349.23], 440, 'flats')!.symbol).toBe('Bb');
    expect(spellingForKey(2, 'major')).toBe('sharps'); // D major
    expect(spellingForKey(5, 'major')).toBe('flats'); // F major
    expect(spellingForKey(4, 'minor')).toBe('sharps'); // E minor (G major)
    expect(spellingForKey(2, 'minor')).toBe('flats'); // D minor (F major)
    // a C# minor key is named with sharps, not "Db minor"
    const w = [0, 5, 0, 1, 3, 0, 1, 0, 4, 1, 0, 2];
    expect(estimateKey(w)!.name).toMatch(/^(C#|E|G#|A) /);
  });

  it('names an unknown set and a dyad with one kind of accidental', () => {
    expect(nameChord([6, 0, 5, 1], 'flats')!.symbol).toBe('Gb-C-F-Db');
    expect(nameChord([6, 0, 5, 1], 'sharps')!.symbol).toBe('F#-C-F-C#');
    expect(nameChord([10, 1], 'flats')!.name).toBe('Bb and Db (minor third)');
  });

  it('names a C major chord of bright, piano-like tones C (its 7th partials are not a B flat)', () => {
    // slow roll-off: partials up to the 12th, the 7th of C3 near B flat 5 strong
    const x = renderChord(
      ['C3', 'E3', 'G3'].map((n) => parseNote(n)),
      {
        rollOff: 0.6,
        harmonics: 12,
        inharmonicity: 3e-4,
        sampleRate: 44100,
        seed: 4,
        noise: 0.001,
      },
    );
    const r = analyzeAudio({ channels: [x], sampleRate: 44100 });
    expect(r.chord?.symbol).toBe('C');
    expect(r.notes.map((n) => n.note.replace(/[+-]\d+c$/, ''))).toEqual(['C3', 'E3', 'G3']);
  });

  it('names the triad when a weak seventh is heard and the key spells it (Bb, not A#)', () => {
    const notes = [
      { frequency: parseNote('Bb2'), weight: 1 },
      { frequency: parseNote('D3'), weight: 0.7 },
      { frequency: parseNote('F3'), weight: 0.8 },
      { frequency: parseNote('Ab3'), weight: 0.12 },
    ];
    expect(nameStrongChord(notes, 440, 'flats')!.symbol).toBe('Bb');
    expect(nameStrongChord(notes.slice(0, 3), 440, 'flats')!.name).toBe('Bb major');
  });
});
