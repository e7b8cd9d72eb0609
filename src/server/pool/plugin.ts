/**
 * The job pool and admission control as part of the Fastify app: `app.jobs` runs heavy jobs in
 * the worker threads, admitted within the limits, cancelled when their client goes away.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Metrics } from '../metrics.js';
import type { JobKind, JobResult } from '../work/execute.js';
import { Admission, OverloadedError } from './admission.js';
import { JobPool, type RunOptions } from './pool.js';

export interface JobsOptions {
  /** Worker threads (default: the cores). */
  threads?: number;
  /** Heavy jobs at once, running or waiting for a thread (default 8). */
  maxJobs?: number;
  /** Resident memory budget of the process, bytes (default 384 MiB). */
  memoryBytes?: number;
  presetDirs?: string[] | undefined;
  metrics: Metrics;
}

/** Heavy jobs of the app: admission, then the pool. */
export interface Jobs {
  readonly pool: JobPool;
  readonly admission: Admission;
  /**
   * Admit a job needing about `bytes`, run it in the pool, stop it when the client of `reply`
   * goes away. Throws OVERLOADED (with Retry-After set on `reply`) when it is not admitted.
   */
  run(
    kind: JobKind,
    request: unknown,
    bytes: number,
    reply: FastifyReply,
    opts?: RunOptions,
  ): Promise<JobResult>;
}

declare module 'fastify' {
  interface FastifyInstance {
    jobs: Jobs;
  }
}

/**
 * An AbortSignal that aborts when the response's connection closes before the response is
 * complete (the client went away).
 */
export function clientGone(reply: FastifyReply): AbortSignal {
  const ac = new AbortController();
  const res = reply.raw;
  res.once('close', () => {
    if (!res.writableFinished) ac.abort();
  });
  return ac.signal;
}

/** Decorate `app` with {@link Jobs}; the pool closes with the app. */
export function registerJobs(app: FastifyInstance, o: JobsOptions): void {
  const pool = new JobPool({ ...(o.threads ? { threads: o.threads } : {}), presetDirs: o.presetDirs });
  const admission = new Admission({
    ...(o.maxJobs ? { maxJobs: o.maxJobs } : {}),
    ...(o.memoryBytes ? { memoryBytes: o.memoryBytes } : {}),
  });
  app.addHook('onClose', async () => {
    await pool.close();
  });
  o.metrics.extra.push(() => {
    const s = pool.stats;
    return [
      gauge('omnisonic_jobs_running', 'heavy jobs running in a worker thread', s.running),
      gauge('omnisonic_jobs_queued', 'heavy jobs waiting for a worker thread', s.queued),
      gauge('omnisonic_jobs_admitted', 'heavy jobs admitted and not finished', admission.running),
      gauge('omnisonic_jobs_reserved_bytes', 'memory reserved by admitted jobs', admission.reservedBytes),
      counter('omnisonic_jobs_completed_total', 'heavy jobs completed', s.completed),
      counter('omnisonic_jobs_failed_total', 'heavy jobs failed', s.failed),
      counter(
        'omnisonic_jobs_cancelled_total',
        'heavy jobs stopped because their client went away',
        s.cancelled,
      ),
      counter('omnisonic_jobs_killed_total', 'worker threads terminated to stop a cancelled job', s.killed),
      `# HELP omnisonic_jobs_refused_total heavy jobs refused (503 OVERLOADED) by reason\n# TYPE omnisonic_jobs_refused_total counter\nomnisonic_jobs_refused_total{reason="jobs"} ${admission.refused.jobs}\nomnisonic_jobs_refused_total{reason="memory"} ${admission.refused.memory}`,
    ].join('\n');
  });
  app.decorate('jobs', {
    pool,
    admission,
    async run(kind, request, bytes, reply, opts = {}) {
      let ticket: { release(): void };
      try {
        ticket = admission.admit(bytes);
      } catch (e) {
        if (e instanceof OverloadedError) reply.header('retry-after', String(e.retryAfterSec));
        throw e;
      }
      try {
        return await pool.runJob(kind, request, { signal: clientGone(reply), ...opts });
      } finally {
        ticket.release();
      }
    },
  } satisfies Jobs);
}

const gauge = (name: string, help: string, v: number) =>
  `# HELP ${name} ${help}\n# TYPE ${name} gauge\n${name} ${v}`;
const counter = (name: string, help: string, v: number) =>
  `# HELP ${name} ${help}\n# TYPE ${name} counter\n${name} ${v}`;
