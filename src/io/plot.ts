/**
 * PNG plots of audio for `omnisonic analyze --plot`: spectrum (log-frequency, dB), spectrogram
 * (log-frequency, colour = dB) or waveform, with labelled axes drawn in a small built-in 5x7
 * bitmap font. Returns the PNG bytes; the caller writes the file (atomically).
 */

import FFT from 'fft.js';
import { PNG } from 'pngjs';
import { averagedSpectrum, hann, powerOfTwoAtMost } from '../harmony/analysis/spectrum.js';

/** What to draw. */
export type PlotKind = 'spectrum' | 'spectrogram' | 'waveform';

/** Plot options. */
export interface PlotOptions {
  readonly kind: PlotKind;
  readonly width?: number;
  readonly height?: number;
  /** Highest frequency shown (default min(Nyquist, 20 kHz)). */
  readonly maxHz?: number;
  readonly title?: string;
}

type Rgb = readonly [number, number, number];

// 5x7 glyphs, one 5-bit row per entry (bit 4 = leftmost column).
// biome-ignore format: glyph table
const GLYPHS: Record<string, readonly number[]> = {
  '0': [14, 17, 19, 21, 25, 17, 14], '1': [4, 12, 4, 4, 4, 4, 14], '2': [14, 17, 1, 2, 4, 8, 31],
  '3': [31, 2, 4, 2, 1, 17, 14], '4': [2, 6, 10, 18, 31, 2, 2], '5': [31, 16, 30, 1, 1, 17, 14],
  '6': [6, 8, 16, 30, 17, 17, 14], '7': [31, 1, 2, 4, 8, 8, 8], '8': [14, 17, 17, 14, 17, 17, 14],
  '9': [14, 17, 17, 15, 1, 2, 12], A: [14, 17, 17, 31, 17, 17, 17], B: [30, 17, 17, 30, 17, 17, 30],
  C: [14, 17, 16, 16, 16, 17, 14], D: [28, 18, 17, 17, 17, 18, 28], E: [31, 16, 16, 30, 16, 16, 31],
  F: [31, 16, 16, 30, 16, 16, 16], G: [14, 17, 16, 23, 17, 17, 15], H: [17, 17, 17, 31, 17, 17, 17],
  I: [14, 4, 4, 4, 4, 4, 14], J: [7, 2, 2, 2, 2, 18, 12], K: [17, 18, 20, 24, 20, 18, 17],
  L: [16, 16, 16, 16, 16, 16, 31], M: [17, 27, 21, 21, 17, 17, 17], N: [17, 17, 25, 21, 19, 17, 17],
  O: [14, 17, 17, 17, 17, 17, 14], P: [30, 17, 17, 30, 16, 16, 16], Q: [14, 17, 17, 17, 21, 18, 13],
  R: [30, 17, 17, 30, 20, 18, 17], S: [15, 16, 16, 14, 1, 1, 30], T: [31, 4, 4, 4, 4, 4, 4],
  U: [17, 17, 17, 17, 17, 17, 14], V: [17, 17, 17, 17, 17, 10, 4], W: [17, 17, 17, 21, 21, 21, 10],
  X: [17, 17, 10, 4, 10, 17, 17], Y: [17, 17, 17, 10, 4, 4, 4], Z: [31, 1, 2, 4, 8, 16, 31],
  '.': [0, 0, 0, 0, 0, 12, 12], '-': [0, 0, 0, 31, 0, 0, 0], '+': [0, 4, 4, 31, 4, 4, 0],
  '(': [2, 4, 8, 8, 8, 4, 2], ')': [8, 4, 2, 2, 2, 4, 8], '/': [0, 1, 2, 4, 8, 16, 0],
  ':': [0, 12, 12, 0, 12, 12, 0], ' ': [0, 0, 0, 0, 0, 0, 0],
};

/** An RGB canvas over a pngjs image. */
class Canvas {
  readonly png: PNG;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.png = new PNG({ width, height });
    this.png.data.fill(255);
  }
  set(x: number, y: number, [r, g, b]: Rgb): void {
    const xi = Math.round(x);
    const yi = Math.round(y);
    if (xi < 0 || yi < 0 || xi >= this.width || yi >= this.height) return;
    const i = (yi * this.width + xi) * 4;
    this.png.data[i] = r;
    this.png.data[i + 1] = g;
    this.png.data[i + 2] = b;
    this.png.data[i + 3] = 255;
  }
  vline(x: number, y0: number, y1: number, c: Rgb): void {
    for (let y = Math.min(y0, y1); y <= Math.max(y0, y1); y++) this.set(x, y, c);
  }
  hline(y: number, x0: number, x1: number, c: Rgb): void {
    for (let x = Math.min(x0, x1); x <= Math.max(x0, x1); x++) this.set(x, y, c);
  }
  /** Draws text (upper-cased) at scale 2 with its top-left at (x, y); `vertical` rotates it 90° left. */
  text(s: string, x: number, y: number, c: Rgb, vertical = false): void {
    let pen = 0;
    for (const ch of s.toUpperCase()) {
      const g = GLYPHS[ch] ?? GLYPHS[' ']!;
      for (let row = 0; row < 7; row++) {
        for (let col = 0; col < 5; col++) {
          if (!((g[row]! >> (4 - col)) & 1)) continue;
          for (let d = 0; d < 4; d++) {
            const px = pen + col * 2 + (d & 1);
            const py = row * 2 + (d >> 1);
            if (vertical) this.set(x + py, y - px, c);
            else this.set(x + px, y + py, c);
          }
        }
      }
      pen += 12;
    }
  }
}

/** Width in pixels of a label drawn by {@link Canvas.text}. */
const textWidth = (s: string): number => s.length * 12 - 2;

const AXIS: Rgb = [0, 0, 0];
const GRID: Rgb = [225, 225, 225];
const INK: Rgb = [20, 90, 200];

function heat(t: number): Rgb {
  const v = Math.max(0, Math.min(1, t));
  return [
    Math.round(255 * Math.min(1, 1.8 * v)),
    Math.round(255 * Math.max(0, 1.6 * v - 0.5)),
    Math.round(255 * (v < 0.4 ? 0.3 + v : Math.max(0, 1.1 - 1.5 * v))),
  ];
}

const fmtHz = (hz: number): string => (hz >= 1000 ? `${hz / 1000}K` : `${hz}`);

/**
 * Renders a plot of mono samples to PNG bytes.
 *
 * @example writeFileSync('spec.png', renderPlot(samples, 48000, { kind: 'spectrum' }))
 */
export function renderPlot(
  samples: Float32Array | Float64Array,
  sampleRate: number,
  options: PlotOptions,
): Buffer {
  const W = options.width ?? 1000;
  const H = options.height ?? 500;
  const cv = new Canvas(W, H);
  const L = 80;
  const R = W - 20;
  const T = 36;
  const B = H - 50;
  const maxHz = Math.min(options.maxHz ?? 20000, sampleRate / 2);
  const minHz = 20;
  const xOfHz = (hz: number) => L + ((R - L) * Math.log(hz / minHz)) / Math.log(maxHz / minHz);
  const title = options.title ?? options.kind;
  cv.text(title, L, 10, AXIS);
  const freqAxisX = () => {
    for (const hz of [20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000]) {
      if (hz > maxHz) continue;
      const x = Math.round(xOfHz(hz));
      cv.vline(x, T, B, GRID);
      cv.vline(x, B, B + 5, AXIS);
      cv.text(fmtHz(hz), x - textWidth(fmtHz(hz)) / 2, B + 9, AXIS);
    }
    cv.text('FREQUENCY (HZ)', (L + R) / 2 - textWidth('FREQUENCY (HZ)') / 2, H - 18, AXIS);
  };
  if (options.kind === 'waveform') {
    const dur = samples.length / sampleRate;
    for (let k = 0; k <= 10; k++) {
      const x = Math.round(L + ((R - L) * k) / 10);
      cv.vline(x, T, B, GRID);
      const label = ((dur * k) / 10).toFixed(dur < 1 ? 2 : 1);
      cv.text(label, x - textWidth(label) / 2, B + 9, AXIS);
    }
    for (const a of [-1, -0.5, 0, 0.5, 1]) {
      const y = Math.round(T + ((B - T) * (1 - a)) / 2);
      cv.hline(y, L, R, GRID);
      cv.text(a.toFixed(1), L - 8 - textWidth(a.toFixed(1)), y - 7, AXIS);
    }
    for (let x = L; x <= R; x++) {
      const i0 = Math.floor(((x - L) / (R - L + 1)) * samples.length);
      const i1 = Math.max(i0 + 1, Math.floor(((x - L + 1) / (R - L + 1)) * samples.length));
      let lo = 1;
      let hi = -1;
      for (let i = i0; i < i1 && i < samples.length; i++) {
        lo = Math.min(lo, samples[i]!);
        hi = Math.max(hi, samples[i]!);
      }
      if (hi >= lo)
        cv.vline(x, Math.round(T + ((B - T) * (1 - hi)) / 2), Math.round(T + ((B - T) * (1 - lo)) / 2), INK);
    }
    cv.text('TIME (S)', (L + R) / 2 - textWidth('TIME (S)') / 2, H - 18, AXIS);
    cv.text('AMPLITUDE', 14, (T + B) / 2 + textWidth('AMPLITUDE') / 2, AXIS, true);
  } else if (options.kind === 'spectrum') {
    const size = powerOfTwoAtMost(Math.max(samples.length, 4096), 4096, 32768);
    const spec = averagedSpectrum(samples, sampleRate, size);
    const yOfDb = (db: number) => T + ((B - T) * -db) / 100;
    for (let db = 0; db >= -100; db -= 20) {
      cv.hline(Math.round(yOfDb(db)), L, R, GRID);
      cv.text(`${db}`, L - 8 - textWidth(`${db}`), Math.round(yOfDb(db)) - 7, AXIS);
    }
    freqAxisX();
    let prev = -1;
    for (let x = L; x <= R; x++) {
      const f0 = minHz * (maxHz / minHz) ** ((x - L) / (R - L));
      const f1 = minHz * (maxHz / minHz) ** ((x + 1 - L) / (R - L));
      let p = 0;
      for (
        let k = Math.floor((f0 * size) / sampleRate);
        k <= Math.ceil((f1 * size) / sampleRate) && k < spec.power.length;
        k++
      )
        p = Math.max(p, spec.power[k]!);
      const db = Math.max(-100, 20 * Math.log10((2 * Math.sqrt(p)) / spec.windowSum + 1e-12));
      const y = Math.round(yOfDb(db));
      if (prev >= 0) cv.vline(x, prev, y, INK);
      prev = y;
    }
    cv.text('LEVEL (DB)', 14, (T + B) / 2 + textWidth('LEVEL (DB)') / 2, AXIS, true);
  } else {
    const size = 2048;
    const fft = new FFT(size);
    const w = hann(size);
    let wsum = 0;
    for (const v of w) wsum += v;
    const frame = new Float64Array(size);
    const out = fft.createComplexArray() as number[];
    const cols = R - L + 1;
    for (let c = 0; c < cols; c++) {
      const start = Math.floor((c / cols) * Math.max(0, samples.length - size));
      for (let i = 0; i < size; i++) frame[i] = start + i < samples.length ? samples[start + i]! * w[i]! : 0;
      fft.realTransform(out, frame);
      for (let y = T; y <= B; y++) {
        const hz = minHz * (maxHz / minHz) ** ((B - y) / (B - T));
        const k = Math.min(size / 2, Math.round((hz * size) / sampleRate));
        const mag = (2 * Math.hypot(out[2 * k]!, out[2 * k + 1]!)) / wsum;
        cv.set(L + c, y, heat((20 * Math.log10(mag + 1e-12) + 100) / 100));
      }
    }
    for (const hz of [50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000]) {
      if (hz > maxHz) continue;
      const y = Math.round(B - ((B - T) * Math.log(hz / minHz)) / Math.log(maxHz / minHz));
      cv.hline(y, L - 5, L, AXIS);
      cv.text(fmtHz(hz), L - 8 - textWidth(fmtHz(hz)), y - 7, AXIS);
    }
    const dur = samples.length / sampleRate;
    for (let k = 0; k <= 10; k += 2) {
      const x = Math.round(L + ((R - L) * k) / 10);
      const label = ((dur * k) / 10).toFixed(1);
      cv.vline(x, B, B + 5, AXIS);
      cv.text(label, x - textWidth(label) / 2, B + 9, AXIS);
    }
    cv.text('TIME (S)', (L + R) / 2 - textWidth('TIME (S)') / 2, H - 18, AXIS);
    cv.text('FREQUENCY (HZ)', 14, (T + B) / 2 + textWidth('FREQUENCY (HZ)') / 2, AXIS, true);
  }
  cv.vline(L, T, B, AXIS);
  cv.hline(B, L, R, AXIS);
  return PNG.sync.write(cv.png);
}
