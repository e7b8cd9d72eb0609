/**
 * The spectrogram of `analyze --plot-kind spectrogram`: time across, log frequency up, level as
 * colour, with a colour bar in dB. On a log axis one row spans a fixed fraction of an octave, so
 * low notes need long windows to be told apart: each band of rows is read from its own FFT size
 * (16384 samples below 500 Hz at 48 kHz, down to 2048 above 4 kHz: about 3 Hz per bin where
 * semitones are 15 Hz apart), and each row interpolates between the two bins around its
 * frequency instead of taking the nearest, so no blocks appear where rows outnumber bins.
 */
import FFT from 'fft.js';
import { hann } from '../harmony/analysis/spectrum.js';
import { AXIS, type Canvas, fmtHz, heat, labelX, textWidth } from './plot-canvas.js';

/** The plot area and the frequency range of the rows. */
export interface SpectrogramArea {
  L: number;
  R: number;
  T: number;
  B: number;
  minHz: number;
  maxHz: number;
}

/** Lowest level of the colour scale, dB below full scale (the scale's top is 0 dBFS). */
const FLOOR_DB = -100;

/** A window length: about 0.34 s at 48 kHz below 500 Hz, shorter above (time detail). */
function sizeFor(hz: number, sampleRate: number): number {
  const seconds = hz < 500 ? 0.34 : hz < 1500 ? 0.17 : hz < 4000 ? 0.085 : 0.043;
  let n = 1024;
  while (n < seconds * sampleRate && n < 32768) n *= 2;
  return n;
}

interface Band {
  size: number;
  fft: FFT;
  window: Float64Array;
  windowSum: number;
  frame: Float64Array;
  out: number[];
  /** Centre (sample) of the spectrum in `out`; a new one is taken after size / 8 samples. */
  centre: number;
}

function band(size: number): Band {
  const fft = new FFT(size);
  const window = hann(size);
  let windowSum = 0;
  for (const v of window) windowSum += v;
  return {
    size,
    fft,
    window,
    windowSum,
    frame: new Float64Array(size),
    out: fft.createComplexArray() as number[],
    centre: Number.NEGATIVE_INFINITY,
  };
}

/**
 * The spectrum of the window of `b.size` samples centred on `centre` (kept when the last one is
 * less than size / 8 away: the window's own time resolution).
 */
function analyse(b: Band, samples: Float32Array | Float64Array, centre: number): void {
  if (Math.abs(centre - b.centre) < b.size / 8) return;
  b.centre = centre;
  const start = centre - b.size / 2;
  for (let i = 0; i < b.size; i++) {
    const j = start + i;
    b.frame[i] = j >= 0 && j < samples.length ? samples[j]! * b.window[i]! : 0;
  }
  b.fft.realTransform(b.out, b.frame);
}

/** Level of bin `k` of the band's spectrum, dBFS. */
function binDb(b: Band, k: number): number {
  const mag = (2 * Math.hypot(b.out[2 * k]!, b.out[2 * k + 1]!)) / b.windowSum;
  return 20 * Math.log10(mag + 1e-12);
}

/** Draws the spectrogram into `a` of `cv`, its frequency and time axes, and the colour bar. */
export function drawSpectrogram(
  cv: Canvas,
  samples: Float32Array | Float64Array,
  sampleRate: number,
  a: SpectrogramArea,
): void {
  const { L, R, T, B, minHz, maxHz } = a;
  const rows = B - T + 1;
  const rowHz = Array.from({ length: rows }, (_, r) => minHz * (maxHz / minHz) ** (r / (rows - 1)));
  const bands = new Map<number, Band>();
  const rowBand = rowHz.map((hz) => {
    const size = sizeFor(hz, sampleRate);
    if (!bands.has(size)) bands.set(size, band(size));
    return bands.get(size)!;
  });
  const cols = R - L + 1;
  for (let c = 0; c < cols; c++) {
    const centre = Math.round(((c + 0.5) / cols) * samples.length);
    for (const b of bands.values()) analyse(b, samples, centre);
    for (let r = 0; r < rows; r++) {
      const b = rowBand[r]!;
      const pos = (rowHz[r]! * b.size) / sampleRate;
      const k = Math.min(b.size / 2 - 1, Math.floor(pos));
      const f = Math.min(1, pos - k);
      const db = binDb(b, k) * (1 - f) + binDb(b, k + 1) * f;
      cv.set(L + c, B - r, heat((db - FLOOR_DB) / -FLOOR_DB));
    }
  }
  // frequency ticks
  for (const hz of [50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000]) {
    if (hz > maxHz) continue;
    const y = Math.round(B - ((B - T) * Math.log(hz / minHz)) / Math.log(maxHz / minHz));
    cv.hline(y, L - 5, L, AXIS);
    cv.text(fmtHz(hz), L - 8 - textWidth(fmtHz(hz)), y - 7, AXIS);
  }
  // time ticks: the last one kept inside the plot's right edge
  const dur = samples.length / sampleRate;
  for (let k = 0; k <= 10; k += 2) {
    const x = Math.round(L + ((R - L) * k) / 10);
    const label = ((dur * k) / 10).toFixed(1);
    cv.vline(x, B, B + 5, AXIS);
    cv.text(label, labelX(label, x, R + 20), B + 9, AXIS);
  }
  cv.text('Time (s)', (L + R) / 2 - textWidth('Time (s)') / 2, cv.height - 18, AXIS);
  cv.text('Frequency (Hz)', 14, (T + B) / 2 + textWidth('Frequency (Hz)') / 2, AXIS, true);
  colourBar(cv, R + 24, T, B);
}

/** The colour scale: 0 dBFS at the top, {@link FLOOR_DB} at the bottom, labelled every 20 dB. */
function colourBar(cv: Canvas, x: number, T: number, B: number): void {
  const w = 14;
  for (let y = T; y <= B; y++) {
    const colour = heat((B - y) / (B - T));
    cv.hline(y, x, x + w, colour);
  }
  cv.vline(x - 1, T, B, AXIS);
  cv.vline(x + w + 1, T, B, AXIS);
  for (let db = 0; db >= FLOOR_DB; db -= 20) {
    const y = Math.round(T + ((B - T) * db) / FLOOR_DB);
    cv.hline(y, x + w + 1, x + w + 5, AXIS);
    cv.text(`${db}`, x + w + 8, y - 7, AXIS);
  }
  cv.text('dB', x, T - 22, AXIS);
}
