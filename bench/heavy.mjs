#!/usr/bin/env node
// Heavy jobs beside /health on a running `omnisonic serve` started here (default flags):
//   phase 1: four concurrent 600 s 96 kHz stereo 32-bit float renders (460 MB each, streamed);
//   phase 2: the same four renders and a 50 MB POST /analyze/ at once.
// Meanwhile, each in a process of its own (bench/heavy-probe.mjs), /health is asked every 20 ms
// and one live 48 kHz stereo WebSocket session plays, every audio frame timed against its
// schedule; the server's resident memory (VmRSS of the whole process, worker threads included)
// is sampled every 20 ms. Prints /health p50/p99/max, the session's latest frame and real-time
// fraction, the RSS before, at its peak and after, and each job's status and time.
// Usage: node bench/heavy.mjs [renders=4] [analyzeMB=50]   (npm run build first)
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { startServer } from './serve.mjs';

const renders = Number(process.argv[2] ?? 4);
const analyzeMb = Number(process.argv[3] ?? 50);

const { server, base } = await startServer(['--rate-limit', '0']);
const rssMb = () => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
};

/** A WAV of two sine tones, 48 kHz 16-bit stereo, about `mb` megabytes. */
function wav(mb) {
  const frames = Math.floor((mb * 1e6) / 4);
  const b = Buffer.alloc(44 + frames * 4);
  b.write('RIFF', 0, 'latin1');
  b.writeUInt32LE(36 + frames * 4, 4);
  b.write('WAVEfmt ', 8, 'latin1');
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(2, 22);
  b.writeUInt32LE(48000, 24);
  b.writeUInt32LE(192000, 28);
  b.writeUInt16LE(4, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36, 'latin1');
  b.writeUInt32LE(frames * 4, 40);
  for (let i = 0; i < frames; i++) {
    const t = i / 48000;
    const v = Math.round(8000 * (Math.sin(2 * Math.PI * 220 * t) + Math.sin(2 * Math.PI * 277.18 * t)));
    b.writeInt16LE(v, 44 + i * 4);
    b.writeInt16LE(v, 46 + i * 4);
  }
  return b;
}

/** POST and read the whole response, counting bytes; resolves with status, bytes and seconds. */
function post(path, type, body) {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method: 'POST', headers: { 'content-type': type } }, (res) => {
      let bytes = 0;
      res.on('data', (c) => {
        bytes += c.length;
      });
      res.on('end', () =>
        resolve({ path, status: res.statusCode, bytes, seconds: (performance.now() - t0) / 1000 }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

const probeFile = fileURLToPath(new URL('./heavy-probe.mjs', import.meta.url));
function probe(mode) {
  const child = fork(probeFile, [mode, base], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const result = new Promise((resolve) => child.once('message', resolve));
  return {
    stop: () => {
      child.send('stop');
      return result;
    },
  };
}

async function phase(title, jobs) {
  let peak = rssMb();
  const before = peak;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMb());
  }, 20);
  const pinger = probe('health');
  const live = probe('ws');
  await new Promise((r) => setTimeout(r, 1000));
  const t0 = performance.now();
  const results = await Promise.all(jobs.map((j) => j()));
  const [health, ws] = await Promise.all([pinger.stop(), live.stop()]);
  clearInterval(sampler);
  console.log(`\n${title} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  for (const r of results)
    console.log(`  ${r.path} -> ${r.status}, ${(r.bytes / 1e6).toFixed(1)} MB in ${r.seconds.toFixed(1)} s`);
  const h = health.times;
  console.log(
    `  /health: ${h.length} answers (${health.failures} failed), p50 ${pct(h, 50).toFixed(1)} ms, p99 ${pct(h, 99).toFixed(1)} ms, max ${Math.max(...h).toFixed(1)} ms`,
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

const render = () =>
  post(
    '/generate-frequency/',
    'application/json',
    JSON.stringify({ frequency: 440, duration: 600, sampleRate: 96000, channels: 2, bitDepth: '32f' }),
  );
try {
  const upload = wav(analyzeMb);
  console.log(
    `omnisonic serve, default flags; ${renders} renders of 600 s 96 kHz stereo 32f; ${(upload.length / 1e6).toFixed(1)} MB WAV`,
  );
  await phase(
    `${renders} concurrent renders`,
    Array.from({ length: renders }, () => render),
  );
  await phase(`${renders} concurrent renders + /analyze/ of ${(upload.length / 1e6).toFixed(0)} MB`, [
    ...Array.from({ length: renders }, () => render),
    () => post('/analyze/', 'audio/wav', upload),
  ]);
} finally {
  server.kill('SIGTERM');
}
