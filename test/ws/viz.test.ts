import { describe, expect, it } from 'vitest';
import { Visualizer } from '../../src/server/ws/viz.js';

const SR = 48000;

function feed(
  viz: Visualizer,
  left: (i: number) => number,
  right: (i: number) => number,
  frames: number,
): void {
  const block = 512;
  const l = new Float64Array(block);
  const r = new Float64Array(block);
  for (let pos = 0; pos < frames; pos += block) {
    for (let i = 0; i < block; i++) {
      l[i] = left(pos + i);
      r[i] = right(pos + i);
    }
    viz.push([l, r], block);
  }
}

const bandOf = (freqs: number[], hz: number): number =>
  freqs.reduce(
    (best, f, i) => (Math.abs(Math.log(f / hz)) < Math.abs(Math.log(freqs[best]! / hz)) ? i : best),
    0,
  );

describe('Visualizer', () => {
  it('reads a full-scale sine at about 0 dBFS in its band, with RMS 1/sqrt 2 and peak 1', () => {
    const viz = new Visualizer(SR, 2, { fps: 10, bins: 64 });
    const s = (i: number) => Math.sin((2 * Math.PI * 1000 * i) / SR);
    feed(viz, s, s, SR / 10);
    expect(viz.due(SR / 10)).toBe(true);
    const v = viz.take(SR / 10);
    const k = bandOf(v.freqs, 1000);
    expect(v.spectrum.indexOf(Math.max(...v.spectrum))).toBe(k);
    expect(v.spectrum[k]).toBeGreaterThan(-1.5);
    expect(v.spectrum[k]).toBeLessThan(0.5);
    expect(v.rms[0]).toBeCloseTo(Math.SQRT1_2, 2);
    expect(v.peak[1]).toBeCloseTo(1, 2);
    expect(viz.due(SR / 10 + 1)).toBe(false);
  });

  it('shows both ears of a binaural pair steadily (no beating of a mono sum)', () => {
    const viz = new Visualizer(SR, 2, { fps: 40, bins: 96 });
    const left = (i: number) => 0.5 * Math.sin((2 * Math.PI * 400 * i) / SR);
    const right = (i: number) => 0.5 * Math.sin((2 * Math.PI * 404 * i) / SR);
    const levels: number[] = [];
    for (let t = 0; t < 20; t++) {
      feed(
        viz,
        (i) => left(i + t * 1200),
        (i) => right(i + t * 1200),
        1200,
      );
      const v = viz.take((t + 1) * 1200);
      levels.push(v.spectrum[bandOf(v.freqs, 402)]!);
    }
    // each ear at 0.5 amplitude, power mean of the two: 20 log10(0.5) = -6 dB, steady
    const steady = levels.slice(3);
    expect(Math.max(...steady) - Math.min(...steady)).toBeLessThan(1.5);
    expect(Math.min(...steady)).toBeGreaterThan(-8);
  });

  it('gives the same spectrum whether the ears are identical (real FFT) or not (complex FFT)', () => {
    const s = (i: number) =>
      0.3 * Math.sin((2 * Math.PI * 777 * i) / SR) + 0.1 * Math.sin((2 * Math.PI * 3000 * i) / SR);
    const same = new Visualizer(SR, 2, { fps: 10, bins: 48 });
    const nudged = new Visualizer(SR, 2, { fps: 10, bins: 48 });
    feed(same, s, s, 4800);
    feed(nudged, s, (i) => s(i) * (1 + 1e-4), 4800);
    const a = same.take(4800).spectrum;
    const b = nudged.take(4800).spectrum;
    for (let k = 0; k < a.length; k++) expect(Math.abs(a[k]! - b[k]!)).toBeLessThanOrEqual(0.2);
  });

  it('floors silence at -120 dB', () => {
    const viz = new Visualizer(SR, 1, { fps: 30, bins: 16 });
    viz.push([new Float64Array(2048)], 2048);
    const v = viz.take(2048);
    expect(v.spectrum.every((x) => x === -120)).toBe(true);
    expect(v.rms).toEqual([0]);
  });
});
