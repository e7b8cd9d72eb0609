/**
 * The response cache: rendered audio (and per-client profiles) under keys derived from the
 * canonical request, in memory with a byte budget (lru-cache) or in Redis (ioredis) so that
 * every worker and every instance shares it. A store that fails never fails a request: reads
 * become misses and writes are dropped while Redis is away, and ioredis reconnects.
 */
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';

/** A key-value store of bytes. */
export interface CacheStore {
  readonly kind: 'memory' | 'redis';
  /** The value, or undefined when absent or when the store is unavailable. */
  get(key: string): Promise<Buffer | undefined>;
  /** Store a value; false when it was not stored (too large, store unavailable). */
  set(key: string, value: Buffer, ttlSec?: number): Promise<boolean>;
  /** True while the store works (always true in memory). */
  readonly healthy: boolean;
  close(): Promise<void>;
}

/**
 * The key of a request: a hash of its canonical JSON (keys sorted, defaults filled by the
 * caller), so field order and omitted defaults do not matter.
 * @example cacheKey('generate', { frequency: 440, duration: 1 }) === cacheKey('generate', { duration: 1, frequency: 440 })
 */
export function cacheKey(kind: string, request: unknown): string {
  const hash = createHash('sha256').update(canonicalJson(request)).digest('base64url');
  return `omnisonic:v1:${kind}:${hash}`;
}

/** JSON with object keys sorted at every depth and undefined fields left out. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/** In-memory LRU with a budget in bytes; items above `maxItemBytes` are not kept. */
export class MemoryStore implements CacheStore {
  readonly kind = 'memory';
  readonly healthy = true;
  private readonly lru: LRUCache<string, Buffer>;
  readonly maxItemBytes: number;

  constructor(maxBytes = 256 * 1024 * 1024, maxItemBytes = Math.floor(maxBytes / 4)) {
    this.maxItemBytes = maxItemBytes;
    this.lru = new LRUCache<string, Buffer>({
      maxSize: maxBytes,
      maxEntrySize: maxItemBytes,
      sizeCalculation: (v, k) => v.length + k.length + 64,
    });
  }

  async get(key: string): Promise<Buffer | undefined> {
    return this.lru.get(key);
  }

  async set(key: string, value: Buffer, ttlSec?: number): Promise<boolean> {
    if (value.length > this.maxItemBytes) return false;
    this.lru.set(key, value, ttlSec ? { ttl: ttlSec * 1000 } : undefined);
    return this.lru.has(key);
  }

  /** Bytes held. */
  get size(): number {
    return this.lru.calculatedSize;
  }

  async close(): Promise<void> {
    this.lru.clear();
  }
}

export interface RedisStoreOptions {
  /** Values above this size are not stored (default 32 MiB). */
  maxItemBytes?: number;
  /** Default time to live of audio entries in seconds (default 1 day). */
  ttlSec?: number;
  /** Called (rate-limited) when Redis fails. */
  onError?: (e: Error) => void;
}

/**
 * Redis via ioredis. Commands fail fast while disconnected (no offline queue) and every failure
 * is a miss; ioredis keeps reconnecting in the background.
 */
export class RedisStore implements CacheStore {
  readonly kind = 'redis';
  readonly client: Redis;
  private readonly maxItemBytes: number;
  private readonly ttlSec: number;
  private lastErrorAt = 0;

  constructor(url: string, opts: RedisStoreOptions = {}) {
    this.maxItemBytes = opts.maxItemBytes ?? 32 * 1024 * 1024;
    this.ttlSec = opts.ttlSec ?? 86400;
    this.client = new Redis(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 2000,
      commandTimeout: 2000,
      retryStrategy: (times) => Math.min(100 * times, 2000),
    });
    this.client.on('error', (e: Error) => {
      const now = Date.now();
      if (now - this.lastErrorAt > 10_000) {
        this.lastErrorAt = now;
        opts.onError?.(e);
      }
    });
  }

  get healthy(): boolean {
    return this.client.status === 'ready';
  }

  async get(key: string): Promise<Buffer | undefined> {
    if (!this.healthy) return undefined;
    try {
      return (await this.client.getBuffer(key)) ?? undefined;
    } catch {
      return undefined;
    }
  }

  async set(key: string, value: Buffer, ttlSec?: number): Promise<boolean> {
    if (!this.healthy || value.length > this.maxItemBytes) return false;
    try {
      await this.client.set(key, value, 'EX', ttlSec ?? this.ttlSec);
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }
}

/** A cached audio response: its content type and bytes, packed into one value. */
export interface CachedAudio {
  contentType: string;
  body: Buffer;
}

/** Pack an audio response: 2-byte length of the content type, the type, then the bytes. */
export function packAudio(a: CachedAudio): Buffer {
  const type = Buffer.from(a.contentType, 'utf8');
  const head = Buffer.alloc(2);
  head.writeUInt16BE(type.length, 0);
  return Buffer.concat([head, type, a.body]);
}

/** Inverse of {@link packAudio}; undefined for a malformed value. */
export function unpackAudio(b: Buffer): CachedAudio | undefined {
  if (b.length < 2) return undefined;
  const n = b.readUInt16BE(0);
  if (b.length < 2 + n) return undefined;
  return { contentType: b.subarray(2, 2 + n).toString('utf8'), body: b.subarray(2 + n) };
}
