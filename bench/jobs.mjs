#!/usr/bin/env node
// Jobs per second through the jobs API: N jobs of 10 s renders (48 kHz 16-bit mono WAV, each a
// different tone so none is shared), submitted at once to `serve --redis --no-local-jobs`, taken
// by one then two `omnisonic worker` processes (--concurrency 1 each, so the count of workers
// is the count of threads rendering); and, for comparison, the same on one server without Redis
// (its own pool, --job-concurrency 1 and 2). Wall time from the first submit to the last
// completion. Needs redis-server and a build (npm run build).
//
//   node bench/jobs.mjs [--jobs 40] [--seconds 10]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../bin/omnisonic.cjs', import.meta.url));
const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const JOBS = opt('--jobs', 40);
const SECONDS = opt('--seconds', 10);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

/** Start a child and wait for `ready` in its stderr. */
async function child(cmd, argv, ready) {
  const proc = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr.on('data', (c) => {
    err += c;
  });
  for (let i = 0; i < 300 && !ready.test(err); i++) await sleep(100);
  if (!ready.test(err)) throw new Error(`${argv.join(' ')} did not start:\n${err}`);
  return proc;
}

async function serve(extra) {
  const port = await freePort();
  const proc = await child(
    process.execPath,
    [cli, 'serve', '--port', String(port), '--rate-limit', '0', '--log-level', 'warn', ...extra],
    /serving on/,
  );
  return { proc, url: `http://127.0.0.1:${port}` };
}

/** Submit JOBS distinct renders at once; seconds until all are completed. */
async function run(url, round) {
  const t0 = performance.now();
  const ids = await Promise.all(
    Array.from({ length: JOBS }, async (_, i) => {
      const res = await fetch(`${url}/jobs/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          kind: 'generate',
          request: { frequency: 100 + i + round * 1000, duration: SECONDS },
        }),
      });
      if (res.status !== 202) throw new Error(`POST /jobs/: ${res.status} ${await res.text()}`);
      return (await res.json()).id;
    }),
  );
  const pending = new Set(ids);
  while (pending.size > 0) {
    for (const id of [...pending]) {
      const s = await (await fetch(`${url}/jobs/${id}`)).json();
      if (s.status === 'failed') throw new Error(`job ${id} failed: ${JSON.stringify(s.error)}`);
      if (s.status === 'completed') pending.delete(id);
    }
    if (pending.size > 0) await sleep(50);
  }
  return (performance.now() - t0) / 1000;
}

const rows = [];
const report = (label, s) => {
  rows.push(`| ${label} | ${JOBS} | ${s.toFixed(2)} s | ${(JOBS / s).toFixed(2)} |`);
  process.stderr.write(`${label}: ${(JOBS / s).toFixed(2)} jobs/s\n`);
};
const kill = (p) => p && p.exitCode === null && process.kill(p.pid, 'SIGKILL');

let round = 0;
const hasRedis = spawnSync('sh', ['-c', 'command -v redis-server']).status === 0;
if (hasRedis) {
  const rport = await freePort();
  const redis = spawn(
    'redis-server',
    ['--port', String(rport), '--bind', '127.0.0.1', '--save', '', '--daemonize', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const url = `redis://127.0.0.1:${rport}`;
  const results = mkdtempSync(join(tmpdir(), 'omnisonic-bench-results-'));
  const workers = [];
  let srv;
  try {
    await sleep(300);
    srv = await serve(['--redis', url, '--no-local-jobs', '--results-dir', results]);
    for (const n of [1, 2]) {
      while (workers.length < n) {
        workers.push(
          await child(
            process.execPath,
            [cli, 'worker', '--redis', url, '--concurrency', '1', '--results-dir', results],
            /taking jobs/,
          ),
        );
      }
      report(`queue, ${n} worker${n > 1 ? 's' : ''} (concurrency 1 each)`, await run(srv.url, round++));
    }
  } finally {
    workers.forEach(kill);
    kill(srv?.proc);
    kill(redis);
    rmSync(results, { recursive: true, force: true });
  }
} else process.stderr.write('redis-server not installed: queue rounds skipped\n');

for (const n of [1, 2]) {
  const srv = await serve(['--job-concurrency', String(n)]);
  try {
    report(`local pool, --job-concurrency ${n}`, await run(srv.url, round++));
  } finally {
    kill(srv.proc);
  }
}

console.log(`\n${SECONDS} s renders, 48 kHz 16-bit mono WAV\n`);
console.log('| setup | jobs | wall | jobs/s |\n|---|---|---|---|');
console.log(rows.join('\n'));
