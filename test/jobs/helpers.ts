import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { expect } from 'vitest';
import type { JobView } from '../../src/jobs/types.js';
import { CLI, hasCommand } from '../helpers/cli.js';
import { peakFrequency, spectrumDb } from '../helpers/signal.js';
import { freePort, wavSamples } from '../server/helpers.js';

export const hasRedis = (): boolean => hasCommand('redis-server') && hasCommand('redis-cli');

/** A redis-server child on a free loopback port (no persistence), stopped by its PID. */
export interface RedisChild {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<RedisChild> {
  const port = await freePort();
  const proc = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const ping = () =>
    spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG';
  for (let i = 0; i < 100 && !ping(); i++) await sleep(50);
  if (!ping()) {
    proc.kill('SIGKILL');
    throw new Error('redis-server did not answer');
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) process.kill(proc.pid!, 'SIGKILL');
      await exited;
    },
  };
}

/** A running `omnisonic worker`. */
export interface WorkerProcess {
  proc: ChildProcess;
  log: () => string;
  /** Ids of the jobs it logged as completed. */
  completed: () => string[];
  started: () => string[];
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

export async function startWorker(args: string[], env: NodeJS.ProcessEnv = {}): Promise<WorkerProcess> {
  const proc = spawn(process.execPath, [CLI, 'worker', ...args], {
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  proc.stderr!.on('data', (c: Buffer) => {
    log += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  for (let i = 0; i < 300 && !/taking jobs/.test(log); i++) {
    if (proc.exitCode !== null) throw new Error(`worker exited with ${proc.exitCode}:\n${log}`);
    await sleep(100);
  }
  if (!/taking jobs/.test(log)) {
    proc.kill('SIGKILL');
    throw new Error(`worker did not start:\n${log}`);
  }
  const ids = (word: string) => [...log.matchAll(new RegExp(`${word} job (\\S+)`, 'g'))].map((m) => m[1]!);
  return {
    proc,
    log: () => log,
    completed: () => ids('completed'),
    started: () => ids('started'),
    exited,
    async kill(signal) {
      if (proc.exitCode === null && proc.signalCode === null) process.kill(proc.pid!, signal);
      return exited;
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** POST /jobs/ and return the answer's JSON and status. */
export async function submit(
  base: string,
  kind: string,
  request: unknown,
): Promise<{ status: number; body: { id: string; status: string; location: string } }> {
  const res = await fetch(`${base}/jobs/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind, request }),
  });
  return { status: res.status, body: (await res.json()) as never };
}

export type JobState = JobView;

/** 40 distinct tones of 1 to 2 s at `rate`, as `generate` requests. */
export const fortyTones = (rate: number) =>
  Array.from({ length: 40 }, (_, i) => ({
    frequency: 200 + 25 * i,
    duration: 1 + (i % 3) * 0.5,
    sampleRate: rate,
  }));

/** A mix that keeps a thread busy for seconds: 32 layers, 600 s at 48 kHz (a 55 MiB result). */
export const longMix = (base: number) => ({
  layers: Array.from({ length: 32 }, (_, i) => ({ frequency: base + 37 * i })),
  duration: 600,
});

export async function jobState(base: string, id: string): Promise<JobState> {
  const res = await fetch(`${base}/jobs/${id}`);
  return (await res.json()) as JobState;
}

/** Poll until the job is completed or failed (at most `ms`). */
export async function settle(base: string, id: string, ms = 120_000): Promise<JobState> {
  const until = Date.now() + ms;
  for (;;) {
    const s = await jobState(base, id);
    if (s.status === 'completed' || s.status === 'failed' || Date.now() > until) return s;
    await sleep(100);
  }
}

/** Poll until `ok` holds (at most `ms`). */
export async function until(ok: () => boolean | Promise<boolean>, ms = 60_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await ok()) return true;
    await sleep(100);
  }
  return ok();
}

/** The result's WAV holds `seconds` of a sine at `freq`. */
export async function expectTone(base: string, id: string, freq: number, seconds: number, rate: number) {
  const res = await fetch(`${base}/jobs/${id}/result`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('audio/wav');
  const wav = wavSamples(Buffer.from(await res.arrayBuffer()));
  expect(wav.sampleRate).toBe(rate);
  expect(wav.left.length).toBe(Math.round(seconds * rate));
  const n = 2 ** Math.floor(Math.log2(wav.left.length));
  const f = peakFrequency(spectrumDb(wav.left, n), rate);
  expect(Math.abs(f - freq)).toBeLessThan(rate / n);
}
