import type { Command } from 'commander';

/** `omnisonic serve` */
export function register(program: Command): void {
  const serve = program
    .command('serve')
    .summary('run the REST and WebSocket server')
    .description(
      'Serve the REST API (OpenAPI at /openapi.json, Swagger UI at /docs), the WebSocket stream and the control page.',
    )
    .option('--host <host>', 'interface to listen on (0.0.0.0 for every interface)', '127.0.0.1')
    .option('-p, --port <port>', 'TCP port (0 picks a free one)', '8000')
    .option('--api-key <key>', 'require this key (X-API-Key or Authorization: Bearer); env OMNISONIC_API_KEY')
    .option('--cors <origins>', "origins allowed by CORS, comma-separated ('*' for any); none by default")
    .option(
      '--allowed-hosts <names>',
      'Host names answered besides localhost, 127.0.0.1 and [::1] when no API key is set, comma-separated',
    )
    .option(
      '--redis <url>',
      'Redis for the job queue, the shared cache, profiles and limits (env REDIS_URL); in memory otherwise',
    )
    .option('--workers <n>', 'worker processes serving the port (node:cluster)', '1')
    .option('--max-duration <time>', 'longest render a request may ask for', '600')
    .option('--max-sessions <n>', 'most live WebSocket sessions', '100')
    .option('--rate-limit <n>', 'requests per minute per client (0: no limit)', '1200')
    .option('--cache-size <MiB>', 'budget of the in-memory cache per worker', '256')
    .option('--preset-dir <dir...>', 'folders of presets searched before the user and built-in ones')
    .option('--log-level <level>', 'JSON logs on stderr: fatal|error|warn|info|debug|silent', 'info')
    .option('--trust-proxy', 'take the client address from X-Forwarded-For (behind a load balancer)')
    .option('--no-local-jobs', 'with --redis: only enqueue jobs (POST /jobs/), `omnisonic worker` runs them')
    .option('--results-dir <path>', 'folder of job results too large for Redis, shared with the workers')
    .option('--job-ttl <time>', 'how long finished jobs and their results are kept', '1h')
    .option('--job-concurrency <n>', 'jobs this server runs at once (default: the cores)');
  serve.addHelpText(
    'after',
    `
Examples:
  omnisonic serve                                  http://127.0.0.1:8000, docs at /docs
  omnisonic serve --host 0.0.0.0 --api-key "$KEY" --cors https://app.example.com
  REDIS_URL=redis://localhost:6379 omnisonic serve --workers 4
  omnisonic serve --redis redis://queue:6379 --no-local-jobs --results-dir /mnt/results
  curl -X POST localhost:8000/generate-frequency/ -H 'content-type: application/json' \\
       -d '{"frequency":"A4","duration":2}' -o a4.wav`,
  );
  serve.action(async (opts: Record<string, unknown>) => {
    const { runServe } = await import('../serve.js');
    await runServe(opts);
  });
}
