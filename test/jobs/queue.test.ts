/**
 * The jobs API on a BullMQ queue, with real processes: a redis-server child, two `serve --redis
 * --no-local-jobs` instances and two `omnisonic worker` processes (the built CLI: npm run build
 * first). Short lock and stall periods (env) let a job whose worker died be taken again soon.
 */
import { mkdtempSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireComponent } from '../helpers/cli.js';
import { type ServeProcess, startServe } from '../server/helpers.js';
import {
  expectTone,
  fortyTones,
  hasRedis,
  jobState,
  longMix,
  type RedisChild,
  settle,
  startRedis,
  startWorker,
  submit,
  until,
  type WorkerProcess,
} from './helpers.js';

const canRun = requireComponent('redis-server', hasRedis());
const LOCKS = { OMNISONIC_JOB_LOCK_MS: '3000', OMNISONIC_JOB_STALLED_MS: '1500' };
const RATE = 16000;

describe.skipIf(!canRun)('jobs on a BullMQ queue: two servers, two workers', { timeout: 300_000 }, () => {
  let redis: RedisChild;
  const servers: ServeProcess[] = [];
  const workers: WorkerProcess[] = [];
  const results = mkdtempSync(join(tmpdir(), 'omnisonic-results-'));
  const base = (i: number) => servers[i % 2]!.url;

  beforeAll(async () => {
    redis = await startRedis();
    const common = ['--redis', redis.url, '--results-dir', results, '--rate-limit', '0'];
    for (let i = 0; i < 2; i++) servers.push(await startServe([...common, '--no-local-jobs']));
    for (let i = 0; i < 2; i++) {
      workers.push(
        await startWorker(['--redis', redis.url, '--results-dir', results, '--concurrency', '2'], LOCKS),
      );
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.kill('SIGKILL')));
    await Promise.all(servers.map((s) => s.stop()));
    await redis?.stop();
  });

  it('completes 40 jobs submitted across both servers, with the audio asked for, on both workers', async () => {
    const asked = fortyTones(RATE);
    const answers = await Promise.all(asked.map((r, i) => submit(base(i), 'generate', r)));
    for (const a of answers) {
      expect(a.status).toBe(202);
      expect(a.body.location).toBe(`/jobs/${a.body.id}`);
    }
    const ids = answers.map((a) => a.body.id);
    expect(new Set(ids).size).toBe(40);
    // each job is read back from the server that did not take it
    const states = await Promise.all(ids.map((id, i) => settle(base(i + 1), id)));
    expect(states.map((s) => s.status)).toEqual(ids.map(() => 'completed'));
    for (let i = 0; i < 40; i++)
      await expectTone(base(i + 1), ids[i]!, asked[i]!.frequency, asked[i]!.duration, RATE);
    // a worker logs a job after Redis has it completed: wait for the lines
    const logged = () => workers.flatMap((w) => w.completed()).filter((id) => ids.includes(id));
    expect(await until(() => new Set(logged()).size === 40, 10_000)).toBe(true);
    const byWorker = workers.map((w) => w.completed().filter((id) => ids.includes(id)));
    expect(byWorker[0]!.length).toBeGreaterThan(0);
    expect(byWorker[1]!.length).toBeGreaterThan(0);
    expect(new Set([...byWorker[0]!, ...byWorker[1]!]).size).toBe(40);
  });

  it('runs a job submitted twice at once, to both servers, once', async () => {
    const request = { frequency: 880, duration: 2, sampleRate: RATE };
    const [a, b] = await Promise.all([
      submit(base(0), 'generate', request),
      submit(base(1), 'generate', request),
    ]);
    expect(a.body.id).toBe(b.body.id);
    expect((await settle(base(0), a.body.id)).status).toBe('completed');
    // the same request written another way is the same job
    const again = await submit(base(1), 'generate', { sampleRate: RATE, duration: '2s', frequency: 'A5' });
    expect(again.body).toMatchObject({ id: a.body.id, status: 'completed' });
    const runs = workers.flatMap((w) => w.started()).filter((id) => id === a.body.id);
    expect(runs).toHaveLength(1);
  });

  it('counts exactly 50 of 50 concurrent feedbacks from one client, over both servers', async () => {
    const first = await fetch(`${base(0)}/ai/suggest-frequencies/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ frequencies: [261.63, 329.63], count: 1 }),
    });
    const suggestion = ((await first.json()) as { suggestions: { id: string }[] }).suggestions[0]!.id;
    const rate = (i: number, rating: number) =>
      fetch(`${base(i)}/ai/feedback/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: suggestion, rating }),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { profile: { likes: number } } }));
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => rate(i, 1)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    // every answer saw a different count: no update was lost
    expect(new Set(answers.map((a) => a.body.profile.likes)).size).toBe(50);
    const after = await rate(1, 0);
    expect(after.body.profile.likes).toBe(50);
  });

  it('completes the job of a worker killed with SIGKILL mid-job, on the other worker', async () => {
    const { body } = await submit(base(0), 'mix', longMix(110));
    const id = body.id;
    expect(await until(() => workers.some((w) => w.started().includes(id)))).toBe(true);
    const victim = workers.find((w) => w.started().includes(id))!;
    const survivor = workers.find((w) => w !== victim)!;
    expect((await jobState(base(1), id)).status).toBe('active');
    await victim.kill('SIGKILL');
    const state = await settle(base(1), id, 180_000);
    expect(state.status, JSON.stringify(state)).toBe('completed');
    expect(await until(() => survivor.completed().includes(id), 10_000)).toBe(true);
    expect(victim.completed()).not.toContain(id);
    // too large for Redis: the result is a file of the shared folder
    expect(state.audio!.bytes).toBe(44 + 600 * 48000 * 2);
    expect((await readdir(results)).some((f) => f.startsWith(id))).toBe(true);
    const res = await fetch(`${base(0)}/jobs/${id}/result`);
    expect(Number(res.headers.get('content-length'))).toBe(state.audio!.bytes);
    await res.body?.cancel();
    workers.splice(workers.indexOf(victim), 1);
  });

  it('SIGTERM lets a worker finish its running job, then it exits 0', async () => {
    const worker = workers[0]!;
    const { body } = await submit(base(1), 'mix', longMix(130));
    expect(await until(() => worker.started().includes(body.id))).toBe(true);
    expect(await worker.kill('SIGTERM')).toBe(0);
    expect(await until(() => worker.completed().includes(body.id), 10_000)).toBe(true);
    expect((await settle(base(0), body.id)).status).toBe('completed');
    workers.splice(0, 1);
  });

  it('answers 503 QUEUE_UNAVAILABLE on the job routes while Redis is down; the others keep serving', async () => {
    await redis.stop();
    const res = await fetch(`${base(0)}/jobs/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'generate', request: { frequency: 440 } }),
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('QUEUE_UNAVAILABLE');
    const sync = await fetch(`${base(1)}/generate-frequency/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ frequency: 440, duration: 0.5 }),
    });
    expect(sync.status).toBe(200);
    expect((await sync.arrayBuffer()).byteLength).toBe(44 + 24000 * 2);
  });
});
