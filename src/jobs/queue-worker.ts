/**
 * A BullMQ worker taking OmniSonic jobs: `omnisonic worker`, and `serve --redis` itself unless
 * `--no-local-jobs`. The job functions run in worker threads (the runner), so this thread stays
 * free to renew the job locks; a job whose worker dies is taken again by another (stalled-job
 * recovery). Stopping finishes the running jobs, or after a grace period hands them back.
 */
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { isOmniError } from '../errors.js';
import type { JobRunner } from './local-store.js';
import { CANCEL_CHANNEL, failureText, lockSettings, QUEUE_NAME, QUEUE_PREFIX } from './queue-settings.js';
import type { QueuedJob } from './queue-store.js';
import { executableRequest } from './request.js';
import { ResultStore, redisOptionsOf, type StoredResult } from './results.js';

export interface QueueWorkerOptions {
  redisUrl: string;
  /** Jobs run at once. */
  concurrency: number;
  resultsDir: string;
  ttlSec: number;
  run: JobRunner;
  /** One line per event (started, completed, failed, handed back). */
  log: (line: string) => void;
  onError?: (e: Error) => void;
}

export interface QueueWorker {
  readonly worker: Worker<QueuedJob, StoredResult>;
  /** Stop taking jobs; wait up to `graceMs` for running ones, then hand them back. */
  close(graceMs: number): Promise<void>;
}

/** Progress goes to Redis at most this often, ms. */
const PROGRESS_EVERY_MS = 250;

/**
 * Start taking jobs.
 * @example const w = await startQueueWorker({ redisUrl, concurrency: 2, resultsDir, ttlSec: 3600, run, log: console.error });
 */
export async function startQueueWorker(o: QueueWorkerOptions): Promise<QueueWorker> {
  const connection = { ...redisOptionsOf(o.redisUrl), maxRetriesPerRequest: null };
  const redis = new Redis(o.redisUrl, { maxRetriesPerRequest: null });
  const sub = new Redis(o.redisUrl, { maxRetriesPerRequest: null });
  const report = (e: Error) => o.onError?.(e);
  redis.on('error', report);
  sub.on('error', report);
  const results = new ResultStore(redis, o.resultsDir, o.ttlSec);
  const stopSweep = results.sweepEvery();
  let stopping = false;

  const processJob = async (job: Job<QueuedJob, StoredResult>, _token?: string, signal?: AbortSignal) => {
    const { kind, request } = job.data;
    o.log(`started job ${job.id} (${kind}, attempt ${job.attemptsMade + 1})`);
    let last = 0;
    const onProgress = (p: number) => {
      const now = Date.now();
      if (now - last < PROGRESS_EVERY_MS && p < 1) return;
      last = now;
      void job.updateProgress(Math.round(p * 1000) / 1000).catch(() => {});
    };
    try {
      const result = await o.run(kind, executableRequest(kind, request), {
        ...(signal ? { signal } : {}),
        onProgress,
      });
      return await results.put(job.id!, result);
    } catch (e) {
      if (signal?.aborted && stopping) throw new Error('handed back: the worker is stopping');
      if (signal?.aborted) throw new UnrecoverableError(failureText('CANCELLED', 'cancelled'));
      // bad input fails for good; anything else is retried with backoff
      if (isOmniError(e) && e.httpStatus < 500) throw new UnrecoverableError(failureText(e.code, e.message));
      if (isOmniError(e)) throw new Error(failureText(e.code, e.message));
      throw e;
    }
  };

  const { lockMs, stalledMs } = lockSettings();
  const worker = new Worker<QueuedJob, StoredResult>(QUEUE_NAME, processJob, {
    connection,
    prefix: QUEUE_PREFIX,
    concurrency: o.concurrency,
    lockDuration: lockMs,
    stalledInterval: stalledMs,
    maxStalledCount: 2,
    autorun: false,
  });
  worker.on('error', report);
  worker.on('completed', (job) => {
    const s =
      job.finishedOn && job.processedOn ? ((job.finishedOn - job.processedOn) / 1000).toFixed(2) : '?';
    o.log(`completed job ${job.id} (${job.data.kind}) in ${s} s`);
  });
  worker.on('failed', (job, err) => {
    if (job) o.log(`failed job ${job.id} (${job.data.kind}, attempt ${job.attemptsMade}): ${err.message}`);
  });
  sub.subscribe(CANCEL_CHANNEL).catch(report);
  sub.on('message', (_channel, id: string) => {
    worker.cancelJob(id, 'cancelled');
  });
  // runs until closed; it waits for Redis when Redis is away
  void worker.run().catch(report);

  return {
    worker,
    async close(graceMs) {
      const closing = worker.close();
      const timer = setTimeout(() => {
        stopping = true;
        worker.cancelAllJobs('the worker is stopping');
      }, graceMs);
      try {
        await closing;
      } finally {
        clearTimeout(timer);
        stopSweep();
        await Promise.allSettled([sub.quit(), redis.quit()]);
      }
    },
  };
}
