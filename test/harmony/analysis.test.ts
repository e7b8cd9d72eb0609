import { describe, expect, it } from 'vitest';
import { analyzeAudio, silenceReason } from '../../src/harmony/analysis/analyze.js';
import { estimateKey } from '../../src/harmony/analysis/key.js';
import { kWeighting, measureLoudness, truePeak } from '../../src/harmony/analysis/loudness.js';
import {
  averagedSpectrum,
  findPeaks,
  partialSpread,
  spectralBackground,
} from '../../src/harmony/analysis/spectrum.js';
import { yinPitch } from '../../src/harmony/analysis/yin.js';
import { nameChord } from '../../src/harmony/chords.js';
import { HarmonyError } from '../../src/harmony/errors.js';
import { parseNote } from '../../src/harmony/notes.js';
import { renderChord, rng, sine } from './synth.js';

const SR = 48000;
const cents = (a: number, b: number): number => 1200 * Math.log2(a / b);

/** Chords rendered as tones with harmonics, decaying envelopes and sharp (stiff-string) partials. */
const CHORDS: { notes: string[]; symbol: string }[] = [
  { notes: ['C4', 'E4', 'G4'], symbol: 'C' },
  { notes: ['A2', 'E3', 'C#4'], symbol: 'A' },
  { notes: ['D4', 'F4', 'A4', 'C5'], symbol: 'Dm7' },
  { notes: ['C3', 'G3', 'E4', 'Bb4'], symbol: 'C7' },
  { notes: ['G3', 'B3', 'D4', 'F4'], symbol: 'G7' },
  { notes: ['E2', 'B2', 'G#3'], symbol: 'E' },
  { notes: ['F3', 'A3', 'C4', 'E4', 'G4'], symbol: 'Fmaj9' },
  { notes: ['Eb3', 'Gb3', 'Bb3'], symbol: 'Ebm' },
  { notes: ['B1', 'F#2', 'D3'], symbol: 'Bm' },
  { notes: ['C5', 'E5', 'G5', 'B5'], symbol: 'Cmaj7' },
];

describe('analysis of rendered chords', () => {
  for (const [i, { notes, symbol }] of CHORDS.entries()) {
    for (const B of [0, 2e-4, 5e-4]) {
      it(`recovers ${notes.join('-')} (inharmonicity ${B}) within 10 cents, no extra notes, chord ${symbol}`, () => {
        const truth = notes.map((n) => parseNote(n));
        const x = renderChord(truth, { inharmonicity: B, seed: 3 * i + 7, noise: 0.002, sampleRate: SR });
        const r = analyzeAudio({ channels: [x], sampleRate: SR });
        expect(r.notes).toHaveLength(truth.length);
        // With stiffness B the fundamental itself sits at f0 sqrt(1 + B).
        r.notes.forEach((n, k) => {
          expect(Math.abs(cents(n.frequency, truth[k]! * Math.sqrt(1 + B)))).toBeLessThan(10);
        });
        expect(r.chord?.symbol).toBe(symbol);
        expect(r.consonance?.consonance).toBeGreaterThan(0);
      });
    }
  }

  it('finds an octave doubling when the partials are slightly inharmonic', () => {
    const truth = ['C4', 'E4', 'G4', 'C5'].map((n) => parseNote(n));
    const x = renderChord(truth, { inharmonicity: 5e-4, seed: 19, noise: 0.002, sampleRate: SR });
    const r = analyzeAudio({ channels: [x], sampleRate: SR });
    expect(r.notes.map((n) => n.note.replace(/[+-]\d+c$/, ''))).toEqual(['C4', 'E4', 'G4', 'C5']);
  });

  it('measures duration, f0 and partials of a single tone', () => {
    const x = renderChord([440], { seed: 1, sampleRate: SR, durationSec: 1.5 });
    const r = analyzeAudio({ channels: [x, x], sampleRate: SR });
    expect(r.duration).toBeCloseTo(1.5, 9);
    expect(r.channels).toBe(2);
    expect(Math.abs(cents(r.f0!.frequency, 440))).toBeLessThan(5);
    expect(r.notes.map((n) => n.note)).toEqual(['A4']);
    const harmonics = r.partials.map((p) => p.frequency / 440);
    for (let h = 1; h <= 5; h++) expect(harmonics.some((v) => Math.abs(v - h) < 0.002)).toBe(true);
  });

  it('rejects empty, corrupt and silent audio', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof HarmonyError ? e.code : 'other';
      }
      return undefined;
    };
    expect(code(() => analyzeAudio({ channels: [new Float32Array(0)], sampleRate: SR }))).toBe('BAD_AUDIO');
    expect(code(() => analyzeAudio({ channels: [Float32Array.of(0.1, Number.NaN)], sampleRate: SR }))).toBe(
      'BAD_AUDIO',
    );
    expect(code(() => analyzeAudio({ channels: [new Float32Array(1000)], sampleRate: 0 }))).toBe('BAD_AUDIO');
    expect(code(() => analyzeAudio({ channels: [new Float32Array(SR)], sampleRate: SR }))).toBe(
      'SILENT_AUDIO',
    );
  });
});

describe('spectral peaks and f0', () => {
  it('interpolates peak frequency and amplitude between bins', () => {
    const x = sine(1234.5, 0.25, SR, 1);
    const peaks = findPeaks(averagedSpectrum(x, SR, 16384), -40);
    expect(peaks).toHaveLength(1);
    expect(peaks[0]!.frequency).toBeCloseTo(1234.5, 1);
    expect(20 * Math.log10(peaks[0]!.amplitude / 0.25)).toBeCloseTo(0, 0);
  });

  it("measures the background under a partial: white noise's level per bin, not the partial's", () => {
    // a 1 kHz sine of amplitude 0.25 in white noise of RMS 0.01; per Hann-windowed bin of N
    // points, noise of RMS s reads as a sinusoid of amplitude 2 s sqrt(sum w^2) / sum w = 2 s sqrt(1.5 / N)
    const noise = rng(4);
    const x = sine(1000, 0.25, SR, 2).map((v) => v + 0.01 * Math.sqrt(12) * (noise() - 0.5));
    const n = 16384;
    const spec = averagedSpectrum(x, SR, n);
    const bg = spectralBackground(spec);
    const expected = 2 * 0.01 * Math.sqrt(1.5 / n);
    for (const hz of [300, 1000, 5000]) expect(Math.abs(20 * Math.log10(bg(hz) / expected))).toBeLessThan(2);
    const peak = findPeaks(spec, -40).find((p) => Math.abs(p.frequency - 1000) < 2)!;
    expect(20 * Math.log10(peak.amplitude / bg(1000))).toBeGreaterThan(60);
  });

  it("measures how wide a partial spreads: a steady sine the window's main lobe, two sines a few cents apart their distance, a vibrato its swing", () => {
    const n = 32768;
    const bins = (x: Float64Array, hz: number) => 2 ** partialSpread(averagedSpectrum(x, SR, n))(hz);
    const binHz = SR / n;
    // a Hann window's power falls 10 dB about 1.2 bins either side of a steady sinusoid,
    // wherever it lies between bins
    for (const hz of [1500, 1500.3, 1500.7]) {
      const steady = bins(sine(hz, 0.25, SR, 2), hz);
      expect(steady).toBeGreaterThan(2);
      expect(steady).toBeLessThan(2.6);
    }
    // 1500 Hz and 1510 Hz (11.5 cents, 6.8 bins): two peaks, and the span covers both
    const pair = sine(1500, 0.25, SR, 2).map((v, i) => v + 0.15 * Math.sin((2 * Math.PI * 1510 * i) / SR));
    expect(bins(pair, 1500)).toBeGreaterThan(10 / binHz + 1.5);
    expect(bins(pair, 1500)).toBeLessThan(10 / binHz + 3.5);
    // a second sinusoid 12 dB under the first is outside its -10 dB span
    const faint = sine(1500, 0.25, SR, 2).map((v, i) => v + 0.06 * Math.sin((2 * Math.PI * 1510 * i) / SR));
    expect(bins(faint, 1500)).toBeLessThan(2.7);
    // ±20 cents of vibrato at 1500 Hz swings ±17 Hz
    const vibrato = new Float64Array(2 * SR);
    let phase = 0;
    for (let i = 0; i < vibrato.length; i++) {
      phase += (2 * Math.PI * 1500 * 2 ** ((20 / 1200) * Math.sin((2 * Math.PI * 5.5 * i) / SR))) / SR;
      vibrato[i] = 0.25 * Math.sin(phase);
    }
    expect(bins(vibrato, 1500)).toBeGreaterThan(15 / binHz);
  });

  it('YIN finds the f0 of a harmonic tone with a missing fundamental', () => {
    const x = new Float64Array(SR);
    for (let h = 2; h <= 6; h++) {
      for (let i = 0; i < x.length; i++) x[i] = x[i]! + Math.sin((2 * Math.PI * 220 * h * i) / SR) / h;
    }
    expect(Math.abs(cents(yinPitch(x, SR)!.frequency, 220))).toBeLessThan(2);
  });
});

describe('chord and key naming', () => {
  it('names chords and inversions', () => {
    expect(nameChord([0, 4, 7])!.symbol).toBe('C');
    expect(nameChord([4, 7, 0])!.symbol).toBe('C/E');
    expect(nameChord([9, 0, 4])!.symbol).toBe('Am');
    expect(nameChord([7, 11, 2, 5])!.name).toBe('G dominant seventh');
    expect(nameChord([11, 2, 5, 8])!.quality).toBe('diminished seventh');
    expect(nameChord([0, 7])!.symbol).toBe('C5');
    expect(nameChord([0, 1, 2])!.quality).toBe('unknown');
  });

  it('finds keys with the Krumhansl-Kessler profiles', () => {
    const scale = (pcs: number[]): number[] =>
      Array.from({ length: 12 }, (_, pc) => (pcs.includes(pc) ? 1 : 0));
    expect(estimateKey(scale([0, 2, 4, 5, 7, 9, 11]))!.name).toBe('C major');
    expect(estimateKey(scale([7, 9, 11, 0, 2, 4, 6]))!.name).toBe('G major');
    // A harmonic-minor collection with the tonic triad emphasised reads as A minor.
    const aMinor = scale([9, 11, 0, 2, 4, 5, 8]);
    aMinor[9] = 3;
    aMinor[0] = 2;
    aMinor[4] = 2;
    expect(estimateKey(aMinor)!.name).toBe('A minor');
    expect(estimateKey(new Array(12).fill(1))).toBeNull();
  });

  it('reads the key of a rendered I-IV-V-I progression in D major', () => {
    const chords = [
      ['D3', 'F#3', 'A3'],
      ['G3', 'B3', 'D4'],
      ['A3', 'C#4', 'E4'],
      ['D3', 'F#3', 'A3', 'D4'],
    ];
    const parts = chords.map((c, i) =>
      renderChord(
        c.map((n) => parseNote(n)),
        { seed: 40 + i, sampleRate: SR, durationSec: 1 },
      ),
    );
    const x = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
    let off = 0;
    for (const p of parts) {
      x.set(p, off);
      off += p.length;
    }
    expect(analyzeAudio({ channels: [x], sampleRate: SR }).key!.name).toBe('D major');
  });
});

describe('loudness (ITU-R BS.1770-4, EBU Tech 3341)', () => {
  it('derives the K-weighting coefficients of the standard at 48 kHz', () => {
    const [shelf, hp] = kWeighting(48000);
    const expected = [
      1.53512485958697, -2.69169618940638, 1.19839281085285, -1.69065929318241, 0.73248077421585,
    ];
    shelf.forEach((c, i) => {
      expect(c).toBeCloseTo(expected[i]!, 9);
    });
    expect(hp[3]).toBeCloseTo(-1.99004745483398, 9);
    expect(hp[4]).toBeCloseTo(0.99007225036621, 9);
  });

  it('reads a stereo 1 kHz sine at -23 dBFS as -23.0 LUFS (Tech 3341 case 1), at 48 and 44.1 kHz', () => {
    for (const sr of [48000, 44100]) {
      const a = 10 ** (-23 / 20);
      const l = measureLoudness([sine(1000, a, sr, 20), sine(1000, a, sr, 20)], sr);
      expect(Math.abs(l.integratedLufs - -23)).toBeLessThanOrEqual(0.1);
    }
  });

  it('reads -33 dBFS as -33.0 LUFS and gates out silence and quiet passages (cases 2 and 3-5 style)', () => {
    const a = 10 ** (-33 / 20);
    expect(measureLoudness([sine(1000, a, SR, 20), sine(1000, a, SR, 20)], SR).integratedLufs).toBeCloseTo(
      -33,
      1,
    );
    // -36 dBFS, then -23, then -36 again (Tech 3341 case 3: 10 s, 60 s, 10 s): the relative gate drops the quiet parts.
    const seg = (db: number, s: number) => sine(1000, 10 ** (db / 20), SR, s);
    const parts = [seg(-36, 10), seg(-23, 60), seg(-36, 10)];
    const x = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
    let off = 0;
    for (const p of parts) {
      x.set(p, off);
      off += p.length;
    }
    expect(Math.abs(measureLoudness([x, x], SR).integratedLufs - -23)).toBeLessThanOrEqual(0.1);
    // Digital silence around the tone is gated out by the absolute gate.
    const withSilence = new Float64Array(40 * SR);
    withSilence.set(seg(-23, 20), 10 * SR);
    expect(
      Math.abs(measureLoudness([withSilence, withSilence], SR).integratedLufs - -23),
    ).toBeLessThanOrEqual(0.1);
  });

  it('measures true peak between samples and the sample peak and RMS', () => {
    // A sine at fs/4 with 45 degree phase: samples reach only 0.707, the waveform reaches 1.
    const x = sine(SR / 4, 1, SR, 1, Math.PI / 4);
    const l = measureLoudness([x], SR);
    expect(l.samplePeakDbfs).toBeCloseTo(-3.01, 2);
    expect(Math.abs(l.truePeakDbtp)).toBeLessThan(0.2);
    expect(20 * Math.log10(truePeak(sine(997, 0.5, SR, 1)))).toBeCloseTo(-6.02, 1);
    // plain RMS: a sine of peak 0.5 is 0.354 RMS (-9.03 dBFS); AES17 adds 3.01 dB
    expect(measureLoudness([sine(997, 0.5, SR, 1)], SR).rmsDbfs).toBeCloseTo(-9.03, 1);
    expect(measureLoudness([sine(997, 0.5, SR, 1)], SR).rmsAes17Dbfs).toBeCloseTo(-6.02, 1);
  });

  it('reads noise scaled to -20 dBFS RMS as -20.0 dBFS RMS (plain, not AES17)', () => {
    const rand = rng(5);
    const x = new Float64Array(10 * SR);
    let b = 0;
    for (let i = 0; i < x.length; i++) {
      b = 0.97 * b + (2 * rand() - 1); // a low-passed (pinkish) noise
      x[i] = b;
    }
    const rms = Math.sqrt(x.reduce((a, v) => a + v * v, 0) / x.length);
    for (let i = 0; i < x.length; i++) x[i] = (x[i]! * 0.1) / rms;
    const l = measureLoudness([x], SR);
    expect(l.rmsDbfs).toBeCloseTo(-20, 2);
    expect(l.rmsAes17Dbfs).toBeCloseTo(-16.99, 2);
  });
});

describe('one silence rule', () => {
  it('analyses a clean -90 dBFS tone in a 24-bit file', () => {
    const x = sine(440, 10 ** (-90 / 20), SR, 1).map((v) => Math.round(v * 8388608) / 8388608);
    expect(silenceReason([x])).toBeNull();
    const r = analyzeAudio({ channels: [x], sampleRate: SR });
    expect(r.notes.map((n) => n.note)).toEqual(['A4']);
  });

  it('calls silent: digital zero, a peak below -100 dBFS, one-step 16-bit dither', () => {
    expect(silenceReason([new Float64Array(100)])).toBe('digital zero');
    expect(silenceReason([sine(440, 10 ** (-101 / 20), SR, 0.1)])).toMatch(/below -100 dBFS/);
    const rand = rng(9);
    const dither = Float64Array.from({ length: SR }, () => Math.round(rand() - rand()) / 32768);
    expect(silenceReason([dither])).toMatch(/dither of 16-bit silence/);
    expect(() => analyzeAudio({ channels: [dither], sampleRate: SR })).toThrow(/silent/);
    // the same level off the 16-bit grid is a signal
    expect(silenceReason([sine(440, 1 / 32768, SR, 0.1, 0.3)])).toBeNull();
  });
});
