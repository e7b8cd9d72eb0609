#!/usr/bin/env node
// Heavy jobs beside /health on a running `omnisonic serve` started here (default flags):
//   phase 1: four concurrent 600 s 96 kHz stereo 32-bit float renders (460 MB each, streamed);
//   phase 2: the same four renders and a 50 MB POST /analyze/ at once.
// Meanwhile, each in a process of its own (bench/heavy-probe.mjs), /health is asked every 20 ms
// and one live 48 kHz stereo WebSocket session plays, every audio frame timed against its
// schedule; the server's resident memory (VmRSS of the whole process, worker threads included)
// is sampled every 20 ms. The heavy requests run in a third process at nice 10: they stand for
// clients on other machines, and on this 2-core machine their reading of 1.8 GB would otherwise
// compete with the probes that time the server (BENCH_CLIENT_NICE=0 puts them level).
// Prints /health p50/p99/max, the session's latest frame and real-time fraction, the RSS
// before, at its peak and after, and each job's status and time.
// Usage: node bench/heavy.mjs [renders=4] [analyzeMB=50]   (npm run build first)
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startServer } from './serve.mjs';

const renders = Number(process.argv[2] ?? 4);
const analyzeMb = Number(process.argv[3] ?? 50);
/** Nice value of the process that runs the heavy requests (BENCH_CLIENT_NICE, default 10). */
const CLIENT_NICE = Number(process.env.BENCH_CLIENT_NICE ?? 10);

const { server, base } = await startServer(['--rate-limit', '0']);
const rssMb = () => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
};

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

const probeFile = fileURLToPath(new URL('./heavy-probe.mjs', import.meta.url));
function probe(mode, ...args) {
  const child = fork(probeFile, [mode, base, ...args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  // the heavy clients stand for users on other machines: on this shared 2-core machine they
  // read 1.8 GB at a lower priority than the probes, which time the server
  if (mode === 'jobs') setPriority(child.pid, CLIENT_NICE);
  const result = new Promise((resolve) => child.once('message', resolve));
  return {
    stop: () => {
      child.send('stop');
      return result;
    },
  };
}

async function phase(title, analyze) {
  let peak = rssMb();
  const before = peak;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMb());
  }, 20);
  const pinger = probe('health');
  const live = probe('ws');
  await new Promise((r) => setTimeout(r, 1000));
  const t0 = performance.now();
  const results = await probe('jobs', String(renders), String(analyze)).stop();
  const [health, ws] = await Promise.all([pinger.stop(), live.stop()]);
  clearInterval(sampler);
  console.log(`\n${title} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  for (const r of results)
    console.log(`  ${r.path} -> ${r.status}, ${(r.bytes / 1e6).toFixed(1)} MB in ${r.seconds.toFixed(1)} s`);
  const h = health.times;
  console.log(
    `  /health: ${h.length} answers (${health.failures} failed), p50 ${pct(h, 50).toFixed(1)} ms, p99 ${pct(h, 99).toFixed(1)} ms, max ${Math.max(...h).toFixed(1)} ms (answer ${h.indexOf(Math.max(...h)) + 1}); slowest ${[
      ...h,
    ]
      .sort((a, b) => b - a)
      .slice(0, 5)
      .map((x) => x.toFixed(0))
      .join(', ')} ms`,
  );
  const late = ws.times;
  const over = late.filter((x) => x > 50).length;
  console.log(
    `  live session: ${late.length} frames, latest ${Math.max(...late).toFixed(1)} ms after its schedule, ${over} over 50 ms, ${ws.discontinuities} gaps, ${((100 * ws.samples) / (ws.seconds * 48000)).toFixed(1)} % of real time`,
  );
  console.log(
    `  server RSS: ${before.toFixed(0)} MB before, peak ${peak.toFixed(0)} MB, after ${rssMb().toFixed(0)} MB`,
  );
}

try {
  console.log(
    `omnisonic serve, default flags; ${renders} renders of 600 s 96 kHz stereo 32f; ${analyzeMb} MB WAV; heavy clients at nice ${CLIENT_NICE}`,
  );
  await phase(`${renders} concurrent renders`, 0);
  await phase(`${renders} concurrent renders + /analyze/ of ${analyzeMb} MB`, analyzeMb);
} finally {
  server.kill('SIGTERM');
}
