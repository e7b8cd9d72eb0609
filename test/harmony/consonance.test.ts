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

  it('puts a major triad above a minor second and a dominant seventh above a 3-semitone cluster', () => {
    for (const root of [55, 60, 64]) {
      const c = (...o: number[]) => consonance(chord(root, ...o)).consonance;
      expect(c(0, 4, 7)).toBeGreaterThan(c(0, 1));
      expect(c(0, 4, 7)).toBeGreaterThan(c(0, 11));
      expect(c(0, 4, 7, 10)).toBeGreaterThan(c(0, 1, 2, 3));
      expect(c(0, 4, 7, 10)).toBeGreaterThan(c(0, 1, 2));
    }
  });

  it('ranks a minor second above clusters where one note makes semitones with two others', () => {
    // In C-C#-D the middle note's partials beat against both neighbours: more of the sound is
    // rough than in the minor second alone, whose partials each have one close neighbour.
    for (const root of [55, 60, 64]) {
      const c = (...o: number[]) => consonance(chord(root, ...o)).consonance;
      const minorSecond = c(0, 1);
      for (const cluster of [
        [0, 1, 2],
        [0, 1, 11], // C-C#-B within the octave
        [0, 1, 2, 3],
        [0, 1, 2, 11],
      ]) {
        expect(minorSecond).toBeGreaterThan(c(...cluster));
      }
    }
  });

  it('places the minor second and minor seventh dyads among all chords of 2-4 notes, not at the bottom', () => {
    const all: number[][] = [];
    for (let mask = 1; mask < 1 << 12; mask++) {
      const offsets = [0];
      for (let b = 0; b < 12; b++) if (mask & (1 << b)) offsets.push(b + 1);
      if (offsets.length <= 4) all.push(offsets);
    }
    const values = all.map((o) => consonance(chord(60, ...o)).consonance);
    const rank = (...o: number[]) =>
      1 + values.filter((v) => v > consonance(chord(60, ...o)).consonance).length;
    // the semitone clusters (two or three stacked semitones, in any position) are rougher
    expect(all.length - rank(0, 1)).toBeGreaterThanOrEqual(10);
    // the minor seventh is a mild dissonance: above the triads with a semitone and a tritone
    const c = (...o: number[]) => consonance(chord(60, ...o)).consonance;
    expect(c(0, 10)).toBeGreaterThan(c(0, 1, 6));
    expect(c(0, 10)).toBeGreaterThan(c(0, 6, 7));
    expect(rank(0, 10)).toBeLessThanOrEqual(210);
  });

  it('puts the octave and the fifth at the top of the dyads', () => {
    const c = (s: number) => consonance(chord(60, 0, s)).consonance;
    const others = [1, 2, 3, 4, 5, 6, 8, 9, 10, 11].map(c);
    expect(c(12)).toBeGreaterThan(c(7));
    for (const v of others) expect(c(7)).toBeGreaterThan(v);
  });

  it('barely moves under transposition in the mid register', () => {
    const shapes = [
      [0, 7],
      [0, 4, 7],
      [0, 3, 7],
      [0, 4, 7, 10],
      [0, 1],
      [0, 1, 2],
      [0, 12],
    ];
    for (const shape of shapes) {
      // A whole tone either side of C4: within 0.045. What moves is roughness, and only one
      // way: the critical band spans a wider interval in a lower register (Plomp & Levelt
      // 1965), so the same chord is never more consonant a tone lower.
      const near = [58, 60, 62].map((root) => consonance(chord(root, ...shape)).consonance);
      expect(Math.max(...near) - Math.min(...near)).toBeLessThan(0.045);
      expect(near[0]!).toBeLessThanOrEqual(near[1]! + 1e-9);
      expect(near[1]!).toBeLessThanOrEqual(near[2]! + 1e-9);
    }
    // G3 to G4: the order of these chords never changes
    for (const root of [55, 57, 60, 62, 64, 67]) {
      const c = (...o: number[]) => consonance(chord(root, ...o)).consonance;
      const order = [c(0, 12), c(0, 7), c(0, 4, 7), c(0, 4, 7, 10), c(0, 3, 7), c(0, 1)];
      for (let i = 1; i < order.length; i++) expect(order[i - 1]!).toBeGreaterThan(order[i]!);
    }
  });

  it('keeps common chords of 2, 3 and 4 notes on one scale (means do not collapse with size)', () => {
    const mean = (shapes: number[][]) =>
      shapes.map((s) => consonance(chord(60, ...s)).consonance).reduce((a, b) => a + b) / shapes.length;
    const dyads = mean([
      [0, 3],
      [0, 4],
      [0, 5],
      [0, 7],
      [0, 8],
      [0, 9],
      [0, 12],
    ]);
    const triads = mean([
      [0, 4, 7],
      [0, 3, 7],
      [0, 3, 8],
      [0, 5, 9],
      [0, 4, 9],
      [0, 5, 8],
      [0, 3, 6],
      [0, 5, 7],
      [0, 2, 7],
    ]);
    const tetrads = mean([
      [0, 4, 7, 10],
      [0, 4, 7, 11],
      [0, 3, 7, 10],
      [0, 3, 6, 10],
      [0, 3, 6, 9],
      [0, 4, 7, 9],
      [0, 3, 7, 9],
      [0, 4, 7, 12],
      [0, 3, 7, 12],
      [0, 2, 4, 7],
    ]);
    expect(triads).toBeGreaterThanOrEqual(0.75 * dyads);
    expect(tetrads).toBeGreaterThanOrEqual(0.75 * dyads);
  });

  it('rates every chord of 2-4 notes above C4 within an octave without collapsing by size', () => {
    const sets: number[][][] = [[], [], []];
    for (let mask = 1; mask < 1 << 12; mask++) {
      const offsets = [0];
      for (let b = 0; b < 12; b++) if (mask & (1 << b)) offsets.push(b + 1);
      if (offsets.length <= 4) sets[offsets.length - 2]!.push(offsets);
    }
    expect(sets.map((s) => s.length)).toEqual([12, 66, 220]);
    const means = sets.map(
      (s) => s.map((o) => consonance(chord(60, ...o)).consonance).reduce((a, b) => a + b) / s.length,
    );
    // listeners rate tetrads about 17 % below dyads on average; a collapse would be ~60 %
    expect(means[2]! / means[0]!).toBeGreaterThan(0.7);
    expect(means[1]! / means[0]!).toBeGreaterThan(0.8);
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
      expect(fresh[key]).toHaveLength(5);
      fresh[key].forEach(([mean, sd], i) => {
        expect(mean).toBeCloseTo(REFERENCE_STATS[key][i]![0], 9);
        expect(sd).toBeCloseTo(REFERENCE_STATS[key][i]![1], 9);
      });
    }
    expect(fresh.score[0]).toBeCloseTo(REFERENCE_STATS.score[0], 9);
    expect(fresh.score[1]).toBeCloseTo(REFERENCE_STATS.score[1], 9);
  });

  it('rejects empty and oversized chords', () => {
    expect(() => consonance([])).toThrow(/no frequencies/);
    expect(() => consonance(new Array(40).fill(440))).toThrow(/at most/);
  });
});
