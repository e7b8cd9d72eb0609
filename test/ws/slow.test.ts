import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, sleep, startServer, type TestServer } from './server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.close();
});

describe('a client that stops reading (SPEC section 5)', () => {
  it('loses viz frames first, then gets SLOW_CONSUMER, then a 1008 close it can still read', async () => {
    const hub = server.hub;
    const rss0 = process.memoryUsage().rss;
    const c = new Client(server.wsUrl);
    await c.opened();
    // 192 kHz stereo f32 is 1.5 MB/s: the socket buffers fill in seconds
    c.send({
      type: 'start',
      scene: { layers: [{ type: 'tone', freq: 440 }] },
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
    // the client is still not reading well after the server gave up
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
});
