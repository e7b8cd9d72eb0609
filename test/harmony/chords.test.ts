import { describe, expect, it } from 'vitest';
import { estimateKey, spellingForFrequencies, spellingForKey } from '../../src/harmony/analysis/key.js';
import { nameChordHz, nameStrongChord, pitchClassesByInterval } from '../../src/harmony/chords.js';

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
});
