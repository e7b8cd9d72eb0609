/**
 * PNG plots of audio for `omnisonic analyze --plot`: spectrum (log-frequency, dB), spectrogram
 * (log-frequency, colour = dB) or waveform, with labelled axes drawn in a small built-in 5x7
 * bitmap font. Returns the PNG bytes; the caller writes the file (atomically).
 */

import { PNG } from 'pngjs';
import { averagedSpectrum, powerOfTwoAtMost } from '../harmony/analysis/spectrum.js';
import { AXIS, Canvas, fmtHz, GRID, INK, labelX, textWidth } from './plot-canvas.js';
import { drawSpectrogram } from './spectrogram.js';

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
      cv.text(fmtHz(hz), labelX(fmtHz(hz), x, W), B + 9, AXIS);
    }
    cv.text('Frequency (Hz)', (L + R) / 2 - textWidth('Frequency (Hz)') / 2, H - 18, AXIS);
  };
  if (options.kind === 'waveform') {
    const dur = samples.length / sampleRate;
    for (let k = 0; k <= 10; k++) {
      const x = Math.round(L + ((R - L) * k) / 10);
      cv.vline(x, T, B, GRID);
      const label = ((dur * k) / 10).toFixed(dur < 1 ? 2 : 1);
      cv.text(label, labelX(label, x, W), B + 9, AXIS);
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
    cv.text('Time (s)', (L + R) / 2 - textWidth('Time (s)') / 2, H - 18, AXIS);
    cv.text('Amplitude', 14, (T + B) / 2 + textWidth('Amplitude') / 2, AXIS, true);
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
    cv.text('Level (dB)', 14, (T + B) / 2 + textWidth('Level (dB)') / 2, AXIS, true);
  } else {
    drawSpectrogram(cv, samples, sampleRate, { L, R: W - 110, T, B, minHz, maxHz });
    cv.vline(L, T, B, AXIS);
    cv.hline(B, L, W - 110, AXIS);
    return PNG.sync.write(cv.png);
  }
  cv.vline(L, T, B, AXIS);
  cv.hline(B, L, R, AXIS);
  return PNG.sync.write(cv.png);
}
