import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/render/engine.js';
import { WORKER_FILE } from '../../src/server/ws/workers.js';
import { type AudioFrame, Client, startServer, type TestServer } from './server.js';

const SR = 48000;
const CI = process.env.CI === 'true';
const HAVE = existsSync(WORKER_FILE);
const servers: TestServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
});

/** Mono samples of the received frames, checking they are contiguous. */
function samples(frames: AudioFrame[]): Float64Array {
  const out = new Float64Array(frames.reduce((n, f) => n + f.frames, 0));
  let pos = 0;
  for (const f of frames) {
    expect(f.first).toBe(pos);
    out.set(f.samples, pos);
    pos += f.frames;
  }
  return out;
}

/** Reference: the same scene rendered by an engine in this thread, block by block. */
function reference(layer: Record<string, unknown>, n: number, block: number): Float64Array {
  const engine = new Engine({
    sampleRate: SR,
    duration: Number.POSITIVE_INFINITY,
    layers: [{ type: 'tone', ...layer } as never],
    master: {},
    channels: 1,
  });
  const out = new Float64Array(n);
  for (let pos = 0; pos < n; pos += block) engine.render([out.subarray(pos)], Math.min(block, n - pos));
  return out;
}

async function sessionsOn(server: TestServer, count: number): Promise<void> {
  const clients: Client[] = [];
  for (let i = 0; i < count; i++) {
    const c = new Client(server.wsUrl);
    await c.opened();
    c.send({
      type: 'start',
      scene: { layers: [{ type: 'tone', id: 'a', freq: 200 + 100 * i, gain: 0.5 }] },
      audio: { channels: 1, blockSize: 256 },
      viz: false,
    });
    clients.push(c);
  }
  for (const c of clients) await c.next('started');
  for (const c of clients) await c.until(() => c.audio.length > 40, 5000, 'audio'); // 10240 frames
  const lanes = server.hub.pool.load;
  expect(lanes.reduce((a, b) => a + b, 0)).toBe(count);
  expect(Math.max(...lanes) - Math.min(...lanes)).toBeLessThanOrEqual(1); // spread evenly
  // a change in each session, acknowledged with the frame where it applies
  for (const [i, c] of clients.entries()) c.send({ type: 'set', layer: 'a', params: { gain: 0.1 }, seq: i });
  for (const c of clients) await c.next('ack');
  for (const c of clients) {
    const ack = c.json.find((m) => m.type === 'ack')!.frame as number;
    await c.until(() => c.audio.reduce((n, f) => n + f.frames, 0) > ack + 4800, 5000, 'audio after the set');
  }
  for (const [i, c] of clients.entries()) {
    c.close();
    const ack = c.json.find((m) => m.type === 'ack')!.frame as number;
    const got = samples(c.audio);
    // every session is its own tone, sample for sample what a local engine renders up to the change
    const want = reference({ freq: 200 + 100 * i, gain: 0.5 }, ack, 256);
    let worst = 0;
    for (let k = 0; k < ack; k++) worst = Math.max(worst, Math.abs(got[k]! - want[k]!));
    expect(worst).toBeLessThan(1e-6);
    // and the change lands at the acknowledged frame
    expect(Math.abs(got[ack + 2400]!)).toBeLessThanOrEqual(0.1 + 1e-6);
    expect(got.subarray(ack - 2400, ack).some((v) => Math.abs(v) > 0.3)).toBe(true);
  }
}

describe('live sessions on worker threads', () => {
  it.skipIf(!HAVE && !CI)(
    'spreads sessions over one worker per core, each rendering its own audio',
    async () => {
      expect(HAVE, `${WORKER_FILE} is missing: run npm run build`).toBe(true);
      const server = await startServer({ workers: 2 });
      servers.push(server);
      expect(server.hub.pool.threads).toBe(2);
      await sessionsOn(server, 4);
    },
  );

  it('renders in the main thread with workers: 0, the same protocol', async () => {
    const server = await startServer({ workers: 0 });
    servers.push(server);
    expect(server.hub.pool.threads).toBe(0);
    await sessionsOn(server, 2);
  });
});
