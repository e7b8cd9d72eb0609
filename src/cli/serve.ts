import { invalid } from '../errors.js';
import type { JobsOptions } from '../jobs/setup.js';
import { parseDuration, parseNumber } from '../render/values.js';
import { hostnameOf } from '../server/host.js';
import type { StartOptions } from '../server/start.js';
import { warn } from './report.js';

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** `--redis`, else env `REDIS_URL` (empty: none), checked. */
export function redisUrlOf(opts: Record<string, unknown>, env: NodeJS.ProcessEnv): string | undefined {
  const url = (opts.redis as string | undefined) ?? (env.REDIS_URL || undefined);
  if (url !== undefined && !/^rediss?:\/\//.test(url)) {
    throw invalid('BAD_VALUE', `--redis: must be a redis:// or rediss:// URL, got ${url}`, 'redis');
  }
  return url;
}

/** A whole number option within [lo, hi]. */
export function wholeNumber(v: unknown, name: string, lo: number, hi: number): number {
  const n = parseNumber(String(v), name, lo, hi);
  if (!Number.isInteger(n)) throw invalid('BAD_VALUE', `${name}: must be a whole number, got ${v}`);
  return n;
}

/** A time flag ('10s', '2m', 0.5) in whole milliseconds, at least 1 ms. */
function millis(v: unknown, name: string): number {
  const ms = Math.round(parseDuration(String(v), name, false) * 1000);
  if (ms < 1) throw invalid('BAD_VALUE', `${name}: must be at least 1 ms, got ${v}`);
  return ms;
}

/** The items of a comma-separated option, trimmed; none when it is absent. */
function commaList(v: unknown): string[] {
  return v === undefined
    ? []
    : String(v)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
}

/** Options of `serve` as typed values (flags, then environment). */
export function serveOptionsOf(
  opts: Record<string, unknown>,
  env: NodeJS.ProcessEnv = process.env,
): StartOptions & { workers: number } {
  const logLevel = String(opts.logLevel ?? 'info').toLowerCase();
  if (!LEVELS.includes(logLevel))
    throw invalid('BAD_VALUE', `--log-level: one of ${LEVELS.join(', ')}, got ${opts.logLevel}`);
  const apiKey = (opts.apiKey as string | undefined) ?? env.OMNISONIC_API_KEY;
  if (apiKey !== undefined && apiKey.length < 8) {
    throw invalid(
      'BAD_VALUE',
      '--api-key: use at least 8 characters',
      'apiKey',
      'e.g. --api-key "$(openssl rand -hex 16)"',
    );
  }
  const redisUrl = redisUrlOf(opts, env);
  const cors = commaList(opts.cors);
  for (const o of cors) {
    if (o !== '*' && !/^https?:\/\/[^/\s]+$/.test(o)) {
      throw invalid('BAD_VALUE', `--cors: '${o}' is not an origin such as https://app.example.com`, 'cors');
    }
  }
  const allowedHosts = commaList(opts.allowedHosts);
  for (const h of allowedHosts) {
    if (hostnameOf(h) === undefined) {
      throw invalid(
        'BAD_VALUE',
        `--allowed-hosts: '${h}' is not a host name such as synth.local or 192.168.1.20`,
        'allowedHosts',
      );
    }
  }
  const maxDuration = parseDuration(String(opts.maxDuration ?? '600'), '--max-duration', false);
  const jobs = jobsOptionsOf(opts, redisUrl);
  return {
    host: String(opts.host ?? '127.0.0.1'),
    port: wholeNumber(opts.port ?? '8000', '--port', 0, 65535),
    workers: wholeNumber(opts.workers ?? '1', '--workers', 1, 256),
    ...(apiKey ? { apiKey } : {}),
    cors,
    allowedHosts,
    ...(redisUrl ? { redisUrl } : {}),
    maxDuration,
    maxSessions: wholeNumber(opts.maxSessions ?? '100', '--max-sessions', 0, 100000),
    rateLimit: wholeNumber(opts.rateLimit ?? '1200', '--rate-limit', 0, 10_000_000),
    cacheBytes: wholeNumber(opts.cacheSize ?? '256', '--cache-size', 0, 1_000_000) * 1024 * 1024,
    cacheItemBytes: wholeNumber(opts.cacheItemSize ?? '16', '--cache-item-size', 0, 1_000_000) * 1024 * 1024,
    ...(opts.jobThreads !== undefined
      ? { jobThreads: wholeNumber(opts.jobThreads, '--job-threads', 1, 256) }
      : {}),
    maxJobs: wholeNumber(opts.maxJobs ?? '8', '--max-jobs', 1, 10_000),
    memoryBytes: wholeNumber(opts.memoryBudget ?? '384', '--memory-budget', 64, 1_000_000) * 1024 * 1024,
    limits: {
      headersTimeoutMs: millis(opts.headersTimeout ?? '10s', '--headers-timeout'),
      bodyTimeoutMs: millis(opts.bodyTimeout ?? '10s', '--body-timeout'),
      requestTimeoutMs: millis(opts.requestTimeout ?? '120s', '--request-timeout'),
      keepAliveTimeoutMs: millis(opts.keepAliveTimeout ?? '5s', '--keep-alive-timeout'),
      ...(opts.maxConnections !== undefined
        ? { maxConnections: wholeNumber(opts.maxConnections, '--max-connections', 1, 1_000_000) }
        : {}),
    },
    ...(opts.presetDir ? { presetDirs: opts.presetDir as string[] } : {}),
    logger: logLevel === 'silent' ? false : { level: logLevel, stream: process.stderr },
    trustProxy: Boolean(opts.trustProxy),
    jobs,
  };
}

/** `--no-local-jobs`, `--results-dir`, `--job-ttl`, `--job-concurrency`. */
function jobsOptionsOf(opts: Record<string, unknown>, redisUrl: string | undefined): JobsOptions {
  if (opts.localJobs === false && !redisUrl) {
    throw invalid(
      'BAD_USAGE',
      '--no-local-jobs needs --redis: without a queue nothing would run the jobs',
      'localJobs',
      'add --redis redis://host:6379 and start `omnisonic worker` processes',
    );
  }
  return {
    localJobs: opts.localJobs !== false,
    ...(opts.resultsDir !== undefined ? { resultsDir: String(opts.resultsDir) } : {}),
    ttlSec: parseDuration(String(opts.jobTtl ?? '1h'), '--job-ttl', false),
    ...(opts.jobConcurrency !== undefined
      ? { concurrency: wholeNumber(opts.jobConcurrency, '--job-concurrency', 1, 256) }
      : {}),
  };
}

/** `omnisonic serve`: runs until SIGTERM / SIGINT. */
export async function runServe(opts: Record<string, unknown>): Promise<void> {
  const o = serveOptionsOf(opts);
  const { runCluster, isClusterWorker } = await import('../server/cluster.js');
  const { closeOnSignals, startServer } = await import('../server/start.js');
  const loopback = /^(127\.|localhost$|::1$|\[::1\]$)/.test(o.host);
  const announce = (url: string) => {
    process.stderr.write(
      `omnisonic: serving on ${url} (API docs ${url}/docs)${o.workers > 1 ? ` with ${o.workers} workers` : ''}\n`,
    );
  };
  if (!isClusterWorker()) {
    if (!loopback && !o.apiKey)
      warn(
        `listening on ${o.host} without an API key: anyone who reaches it may use it` +
          (o.allowedHosts?.length ? '' : ' (only with Host localhost; name others with --allowed-hosts)'),
      );
    if (o.workers > 1 && !o.redisUrl)
      warn('several workers without --redis: each keeps its own cache, rate-limit counts and jobs');
  }
  if (o.workers > 1 && !o.redisUrl && !isClusterWorker()) {
    // the primary owns the adaptive profiles, so every worker sees the same one
    const { serveProfilesToWorkers } = await import('../jobs/profiles.js');
    serveProfilesToWorkers();
  }
  if (o.workers > 1 || isClusterWorker()) {
    await runCluster(o.workers, {
      startWorker: async () => {
        const { app } = await startServer(o);
        closeOnSignals(app);
      },
      onReady: ({ port }) => announce(`http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${port}`),
      onNotice: (m) => warn(m),
    });
    return;
  }
  const { app, url } = await startServer(o);
  closeOnSignals(app);
  announce(url);
}
