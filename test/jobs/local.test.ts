/**
 * The jobs API without Redis: the server's own pool and an in-memory store. The same checks as
 * the queue test on one real server process, then the parts only the store shows (one run for
 * a job submitted twice, cancellation, WebSocket progress, analyze and MIDI jobs).
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { LocalJobStore } from '../../src/jobs/local-store.js';
import { jobIdOf } from '../../src/jobs/request.js';
import type { JobResult } from '../../src/jobs/types.js';
import { writeMidi } from '../../src/midi/write.js';
import { buildApp } from '../../src/server/app.js';
import { executeJob } from '../../src/server/work/execute.js';
import { note } from '../midi/helpers.js';
import { type ServeProcess, startServe, wavSamples } from '../server/helpers.js';
import { expectTone, fortyTones, longMix, settle, sleep, submit } from './helpers.js';

const RATE = 16000;
const limits = { maxDuration: 600, presetDirs: undefined };

describe('jobs on one server without Redis', { timeout: 300_000 }, () => {
  let srv: ServeProcess;
  beforeAll(async () => {
    srv = await startServe(['--rate-limit', '0', '--job-concurrency', '2']);
  }, 60_000);
  afterAll(async () => {
    await srv?.stop();
  });

  it('completes 40 jobs with the audio asked for', async () => {
    const asked = fortyTones(RATE);
    const answers = await Promise.all(asked.map((r) => submit(srv.url, 'generate', r)));
    expect(answers.map((a) => a.status)).toEqual(asked.map(() => 202));
    const ids = answers.map((a) => a.body.id);
    expect(new Set(ids).size).toBe(40);
    const states = await Promise.all(ids.map((id) => settle(srv.url, id)));
    expect(states.map((s) => s.status)).toEqual(ids.map(() => 'completed'));
    for (let i = 0; i < 40; i++)
      await expectTone(srv.url, ids[i]!, asked[i]!.frequency, asked[i]!.duration, RATE);
  });

  it('gives a request submitted twice at once, written two ways, one job', async () => {
    const [a, b] = await Promise.all([
      submit(srv.url, 'generate', { frequency: 880, duration: 2, sampleRate: RATE }),
      submit(srv.url, 'generate', { sampleRate: RATE, duration: '2s', frequency: 'A5' }),
    ]);
    expect(a.body.id).toBe(b.body.id);
    expect((await settle(srv.url, a.body.id)).status).toBe('completed');
  });

  it('counts exactly 50 of 50 concurrent feedbacks from one client', async () => {
    const likes = await feedbacks(srv.url, 50);
    expect(new Set(likes).size).toBe(50);
    expect(Math.max(...likes)).toBe(50);
  });

  it('cancels a running job: it fails with CANCELLED', async () => {
    const { body } = await submit(srv.url, 'mix', longMix(90));
    const del = await fetch(`${srv.url}/jobs/${body.id}`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    expect(await del.json()).toEqual({ id: body.id, cancelled: true });
    const state = await settle(srv.url, body.id);
    expect(state.status).toBe('failed');
    expect(state.error!.code).toBe('CANCELLED');
    const result = await fetch(`${srv.url}/jobs/${body.id}/result`);
    expect(result.status).toBe(409);
    expect(((await result.json()) as { error: { code: string } }).error.code).toBe('JOB_NOT_READY');
  });

  it('answers 404 for an unknown job and 400 for a bad request, naming the field', async () => {
    expect((await fetch(`${srv.url}/jobs/generate-nope`)).status).toBe(404);
    const bad = await submit(srv.url, 'generate', { frequency: 30000 });
    expect(bad.status).toBe(400);
    expect((bad.body as unknown as { error: { code: string; field: string } }).error).toMatchObject({
      code: 'BAD_FREQUENCY',
    });
    const wrongKind = await submit(srv.url, 'mix', { frequency: 440 });
    expect((wrongKind.body as unknown as { error: { field: string } }).error.field).toBe('request.layers');
  });
});

/** `n` concurrent likes of one suggestion from this client; the likes each answer reported. */
async function feedbacks(base: string, n: number): Promise<number[]> {
  const first = await fetch(`${base}/ai/suggest-frequencies/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ frequencies: [261.63, 329.63], count: 1 }),
  });
  const id = ((await first.json()) as { suggestions: { id: string }[] }).suggestions[0]!.id;
  const answers = await Promise.all(
    Array.from({ length: n }, () =>
      fetch(`${base}/ai/feedback/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', connection: 'close' },
        body: JSON.stringify({ id, rating: 1 }),
      }).then(async (r) => ({
        status: r.status,
        worker: r.headers.get('x-worker'),
        likes: ((await r.json()) as { profile: { likes: number } }).profile.likes,
      })),
    ),
  );
  expect(answers.every((a) => a.status === 200)).toBe(true);
  return answers.map((a) => a.likes);
}

describe('profiles under --workers 2 without Redis', { timeout: 120_000 }, () => {
  it('are owned by the primary: 50 concurrent feedbacks over both workers count 50', async () => {
    const srv = await startServe(['--workers', '2', '--rate-limit', '0']);
    try {
      const likes = await feedbacks(srv.url, 50);
      expect(new Set(likes).size).toBe(50);
      expect(Math.max(...likes)).toBe(50);
      // and both workers see that profile
      const seen = new Map<string, number>();
      for (let i = 0; i < 12; i++) {
        const r = await fetch(`${srv.url}/ai/feedback/`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', connection: 'close' },
          body: JSON.stringify({ frequencies: [261.63, 392], rating: 0 }),
        });
        seen.set(
          r.headers.get('x-worker')!,
          ((await r.json()) as { profile: { likes: number } }).profile.likes,
        );
      }
      expect([...seen.keys()].sort()).toEqual(['1', '2']);
      expect([...seen.values()]).toEqual([50, 50]);
    } finally {
      await srv.stop();
    }
  });
});

describe('the local job store', () => {
  it('runs a job submitted twice at once once', async () => {
    let runs = 0;
    const store = new LocalJobStore(async (kind, request, opts) => {
      runs++;
      await sleep(50);
      return executeJob(kind, request, opts);
    });
    const request = { frequency: 440, duration: 0.5 };
    const id = await jobIdOf('generate', request, limits);
    const [a, b] = await Promise.all([
      store.submit(id, 'generate', request),
      store.submit(id, 'generate', request),
    ]);
    expect(a.id).toBe(b.id);
    for (let i = 0; i < 100 && (await store.get(id))?.status !== 'completed'; i++) await sleep(20);
    expect(runs).toBe(1);
    const r = (await store.result(id)) as JobResult & { type: 'audio' };
    expect(r.body.length).toBe(44 + 24000 * 2);
    await store.close();
  });

  it('runs at most `concurrency` jobs at once; the others are queued', async () => {
    let running = 0;
    let most = 0;
    const store = new LocalJobStore(
      async () => {
        most = Math.max(most, ++running);
        await sleep(30);
        running--;
        return { type: 'json', value: {} };
      },
      { concurrency: 2 },
    );
    const views = await Promise.all(
      Array.from({ length: 6 }, (_, i) => store.submit(`generate-x${i}`, 'generate', {})),
    );
    expect(views.map((v) => v.status)).toEqual(['active', 'active', 'queued', 'queued', 'queued', 'queued']);
    for (let i = 0; i < 100 && (await store.get('generate-x5'))?.status !== 'completed'; i++) await sleep(20);
    expect(most).toBe(2);
    await store.close();
  });
});

describe('jobs through the app: analyze, MIDI, progress on the WebSocket', () => {
  let app: FastifyInstance;
  let base: string;
  beforeAll(async () => {
    app = await buildApp({ rateLimit: 0 });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('analyzes a WAV sent as base64', async () => {
    const wav = await (
      await fetch(`${base}/generate-frequency/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ frequency: 'A4', duration: 1 }),
      })
    ).arrayBuffer();
    const { body } = await submit(base, 'analyze', { audio: Buffer.from(wav).toString('base64') });
    const state = await settle(base, body.id);
    expect(state.status).toBe('completed');
    const result = state.result as { f0: { frequency: number; note: string } };
    expect(Math.abs(result.f0.frequency - 440)).toBeLessThan(1);
    expect(result.f0.note).toBe('A4');
    const again = await fetch(`${base}/jobs/${body.id}/result`);
    expect(await again.json()).toEqual(result);
    const bad = await submit(base, 'analyze', { audio: Buffer.from('not a wav file').toString('base64') });
    expect(bad.status).toBe(400);
  });

  it('renders a MIDI file sent as base64', async () => {
    const midi = writeMidi({ tracks: [note(0, 69, 0, 480)] });
    const { status, body } = await submit(base, 'midi', {
      midi: Buffer.from(midi).toString('base64'),
      duration: 1,
    });
    expect(status).toBe(202);
    expect((await settle(base, body.id)).status).toBe('completed');
    const wav = wavSamples(Buffer.from(await (await fetch(`${base}/jobs/${body.id}/result`)).arrayBuffer()));
    expect(wav.left.length).toBe(48000);
    expect(Math.max(...wav.left.map(Math.abs))).toBeGreaterThan(0.01);
  });

  it('pushes {type:"job"} progress to a session that subscribes, up to completed', async () => {
    const { body } = await submit(base, 'mix', { ...longMix(70), duration: 120 });
    const ws = new WebSocket(`${base.replace('http', 'ws')}/ws/audio-stream/`);
    const seen: { type: string; id: string; status: string; progress: number }[] = [];
    await new Promise<void>((resolve, reject) => {
      ws.on('open', () => ws.send(JSON.stringify({ type: 'job', id: body.id })));
      ws.on('message', (data) => {
        const m = JSON.parse(String(data));
        if (m.type !== 'job') return reject(new Error(String(data)));
        seen.push(m);
        if (m.status === 'completed' || m.status === 'failed') resolve();
      });
      ws.on('error', reject);
    });
    ws.close();
    expect(seen.every((m) => m.id === body.id)).toBe(true);
    expect(seen.at(-1)).toMatchObject({ status: 'completed', progress: 1 });
    const progress = seen.map((m) => m.progress);
    expect(progress).toEqual([...progress].sort((x, y) => x - y));
    expect(seen.some((m) => m.status === 'active' && m.progress > 0 && m.progress < 1)).toBe(true);
  });
});
