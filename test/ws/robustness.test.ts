import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Client, sleep, startServer, type TestServer } from './server.js';

const TONE = { type: 'tone', id: 'a', freq: 440 };

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ maxSessions: 100 });
});
afterAll(async () => {
  await server.close();
});

async function errorFor(c: Client, msg: unknown): Promise<Record<string, unknown>> {
  const from = c.json.length;
  c.send(msg);
  return c.next('error', from);
}

describe('WebSocket sessions under bad input and load', () => {
  it('answers bad messages with an error and keeps the session open', async () => {
    const c = new Client(server.wsUrl);
    await c.opened();
    expect(await errorFor(c, 'not json')).toMatchObject({ code: 'BAD_MESSAGE' });
    expect(await errorFor(c, { type: 'dance' })).toMatchObject({ code: 'BAD_MESSAGE' });
    expect(await errorFor(c, [1, 2])).toMatchObject({ code: 'BAD_MESSAGE' });
    expect(await errorFor(c, { type: 'set', layer: 0, params: { freq: 500 } })).toMatchObject({
      code: 'BAD_MESSAGE',
    });
    expect(
      await errorFor(c, { type: 'start', scene: { layers: [{ type: 'tone', freq: -5 }] } }),
    ).toMatchObject({
      code: 'BAD_FREQUENCY',
      field: 'scene.layers[0].freq',
    });
    expect(
      await errorFor(c, { type: 'start', scene: { layers: [{ type: 'file', path: '/etc/passwd' }] } }),
    ).toMatchObject({
      code: 'BAD_VALUE',
    });
    expect(
      await errorFor(c, { type: 'start', scene: { layers: [TONE] }, audio: { blockSize: 7 } }),
    ).toMatchObject({
      code: 'BAD_VALUE',
      field: 'audio.blockSize',
    });
    expect(await errorFor(c, { type: 'start', preset: 'no-such-preset' })).toMatchObject({
      code: 'NOT_FOUND',
    });
    c.send({ type: 'start', scene: { layers: [TONE] }, viz: false });
    await c.next('started');
    expect(await errorFor(c, { type: 'set', layer: 0, params: { freq: 30000 } })).toMatchObject({
      code: 'BAD_FREQUENCY',
    });
    expect(await errorFor(c, { type: 'set', layer: 0, params: { wave: 'kazoo' } })).toMatchObject({
      code: 'BAD_WAVEFORM',
    });
    expect(await errorFor(c, { type: 'set', layer: 9, params: { gain: 0.1 } })).toMatchObject({
      code: 'BAD_VALUE',
    });
    expect(await errorFor(c, { type: 'set', layer: 0, params: { volume: 1 } })).toMatchObject({
      code: 'BAD_VALUE',
    });
    expect(await errorFor(c, { type: 'midi', data: [60, 1] })).toMatchObject({ code: 'BAD_VALUE' });
    // a parameter the layer lacks rejects the whole set: nothing changes, no ack
    expect(await errorFor(c, { type: 'set', layer: 0, params: { freq: 500, color: 'pink' } })).toMatchObject({
      code: 'BAD_VALUE',
      field: 'params.color',
    });
    expect(c.json.some((m) => m.type === 'ack')).toBe(false);
    const from = c.json.length;
    c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await c.next('error', from)).toMatchObject({ code: 'BAD_MESSAGE' });
    // still alive: audio flows, ping answers
    const frames = c.audio.length;
    c.send({ type: 'ping', t: 42 });
    expect(await c.next('pong')).toMatchObject({ t: 42 });
    await c.until(() => c.audio.length > frames + 5, 2000, 'more audio');
    expect(c.closed).toBeNull();
    c.close();
  });

  it('rate-limits a flood of messages without closing the session', async () => {
    const c = new Client(server.wsUrl);
    await c.opened();
    c.send({ type: 'start', scene: { layers: [TONE] }, viz: false });
    await c.next('started');
    for (let i = 0; i < 2000; i++)
      c.send({ type: 'set', layer: 0, params: { gain: 0.1 + (i % 10) / 100 }, seq: i });
    const err = await c.next('error');
    expect(err.code).toBe('RATE_LIMITED');
    const acks = c.json.filter((m) => m.type === 'ack').length;
    expect(acks).toBeLessThan(2000);
    await sleep(1100); // the bucket refills
    const from = c.json.length;
    c.send({ type: 'ping' });
    await c.next('pong', from);
    const frames = c.audio.length;
    await c.until(() => c.audio.length > frames + 5, 2000, 'more audio');
    expect(c.closed).toBeNull();
    c.close();
  });

  it('warns a client that stops reading, then closes it; server memory stays bounded', async () => {
    // SPEC section 5: viz frames dropped first, then SLOW_CONSUMER, then a 1008 close
    const hub = server.hub;
    const rss0 = process.memoryUsage().rss;
    const c = new Client(server.wsUrl);
    await c.opened();
    // 192 kHz stereo f32 is 1.5 MB/s: the socket buffers fill in seconds
    c.send({
      type: 'start',
      scene: { layers: [TONE] },
      audio: { sampleRate: 192000, blockSize: 4096 },
      viz: { fps: 30, bins: 32 },
    });
    await c.next('started');
    const session = [...hub.sessions].at(-1)!;
    c.ws.pause();
    const end = performance.now() + 60_000;
    while (session.engine !== null && performance.now() < end) await sleep(100);
    expect(session.engine).toBeNull(); // the server gave up on it
    const stats = { ...session.stats };
    const rss1 = process.memoryUsage().rss;
    // the client goes on not reading well after the server gave up, then reads what it was sent
    await sleep(7000);
    c.ws.resume();
    await c.until(() => c.closed !== null, 20_000, 'close');
    const warning = c.json.findIndex((m) => m.type === 'warning' && m.code === 'SLOW_CONSUMER');
    expect(warning).toBeGreaterThanOrEqual(0);
    expect(c.closed!.code).toBe(1008);
    expect(c.closed!.reason).toMatch(/slow consumer/);
    // viz frames went first: none reached the client after the warning
    expect(c.json.slice(warning).some((m) => m.type === 'viz')).toBe(false);
    expect(stats.vizDropped).toBeGreaterThan(0);
    expect(stats.warnings).toBe(1);
    // never more than 3 s of audio (4.6 MB) waiting, plus one frame
    expect(stats.maxBuffered).toBeLessThan(3 * 192000 * 8 + 4096 * 8 + 16);
    expect(rss1 - rss0).toBeLessThan(64 * 1024 * 1024);
    // the frames that did arrive are contiguous from the start
    let next = 0;
    for (const f of c.audio) {
      expect(f.first).toBe(next);
      next += f.frames;
    }
  });

  it('refuses sessions beyond maxSessions with 1013 and a reason', async () => {
    const small = await startServer({ maxSessions: 2 });
    const a = new Client(small.wsUrl);
    const b = new Client(small.wsUrl);
    await Promise.all([a.opened(), b.opened()]);
    const c = new Client(small.wsUrl);
    await c.until(() => c.closed !== null, 3000, 'close');
    expect(c.closed!.code).toBe(1013);
    expect(c.closed!.reason).toMatch(/maximum of 2 sessions/);
    a.close();
    await a.until(() => a.closed !== null, 3000, 'close');
    await sleep(50);
    const d = new Client(small.wsUrl);
    await d.opened();
    d.send({ type: 'ping' });
    await d.next('pong');
    b.close();
    d.close();
    await small.close();
  });

  it('closes a connection that starts no stream, freeing its slot', async () => {
    const small = await startServer({ maxSessions: 1, idleSec: 0.5 });
    const a = new Client(small.wsUrl);
    await a.opened();
    await a.until(() => a.closed !== null, 3000, 'idle close');
    expect(a.closed).toMatchObject({ code: 1000 });
    expect(a.closed!.reason).toMatch(/idle/);
    const b = new Client(small.wsUrl);
    await b.opened();
    b.send({ type: 'start', scene: { layers: [TONE] }, viz: false });
    await b.next('started');
    await sleep(800); // streaming is not idle
    expect(b.closed).toBeNull();
    b.close();
    await small.close();
  });

  it('needs the API key on upgrade when one is set', async () => {
    const secured = await startServer({ apiKey: 'sekret' });
    const status = (url: string, headers: Record<string, string> = {}): Promise<number> =>
      new Promise((resolve) => {
        const ws = new WebSocket(url, { headers });
        ws.on('open', () => {
          ws.close();
          resolve(101);
        });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('error', () => {});
      });
    expect(await status(secured.wsUrl)).toBe(401);
    expect(await status(`${secured.wsUrl}?key=wrong`)).toBe(401);
    expect(await status(`${secured.wsUrl}?key=sekret`)).toBe(101);
    expect(await status(secured.wsUrl, { 'X-API-Key': 'sekret' })).toBe(101);
    expect(await status(secured.wsUrl, { Authorization: 'Bearer sekret' })).toBe(101);
    await secured.close();
  });

  it('admits browsers only from the allowed origins when origins are set', async () => {
    const locked = await startServer({ origins: ['https://app.example.com'] });
    const status = (headers: Record<string, string>): Promise<number> =>
      new Promise((resolve) => {
        const ws = new WebSocket(locked.wsUrl, { headers });
        ws.on('open', () => {
          ws.close();
          resolve(101);
        });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('error', () => {});
      });
    const self = new URL(locked.url).origin;
    expect(await status({ Origin: 'https://evil.example.net' })).toBe(403);
    expect(await status({ Origin: 'https://app.example.com' })).toBe(101);
    expect(await status({ Origin: self })).toBe(101);
    expect(await status({})).toBe(101); // not a browser
    await locked.close();
  });

  it('serves the control page with content types and revalidation', async () => {
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const js = await fetch(`${server.url}/ui/app.js`);
    expect(js.headers.get('content-type')).toMatch(/text\/javascript/);
    const again = await fetch(`${server.url}/ui/app.js`, {
      headers: { 'if-none-match': js.headers.get('etag')! },
    });
    expect(again.status).toBe(304);
    expect((await fetch(`${server.url}/ui/style.css`)).headers.get('content-type')).toMatch(/text\/css/);
    expect((await fetch(`${server.url}/ui/..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${server.url}/ws/audio-stream/`)).status).toBe(426);
  });
});
