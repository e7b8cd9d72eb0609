#!/usr/bin/env node
// Cancellation: a 600 s mix of 64 saw layers (about 44 s of CPU) is requested from a running
// `omnisonic serve` started here; its client disconnects after 1 s. The server's CPU time
// (utime + stime of the whole process, /proc/<pid>/stat) is sampled every 5 ms: prints the time
// from the disconnect until the process is idle (less than 10 % of one core over 20 ms).
// Usage: node bench/cancel.mjs [runs=3]   (npm run build first)
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { startServer } from './serve.mjs';

const runs = Number(process.argv[2] ?? 3);
const { server, base } = await startServer(['--rate-limit', '0']);
const TICK_MS = 1000 / 100; // USER_HZ
const cpuMs = () => {
  const f = readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * TICK_MS;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const body = JSON.stringify({
  layers: Array.from({ length: 64 }, (_, i) => ({ frequency: 100 + i * 7, waveform: 'saw' })),
  duration: 600,
});

try {
  for (let run = 1; run <= runs; run++) {
    const req = request(`${base}/mix-frequencies/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
    });
    req.on('error', () => {});
    req.on('response', (res) => res.resume());
    req.end(body);
    await sleep(1000);
    const busyBefore = cpuMs();
    await sleep(200);
    const load = (cpuMs() - busyBefore) / 200;
    req.destroy();
    const t0 = performance.now();
    // idle: under 10 % of a core over a 20 ms window (CPU time counts in 10 ms ticks)
    const samples = [];
    let idleAt = null;
    while (performance.now() - t0 < 3000) {
      samples.push([performance.now() - t0, cpuMs()]);
      const now = samples.at(-1);
      const back = samples.find(([t]) => t >= now[0] - 20 && t <= now[0] - 18);
      if (back && now[1] - back[1] < 2 && idleAt === null) idleAt = back[0];
      if (idleAt !== null && now[0] - idleAt > 200) break;
      await sleep(2);
    }
    console.log(
      `run ${run}: CPU while rendering ${(load * 100).toFixed(0)} % of a core; idle ${idleAt === null ? 'not reached in 3 s' : `${idleAt.toFixed(0)} ms`} after the disconnect`,
    );
    await sleep(500);
  }
} finally {
  server.kill('SIGTERM');
}
