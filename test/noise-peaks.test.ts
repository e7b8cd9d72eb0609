import { describe, expect, it } from 'vitest';
import { NOISE_COLORS, NOISE_KNEE, NoiseSource, noiseSoftLimit } from '../src/dsp/noise.js';
import { Rng } from '../src/dsp/rng.js';

/** 20 s of noise at 48 kHz, made in blocks of 4096 (as the engine does), written or added. */
function render(color: (typeof NOISE_COLORS)[number], add: boolean): Float64Array {
  const n = 20 * 48000;
  const out = new Float64Array(n);
  const src = new NoiseSource(color, 48000, new Rng(11));
  const block = new Float64Array(4096);
  for (let at = 0; at < n; at += 4096) {
    const k = Math.min(4096, n - at);
    if (add) {
      block.fill(0);
      src.addTo(block, k, 1);
    } else src.process(block, 0, k);
    out.set(block.subarray(0, k), at);
  }
  return out;
}

describe('noise peaks are never clipped', () => {
  it('the soft limit is the identity up to the knee and stays below 1 up to the clamp', () => {
    expect(noiseSoftLimit(0.5)).toBe(0.5);
    expect(noiseSoftLimit(-NOISE_KNEE)).toBe(-NOISE_KNEE);
    expect(noiseSoftLimit(4)).toBeLessThan(1);
    expect(noiseSoftLimit(-4)).toBeGreaterThan(-1);
    // monotonic: a louder input is never a quieter output
    let prev = 0;
    for (let v = 0; v <= 4; v += 0.001) {
      const y = noiseSoftLimit(v);
      expect(y).toBeGreaterThanOrEqual(prev);
      prev = y;
    }
  });

  for (const color of NOISE_COLORS) {
    it(`${color}: 20 s reach no sample at +-1, the peak is one sample, RMS stays 0.25`, () => {
      for (const add of [false, true]) {
        const x = render(color, add);
        let peak = 0;
        let sum = 0;
        for (const v of x) {
          peak = Math.max(peak, Math.abs(v));
          sum += v * v;
        }
        expect(peak).toBeLessThan(1);
        // no plateau at the peak (a clamp makes runs of equal samples there)
        const atPeak = x.filter((v) => Math.abs(v) === peak).length;
        expect(atPeak).toBe(1);
        // quantised to 16 bits, samples within one step of the peak are few and never in a run
        const top = Math.round(peak * 32767);
        let run = 0;
        let longest = 0;
        for (const v of x) {
          run = Math.round(Math.abs(v) * 32767) === top ? run + 1 : 0;
          longest = Math.max(longest, run);
        }
        expect(longest).toBeLessThanOrEqual(1);
        expect(Math.sqrt(sum / x.length)).toBeCloseTo(0.25, 1);
      }
    });
  }
});
