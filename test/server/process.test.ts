import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { peakFrequency, spectrumDb } from '../helpers/signal.js';
import { type ServeProcess, startServe, wavSamples } from './helpers.js';

const json = (body: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

describe('omnisonic serve as a process', () => {
  let srv: ServeProcess;
  beforeAll(async () => {
    srv = await startServe(['--rate-limit', '0']);
  });
  afterAll(async () => {
    await srv?.stop();
  });

  it('answers over real HTTP: health, a tone, errors, docs', async () => {
    const h = await fetch(`${srv.url}/health`);
    expect(await h.json()).toMatchObject({ status: 'ok' });
    const res = await fetch(`${srv.url}/generate-frequency/`, json({ frequency: 'A4', duration: 1 }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/wav');
    const body = Buffer.from(await res.arrayBuffer());
    expect(Number(res.headers.get('content-length'))).toBe(body.length);
    const f = peakFrequency(spectrumDb(wavSamples(body).left, 32768, 4096), 48000);
    expect(Math.abs(f - 440)).toBeLessThan(0.1);
    const bad = await fetch(
      `${srv.url}/generate-frequency/`,
      json({ frequency: 'A4', duration: 1, sampleRate: 'fast' }),
    );
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { field: string } }).error.field).toBe('sampleRate');
    expect((await fetch(`${srv.url}/openapi.json`)).status).toBe(200);
    expect((await fetch(`${srv.url}/docs`, { redirect: 'manual' })).status).toBeLessThan(400);
  });

  it('answers /health while a 10-minute render is running', async () => {
    const misses = async () => {
      const m = await (await fetch(`${srv.url}/metrics`)).text();
      return Number(/omnisonic_cache_misses_total\{route="generate"\} (\d+)/.exec(m)?.[1] ?? 0);
    };
    const before = await misses();
    let renderDone = false;
    const render = fetch(`${srv.url}/generate-frequency/`, json({ frequency: 220, duration: 600 })).then(
      async (r) => {
        const b = Buffer.from(await r.arrayBuffer());
        renderDone = true;
        return { status: r.status, length: b.length };
      },
    );
    // wait until the render has started (it is counted as a cache miss), then ask for health
    for (let i = 0; i < 500 && (await misses()) === before; i++) await new Promise((r) => setTimeout(r, 10));
    const answeredDuringRender: boolean[] = [];
    for (let i = 0; i < 3; i++) {
      const h = await fetch(`${srv.url}/health`);
      expect(h.status).toBe(200);
      answeredDuringRender.push(!renderDone);
    }
    expect(answeredDuringRender).toEqual([true, true, true]);
    const r = await render;
    expect(r.status).toBe(200);
    expect(r.length).toBe(44 + 600 * 48000 * 2);
  });
});

describe('graceful shutdown', () => {
  it('SIGTERM lets the request in flight finish, then exits 0', async () => {
    const srv = await startServe(['--rate-limit', '0']);
    const render = fetch(`${srv.url}/generate-frequency/`, json({ frequency: 330, duration: 300 })).then(
      async (r) => ({
        status: r.status,
        length: (await r.arrayBuffer()).byteLength,
      }),
    );
    for (let i = 0; i < 200; i++) {
      const m = await (await fetch(`${srv.url}/metrics`)).text();
      if (/omnisonic_cache_misses_total\{route="generate"\} 1/.test(m)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const code = srv.stop();
    const r = await render;
    expect(r.status).toBe(200);
    expect(r.length).toBe(44 + 300 * 48000 * 2);
    expect(await code).toBe(0);
    // no longer listening
    await expect(fetch(`${srv.url}/health`)).rejects.toThrow();
  });

  it('a bad option exits 2 with one line; a port in use exits 1', async () => {
    const { run } = await import('../helpers/cli.js');
    const bad = run(['serve', '--port', 'eighty']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--port/);
    const srv = await startServe([]);
    const port = new URL(srv.url).port;
    const busy = run(['serve', '--port', port]);
    expect(busy.status).toBe(1);
    expect(busy.stderr).toMatch(/already in use/);
    await srv.stop();
  });
});
