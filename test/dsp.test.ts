import { describe, expect, it } from 'vitest';
import { NOISE_COLORS, type NoiseColor } from '../src/dsp/noise.js';
import type { Wave } from '../src/dsp/oscillator.js';
import { MIX_CEILING, type Scene } from '../src/render/scene.js';
import {
  bandDensityDb,
  largestSpur,
  peak,
  peakFrequency,
  renderAll,
  rms,
  spectrumDb,
  welch,
} from './helpers/signal.js';

const tone = (freq: number, extra: Partial<Scene> & { wave?: Wave } = {}): Scene => ({
  sampleRate: 48000,
  duration: 1.5,
  layers: [{ type: 'tone', freq, wave: extra.wave ?? 'sine', gain: 0.5 }],
  master: { fadeIn: 0, fadeOut: 0 },
  ...extra,
});

describe('oscillators', () => {
  it('puts the FFT peak of a 440 Hz sine at 440 Hz', () => {
    const [x] = renderAll(tone(440));
    expect(peakFrequency(spectrumDb(x!, 65536), 48000)).toBeCloseTo(440, 1);
  });

  it('renders a sine with no spurious component above -150 dB (float accuracy)', () => {
    const [x] = renderAll(tone(440));
    const f32 = Float32Array.from(x!);
    const db = spectrumDb(f32, 65536);
    expect(largestSpur(db, 48000, [440], 8)).toBeLessThan(-150);
  });

  it.each(['square', 'saw', 'triangle', 'pulse'] as Wave[])(
    'band-limits %s at 3520 Hz: no alias above -90 dB',
    (wave) => {
      const [x] = renderAll(tone(3520, { wave }));
      const db = spectrumDb(x!, 65536);
      const harmonics = Array.from({ length: 6 }, (_, k) => 3520 * (k + 1));
      expect(largestSpur(db, 48000, harmonics, 8)).toBeLessThan(-90);
      expect(peakFrequency(db, 48000)).toBeCloseTo(3520, 0);
    },
  );

  it('keeps every waveform within its amplitude', () => {
    for (const wave of ['sine', 'square', 'saw', 'triangle', 'pulse'] as Wave[]) {
      const [x] = renderAll(tone(97.3, { wave }));
      expect(peak(x!)).toBeLessThanOrEqual(0.5 + 1e-9);
      expect(peak(x!)).toBeGreaterThan(0.49);
    }
  });
});

describe('block invariance', () => {
  const scene: Scene = {
    sampleRate: 48000,
    duration: 0.2,
    seed: 7,
    layers: [
      {
        type: 'tone',
        freq: 220,
        wave: 'saw',
        gain: 0.3,
        am: { rate: 3, depth: 0.5 },
        fm: { rate: 5, dev: 10 },
      },
      { type: 'tone', freq: 330, gain: 0.3, beat: 8, sweep: { to: 660, curve: 'exp' } },
      { type: 'noise', color: 'pink', gain: 0.2, pan: 0.3 },
      { type: 'isochronic', freq: 500, rate: 10, gain: 0.2 },
    ],
  };
  it('gives the same samples in blocks of 1, 64 and 4096 frames', () => {
    const a = renderAll(scene, 4096);
    for (const block of [1, 64]) {
      const b = renderAll(scene, block);
      for (let c = 0; c < a.length; c++) {
        let maxDiff = 0;
        for (let i = 0; i < a[c]!.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[c]![i]! - b[c]![i]!));
        expect(maxDiff).toBeLessThan(1e-9);
      }
    }
  });
  it('stays finite and within the -1 dBFS ceiling', () => {
    for (const ch of renderAll(scene)) {
      expect(ch.every(Number.isFinite)).toBe(true);
      expect(peak(ch)).toBeLessThanOrEqual(MIX_CEILING + 1e-9);
    }
  });
});

describe('fades and envelopes', () => {
  it('starts and ends at zero with the default 10 ms fade', () => {
    const [x] = renderAll({
      sampleRate: 48000,
      duration: 0.5,
      layers: [{ type: 'tone', freq: 1000, gain: 0.5 }],
    });
    expect(Math.abs(x![0]!)).toBe(0);
    expect(Math.abs(x![x!.length - 1]!)).toBe(0);
    // full level after the fade
    expect(peak(x!.subarray(480, 1440))).toBeGreaterThan(0.49);
    // no jump larger than the tone's own slope
    let maxStep = 0;
    for (let i = 1; i < x!.length; i++) maxStep = Math.max(maxStep, Math.abs(x![i]! - x![i - 1]!));
    expect(maxStep).toBeLessThanOrEqual(0.5 * 2 * Math.PI * (1000 / 48000) + 1e-6);
  });
  it('follows an ADSR envelope', () => {
    const env = { attackSec: 0.1, decaySec: 0.1, sustain: 0.5, releaseSec: 0.2 };
    const [x] = renderAll({
      sampleRate: 48000,
      duration: 1,
      layers: [{ type: 'tone', freq: 1000, gain: 1, envelope: env }],
      master: { normalize: false, fadeIn: 0, fadeOut: 0 },
    });
    const level = (t: number) => peak(x!.subarray(Math.round(t * 48000), Math.round(t * 48000) + 96));
    expect(level(0.05)).toBeCloseTo(0.5, 1);
    expect(level(0.1)).toBeGreaterThan(0.95);
    expect(level(0.5)).toBeCloseTo(0.5, 2);
    expect(level(0.9)).toBeCloseTo(0.25, 1);
    expect(x![x!.length - 1]).toBeCloseTo(0, 3);
  });
});

describe('sweeps, binaural, pan', () => {
  it('sweeps exponentially from 200 to 800 Hz (the middle is at 400 Hz)', () => {
    const [x] = renderAll({
      ...tone(200),
      duration: 2,
      layers: [{ type: 'tone', freq: 200, gain: 0.5, sweep: { to: 800, curve: 'exp' } }],
    });
    const mid = x!.subarray(48000 - 2048, 48000 + 2048);
    expect(peakFrequency(spectrumDb(mid, 4096), 48000)).toBeGreaterThan(390);
    expect(peakFrequency(spectrumDb(mid, 4096), 48000)).toBeLessThan(410);
  });
  it('splits a binaural beat: left and right peaks differ by the beat', () => {
    const [l, r] = renderAll({
      ...tone(200),
      duration: 3,
      layers: [{ type: 'tone', freq: 200, gain: 0.5, beat: 10 }],
    });
    expect(peakFrequency(spectrumDb(l!, 131072), 48000)).toBeCloseTo(195, 1);
    expect(peakFrequency(spectrumDb(r!, 131072), 48000)).toBeCloseTo(205, 1);
  });
  it('pans with equal power', () => {
    const [l, r] = renderAll({ ...tone(500), layers: [{ type: 'tone', freq: 500, gain: 0.5, pan: 0.5 }] });
    const el = rms(l!) ** 2;
    const er = rms(r!) ** 2;
    expect(el + er).toBeCloseTo(0.125, 3);
    expect(er).toBeGreaterThan(el);
  });
  it('pulses isochronically at the given rate', () => {
    const [x] = renderAll({
      ...tone(1000),
      duration: 2,
      layers: [{ type: 'isochronic', freq: 1000, rate: 10, gain: 0.5 }],
    });
    // envelope: squared signal, averaged over 1 ms, then its spectrum peaks at 10 Hz
    const env = new Float64Array(2000);
    for (let i = 0; i < 2000; i++) env[i] = rms(x!, i * 48, i * 48 + 48);
    const db = spectrumDb(
      env.map((v) => v - 0.25),
      2048,
    );
    expect(peakFrequency(db, 1000)).toBeCloseTo(10, 0);
  });
});

describe('noise', () => {
  const render = (color: NoiseColor, seed = 1) =>
    renderAll({
      sampleRate: 48000,
      duration: 40,
      seed,
      layers: [{ type: 'noise', color, gain: 1 }],
      master: { normalize: false },
    })[0]!;

  it('is identical for equal seeds and differs for different ones', () => {
    const a = renderAll({
      sampleRate: 48000,
      duration: 0.1,
      seed: 3,
      layers: [{ type: 'noise', color: 'pink' }],
    })[0]!;
    const b = renderAll({
      sampleRate: 48000,
      duration: 0.1,
      seed: 3,
      layers: [{ type: 'noise', color: 'pink' }],
    })[0]!;
    const c = renderAll({
      sampleRate: 48000,
      duration: 0.1,
      seed: 4,
      layers: [{ type: 'noise', color: 'pink' }],
    })[0]!;
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    expect(Buffer.from(a.buffer).equals(Buffer.from(c.buffer))).toBe(false);
  });

  it.each([
    ['pink', -3],
    ['brown', -6],
    ['white', 0],
    ['blue', 3],
    ['violet', 6],
  ] as [NoiseColor, number][])(
    '%s noise follows %d dB/octave within 0.5 dB over 50 Hz-10 kHz',
    (color, slope) => {
      const psd = welch(render(color), 8192);
      // third-octave bands from 50 Hz to 10 kHz, compared with the straight line through 1 kHz
      const ref = bandDensityDb(psd, 48000, 1000 / 2 ** (1 / 6), 1000 * 2 ** (1 / 6));
      for (let f = 50; f <= 10000; f *= 2 ** (1 / 3)) {
        const d = bandDensityDb(psd, 48000, f / 2 ** (1 / 6), f * 2 ** (1 / 6));
        const expected = ref + slope * Math.log2(f / 1000);
        expect(Math.abs(d - expected), `${color} at ${f.toFixed(0)} Hz`).toBeLessThan(0.5);
      }
    },
  );

  it('has the same RMS in every colour', () => {
    for (const color of NOISE_COLORS) expect(rms(render(color).subarray(0, 480000))).toBeCloseTo(0.25, 1);
  });
});

describe('limiter', () => {
  it('keeps a mix raised by the timeline under -1 dBFS without clipping', () => {
    const scene: Scene = {
      sampleRate: 48000,
      duration: 2,
      layers: [{ type: 'tone', id: 'a', freq: 220, gain: 0.4 }],
      timeline: [{ at: 1, glide: 0.2, set: { 'a.gain': 3 } }],
      master: { limiter: true, normalize: false, fadeIn: 0, fadeOut: 0 },
    };
    const [x] = renderAll(scene);
    expect(peak(x!)).toBeLessThanOrEqual(MIX_CEILING + 1e-12);
    // before the change the limiter leaves the tone alone
    expect(peak(x!.subarray(4800, 48000))).toBeCloseTo(0.4, 6);
    // after it the tone sits at the ceiling, still a clean 220 Hz sine (no clipping products)
    const late = x!.subarray(72000, 96000);
    expect(peak(late)).toBeGreaterThan(0.85);
    const db = spectrumDb(late, 16384);
    expect(largestSpur(db, 48000, [220], 20)).toBeLessThan(-40);
  });
});
