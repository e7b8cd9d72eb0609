import type { Command } from 'commander';

/** `omnisonic worker` */
export function register(program: Command): void {
  const worker = program
    .command('worker')
    .summary('take render and analysis jobs from the Redis queue')
    .description(
      'Take the jobs that `omnisonic serve --redis` queues (POST /jobs/) and run them, on this machine or any other that reaches Redis and the results folder. Logs one line per job completed, with its id. SIGTERM finishes the running jobs (or hands them back after --grace).',
    )
    .option('--redis <url>', 'the Redis of the servers (env REDIS_URL)')
    .option('--concurrency <n>', 'jobs run at once (default: the cores)')
    .option('--results-dir <path>', 'folder of results too large for Redis, shared with the servers')
    .option('--job-ttl <time>', 'how long results are kept (as the servers)', '1h')
    .option('--grace <time>', 'on SIGTERM, longest wait for running jobs before handing them back', '30');
  worker.addHelpText(
    'after',
    `
Examples:
  omnisonic worker --redis redis://127.0.0.1:6379
  omnisonic worker --redis redis://queue.internal:6379 --concurrency 4 --results-dir /mnt/results`,
  );
  worker.action(async (opts: Record<string, unknown>) => {
    const { runWorker } = await import('../worker.js');
    await runWorker(opts);
  });
}
