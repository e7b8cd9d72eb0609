import { createRequire } from 'node:module';
import type FFTModule from 'fft.js';

// fft.js is loaded on the first table, not at start-up: a sine never needs it
const requireCjs = createRequire(import.meta.url);
let FFT: typeof FFTModule | undefined;

/** Periodic waveforms other than sine, synthesised band-limited from wavetables. */
export type TableWave = 'square' | 'saw' | 'triangle' | 'pulse';

/**
 * A band-limited single-cycle table: `size` samples plus one guard sample, holding exactly
 * the harmonics 1..`harmonics` of the waveform, normalised to a peak of 1.
 */
export interface WaveTable {
  readonly size: number;
  readonly mask: number;
  readonly harmonics: number;
  readonly data: Float32Array;
}

const cache = new Map<string, WaveTable>();
const CACHE_LIMIT = 256;

/** Table length for a harmonic count: large enough that linear interpolation images stay below -120 dB. */
function tableSize(harmonics: number): number {
  if (harmonics <= 16) return 1 << 12;
  if (harmonics <= 256) return 1 << 14;
  return 1 << 16;
}

/** Amplitude of harmonic `k` (sine phase) of a waveform; pulse uses `duty` in (0, 1). */
function harmonicAmplitude(wave: TableWave, k: number, duty: number): { re: number; im: number } {
  switch (wave) {
    case 'saw':
      // rising ramp from -1 to 1: sum of -(2/pi) (-1)^k sin(k x)/k, written as a phase-shifted series
      return { re: 0, im: -((k % 2 === 0 ? -1 : 1) * 2) / (Math.PI * k) };
    case 'square':
      return k % 2 === 1 ? { re: 0, im: 4 / (Math.PI * k) } : { re: 0, im: 0 };
    case 'triangle':
      if (k % 2 === 0) return { re: 0, im: 0 };
      return { re: 0, im: ((((k - 1) / 2) % 2 === 0 ? 1 : -1) * 8) / (Math.PI * Math.PI * k * k) };
    case 'pulse': {
      // a pulse high for `duty` of the cycle, DC removed: coefficients of sin and cos terms
      const a = Math.sin(2 * Math.PI * k * duty) / (Math.PI * k);
      const b = (1 - Math.cos(2 * Math.PI * k * duty)) / (Math.PI * k);
      return { re: 2 * a, im: 2 * b };
    }
  }
}

/**
 * The table of `wave` with exactly `harmonics` harmonics (built once, then cached).
 * @example getTable('square', 6) // for 3520 Hz at 48 kHz
 */
export function getTable(wave: TableWave, harmonics: number, duty = 0.5): WaveTable {
  const h = Math.max(1, Math.floor(harmonics));
  const key = `${wave}:${h}:${wave === 'pulse' ? duty : ''}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const size = tableSize(h);
  FFT ??= requireCjs('fft.js') as typeof FFTModule;
  const fft = new FFT(size);
  const spectrum = fft.createComplexArray() as number[];
  for (let k = 1; k <= h && k < size / 2; k++) {
    const { re, im } = harmonicAmplitude(wave, k, duty);
    // x[n] = re cos(2 pi k n / N) + im sin(2 pi k n / N)  <=>  X[k] = N/2 (re - j im)
    spectrum[2 * k] = (re * size) / 2;
    spectrum[2 * k + 1] = (-im * size) / 2;
    spectrum[2 * (size - k)] = (re * size) / 2;
    spectrum[2 * (size - k) + 1] = (im * size) / 2;
  }
  const out = fft.createComplexArray() as number[];
  fft.inverseTransform(out, spectrum);
  const data = new Float32Array(size + 1);
  let peak = 0;
  for (let i = 0; i < size; i++) {
    const v = out[2 * i]!;
    if (Math.abs(v) > peak) peak = Math.abs(v);
  }
  const norm = peak > 0 ? 1 / peak : 1;
  for (let i = 0; i < size; i++) data[i] = out[2 * i]! * norm;
  data[size] = data[0]!;
  const table: WaveTable = { size, mask: size - 1, harmonics: h, data };
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(key, table);
  return table;
}

/**
 * Harmonic count for a varying frequency: rounded down onto a coarse grid (exact up to 16,
 * then eight steps an octave), so sweeps and glides reuse a few tables.
 */
export function gridHarmonics(harmonics: number): number {
  const h = Math.max(1, Math.floor(harmonics));
  if (h <= 16) return h;
  const step = 2 ** (Math.floor(Math.log2(h) * 8) / 8);
  return Math.max(16, Math.floor(step));
}
