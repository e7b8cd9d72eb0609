import { describe, expect, it } from 'vitest';
import { partialFractions } from '../src/dsp/noise.js';
import { SLOPE_DESIGNS } from '../src/dsp/slope-designs.js';
import { cascadeDb, designSlope, fitSlope, type SlopeFilter } from '../src/dsp/slope-filter.js';

const RATES = [8000, 16000, 22050, 44100, 48000, 88200, 96000, 192000];
/** More rates the CLI accepts (8-192 kHz), held to the same bounds. */
const MORE_RATES = [11025, 24000, 32000, 64000, 176400];
const ALL_RATES = [...RATES, ...MORE_RATES];
const SLOPES = [-3, -6];
/** Largest deviation over 20 Hz-min(20 kHz, 0.45 fs), mean offset removed: pink 0.1 dB, brown 0.2 dB. */
const BAND_DB: Record<number, number> = { [-3]: 0.1, [-6]: 0.2 };
/** Largest deviation over 10-20 Hz. */
const LOW_DB = 0.5;
/** The noise kernel runs at most six one-pole terms. */
const MAX_SECTIONS = 6;

/** Both orientations of a design: falling (pink, brown) and rising (blue, violet). */
const orientations = (f: SlopeFilter): SlopeFilter[] => [f, { poles: f.zeros, zeros: f.poles }];

/**
 * Largest deviation in dB from the line `slope` dB/octave, after removing its mean over
 * 20 Hz-top (log-spaced, 96 points an octave): over 20 Hz-top and over 10-20 Hz.
 */
function deviation(f: SlopeFilter, slope: number, sampleRate: number): { band: number; low: number } {
  const top = Math.min(20000, 0.45 * sampleRate);
  const freqs: number[] = [];
  for (let x = 10; x < top; x *= 2 ** (1 / 96)) freqs.push(x);
  freqs.push(top);
  const dev = freqs.map((x) => cascadeDb(f, x, sampleRate) - slope * Math.log2(x));
  const inBand = dev.filter((_, i) => freqs[i]! >= 20);
  const mean = inBand.reduce((a, b) => a + b, 0) / inBand.length;
  let band = 0;
  let low = 0;
  freqs.forEach((x, i) => {
    const d = Math.abs(dev[i]! - mean);
    if (x >= 20) band = Math.max(band, d);
    else low = Math.max(low, d);
  });
  return { band, low };
}

/** Frequency in Hz of the time constant of a pole or zero of radius `r`, either sign. */
const hz = (r: number, sampleRate: number) => (-Math.log(Math.abs(r)) * sampleRate) / (2 * Math.PI);

describe('slope filter design', () => {
  it.each(SLOPES)('uses at most 6 sections for %d dB/octave at every rate', (slope) => {
    for (const rate of ALL_RATES) {
      const { poles, zeros } = designSlope(slope, rate);
      expect(poles.length, `${rate} Hz`).toBeGreaterThan(0);
      expect(poles.length, `${rate} Hz`).toBeLessThanOrEqual(MAX_SECTIONS);
      expect(zeros.length).toBe(poles.length);
    }
  });

  it.each(SLOPES.flatMap((slope) => ALL_RATES.map((rate) => [slope, rate])))(
    '%d dB/octave at %d Hz follows the line (pink 0.1 dB, brown 0.2 dB over 20 Hz-top, 0.5 dB over 10-20 Hz)',
    (slope, rate) => {
      const { band, low } = deviation(designSlope(slope, rate), slope, rate);
      expect(band).toBeLessThan(BAND_DB[slope]!);
      expect(low).toBeLessThan(LOW_DB);
    },
  );

  it.each(SLOPES)(
    'keeps radii in (-1, 1), interlaced (p1 > z1 > p2 > ...) and no pole or zero faster than 2 Hz at %d dB/octave',
    (slope) => {
      for (const rate of ALL_RATES) {
        const { poles, zeros } = designSlope(slope, rate);
        const radii = Array.from(poles).flatMap((p, k) => [p, zeros[k]!]);
        for (const r of radii) {
          expect(r, `${rate} Hz`).toBeGreaterThan(-1);
          expect(r, `${rate} Hz`).toBeLessThan(1);
          // poles of the design or of its inverse: NoiseSource settles for the time constant of 2 Hz
          expect(hz(r, rate), `${rate} Hz`).toBeGreaterThanOrEqual(2 - 1e-9);
        }
        for (let k = 1; k < radii.length; k++) expect(radii[k], `${rate} Hz`).toBeLessThan(radii[k - 1]!);
      }
    },
  );

  it('bends pink and brown near Nyquist with negative radii where the band reaches 0.45 fs', () => {
    for (const slope of SLOPES) {
      for (const rate of [8000, 22050, 44100]) {
        const { poles, zeros } = designSlope(slope, rate);
        expect(
          [...poles, ...zeros].some((r) => r < 0),
          `${slope} at ${rate} Hz`,
        ).toBe(true);
      }
    }
  });

  it.each(SLOPES)(
    'has distinct poles and finite residues under 1e3 at %d dB/octave, and inverted',
    (slope) => {
      for (const rate of ALL_RATES) {
        for (const form of orientations(designSlope(slope, rate))) {
          const sorted = Array.from(form.poles).sort((a, b) => a - b);
          for (let k = 1; k < sorted.length; k++)
            expect(sorted[k]! - sorted[k - 1]!, `${rate} Hz`).toBeGreaterThan(0);
          const { c0, residues } = partialFractions(form);
          expect(Number.isFinite(c0)).toBe(true);
          expect(Math.abs(c0), `${rate} Hz`).toBeLessThan(1e3);
          for (const r of residues) {
            expect(Number.isFinite(r)).toBe(true);
            expect(Math.abs(r), `${rate} Hz`).toBeLessThan(1e3);
          }
        }
      }
    },
  );

  it.each(SLOPES)(
    'continues the line within 3 dB from the top of the band to Nyquist at %d dB/octave',
    (slope) => {
      // a notch there would be a peak of blue or violet noise above the audible band
      for (const rate of ALL_RATES) {
        const f = designSlope(slope, rate);
        const top = Math.min(20000, 0.45 * rate);
        const ref = cascadeDb(f, top, rate) - slope * Math.log2(top);
        for (let x = top; x <= 0.5 * rate; x += (0.5 * rate - top) / 400) {
          const d = cascadeDb(f, x, rate) - slope * Math.log2(x) - ref;
          expect(Math.abs(d), `${rate} Hz at ${x.toFixed(0)} Hz`).toBeLessThan(3);
        }
      }
    },
  );

  it('gives the cascade and its partial fractions the same response, negative radii included', () => {
    // H(z) = c0 + sum r_k / (1 - a_k z^-1) evaluated at 1 and 19 kHz against the cascade's magnitude
    for (const [slope, rate] of [
      [-3, 44100],
      [-6, 48000],
    ] as const) {
      for (const form of orientations(designSlope(slope, rate))) {
        const { c0, residues } = partialFractions(form);
        for (const freq of [1000, 19000]) {
          const w = (2 * Math.PI * freq) / rate;
          let re = c0;
          let im = 0;
          residues.forEach((r, k) => {
            // 1 / (1 - a e^-jw) = (1 - a cos w - j a sin w) / |1 - a e^-jw|^2
            const a = form.poles[k]!;
            const d = 1 - 2 * a * Math.cos(w) + a * a;
            re += (r * (1 - a * Math.cos(w))) / d;
            im -= (r * a * Math.sin(w)) / d;
          });
          expect(10 * Math.log10(re * re + im * im)).toBeCloseTo(cascadeDb(form, freq, rate), 9);
        }
      }
    }
  });

  it('caches each design', () => {
    expect(designSlope(-3, 44100)).toBe(designSlope(-3, 44100));
  });
});

describe('ready slope designs', () => {
  it('are what the fit gives today (npm run build && npm run slope-designs remakes them)', () => {
    const keys = Object.keys(SLOPE_DESIGNS);
    expect(keys.length).toBe(24);
    for (const key of keys) {
      const [slope, rate] = key.split('@').map(Number) as [number, number];
      const fit = fitSlope(slope, rate);
      const ready = SLOPE_DESIGNS[key]!;
      for (let k = 0; k < fit.poles.length; k++) {
        expect(Math.abs(fit.poles[k]! - ready.poles[k]!)).toBeLessThan(1e-12);
        expect(Math.abs(fit.zeros[k]! - ready.zeros[k]!)).toBeLessThan(1e-12);
      }
      expect(designSlope(slope, rate).poles.length).toBe(fit.poles.length);
    }
  });
});
