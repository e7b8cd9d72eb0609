import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.js';
import { requireComponent } from '../helpers/cli.js';
import { hasRedis, makeRedis, type RedisServer, startServe } from './helpers.js';

const canRun = requireComponent('redis-server', hasRedis());
const tone = (frequency: number) => ({
  method: 'POST' as const,
  url: '/generate-frequency/',
  payload: { frequency, duration: 0.25 },
});
const waitFor = async (ok: () => boolean, tries = 100) => {
  for (let i = 0; i < tries && !ok(); i++) await new Promise((r) => setTimeout(r, 50));
};

describe.skipIf(!canRun)('Redis cache', () => {
  let redis: RedisServer;
  let app: FastifyInstance;
  beforeAll(async () => {
    redis = await makeRedis(mkdtempSync(join(tmpdir(), 'omnisonic-redis-')));
    await redis.start();
    app = await buildApp({ redisUrl: redis.url, rateLimit: 0 });
    await waitFor(() => app.omni.cache.healthy);
  });
  afterAll(async () => {
    await app?.close();
    await redis?.stop();
  });

  it('a second identical request is a hit from Redis', async () => {
    const a = await app.inject(tone(523.25));
    const b = await app.inject(tone(523.25));
    expect(a.statusCode).toBe(200);
    expect(a.headers['x-cache']).toBe('miss');
    expect(b.headers['x-cache']).toBe('hit');
    expect(Buffer.compare(a.rawPayload, b.rawPayload)).toBe(0);
  });

  it('keeps serving while Redis is down, and caches again once it is back', async () => {
    await redis.stop();
    await waitFor(() => !app.omni.cache.healthy);
    const down1 = await app.inject(tone(600));
    const down2 = await app.inject(tone(600));
    expect([down1.statusCode, down2.statusCode]).toEqual([200, 200]);
    expect([down1.headers['x-cache'], down2.headers['x-cache']]).toEqual(['miss', 'miss']);
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    await redis.start();
    await waitFor(() => app.omni.cache.healthy, 200);
    expect(app.omni.cache.healthy).toBe(true);
    const up1 = await app.inject(tone(600));
    const up2 = await app.inject(tone(600));
    expect([up1.headers['x-cache'], up2.headers['x-cache']]).toEqual(['miss', 'hit']);
  });

  it('two workers serving one port share the cache', async () => {
    const srv = await startServe(['--workers', '2', '--redis', redis.url, '--rate-limit', '0']);
    try {
      const workers = new Set<string>();
      const caches: string[] = [];
      // new connections each time, so the primary spreads them over both workers
      for (let i = 0; i < 12; i++) {
        const res = await fetch(`${srv.url}/generate-frequency/`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', connection: 'close' },
          body: JSON.stringify({ frequency: 700, duration: 0.25 }),
        });
        expect(res.status).toBe(200);
        await res.arrayBuffer();
        caches.push(res.headers.get('x-cache')!);
        workers.add(res.headers.get('x-worker') ?? '');
      }
      // both workers answered, and only the very first request rendered
      expect([...workers].sort()).toEqual(['1', '2']);
      expect(caches[0]).toBe('miss');
      expect(caches.slice(1).every((c) => c === 'hit')).toBe(true);
    } finally {
      expect(await srv.stop()).toBe(0);
    }
  });
});
