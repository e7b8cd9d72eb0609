import FFT from 'fft.js';
import { Engine } from '../../src/render/engine.js';
import type { Scene } from '../../src/render/scene.js';

/** Render a whole scene into planar Float64Arrays, `block` frames at a time. */
export function renderAll(scene: Scene, block = 4096): Float64Array[] {
  const e = new Engine(scene);
  const total = e.totalFrames;
  const out = Array.from({ length: e.channels }, () => new Float64Array(total));
  const tmp = Array.from({ length: e.channels }, () => new Float64Array(block));
  let pos = 0;
  for (;;) {
    const n = e.render(tmp, block);
    if (n === 0) break;
    for (let c = 0; c < e.channels; c++) out[c]!.set(tmp[c]!.subarray(0, n), pos);
    pos += n;
  }
  return out;
}

// 7-term Blackman-Harris window: highest side lobe about -180 dB
const BH7 = [
  0.27105140069342, 0.43329793923448, 0.21812299954311, 0.06592544638803, 0.01081174209837, 0.00077658482522,
  0.00001388721735,
];

/** Magnitude spectrum in dB relative to the largest bin, of `n` samples from `offset`, 7-term BH window. */
export function spectrumDb(x: ArrayLike<number>, n: number, offset = 0): Float64Array {
  const fft = new FFT(n);
  const input = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let w = 0;
    for (let k = 0; k < BH7.length; k++)
      w += (k % 2 ? -1 : 1) * BH7[k]! * Math.cos((2 * Math.PI * k * i) / n);
    input[i] = (x[offset + i] ?? 0) * w;
  }
  const out = fft.createComplexArray() as number[];
  fft.realTransform(out, input);
  const mags = new Float64Array(n / 2);
  let max = 0;
  for (let k = 0; k < n / 2; k++) {
    mags[k] = Math.hypot(out[2 * k]!, out[2 * k + 1]!);
    if (mags[k]! > max) max = mags[k]!;
  }
  for (let k = 0; k < n / 2; k++) mags[k] = 20 * Math.log10(mags[k]! / max + 1e-300);
  return mags;
}

/** Frequency of the largest bin, refined by parabolic interpolation on the dB values. */
export function peakFrequency(db: Float64Array, sampleRate: number): number {
  let k = 1;
  for (let i = 1; i < db.length - 1; i++) if (db[i]! > db[k]!) k = i;
  const a = db[k - 1]!;
  const b = db[k]!;
  const c = db[k + 1]!;
  const delta = (0.5 * (a - c)) / (a - 2 * b + c);
  return ((k + delta) * sampleRate) / (2 * db.length);
}

/** Largest level in dB outside ±`guardHz` of each frequency in `expected` (and above `minHz`). */
export function largestSpur(
  db: Float64Array,
  sampleRate: number,
  expected: number[],
  guardHz: number,
  minHz = 20,
): number {
  const binHz = sampleRate / (2 * db.length);
  let worst = -Infinity;
  for (let k = 0; k < db.length; k++) {
    const f = k * binHz;
    if (f < minHz) continue;
    if (expected.some((e) => Math.abs(f - e) <= guardHz)) continue;
    if (db[k]! > worst) worst = db[k]!;
  }
  return worst;
}

/** Average power spectrum (Welch, Hann, 50% overlap) in linear power per bin. */
export function welch(x: Float64Array, n: number): Float64Array {
  const fft = new FFT(n);
  const acc = new Float64Array(n / 2);
  const win = Float64Array.from({ length: n }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n));
  const input = new Array<number>(n);
  const out = fft.createComplexArray() as number[];
  let count = 0;
  for (let start = 0; start + n <= x.length; start += n / 2) {
    for (let i = 0; i < n; i++) input[i] = x[start + i]! * win[i]!;
    fft.realTransform(out, input);
    for (let k = 0; k < n / 2; k++) acc[k]! += out[2 * k]! ** 2 + out[2 * k + 1]! ** 2;
    count++;
  }
  for (let k = 0; k < n / 2; k++) acc[k]! /= count;
  return acc;
}

/** Power in dB of the band [lo, hi) Hz of a Welch spectrum, divided by its width (a density). */
export function bandDensityDb(psd: Float64Array, sampleRate: number, lo: number, hi: number): number {
  const binHz = sampleRate / (2 * psd.length);
  let sum = 0;
  let bins = 0;
  for (let k = Math.ceil(lo / binHz); k < hi / binHz; k++) {
    sum += psd[k]!;
    bins++;
  }
  return 10 * Math.log10(sum / bins);
}

/** Root mean square. */
export function rms(x: ArrayLike<number>, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s / (to - from));
}

/** Largest absolute value. */
export function peak(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]!));
  return m;
}
