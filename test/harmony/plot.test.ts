import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { renderPlot } from '../../src/io/plot.js';
import { sine } from './synth.js';

const SR = 48000;

describe('PNG plots', () => {
  const x = sine(1000, 0.5, SR, 1);

  for (const kind of ['spectrum', 'spectrogram', 'waveform'] as const) {
    it(`renders a ${kind} PNG with ink inside the plot area`, () => {
      const png = PNG.sync.read(renderPlot(x, SR, { kind, width: 640, height: 360 }));
      expect(png.width).toBe(640);
      expect(png.height).toBe(360);
      let nonWhite = 0;
      for (let i = 0; i < png.data.length; i += 4)
        if (png.data[i]! < 250 || png.data[i + 2]! < 250) nonWhite++;
      expect(nonWhite).toBeGreaterThan(2000);
    });
  }

  it('puts the spectrum peak of a 1 kHz tone at the 1 kHz tick', () => {
    const W = 800;
    const png = PNG.sync.read(renderPlot(x, SR, { kind: 'spectrum', width: W, height: 400 }));
    // The highest blue pixel (smallest y) marks the peak; its column should match log-frequency 1 kHz.
    let best = { x: -1, y: Number.POSITIVE_INFINITY };
    for (let py = 0; py < 400; py++) {
      for (let px = 81; px < W - 20; px++) {
        const i = (py * W + px) * 4;
        if (png.data[i] === 20 && png.data[i + 1] === 90 && png.data[i + 2] === 200 && py < best.y)
          best = { x: px, y: py };
      }
    }
    const expected = 80 + ((W - 20 - 80) * Math.log(1000 / 20)) / Math.log(20000 / 20);
    expect(Math.abs(best.x - expected)).toBeLessThanOrEqual(3);
  });
});
