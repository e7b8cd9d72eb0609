/**
 * The jobs of a server, from its options: in memory with the local pool, or on the BullMQ queue
 * with Redis, where the server also takes jobs itself unless `--no-local-jobs`.
 */
import { availableParallelism } from 'node:os';
import type { FastifyBaseLogger } from 'fastify';
import { LocalJobStore } from './local-store.js';
import type { QueueWorker } from './queue-worker.js';
import { DEFAULT_RESULTS_DIR } from './results.js';
import { poolRunner } from './runner.js';
import type { JobStore } from './types.js';

/** Job settings of `omnisonic serve`. */
export interface JobsOptions {
  /** Take jobs in this server (default true); false with Redis: enqueue only. */
  localJobs?: boolean;
  /** Folder of large results, shared with the workers (default: a folder in the system's temp). */
  resultsDir?: string;
  /** Seconds finished jobs and their results are kept (default 3600). */
  ttlSec?: number;
  /** Jobs this server runs at once (default: the cores). */
  concurrency?: number;
  /** Where `render` jobs find presets by name. */
  presetDirs?: string[] | undefined;
}

/** A server's job store and, with Redis, its own queue worker. */
export interface ServerJobs {
  store: JobStore;
  close(): Promise<void>;
}

/** Jobs taken by a server stop within this time on shutdown, else go back to the queue. */
const CLOSE_GRACE_MS = 10_000;

export async function createJobs(
  o: JobsOptions & { redisUrl?: string | undefined },
  log: FastifyBaseLogger,
): Promise<ServerJobs> {
  const ttlSec = o.ttlSec ?? 3600;
  const concurrency = o.concurrency ?? availableParallelism();
  if (!o.redisUrl) {
    const pool = poolRunner({ threads: concurrency, presetDirs: o.presetDirs });
    const store = new LocalJobStore(pool.run, { ttlSec, concurrency });
    return {
      store,
      async close() {
        await store.close();
        await pool.close();
      },
    };
  }
  const resultsDir = o.resultsDir ?? DEFAULT_RESULTS_DIR;
  let lastError = 0;
  const onError = (e: Error) => {
    const now = Date.now();
    if (now - lastError < 10_000) return;
    lastError = now;
    log.warn({ err: e.message }, 'job queue: redis unavailable');
  };
  const { QueueJobStore } = await import('./queue-store.js');
  const store = new QueueJobStore({ redisUrl: o.redisUrl, resultsDir, ttlSec, onError });
  let worker: QueueWorker | undefined;
  let pool: ReturnType<typeof poolRunner> | undefined;
  if (o.localJobs !== false) {
    const { startQueueWorker } = await import('./queue-worker.js');
    pool = poolRunner({ threads: concurrency, presetDirs: o.presetDirs });
    worker = await startQueueWorker({
      redisUrl: o.redisUrl,
      concurrency,
      resultsDir,
      ttlSec,
      run: pool.run,
      log: (line) => log.info(line),
      onError,
    });
  }
  return {
    store,
    async close() {
      await worker?.close(CLOSE_GRACE_MS);
      await pool?.close();
      await store.close();
    },
  };
}
