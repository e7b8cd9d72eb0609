import { describe, expect, it } from 'vitest';
import {
  computeReferenceStats,
  consonance,
  REFERENCE_STATS,
  referenceChords,
} from '../../src/harmony/consonance.js';
import { midiToHz } from '../../src/harmony/notes.js';
import { spearman } from '../../src/harmony/stats.js';

const chord = (root: number, ...offsets: number[]): number[] => offsets.map((s) => midiToHz(root + s));

/**
 * Consonance ranks of the 12 dyads after Schwartz, Howe & Purves (2003), index = semitones:
 * octave > fifth > fourth > major third = major sixth > minor sixth > minor third > tritone >
 * minor seventh = major second > major seventh > minor second (12 = most consonant).
 */
// biome-ignore format: readable table
const SHP_RANK: Record<number, number> = {
  12: 12, 7: 11, 5: 10, 4: 8.5, 9: 8.5, 8: 7, 3: 6, 6: 5, 10: 3.5, 2: 3.5, 11: 2, 1: 1,
};

function dyadCorrelation(root: number): number {
  const semis = Object.keys(SHP_RANK).map(Number);
  const ours = semis.map((s) => consonance(chord(root, 0, s)).consonance);
  return spearman(
    ours,
    semis.map((s) => SHP_RANK[s]!),
  );
}

describe('consonance', () => {
  it('ranks the 12 dyads like Schwartz, Howe & Purves (2003)', () => {
    const byRoot = [48, 55, 60, 64, 67, 72].map(dyadCorrelation);
    // At C4 the only disagreement is the tie M3 = M6 (which no untied score can reproduce).
    expect(dyadCorrelation(60)).toBeGreaterThan(0.99);
    for (const rho of byRoot) expect(rho).toBeGreaterThan(0.98);
  });

  it('orders triads major > minor > diminished, augmented in every register', () => {
    for (const root of [48, 53, 57, 60, 62, 67, 72]) {
      const c = (...o: number[]) => consonance(chord(root, ...o)).consonance;
      const major = c(0, 4, 7);
      const minor = c(0, 3, 7);
      expect(major).toBeGreaterThan(minor);
      expect(minor).toBeGreaterThan(c(0, 3, 6));
      expect(minor).toBeGreaterThan(c(0, 4, 8));
    }
  });

  it('is comparable across chord sizes', () => {
    const c = (...o: number[]) => consonance(chord(60, ...o)).consonance;
    expect(c(0)).toBeGreaterThan(c(0, 7));
    expect(c(0, 12)).toBeGreaterThan(c(0, 4, 7));
    expect(c(0, 4, 7)).toBeGreaterThan(c(0, 1));
    expect(c(0, 4, 7)).toBeGreaterThan(c(0, 6));
    expect(c(0, 4, 7, 12)).toBeGreaterThan(c(0, 1, 2));
    expect(c(0, 4, 7, 11)).toBeGreaterThan(c(0, 3, 6, 9)); // major seventh above diminished seventh
    expect(c(0, 1, 2, 3, 4, 5)).toBeLessThan(c(0, 2, 4, 7, 9, 12));
    for (const v of [c(0), c(0, 1, 2, 3, 4, 5)]) {
      expect(v).toBeGreaterThan(0);
      expect(v).toBeLessThan(1);
    }
  });

  it('works on just and tempered tunings alike and ignores the order of notes', () => {
    const just = consonance([264, 330, 396]).consonance;
    const tempered = consonance(chord(60, 0, 4, 7)).consonance;
    expect(Math.abs(just - tempered)).toBeLessThan(0.05);
    expect(consonance([396, 264, 330]).consonance).toBeCloseTo(just, 12);
  });

  it('reports the individual models', () => {
    const r = consonance(chord(60, 0, 4, 7));
    expect(r.roughness).toBeCloseTo(0.1202426, 7);
    expect(r.harmonicity).toBeCloseTo(0.9285886, 7);
    expect(r.periodicity).toBe(2);
    expect(r.sethares).toBeCloseTo(0.7735006, 7);
    expect(r.tonalDissonance).toBe(1);
    expect(Object.keys(r.components)).toEqual(['interference', 'periodicity', 'familiarity']);
  });

  it('uses normalisation constants that match the documented reference population', () => {
    const fresh = computeReferenceStats(referenceChords());
    for (const key of ['roughness', 'harmonicity', 'periodicity', 'tonalDissonance'] as const) {
      expect(fresh[key]![0]).toBeCloseTo(REFERENCE_STATS[key][0], 9);
      expect(fresh[key]![1]).toBeCloseTo(REFERENCE_STATS[key][1], 9);
    }
  });

  it('rejects empty and oversized chords', () => {
    expect(() => consonance([])).toThrow(/no frequencies/);
    expect(() => consonance(new Array(40).fill(440))).toThrow(/at most/);
  });
});
