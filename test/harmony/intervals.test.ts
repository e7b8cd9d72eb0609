import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  intervalClassSymbol,
  intervalName,
  justRatio,
  semitonesBetween,
} from '../../src/harmony/intervals.js';
import { gcd, simplestRatio, tenneyHeight } from '../../src/harmony/ratio.js';

describe('interval names', () => {
  it('names simple and compound intervals', () => {
    expect(intervalName(0)).toBe('unison');
    expect(intervalName(1)).toBe('minor second');
    expect(intervalName(6)).toBe('tritone');
    expect(intervalName(7)).toBe('perfect fifth');
    expect(intervalName(12)).toBe('octave');
    expect(intervalName(13)).toBe('minor ninth');
    expect(intervalName(19)).toBe('perfect twelfth');
    expect(intervalName(23)).toBe('major fourteenth');
    expect(intervalName(24)).toBe('two octaves');
    expect(intervalName(28)).toBe('major third + 2 octaves');
    expect(intervalName(-7)).toBe('perfect fifth');
    expect(intervalName(6.9)).toBe('perfect fifth');
    expect(intervalClassSymbol(16)).toBe('M3');
    expect(semitonesBetween(200, 400)).toBeCloseTo(12, 12);
  });
});

describe('just ratios', () => {
  it('maps every 12-TET interval to its usual just ratio (m2 16/15, tritone 45/32, m7 16/9)', () => {
    const expected = [
      '1/1',
      '16/15',
      '9/8',
      '6/5',
      '5/4',
      '4/3',
      '45/32',
      '3/2',
      '8/5',
      '5/3',
      '16/9',
      '15/8',
      '2/1',
    ];
    for (let s = 0; s <= 12; s++) {
      const { ratio } = justRatio(2 ** (s / 12));
      expect(`${ratio.num}/${ratio.den}`).toBe(expected[s]);
    }
  });

  it('maps compound 12-TET intervals to compound just ratios', () => {
    const expected = [
      '32/15',
      '9/4',
      '12/5',
      '5/2',
      '8/3',
      '45/16',
      '3/1',
      '16/5',
      '10/3',
      '32/9',
      '15/4',
      '4/1',
    ];
    for (let s = 13; s <= 24; s++) {
      const { ratio } = justRatio(2 ** (s / 12));
      expect(`${ratio.num}/${ratio.den}`).toBe(expected[s - 13]);
    }
  });

  it('maps every common just interval given exactly to itself', () => {
    const just = ['16/15', '10/9', '9/8', '8/7', '7/6', '6/5', '5/4', '9/7', '4/3', '7/5', '45/32', '64/45'];
    just.push('10/7', '3/2', '8/5', '5/3', '7/4', '16/9', '9/5', '15/8', '2/1', '25/24', '81/64', '32/27');
    just.push('27/16', '243/128', '135/128', '5/2', '3/1', '7/2');
    for (const r of just) {
      const [p, q] = r.split('/').map(Number);
      const j = justRatio(p! / q!);
      expect(`${j.ratio.num}/${j.ratio.den}`).toBe(r);
      expect(Math.abs(j.errorCents)).toBeLessThan(1e-9);
    }
  });

  it('lets complex ratios claim less room than simple ones', () => {
    // 15 cents from 3/2 is still 3/2; 15 cents from 45/32 is not 45/32.
    expect(justRatio(1.5 * 2 ** (15 / 1200)).ratio).toEqual({ num: 3, den: 2 });
    expect(justRatio((45 / 32) * 2 ** (-15 / 1200)).ratio).not.toEqual({ num: 45, den: 32 });
    // a slightly wide tempered minor second is still 16/15, not 15/14 (Tenney 7.91, not 7.71)
    expect(justRatio(2 ** (105 / 1200)).ratio).toEqual({ num: 16, den: 15 });
    expect(justRatio(2 ** (105 / 1200)).tenney).toBeCloseTo(Math.log2(240), 9);
  });

  it('inverts ratios below 1 and reports the error in cents', () => {
    const j = justRatio(2 / 3);
    expect(j.ratio).toEqual({ num: 3, den: 2 });
    expect(j.errorCents).toBeCloseTo(0, 9);
    expect(justRatio(2 ** (4 / 12)).errorCents).toBeCloseTo(13.686, 3);
    expect(justRatio(1.25, 0.001).ratio).toEqual({ num: 5, den: 4 });
    expect(justRatio(2 ** (4 / 12), 0.001).ratio).not.toEqual({ num: 5, den: 4 });
  });

  it('computes Tenney heights', () => {
    expect(tenneyHeight({ num: 1, den: 1 })).toBe(0);
    expect(tenneyHeight({ num: 2, den: 1 })).toBe(1);
    expect(tenneyHeight({ num: 3, den: 2 })).toBeCloseTo(Math.log2(6), 12);
    expect(tenneyHeight({ num: 6, den: 4 })).toBeCloseTo(Math.log2(6), 12);
    expect(justRatio(2 ** (7 / 12)).tenney).toBeCloseTo(Math.log2(6), 12);
  });

  it('returns the simplest fraction within the tolerance (property, against brute force)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.05, max: 20, noNaN: true }),
        fc.double({ min: 0.001, max: 0.05, noNaN: true }),
        (x, d) => {
          const r = simplestRatio(x, d);
          const v = r.num / r.den;
          expect(v).toBeGreaterThanOrEqual(x * (1 - d) - 1e-12);
          expect(v).toBeLessThanOrEqual(x * (1 + d) + 1e-12);
          expect(gcd(r.num, r.den)).toBe(1);
          // No fraction with a smaller denominator lies in the interval.
          for (let den = 1; den < r.den; den++) {
            const lo = Math.ceil(x * (1 - d) * den - 1e-9);
            expect(lo / den).toBeGreaterThan(x * (1 + d) + -1e-12);
          }
        },
      ),
    );
  });
});
