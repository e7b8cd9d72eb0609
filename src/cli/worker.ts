/**
 * `omnisonic worker`: a BullMQ worker process taking the jobs `serve --redis` queues. One line
 * on stderr per job completed (`omnisonic worker: completed job <id> ...`). SIGTERM or SIGINT
 * stop taking jobs, let the running ones finish (up to --grace), then hand the rest back.
 */
import { availableParallelism } from 'node:os';
import { invalid } from '../errors.js';
import { parseDuration } from '../render/values.js';
import { redisUrlOf, wholeNumber } from './serve.js';

/** Options of `worker` as typed values. */
export function workerOptionsOf(opts: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env) {
  const redisUrl = redisUrlOf(opts, env);
  if (!redisUrl) {
    throw invalid(
      'BAD_USAGE',
      'worker: --redis <url> is required (or env REDIS_URL)',
      'redis',
      'e.g. --redis redis://127.0.0.1:6379',
    );
  }
  return {
    redisUrl,
    concurrency:
      opts.concurrency === undefined
        ? availableParallelism()
        : wholeNumber(opts.concurrency, '--concurrency', 1, 256),
    resultsDir: opts.resultsDir === undefined ? undefined : String(opts.resultsDir),
    ttlSec: parseDuration(String(opts.jobTtl ?? '1h'), '--job-ttl', false),
    graceMs: parseDuration(String(opts.grace ?? '30'), '--grace', false) * 1000,
  };
}

/** Run until SIGTERM / SIGINT. */
export async function runWorker(opts: Record<string, unknown>): Promise<void> {
  const o = workerOptionsOf(opts);
  const { startQueueWorker } = await import('../jobs/queue-worker.js');
  const { DEFAULT_RESULTS_DIR } = await import('../jobs/results.js');
  const { poolRunner } = await import('../jobs/runner.js');
  const say = (line: string) => process.stderr.write(`omnisonic worker: ${line}\n`);
  let lastError = 0;
  const pool = poolRunner({ threads: o.concurrency });
  const w = await startQueueWorker({
    redisUrl: o.redisUrl,
    concurrency: o.concurrency,
    resultsDir: o.resultsDir ?? DEFAULT_RESULTS_DIR,
    ttlSec: o.ttlSec,
    run: pool.run,
    log: say,
    onError: (e) => {
      if (Date.now() - lastError < 10_000) return;
      lastError = Date.now();
      say(`redis: ${e.message} (retrying)`);
    },
  });
  await w.worker.waitUntilReady();
  say(
    `taking jobs from ${o.redisUrl.replace(/\/\/[^@/]*@/, '//***@')} (concurrency ${o.concurrency}, pid ${process.pid})`,
  );
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: finishing the running jobs`);
    // Redis away: nothing can be finished or handed back (the locks expire and the jobs are
    // taken again elsewhere)
    setTimeout(() => {
      say('Redis unreachable: stopped without handing back the running jobs');
      process.exit(1);
    }, o.graceMs + 5000).unref();
    w.close(o.graceMs).then(
      async () => {
        await pool.close();
        say('stopped');
        process.exit(0);
      },
      (e: Error) => {
        say(`stopped with an error: ${e.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
