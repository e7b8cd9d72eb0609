import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AudioFrame, Client, startServer, type TestServer } from './server.js';

const SR = 48000;
const SILENT = { type: 'tone', id: 'a', freq: 440, gain: 0 };

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.close();
});

async function started(msg: Record<string, unknown>): Promise<Client> {
  const c = new Client(server.wsUrl);
  await c.opened();
  c.send({ type: 'start', viz: false, ...msg });
  await c.next('started');
  return c;
}

/** Largest absolute sample of the frames that start at or after `from`. */
function peakFrom(frames: AudioFrame[], from: number): number {
  let peak = 0;
  for (const f of frames) {
    if (f.first < from) continue;
    for (const v of f.samples) peak = Math.max(peak, Math.abs(v));
  }
  return peak;
}

const framesSoFar = (c: Client): number => c.audio.reduce((n, f) => n + f.frames, 0);

/** Sum a numeric field over messages of `type`. */
const total = (c: Client, type: string, field: string): number =>
  c.json.filter((m) => m.type === type).reduce((n, m) => n + ((m[field] as number | undefined) ?? 0), 0);

describe('WebSocket flow control', () => {
  it('never drops a note-off behind a flood of pitch bends: the note ends', async () => {
    const c = await started({ scene: { layers: [SILENT] }, audio: { channels: 1 } });
    c.send({ type: 'midi', data: [0x90, 69, 110] });
    const on = framesSoFar(c);
    await c.until(() => framesSoFar(c) > on + 0.2 * SR, 5000, 'audio of the note');
    for (let i = 0; i < 600; i++) c.send({ type: 'midi', data: [0xe0, i % 128, 64 + (i % 8)] });
    c.send({ type: 'midi', data: [0x80, 69, 0] });
    const from = c.json.length;
    c.send({ type: 'ping', t: 'after' });
    await c.until(
      () => c.json.slice(from).some((m) => m.type === 'pong' && m.t === 'after'),
      5000,
      'the pong behind the flood',
    );
    const mark = framesSoFar(c);
    // the note sounded, then the 150 ms release ran out: 0.4 s later the output is silent
    await c.until(() => framesSoFar(c) > mark + 0.4 * SR, 5000, 'audio after the release');
    c.close();
    expect(peakFrom(c.audio, 0)).toBeGreaterThan(0.05);
    expect(peakFrom(c.audio, mark + 0.3 * SR)).toBe(0);
    // the bends past the budget were coalesced and reported, none dropped
    const errors = c.json.filter((m) => m.type === 'error');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((m) => m.code === 'RATE_LIMITED')).toBe(true);
    expect(total(c, 'error', 'dropped')).toBe(0);
    expect(total(c, 'error', 'coalesced')).toBeGreaterThan(0);
  });

  it('answers 1000 pings: pongs plus the pings they stand for add up to 1000', async () => {
    const c = await started({ scene: { layers: [SILENT] } });
    for (let i = 0; i < 1000; i++) c.send({ type: 'ping', t: i });
    const answered = (): number =>
      c.json.filter((m) => m.type === 'pong').reduce((n, m) => n + ((m.pings as number | undefined) ?? 1), 0);
    await c.until(() => answered() >= 1000, 5000, 'every ping answered');
    // every coalesced ping is counted in an error (reported at most once a second)
    const pongs = c.json.filter((m) => m.type === 'pong');
    const folded = pongs.reduce((n, m) => n + ((m.pings as number | undefined) ?? 1) - 1, 0);
    await c.until(() => total(c, 'error', 'coalesced') >= folded, 3000, 'the report of every coalesced ping');
    c.close();
    expect(answered()).toBe(1000);
    expect(folded).toBeGreaterThan(0);
    expect(total(c, 'error', 'coalesced')).toBe(folded);
    expect(total(c, 'error', 'dropped')).toBe(0);
    expect(pongs.at(-1)!.t).toBe(999);
    // pongs answer in order
    const ts = pongs.map((m) => m.t as number);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
  });

  it('coalesces a flood of sets into the last value of each parameter; stop and remove are never dropped', async () => {
    const c = await started({
      scene: {
        layers: [
          { type: 'tone', id: 'a', freq: 440, gain: 0.5 },
          { ...SILENT, id: 'b' },
        ],
      },
      audio: { channels: 1 },
    });
    for (let i = 0; i < 1000; i++)
      c.send({ type: 'set', layer: 'a', params: { freq: 200 + i, gain: 0.2 + (i % 5) / 100 }, seq: i });
    c.send({ type: 'set', layer: 'a', params: { gain: 0.25 }, seq: 'gain' });
    for (let i = 0; i < 300; i++) c.send({ type: 'midi', data: [0x90, 60, 0] });
    c.send({ type: 'remove', layer: 1, seq: 'rm' });
    await c.next('removed');
    await c.until(() => c.json.some((m) => m.type === 'ack' && m.seq === 999), 5000, 'the last freq ack');
    const ack = c.json.find((m) => m.type === 'ack' && m.seq === 'gain')!;
    expect(ack).toBeDefined();
    const start = (ack.frame as number) + 0.05 * SR;
    await c.until(() => framesSoFar(c) > start + 0.2 * SR, 5000, 'audio after the sets');
    // the last freq (1199 Hz) and the last gain (0.25) hold: count the zero crossings
    const x: number[] = [];
    for (const f of c.audio)
      for (let i = 0; i < f.frames; i++) if (f.first + i >= start) x.push(f.samples[i]!);
    const win = x.slice(0, 0.2 * SR);
    let crossings = 0;
    for (let i = 1; i < win.length; i++) if (win[i - 1]! < 0 && win[i]! >= 0) crossings++;
    expect(Math.abs(crossings - 1199 * 0.2)).toBeLessThanOrEqual(2);
    const peak = win.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(peak).toBeGreaterThan(0.24);
    expect(peak).toBeLessThan(0.26);
    // every set is acked or counted as coalesced; the note-offs are never dropped either
    const acked = new Set(c.json.filter((m) => m.type === 'ack').map((m) => m.seq)).size;
    await c.until(() => acked + total(c, 'error', 'coalesced') >= 1001, 3000, 'the report');
    expect(acked + total(c, 'error', 'coalesced')).toBe(1001);
    expect(total(c, 'error', 'dropped')).toBe(0);
    for (let i = 0; i < 500; i++) c.send({ type: 'ping', t: i });
    c.send({ type: 'stop' });
    await c.next('stopped');
    c.close();
  });
});
