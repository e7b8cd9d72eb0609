import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeAudio } from '../../src/harmony/analysis/analyze.js';
import { decodeWav } from '../../src/io/audio-file.js';
import { packagePath } from '../../src/package-root.js';
import { JobPool } from '../../src/server/pool/pool.js';
import { badFiles, chord, wavFile } from '../io/wav-fixtures.js';
import { type ServeProcess, startServe } from './helpers.js';

// a real `omnisonic serve` (the built bundle: npm run build first)

const SR = 48000;

describe('POST /analyze/ streams its upload through the decoder', () => {
  let srv: ServeProcess;
  beforeAll(async () => {
    srv = await startServe(['--rate-limit', '0']);
  });
  afterAll(async () => {
    await srv?.stop();
  });

  const post = (body: Uint8Array, chunked = false) =>
    fetch(`${srv.url}/analyze/`, {
      method: 'POST',
      headers: { 'content-type': 'audio/wav' },
      body: chunked
        ? new ReadableStream({
            start(c) {
              for (let p = 0; p < body.length; p += 7919) c.enqueue(body.slice(p, p + 7919));
              c.close();
            },
          })
        : body,
      duplex: 'half',
    } as RequestInit);

  it('answers what analyzeAudio gives for the whole file, announced or chunked', async () => {
    const bytes = wavFile({
      rate: SR,
      channels: 2,
      encoding: 'pcm24',
      frames: 3 * SR,
      sample: chord([220, 261.63, 329.63], SR),
    });
    const whole = JSON.parse(JSON.stringify(analyzeAudio(decodeWav(bytes, 'x'))));
    for (const chunked of [false, true]) {
      const res = await post(bytes, chunked);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual(whole);
    }
    expect(whole.chord.symbol).toBe('Am');
  });

  it('a bad WAV: 400 with the code and message decodeWav gives', async () => {
    for (const [what, bytes] of badFiles()) {
      if (bytes.length === 0) continue; // an empty body is refused before any decoding
      let expected = '';
      try {
        decodeWav(bytes, 'the request body');
      } catch (e) {
        expected = (e as Error).message;
      }
      expect(expected, what).not.toBe('');
      for (const chunked of [false, true]) {
        const res = await post(bytes, chunked);
        expect(res.status, what).toBe(400);
        const { error } = (await res.json()) as { error: { code: string; message: string; field: string } };
        expect(error.code, what).toBe('BAD_AUDIO');
        expect(error.field, what).toBe('body');
        expect(error.message, what).toBe(expected);
      }
    }
  });
});

/**
 * A child process runs one analysis in a pool worker thread, fed a `mb` MB 16-bit stereo WAV in
 * 64 KiB chunks made as they are sent (held by no one after), and prints its resident memory
 * before (the pool warmed up by a small analysis) and at its peak (sampled every 5 ms and the
 * process's maximum resident set).
 */
function measureAnalysis(mb: number): { baseline: number; peak: number; maxRss: number; result: unknown } {
  const dir = mkdtempSync(join(tmpdir(), 'omni-analyze-mem-'));
  try {
    const script = join(dir, 'measure.mjs');
    const pool = packagePath('dist', 'server', 'pool', 'pool.js');
    writeFileSync(
      script,
      `
import { JobPool } from ${JSON.stringify(pool)};
const frames = Math.floor((${mb} * 1e6) / 4);
function header(frames) {
  const b = Buffer.alloc(44);
  b.write('RIFF', 0, 'latin1'); b.writeUInt32LE(36 + frames * 4, 4); b.write('WAVEfmt ', 8, 'latin1');
  b.writeUInt32LE(16, 16); b.writeUInt16LE(1, 20); b.writeUInt16LE(2, 22); b.writeUInt32LE(48000, 24);
  b.writeUInt32LE(192000, 28); b.writeUInt16LE(4, 32); b.writeUInt16LE(16, 34);
  b.write('data', 36, 'latin1'); b.writeUInt32LE(frames * 4, 40);
  return b;
}
let sent = 0;
async function* wav(frames) {
  yield header(frames);
  for (let i = 0; i < frames; ) {
    const n = Math.min(16384, frames - i);
    const c = Buffer.alloc(n * 4);
    for (let k = 0; k < n; k++, i++) {
      const v = Math.round(9000 * (Math.sin(2 * Math.PI * 220 * i / 48000) + Math.sin(2 * Math.PI * 330 * i / 48000)));
      c.writeInt16LE(v, k * 4); c.writeInt16LE(v, k * 4 + 2);
    }
    sent += c.length;
    // this process's own garbage (the chunks made here) is not the analysis's memory
    if (sent % (8 << 20) < 65536) globalThis.gc();
    yield c;
  }
}
const pool = new JobPool({ threads: 1 });
const run = (frames) => pool.runJob('analyze', {}, { input: { field: 'audio', chunks: wav(frames), bytes: 44 + frames * 4 } });
await run(48000);
globalThis.gc?.();
await new Promise((r) => setTimeout(r, 300));
const baseline = process.memoryUsage.rss();
let peak = baseline;
const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 5);
const result = await run(frames);
clearInterval(timer);
peak = Math.max(peak, process.memoryUsage.rss());
await pool.close();
console.log(JSON.stringify({ baseline, peak, maxRss: process.resourceUsage().maxRSS * 1024, result: result.value }));
`,
    );
    const r = spawnSync(process.execPath, ['--expose-gc', script], { encoding: 'utf8', timeout: 300_000 });
    if (r.status !== 0) throw new Error(`measure failed: ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').pop()!);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the memory of an analysis', () => {
  it('a 60 MB upload: the process grows by tens of MB at most, not by the upload or its samples', () => {
    const { baseline, peak, maxRss, result } = measureAnalysis(60);
    const mib = (n: number) => Math.round(n / 1048576);
    console.log(
      `analysis of a 60 MB upload: RSS ${mib(baseline)} MiB before, peak ${mib(peak)} MiB (max RSS ${mib(maxRss)} MiB)`,
    );
    const a = result as { duration: number; notes: { note: string }[] };
    expect(a.duration).toBeCloseTo(15e6 / 48000, 6);
    expect(a.notes.map((n) => n.note.replace(/[+-]\d+c$/, ''))).toEqual(['A3', 'E4']);
    // whole, the upload alone is 60 MB and its decoded samples 120 MB: a streamed analysis stays
    // below either (measured about 40 MB, about the same for 10 and 120 MB uploads: heap and
    // allocator growth of a busy thread, not the audio)
    expect(peak - baseline).toBeLessThan(64 * 1048576);
    expect(maxRss - baseline).toBeLessThan(64 * 1048576);
  });
});

describe('a streamed analysis in the pool', () => {
  let pool: JobPool;
  beforeAll(() => {
    // a generous grace time: the job must stop by itself, not by losing its thread
    pool = new JobPool({ threads: 1, killAfterMs: 10_000 });
  });
  afterAll(async () => {
    await pool?.close();
  });

  it('stops between chunks when cancelled, by itself (its thread is not killed), then analyses the next upload', async () => {
    const bytes = wavFile({
      rate: SR,
      channels: 2,
      encoding: 'pcm16',
      frames: 20 * SR,
      sample: chord([440], SR),
    });
    const ac = new AbortController();
    let sent = 0;
    let released: () => void = () => {};
    const gate = new Promise<void>((resolve) => (released = resolve));
    async function* upload() {
      for (let p = 0; p < bytes.length; p += 65536) {
        // the second half waits: the job is cancelled while it waits for more
        if (p >= bytes.length / 2) await gate;
        sent++;
        yield bytes.subarray(p, p + 65536);
      }
    }
    const job = pool.runJob(
      'analyze',
      {},
      { signal: ac.signal, input: { field: 'audio', chunks: upload(), bytes: bytes.length } },
    );
    const half = Math.ceil(bytes.length / 2 / 65536);
    for (let i = 0; i < 400 && sent < half; i++) await new Promise((r) => setTimeout(r, 25));
    expect(sent).toBe(half);
    const before = pool.stats;
    ac.abort();
    await expect(job).rejects.toMatchObject({ code: 'CANCELLED' });
    released();
    expect(pool.stats.killed).toBe(before.killed);
    expect(pool.stats.cancelled).toBe(before.cancelled + 1);
    // the thread is free, and an upload that is read to its end is analysed
    const chunks = async function* () {
      for (let p = 0; p < bytes.length; p += 65536) yield bytes.subarray(p, p + 65536);
    };
    const r = await pool.runJob(
      'analyze',
      {},
      { input: { field: 'audio', chunks: chunks(), bytes: bytes.length } },
    );
    expect(r.type === 'json' && (r.value as { f0: { note: string } }).f0.note).toBe('A4');
  });
});
