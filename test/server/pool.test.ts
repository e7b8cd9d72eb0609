import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobPool, WORKER_FILE } from '../../src/server/pool/pool.js';
import { executeJob } from '../../src/server/work/execute.js';
import type { AudioHead } from '../../src/server/work/render-stream.js';
import { peakFrequency, spectrumDb } from '../helpers/signal.js';
import { wavSamples } from './helpers.js';

// the pool runs the compiled worker (dist/server/pool/worker.js): npm run build first

describe('the job pool', () => {
  let pool: JobPool;
  beforeAll(() => {
    pool = new JobPool({ threads: 2 });
  });
  afterAll(async () => {
    await pool?.close();
  });

  it('gives piscina a CommonJS entry, so no thread loads the worker through require(esm)', () => {
    // on Node 20 a require() of the worker's ES module graph can abort the whole process (a V8
    // fatal error in a pool thread killed the server); with require(esm) turned off, the entry
    // still loads, and the worker's graph comes in through import()
    const r = spawnSync(
      process.execPath,
      [
        '--no-experimental-require-module',
        '-e',
        'process.stdout.write(typeof require(process.argv[1]))',
        WORKER_FILE,
      ],
      { encoding: 'utf8' },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('function');
  });

  it('renders a tone in a worker thread, the same bytes as in this thread', async () => {
    const request = { frequency: 440, duration: 1 };
    const r = await pool.runJob('generate', request);
    expect(r.type).toBe('audio');
    if (r.type !== 'audio') return;
    expect(r.contentType).toBe('audio/wav');
    expect(r.body.length).toBe(44 + 48000 * 2);
    const f = peakFrequency(spectrumDb(wavSamples(r.body).left, 32768, 4096), 48000);
    expect(Math.abs(f - 440)).toBeLessThan(0.1);
    const here = await executeJob('generate', request);
    expect(here.type === 'audio' && here.body.equals(r.body)).toBe(true);
  });

  it.runIf(process.platform === 'linux')('its threads run 10 nice levels below the event loop', async () => {
    await Promise.all([
      pool.runJob('generate', { frequency: 440, duration: 1 }),
      pool.runJob('generate', { frequency: 220, duration: 1 }),
    ]);
    // Linux keeps a nice value per thread: field 19 of /proc/self/task/<tid>/stat
    const niceOf = (tid: string) =>
      Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);
    const own = getPriority();
    const lowered = readdirSync('/proc/self/task').filter((tid) => niceOf(tid) === Math.min(19, own + 10));
    expect(niceOf(String(process.pid))).toBe(own);
    expect(lowered.length).toBeGreaterThanOrEqual(2);
  });

  it('streams chunks with the exact length announced in the head', async () => {
    let head: AudioHead | undefined;
    const chunks: Buffer[] = [];
    const progress: number[] = [];
    const r = await pool.runJob(
      'generate',
      { frequency: 'A4', duration: 3, bitDepth: 24 },
      {
        onHead: (h) => {
          head = h;
        },
        // a chunk is lent until the promise settles: kept, it is copied
        onChunk: async (c) => {
          chunks.push(Buffer.from(c));
          await new Promise((res) => setTimeout(res, 1));
        },
        onProgress: (f) => progress.push(f),
      },
    );
    expect(r.type === 'audio' && r.body.length).toBe(0);
    const body = Buffer.concat(chunks);
    expect(head).toEqual({ contentType: 'audio/wav', length: 44 + 3 * 48000 * 3 });
    expect(body.length).toBe(head!.length);
    expect(chunks.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toBe(1);
    const here = await executeJob('generate', { frequency: 'A4', duration: 3, bitDepth: 24 });
    expect(here.type === 'audio' && here.body.equals(body)).toBe(true);
  });

  it('lends each chunk from a ring shared with the worker, refilled only once the consumer is done', async () => {
    // three slots of 4 KiB: a 256 KiB chunk of the render takes many, so every slot is reused
    const small = new JobPool({ threads: 1, maxInFlight: 3, slotBytes: 4096 });
    try {
      const request = { frequency: 'A4', duration: 2, bitDepth: 24, channels: 2 };
      const seen = new Set<ArrayBufferLike>();
      const offsets = new Set<number>();
      const copies: Buffer[] = [];
      let lent = 0;
      let mostLent = 0;
      const r = await small.runJob('generate', request, {
        onChunk: async (c) => {
          seen.add(c.buffer);
          offsets.add(c.byteOffset);
          expect(c.length).toBeLessThanOrEqual(4096);
          lent++;
          mostLent = Math.max(mostLent, lent);
          copies.push(Buffer.from(c));
          // a slow consumer: the worker may not overwrite this chunk meanwhile
          const before = Buffer.from(c);
          await new Promise((res) => setTimeout(res, 0));
          expect(c.equals(before)).toBe(true);
          lent--;
        },
      });
      expect(r.type === 'audio' && r.body.length).toBe(0);
      expect(seen.size).toBe(1);
      expect([...seen][0]).toBeInstanceOf(SharedArrayBuffer);
      expect([...offsets].sort((a, b) => a - b)).toEqual([0, 4096, 8192]);
      expect(mostLent).toBeLessThanOrEqual(3);
      const here = await executeJob('generate', request);
      expect(here.type === 'audio' && here.body.equals(Buffer.concat(copies))).toBe(true);
    } finally {
      await small.close();
    }
  });

  it('a cancelled render stops in its worker', async () => {
    const before = pool.stats;
    const ac = new AbortController();
    let chunks = 0;
    const job = pool.runJob(
      'mix',
      {
        layers: Array.from({ length: 64 }, (_, i) => ({ frequency: 100 + i * 7, waveform: 'saw' })),
        duration: 600,
      },
      {
        signal: ac.signal,
        onChunk: () => {
          chunks++;
          if (chunks === 2) ac.abort();
        },
      },
    );
    await expect(job).rejects.toMatchObject({ code: 'CANCELLED' });
    const after = pool.stats;
    expect(after.cancelled).toBe(before.cancelled + 1);
    expect(after.running).toBe(0);
    // the threads are free: a new job runs
    const r = await pool.runJob('generate', { frequency: 220, duration: 0.1 });
    expect(r.type).toBe('audio');
  });

  it('carries catalogued errors back from the worker', async () => {
    await expect(pool.runJob('generate', { frequency: 30000, duration: 1 })).rejects.toMatchObject({
      code: 'BAD_FREQUENCY',
    });
    await expect(pool.runJob('analyze', { audio: new Uint8Array([1, 2, 3]) })).rejects.toMatchObject({
      code: 'BAD_AUDIO',
    });
  });
});
