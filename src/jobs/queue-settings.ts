/**
 * Settings shared by the servers that enqueue and the workers that take jobs, after BullMQ's
 * production guidance: bounded retention of finished jobs, retries with exponential backoff,
 * locks renewed while a job runs and stalled jobs (their worker died) handed to another worker.
 */
import type { JobsOptions } from 'bullmq';

/** The queue's name and key prefix in Redis. */
export const QUEUE_NAME = 'jobs';
export const QUEUE_PREFIX = 'omnisonic';
/** Channel on which servers ask workers to stop a running job (`DELETE /jobs/{id}`). */
export const CANCEL_CHANNEL = 'omnisonic:v1:job-cancel';

/** Per-job options of every job added. */
export function jobOptions(id: string, ttlSec: number): JobsOptions {
  return {
    jobId: id,
    attempts: 3,
    backoff: { type: 'exponential', delay: 1000 },
    removeOnComplete: { age: ttlSec, count: 10_000 },
    removeOnFail: { age: ttlSec, count: 10_000 },
  };
}

/**
 * Lock and stall-check periods of workers, ms. A worker that dies keeps its job locked for up to
 * `lockMs`, after which the stall check (every `stalledMs`) gives the job to another worker.
 * `OMNISONIC_JOB_LOCK_MS` and `OMNISONIC_JOB_STALLED_MS` shorten them (tests).
 */
export function lockSettings(env: NodeJS.ProcessEnv = process.env): { lockMs: number; stalledMs: number } {
  const num = (v: string | undefined, fallback: number) => {
    const n = Number(v);
    return Number.isFinite(n) && n >= 500 ? n : fallback;
  };
  return {
    lockMs: num(env.OMNISONIC_JOB_LOCK_MS, 30_000),
    stalledMs: num(env.OMNISONIC_JOB_STALLED_MS, 30_000),
  };
}

/** Rejects after `ms` with `onTimeout()`. */
export function within<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(onTimeout()), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** The message a worker fails a job with, and back: `CODE: message`. */
export function failureText(code: string, message: string): string {
  return `${code}: ${message}`;
}

export function failureOf(text: string | undefined): { code: string; message: string } {
  const m = /^([A-Z][A-Z_]+): (.*)$/s.exec(text ?? '');
  return m ? { code: m[1]!, message: m[2]! } : { code: 'INTERNAL', message: text || 'the job failed' };
}
