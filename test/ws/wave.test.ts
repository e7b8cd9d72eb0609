import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, sleep, startServer, type TestServer } from './server.js';

const SR = 48000;
const F = 440;
const GAIN = 0.5;

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.close();
});

describe('waveform changes in a live session', () => {
  it('crossfades a wave change: no step around the ack frame beyond the waves own slope', async () => {
    const c = new Client(server.wsUrl);
    await c.opened();
    c.send({
      type: 'start',
      scene: { layers: [{ type: 'tone', id: 'a', freq: F, gain: GAIN }] },
      audio: { channels: 1, blockSize: 256 },
      viz: false,
    });
    await c.next('started');
    const waves = ['triangle', 'sine', 'triangle', 'sine', 'triangle', 'sine', 'triangle', 'sine'];
    for (const [i, wave] of waves.entries()) {
      await sleep(60 + 17 * i); // land the changes at different phases of the tone
      c.send({ type: 'set', layer: 'a', params: { wave }, seq: i });
    }
    await c.until(() => c.json.filter((m) => m.type === 'ack').length === waves.length, 5000, 'the acks');
    const acks = c.json.filter((m) => m.type === 'ack').map((m) => m.frame as number);
    const end = Math.max(...acks) + 0.05 * SR;
    await c.until(() => c.audio.reduce((n, f) => n + f.frames, 0) > end, 5000, 'audio after the last change');
    c.close();
    const x: number[] = [];
    for (const f of c.audio) {
      expect(f.first).toBe(x.length);
      for (let i = 0; i < f.frames; i++) x.push(f.samples[i]!);
    }
    // a sine of amplitude 0.5 moves at most 2 pi f / sr * 0.5 = 0.029 a sample; a triangle less
    const slope = ((2 * Math.PI * F) / SR) * GAIN;
    for (const frame of acks) {
      let worst = 0;
      for (let i = frame - 64; i < frame + 0.02 * SR; i++)
        worst = Math.max(worst, Math.abs(x[i]! - x[i - 1]!));
      expect(worst).toBeLessThan(slope * 1.2);
    }
    // after the change the wave is the new one: a triangle peaks at the same 0.5 (band-limited)
    const tail = x.slice(acks.at(-2)! + 0.01 * SR, acks.at(-1)!);
    const peak = tail.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(peak).toBeGreaterThan(0.45);
    // a sine and a triangle of the same peak differ in RMS: 0.354 against 0.289
    const rms = Math.sqrt(tail.reduce((s, v) => s + v * v, 0) / tail.length);
    expect(rms).toBeLessThan(0.31);
  });
});
