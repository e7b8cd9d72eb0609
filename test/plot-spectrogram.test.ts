import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { renderPlot } from '../src/io/plot.js';

const SR = 48000;
const W = 1000;
const H = 500;
// the plot area of renderPlot's spectrogram (see src/io/plot.ts)
const L = 80;
const R = W - 110;
const T = 36;
const B = H - 50;
const yOf = (hz: number) => Math.round(B - ((B - T) * Math.log(hz / 20)) / Math.log(20000 / 20));

/** C4, E4 and G4 at -12 dBFS each, `seconds` long. */
function chord(seconds: number): Float64Array {
  const x = new Float64Array(seconds * SR);
  for (const f of [261.63, 329.63, 392.0])
    for (let i = 0; i < x.length; i++) x[i]! += 0.25 * Math.sin((2 * Math.PI * f * i) / SR);
  return x;
}

/** Brightness of a heat-scale pixel: red plus green grow with the level. */
function level(png: PNG, x: number, y: number): number {
  const i = (y * png.width + x) * 4;
  return png.data[i]! + png.data[i + 1]!;
}

describe('spectrogram PNG', () => {
  const png = PNG.sync.read(renderPlot(chord(3), SR, { kind: 'spectrogram', width: W, height: H }));

  it('separates C4, E4 and G4 into three bands with darker rows between them', () => {
    const x = Math.round((L + R) / 2);
    const notes = [261.63, 329.63, 392.0];
    const peaks = notes.map((f) => Math.max(...[-1, 0, 1].map((d) => level(png, x, yOf(f) + d))));
    const gaps = [Math.sqrt(261.63 * 329.63), Math.sqrt(329.63 * 392.0)].map((f) => level(png, x, yOf(f)));
    for (const p of peaks) for (const g of gaps) expect(p).toBeGreaterThan(g + 120);
    // and the bands hold across time (every tenth column)
    for (let c = L + 20; c < R - 20; c += Math.round((R - L) / 10)) {
      for (const f of notes) {
        const here = Math.max(...[-1, 0, 1].map((d) => level(png, c, yOf(f) + d)));
        expect(here).toBeGreaterThan(level(png, c, yOf(Math.sqrt(261.63 * 329.63))) + 120);
      }
    }
  });

  it('has no blocks below 1 kHz: the rows around a low tone vary smoothly', () => {
    // a 150 Hz tone: the rows from 120 to 180 Hz (its main lobe and skirts) change level row by
    // row; the nearest bin of a short FFT would repeat rows in steps
    const low = new Float64Array(2 * SR).map((_, i) => 0.5 * Math.sin((2 * Math.PI * 150 * i) / SR));
    const png = PNG.sync.read(renderPlot(low, SR, { kind: 'spectrogram', width: W, height: H }));
    const x = Math.round((L + R) / 2);
    let equalRuns = 0;
    for (let y = yOf(180); y < yOf(120); y++) if (level(png, x, y) === level(png, x, y + 1)) equalRuns++;
    expect(equalRuns).toBeLessThan((yOf(120) - yOf(180)) / 2);
  });

  it('draws a colour bar from loud (top) to quiet (bottom) right of the plot', () => {
    // the bar: columns right of the plot whose top is brighter than their bottom, the full height
    let bars = 0;
    for (let x = R + 5; x < W; x++) {
      const top = level(png, x, T + 2);
      const bottom = level(png, x, B - 2);
      const mid = level(png, x, Math.round((T + B) / 2));
      if (top > mid && mid > bottom && top - bottom > 300) bars++;
    }
    expect(bars).toBeGreaterThanOrEqual(10);
  });

  it('keeps every label inside the image: no ink on the last column or row', () => {
    // 100 s: the last time tick reads 100.0, wider than the margin right of the plot
    const long = new Float64Array(100 * 8000).map((_, i) => 0.5 * Math.sin(i / 10));
    const wide = PNG.sync.read(renderPlot(long, 8000, { kind: 'spectrogram', width: W, height: H }));
    for (const img of [png, wide]) expect(lastColumnAndRowBlank(img)).toBe(true);
  });
});

function lastColumnAndRowBlank(png: PNG): boolean {
  for (let y = 0; y < H; y++) {
    const i = (y * W + W - 1) * 4;
    if (png.data[i]! + png.data[i + 1]! + png.data[i + 2]! !== 765) return false;
  }
  for (let x = 0; x < W; x++) {
    const i = ((H - 1) * W + x) * 4;
    if (png.data[i]! + png.data[i + 1]! + png.data[i + 2]! !== 765) return false;
  }
  return true;
}
