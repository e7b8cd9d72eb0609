/**
 * State shared through Redis: the Lua update of profiles gives the same profile as
 * applyFeedback, and --max-sessions holds over every instance.
 */
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { applyFeedback, emptyProfile, type Profile } from '../../src/harmony/profile.js';
import { RedisProfiles } from '../../src/jobs/profiles.js';
import { buildApp } from '../../src/server/app.js';
import { requireComponent } from '../helpers/cli.js';
import { hasRedis, type RedisChild, startRedis, until } from './helpers.js';

const canRun = requireComponent('redis-server', hasRedis());

describe.skipIf(!canRun)('shared state in Redis', { timeout: 60_000 }, () => {
  let redis: RedisChild;
  let client: Redis;
  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
  });
  afterAll(async () => {
    client?.disconnect();
    await redis?.stop();
  });

  it('updates a profile in Lua exactly as applyFeedback does, and atomically', async () => {
    const store = new RedisProfiles(client);
    const steps: [string[], number][] = [
      [['ic:5', 'reg:mid'], 1],
      [['ic:5', 'rough:low'], -1],
      [['ic:3'], 0.5],
      [['ic:5', 'ic:5'], 1],
      [[], 0],
    ];
    let expected: Profile = emptyProfile();
    for (const [features, rating] of steps) {
      expected = applyFeedback(expected, { features }, rating);
      expect(await store.feedback('lua', features, rating)).toEqual(expected);
    }
    expect(await store.get('lua')).toEqual(expected);
    await Promise.all(Array.from({ length: 100 }, () => store.feedback('many', ['ic:7'], 1)));
    expect((await store.get('many'))!.likes).toBe(100);
    await expect(store.feedback('lua', ['ic:5'], 2)).rejects.toThrow(/rating/);
  });

  it('holds --max-sessions over two instances', async () => {
    const apps: FastifyInstance[] = [];
    const sockets: WebSocket[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        const app = await buildApp({ redisUrl: redis.url, maxSessions: 2, rateLimit: 0 });
        await until(() => app.omni.cache.healthy);
        apps.push(app);
      }
      const urls = await Promise.all(apps.map((a) => a.listen({ host: '127.0.0.1', port: 0 })));
      const open = (url: string) =>
        new Promise<number>((resolve) => {
          const ws = new WebSocket(`${url.replace('http', 'ws')}/ws/audio-stream/`);
          sockets.push(ws);
          ws.on('open', () => resolve(101));
          ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
          ws.on('error', () => resolve(0));
        });
      expect(await open(urls[0]!)).toBe(101);
      expect(await open(urls[1]!)).toBe(101);
      // the third, on either instance, is over the shared limit
      expect(await open(urls[1]!)).toBe(503);
      expect(await open(urls[0]!)).toBe(503);
      // a session that ends frees its slot for any instance
      sockets[0]!.close();
      expect(await until(async () => (await client.zcard('omnisonic:v1:sessions')) === 1)).toBe(true);
      expect(await open(urls[1]!)).toBe(101);
    } finally {
      for (const s of sockets) s.terminate();
      await Promise.all(apps.map((a) => a.close()));
    }
  });
});
