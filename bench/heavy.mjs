#!/usr/bin/env node
// Heavy jobs beside /health on a running `omnisonic serve` started here (default flags):
//   phase 1: four concurrent 600 s 96 kHz stereo 32-bit float renders (460 MB each, streamed);
//   phase 2: the same four renders and a 50 MB POST /analyze/ at once.
// Meanwhile /health is asked every 20 ms and the server's resident memory (VmRSS of the whole
// process, worker threads included) is sampled every 20 ms. Prints /health p50/p99/max, the RSS
// before and its peak, and each job's status and time.
// Usage: node bench/heavy.mjs [renders=4] [analyzeMB=50]   (npm run build first)
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
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

async function phase(title, jobs) {
  const health = [];
  let peak = rssMb();
  const before = peak;
  let running = true;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMb());
  }, 20);
  const pinger = (async () => {
    while (running) {
      const t0 = performance.now();
      const r = await fetch(`${base}/health`);
      await r.arrayBuffer();
      health.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const t0 = performance.now();
  const results = await Promise.all(jobs.map((j) => j()));
  running = false;
  await pinger;
  clearInterval(sampler);
  console.log(`\n${title} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  for (const r of results)
    console.log(`  ${r.path} -> ${r.status}, ${(r.bytes / 1e6).toFixed(1)} MB in ${r.seconds.toFixed(1)} s`);
  console.log(
    `  /health: ${health.length} answers, p50 ${pct(health, 50).toFixed(1)} ms, p99 ${pct(health, 99).toFixed(1)} ms, max ${Math.max(...health).toFixed(1)} ms`,
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
