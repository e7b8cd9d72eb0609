/**
 * Results of queued jobs. JSON results travel in the job itself; audio up to
 * {@link INLINE_RESULT_BYTES} is kept in Redis under the job's id, larger audio is written to the
 * results folder (shared by the servers and the workers) with only its file name in Redis.
 * Both expire with the job's time to live.
 */
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { JobResult } from './types.js';

/** Audio results above this size go to the results folder instead of Redis (1 MiB). */
export const INLINE_RESULT_BYTES = 1024 * 1024;

/** Where large results go when no `--results-dir` is given. */
export const DEFAULT_RESULTS_DIR = join(tmpdir(), 'omnisonic-results');

/** What a queued job returns: the result, or where its bytes are. */
export type StoredResult =
  | { type: 'json'; value: unknown }
  | { type: 'audio'; contentType: string; bytes: number; at: 'redis' }
  | { type: 'audio'; contentType: string; bytes: number; at: 'file'; file: string };

const resultKey = (id: string) => `omnisonic:v1:job-result:${id}`;
const fileOf = (id: string) => `${id.replace(/[^\w-]/g, '_')}.result`;

export class ResultStore {
  constructor(
    private readonly redis: Redis,
    readonly dir: string,
    private readonly ttlSec: number,
    private readonly inlineBytes = INLINE_RESULT_BYTES,
  ) {}

  /** Store a job's result; its descriptor becomes the job's return value. */
  async put(id: string, result: JobResult): Promise<StoredResult> {
    if (result.type === 'json') return result;
    const { contentType, body } = result;
    if (body.length <= this.inlineBytes) {
      await this.redis.set(resultKey(id), body, 'EX', this.ttlSec);
      return { type: 'audio', contentType, bytes: body.length, at: 'redis' };
    }
    await mkdir(this.dir, { recursive: true });
    const file = fileOf(id);
    const tmp = join(this.dir, `.${file}.${process.pid}.tmp`);
    await writeFile(tmp, body);
    await rename(tmp, join(this.dir, file));
    return { type: 'audio', contentType, bytes: body.length, at: 'file', file };
  }

  /** The result a descriptor points at; undefined once expired. */
  async get(id: string, stored: StoredResult): Promise<JobResult | undefined> {
    if (stored.type === 'json') return stored;
    const body =
      stored.at === 'redis'
        ? await this.redis.getBuffer(resultKey(id))
        : await readFile(join(this.dir, stored.file)).catch(() => null);
    if (!body || body.length !== stored.bytes) return undefined;
    return { type: 'audio', contentType: stored.contentType, body };
  }

  async remove(id: string): Promise<void> {
    await this.redis.del(resultKey(id)).catch(() => {});
    await rm(join(this.dir, fileOf(id)), { force: true });
  }

  /** Delete result files older than the time to live. */
  async sweep(now = Date.now()): Promise<number> {
    let removed = 0;
    const names = await readdir(this.dir).catch(() => [] as string[]);
    for (const name of names) {
      if (!name.endsWith('.result') && !name.endsWith('.tmp')) continue;
      const path = join(this.dir, name);
      const s = await stat(path).catch(() => null);
      if (s && now - s.mtimeMs > this.ttlSec * 1000) {
        await rm(path, { force: true });
        removed++;
      }
    }
    return removed;
  }

  /** Sweep now and then (every tenth of the time to live, at least every minute); stop with the returned function. */
  sweepEvery(): () => void {
    const ms = Math.max(1000, Math.min(60_000, (this.ttlSec * 1000) / 10));
    const t = setInterval(() => void this.sweep(), ms);
    t.unref();
    return () => clearInterval(t);
  }
}

/** ioredis options of a redis:// or rediss:// URL (BullMQ takes options, not a URL). */
export function redisOptionsOf(url: string): {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls?: object;
} {
  const u = new URL(url);
  return {
    host: u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: Number(u.port || 6379),
    db: Number(u.pathname.slice(1) || 0),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}
