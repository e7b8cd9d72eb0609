import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/render/engine.js';
import { type AudioFrame, Client, sleep, startServer, type TestServer } from './server.js';

const SR = 48000;
const TONE = { type: 'tone', id: 'a', freq: 440, gain: 0.5 };

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.close();
});

async function started(msg: Record<string, unknown>, format: 'f32' | 's16' = 'f32'): Promise<Client> {
  const c = new Client(server.wsUrl);
  c.format = format;
  await c.opened();
  c.send({ type: 'start', ...msg });
  await c.next('started');
  return c;
}

/** Channel `ch` of the received frames as one array, checking that the frames are contiguous. */
function channel(frames: AudioFrame[], channels: number, ch: number): Float64Array {
  const total = frames.reduce((n, f) => n + f.frames, 0);
  const out = new Float64Array(total);
  let pos = 0;
  for (const f of frames) {
    expect(f.first).toBe(pos);
    for (let i = 0; i < f.frames; i++) out[pos + i] = f.samples[i * channels + ch]!;
    pos += f.frames;
  }
  return out;
}

describe('WebSocket /ws/audio-stream/ protocol', () => {
  it('answers start with the session format and paces audio in real time', async () => {
    const c = await started({
      scene: { layers: [TONE] },
      audio: { blockSize: 480 },
      viz: false,
      latency: 50,
    });
    const s = c.json.find((m) => m.type === 'started')!;
    expect(s).toMatchObject({ sampleRate: SR, channels: 2, format: 'f32', blockSize: 480, latency: 50 });
    expect(typeof s.session).toBe('string');
    const t0 = s.at;
    await sleep(3000);
    c.close();
    // at most the lookahead (plus one block) arrives at once
    const early = c.audio.filter((f) => f.at - t0 < 5).reduce((n, f) => n + f.frames, 0);
    expect(early).toBeLessThanOrEqual(0.05 * SR + 480);
    // from 1 s to 3 s after start: 2 s of audio, within 5 %
    const inWindow = c.audio
      .filter((f) => f.at - t0 >= 1000 && f.at - t0 < 3000)
      .reduce((n, f) => n + f.frames, 0);
    expect(inWindow / (2 * SR)).toBeGreaterThan(0.95);
    expect(inWindow / (2 * SR)).toBeLessThan(1.05);
    channel(c.audio, 2, 0); // contiguous
    c.audio.forEach((f, i) => {
      expect(f.seq).toBe(i);
      expect(f.samples.length).toBe(f.frames * 2);
    });
  });

  it('acks a set with the frame where it applies; audio before it is untouched', async () => {
    const layers = [TONE];
    const c = await started({ scene: { layers }, audio: { blockSize: 256, channels: 1 }, viz: false });
    await sleep(300);
    c.send({ type: 'set', layer: 'a', params: { gain: 0.05 }, seq: 7 });
    const ack = await c.next('ack');
    expect(ack.seq).toBe(7);
    const frame = ack.frame as number;
    await c.until(
      () => c.audio.reduce((n, f) => n + f.frames, 0) > frame + SR / 10,
      3000,
      'audio after the set',
    );
    c.close();
    // the set applies from the first block rendered after it arrived: a block boundary
    expect(c.audio.some((f) => f.first === frame)).toBe(true);
    const got = channel(c.audio, 1, 0);
    const ref = new Engine({
      sampleRate: SR,
      duration: Number.POSITIVE_INFINITY,
      layers: [{ ...TONE, type: 'tone' }],
      master: {},
      channels: 1,
    });
    const want = new Float64Array(got.length);
    for (let pos = 0; pos < got.length; pos += 256)
      ref.render([want.subarray(pos)], Math.min(256, got.length - pos));
    let firstDiff = -1;
    for (let i = 0; i < got.length; i++) {
      if (Math.abs(got[i]! - want[i]!) > 1e-5) {
        firstDiff = i;
        break;
      }
    }
    expect(firstDiff).toBeGreaterThanOrEqual(frame);
    expect(firstDiff).toBeLessThan(frame + 12);
    // 10 ms later the new gain holds (centre pan of a mono render: no pan law)
    const after = got.subarray(frame + 480, frame + 480 + 4800);
    const peak = after.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(peak).toBeGreaterThan(0.045);
    expect(peak).toBeLessThan(0.055);
  });

  it('keeps frames contiguous and smooth across frequency, gain, pan and beat changes', async () => {
    const c = await started({ scene: { layers: [TONE] }, audio: { blockSize: 128 }, viz: false });
    const changes = [
      { freq: 1000 },
      { gain: 0.1 },
      { pan: -1 },
      { freq: 'A3', gain: '-3dB' },
      { beat: 10 },
      { pan: 1, freq: 2000 },
    ];
    for (const [i, params] of changes.entries()) {
      await sleep(150);
      c.send({ type: 'set', layer: 0, params, seq: i });
    }
    await sleep(300);
    c.close();
    expect(c.json.filter((m) => m.type === 'ack').map((m) => m.seq)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(c.json.filter((m) => m.type === 'error')).toEqual([]);
    // the steepest a sine of these frequencies and gains can move between two samples, plus 20 %
    const gainMax = 10 ** (-3 / 20);
    const bound = ((2 * Math.PI * 2005) / SR) * gainMax * 1.2;
    for (const ch of [0, 1]) {
      const x = channel(c.audio, 2, ch);
      let worst = 0;
      for (let i = 1; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i]! - x[i - 1]!));
      expect(worst).toBeLessThan(bound);
      expect(x.every((v) => Number.isFinite(v) && Math.abs(v) <= 1)).toBe(true);
    }
  });

  it('sends viz frames at the requested rate with levels and a log-spaced spectrum', async () => {
    const c = await started({
      scene: { layers: [{ type: 'tone', freq: 1000, gain: 0.5 }] },
      audio: false,
      viz: { fps: 20, bins: 48 },
    });
    await sleep(2100);
    c.close();
    const viz = c.json.filter((m) => m.type === 'viz') as unknown as Array<{
      frame: number;
      rms: number[];
      peak: number[];
      spectrum: number[];
      freqs: number[];
    }>;
    expect(c.audio).toHaveLength(0);
    // about 2 s + the lookahead of summaries at 20 a second
    expect(viz.length).toBeGreaterThanOrEqual(38);
    expect(viz.length).toBeLessThanOrEqual(44);
    for (let i = 1; i < viz.length; i++)
      expect(Math.abs(viz[i]!.frame - viz[i - 1]!.frame - SR / 20)).toBeLessThanOrEqual(512);
    const v = viz.at(-1)!;
    expect(v.spectrum).toHaveLength(48);
    expect(v.freqs).toHaveLength(48);
    expect(v.freqs[0]).toBeGreaterThan(20);
    expect(v.freqs.at(-1)).toBeLessThan(20000);
    for (let i = 1; i < 48; i++)
      expect(v.freqs[i]! / v.freqs[i - 1]!).toBeCloseTo(v.freqs[1]! / v.freqs[0]!, 2);
    const k = v.spectrum.indexOf(Math.max(...v.spectrum));
    expect(Math.abs(Math.log2(v.freqs[k]! / 1000))).toBeLessThan(0.15);
    // a sine of amplitude 0.5 * 0.707 (centre pan, stereo): peak -9 dBFS, rms = peak / sqrt 2
    expect(v.spectrum[k]).toBeGreaterThan(-10.5);
    expect(v.spectrum[k]).toBeLessThan(-7.5);
    expect(v.peak[0]).toBeCloseTo(0.5 * Math.SQRT1_2, 2);
    expect(v.rms[0]).toBeCloseTo(0.5 * 0.5, 2);
  });

  it('streams s16 frames that match f32 within dither', async () => {
    const c = await started(
      { scene: { layers: [TONE] }, audio: { format: 's16', channels: 1 }, viz: false },
      's16',
    );
    await sleep(300);
    c.close();
    expect(c.json.find((m) => m.type === 'started')).toMatchObject({ format: 's16', channels: 1 });
    const x = channel(c.audio, 1, 0);
    const ref = new Engine({
      sampleRate: SR,
      duration: Number.POSITIVE_INFINITY,
      layers: [{ ...TONE, type: 'tone' }],
      master: {},
      channels: 1,
    });
    const want = new Float64Array(x.length);
    ref.render([want], x.length);
    let worst = 0;
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i]! - want[i]! * 32767));
    expect(worst).toBeLessThanOrEqual(2);
  });

  it('adds and removes layers, plays MIDI notes, and stops with a fade', async () => {
    const c = await started({
      scene: { layers: [TONE] },
      audio: { channels: 1 },
      viz: { fps: 30, bins: 96 },
    });
    c.send({ type: 'add', layer: { type: 'noise', id: 'n', color: 'pink', gain: 0.05 }, seq: 'x' });
    expect(await c.next('added')).toMatchObject({ seq: 'x', layer: 'n', index: 1 });
    c.send({ type: 'remove', layer: 'n' });
    await c.next('removed');
    c.send({ type: 'set', layer: 'a', params: { gain: 0 } });
    c.send({ type: 'midi', data: [0x90, 84, 120] }); // C6, 1046.5 Hz
    const mark = c.json.length;
    await sleep(400);
    const viz = c.json
      .slice(mark)
      .filter((m) => m.type === 'viz')
      .at(-1) as unknown as { spectrum: number[]; freqs: number[] };
    const k = viz.spectrum.indexOf(Math.max(...viz.spectrum));
    expect(Math.abs(Math.log2(viz.freqs[k]! / 1046.5))).toBeLessThan(0.1);
    expect(viz.spectrum[k]).toBeGreaterThan(-40);
    c.send({ type: 'stop' });
    const stopped = await c.next('stopped');
    c.close();
    const x = channel(c.audio, 1, 0);
    expect(x.length).toBe(stopped.frame);
    expect(Math.abs(x[x.length - 1]!)).toBeLessThan(0.01);
    expect(c.json.filter((m) => m.type === 'error')).toEqual([]);
  });
});
