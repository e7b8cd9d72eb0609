#!/usr/bin/env node
// Load on POST /generate-frequency/ (1 s tone, 48 kHz 16-bit WAV) of a running `omnisonic serve`
// started here: cache misses (a new frequency per request) and hits (the same request).
// Prints requests per second and latency percentiles. Usage: node bench/http.mjs [seconds] [connections] [workers]
import autocannon from 'autocannon';
import { startServer } from './serve.mjs';

const seconds = Number(process.argv[2] ?? 10);
const connections = Number(process.argv[3] ?? 8);
const workers = Number(process.argv[4] ?? 1);

const { server, port } = await startServer(['--rate-limit', '0', '--workers', String(workers)]);

const url = `http://127.0.0.1:${port}/generate-frequency/`;
const headers = { 'content-type': 'application/json' };

async function run(title, requests) {
  const result = await autocannon({ url, connections, duration: seconds, method: 'POST', headers, requests });
  const ok = result['2xx'];
  console.log(
    `${title.padEnd(22)} ${result.requests.average.toFixed(1).padStart(8)} req/s   p50 ${String(result.latency.p50).padStart(5)} ms   p99 ${String(result.latency.p99).padStart(5)} ms   ${ok} ok, ${result.non2xx} non-2xx, ${result.errors} errors`,
  );
  return result;
}

let n = 0;
console.log(
  `omnisonic serve, ${workers} worker(s), ${connections} connections, ${seconds} s each; 1 s tone, 48 kHz 16-bit WAV (96 kB)`,
);
await run('miss (new frequency)', [
  {
    setupRequest: (req) => {
      n++;
      // a different frequency each time: always a cache miss
      return { ...req, body: JSON.stringify({ frequency: 100 + n * 0.001, duration: 1 }) };
    },
  },
]);
const body = JSON.stringify({ frequency: 440, duration: 1 });
await fetch(url, { method: 'POST', headers, body });
await run('hit (same request)', [{ body }]);

server.kill('SIGTERM');
await new Promise((resolve) => server.once('exit', resolve));
