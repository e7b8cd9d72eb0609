import { describe, expect, it } from 'vitest';
import { HarmonyError } from '../../src/harmony/errors.js';
import { harrisonPearceHarmonicity, virtualPitchProfile } from '../../src/harmony/models/harmonicity.js';
import { hutchinsonRoughness, hutchinsonWeight } from '../../src/harmony/models/hutchinson.js';
import { rationalInterval, stolzenburgPeriodicity } from '../../src/harmony/models/periodicity.js';
import { setharesDissonance, setharesPair } from '../../src/harmony/models/sethares.js';
import { pairwiseTenney } from '../../src/harmony/models/tenney.js';
import { johnsonLairdTonalDissonance } from '../../src/harmony/models/tonal.js';
import { midiToHz } from '../../src/harmony/notes.js';

const chord = (...midi: number[]): number[] => midi.map((m) => midiToHz(m));
const CEG = chord(60, 64, 67);

describe('published reference values for C4-E4-G4', () => {
  it('Hutchinson & Knopoff (1978) roughness = 0.1202426', () => {
    expect(hutchinsonRoughness(CEG)).toBeCloseTo(0.1202426, 7);
  });

  it('Sethares (1993) dissonance, min-amplitude variant = 0.7735006', () => {
    expect(setharesDissonance(CEG)).toBeCloseTo(0.7735006, 7);
    // The original product-of-amplitudes variant is smaller for 1/n amplitudes.
    expect(setharesDissonance(CEG, { minAmplitude: false })).toBeLessThan(0.7735006);
  });

  it('Harrison & Pearce (2018) harmonicity = 0.9285886', () => {
    expect(harrisonPearceHarmonicity(CEG)).toBeCloseTo(0.9285886, 7);
  });

  it('Stolzenburg (2015) smoothed log periodicity = 2', () => {
    expect(stolzenburgPeriodicity(CEG)).toBe(2);
  });

  it('pairwise Tenney heights of C-E-G are those of 5/4, 3/2 and 6/5', () => {
    const t = pairwiseTenney(CEG);
    expect(t.pairs.map((p) => `${p.ratio.num}/${p.ratio.den}`)).toEqual(['5/4', '3/2', '6/5']);
    expect(t.mean).toBeCloseTo((Math.log2(20) + Math.log2(6) + Math.log2(30)) / 3, 12);
    expect(t.max).toBeCloseTo(Math.log2(30), 12);
  });
});

describe('model behaviour', () => {
  it('roughness curve peaks at a quarter critical bandwidth and vanishes beyond 1.2', () => {
    expect(hutchinsonWeight(0.25)).toBeCloseTo(1, 12);
    expect(hutchinsonWeight(0.2)).toBeLessThan(1);
    expect(hutchinsonWeight(0.3)).toBeLessThan(1);
    expect(hutchinsonWeight(1.21)).toBe(0);
    expect(hutchinsonWeight(0)).toBe(0);
  });

  it('the Sethares pair curve is zero at unison and has a single maximum', () => {
    expect(setharesPair(500, 500, 1, 1)).toBe(0);
    const curve = Array.from({ length: 200 }, (_, i) => setharesPair(500, 500 + i, 1, 1));
    const peak = curve.indexOf(Math.max(...curve));
    expect(peak).toBeGreaterThan(5);
    expect(peak).toBeLessThan(60);
    for (let i = 1; i <= peak; i++) expect(curve[i]!).toBeGreaterThan(curve[i - 1]!);
    for (let i = peak + 1; i < curve.length; i++) expect(curve[i]!).toBeLessThan(curve[i - 1]!);
  });

  it('a minor second is rougher than a fifth, and low chords are rougher than high ones', () => {
    expect(hutchinsonRoughness(chord(60, 61))).toBeGreaterThan(hutchinsonRoughness(chord(60, 67)));
    expect(hutchinsonRoughness(chord(48, 52, 55))).toBeGreaterThan(hutchinsonRoughness(CEG));
    expect(hutchinsonRoughness(chord(60, 64, 67))).toBeLessThan(hutchinsonRoughness(chord(60, 63, 67)));
  });

  it('harmonicity is octave- and transposition-invariant and peaks at the root', () => {
    expect(harrisonPearceHarmonicity(chord(60, 76, 91))).toBeCloseTo(harrisonPearceHarmonicity(CEG), 9);
    expect(harrisonPearceHarmonicity(chord(62, 66, 69))).toBeCloseTo(harrisonPearceHarmonicity(CEG), 9);
    expect(harrisonPearceHarmonicity(chord(60, 67))).toBeGreaterThan(
      harrisonPearceHarmonicity(chord(60, 66)),
    );
    const profile = virtualPitchProfile(chord(64, 67, 72)); // first inversion of C major
    const peak = profile.indexOf(Math.max(...profile));
    expect(peak).toBe(0); // virtual root C
  });

  it('Stolzenburg periodicity follows the rational-tuning-II ratios', () => {
    expect(rationalInterval(7)).toEqual({ num: 3, den: 2 });
    expect(rationalInterval(-7)).toEqual({ num: 2, den: 3 });
    expect(rationalInterval(19)).toEqual({ num: 3, den: 1 });
    expect(stolzenburgPeriodicity(chord(60))).toBe(0);
    expect(stolzenburgPeriodicity(chord(60, 72))).toBe(0);
    expect(stolzenburgPeriodicity(chord(60, 63, 67))).toBeCloseTo(Math.log2(10), 12); // minor triad
  });

  it('Johnson-Laird tonal dissonance orders triads major < minor = diminished < augmented', () => {
    expect(johnsonLairdTonalDissonance(CEG)).toBe(1);
    expect(johnsonLairdTonalDissonance(chord(60, 63, 67))).toBe(3);
    expect(johnsonLairdTonalDissonance(chord(60, 63, 66))).toBe(3);
    expect(johnsonLairdTonalDissonance(chord(60, 64, 68))).toBe(7);
    expect(johnsonLairdTonalDissonance(chord(60, 61, 62, 63))).toBe(12);
    expect(johnsonLairdTonalDissonance([200, 200 * 2 ** (0.5 / 12)])).toBe(12); // quarter tone
  });

  it('rejects empty chords and bad frequencies', () => {
    expect(() => hutchinsonRoughness([])).toThrow(HarmonyError);
    expect(() => setharesDissonance([440, -1])).toThrow(/frequencies\[1\]/);
    expect(() => harrisonPearceHarmonicity([Number.NaN])).toThrow(HarmonyError);
  });
});
