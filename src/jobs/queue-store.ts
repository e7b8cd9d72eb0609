/**
 * The job store with Redis: jobs go to a BullMQ queue that `omnisonic worker` processes (and
 * the servers themselves, unless `--no-local-jobs`) take; their state, progress and results
 * are read back from Redis, so any server answers for any job. While Redis is away every
 * operation fails fast with QUEUE_UNAVAILABLE (503).
 */
import { type Job, Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { OmniError } from '../errors.js';
import { JobListeners } from './events.js';
import { summary } from './local-store.js';
import { CANCEL_CHANNEL, failureOf, jobOptions, QUEUE_NAME, QUEUE_PREFIX, within } from './queue-settings.js';
import { ResultStore, redisOptionsOf, type StoredResult } from './results.js';
import type { JobEvent, JobKind, JobResult, JobStatus, JobStore, JobView } from './types.js';

export interface QueueStoreOptions {
  redisUrl: string;
  /** Folder of large results, shared with the workers. */
  resultsDir: string;
  /** Seconds finished jobs and results are kept. */
  ttlSec: number;
  /** Longest wait for Redis per operation, ms (default 3000). */
  timeoutMs?: number;
  onError?: (e: Error) => void;
}

/** Data of a queued job. */
export interface QueuedJob {
  kind: JobKind;
  request: unknown;
}

const STATUS: Record<string, JobStatus> = {
  active: 'active',
  completed: 'completed',
  failed: 'failed',
};

export class QueueJobStore implements JobStore {
  readonly kind = 'queue';
  readonly queue: Queue<QueuedJob, StoredResult>;
  private readonly events: QueueEvents;
  private readonly redis: Redis;
  private readonly results: ResultStore;
  private readonly listeners = new JobListeners();
  private readonly timeoutMs: number;
  private readonly stopSweep: () => void;

  constructor(private readonly o: QueueStoreOptions) {
    const connection = redisOptionsOf(o.redisUrl);
    const report = (e: Error) => o.onError?.(e);
    // producers fail fast while Redis is away (no offline queue)
    this.queue = new Queue(QUEUE_NAME, {
      connection: { ...connection, enableOfflineQueue: false, maxRetriesPerRequest: 1 },
      prefix: QUEUE_PREFIX,
    });
    this.queue.on('error', report);
    this.events = new QueueEvents(QUEUE_NAME, {
      connection: { ...connection, maxRetriesPerRequest: null },
      prefix: QUEUE_PREFIX,
    });
    this.events.on('error', report);
    this.redis = new Redis(o.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    this.redis.on('error', report);
    this.results = new ResultStore(this.redis, o.resultsDir, o.ttlSec);
    this.stopSweep = this.results.sweepEvery();
    this.timeoutMs = o.timeoutMs ?? 3000;
    const on = (status: JobStatus) => (e: { jobId: string }) => this.changed(e.jobId, status);
    this.events.on('waiting', on('queued'));
    this.events.on('active', on('active'));
    this.events.on('completed', on('completed'));
    this.events.on('failed', on('failed'));
    this.events.on('progress', ({ jobId, data }) =>
      this.listeners.emit({ id: jobId, status: 'active', progress: progressOf(data) }),
    );
  }

  async submit(id: string, kind: JobKind, request: unknown): Promise<JobView> {
    return this.guard(async () => {
      const old = await this.queue.getJob(id);
      if (old) {
        const view = await this.viewOf(old);
        const gone = view.status === 'completed' && view.audio && !(await this.result(id));
        if (view.status !== 'failed' && !gone) return view;
        await old.remove().catch(() => {});
      }
      // the id is the canonical request key: a second add of the same id returns the first job
      const job = await this.queue.add(kind, { kind, request }, jobOptions(id, this.o.ttlSec));
      return this.viewOf(job);
    });
  }

  async get(id: string): Promise<JobView | undefined> {
    return this.guard(async () => {
      const job = await this.queue.getJob(id);
      return job ? this.viewOf(job) : undefined;
    });
  }

  async result(id: string): Promise<JobResult | undefined> {
    return this.guard(async () => {
      const job = await this.queue.getJob(id);
      if (!job?.returnvalue || !job.finishedOn || job.failedReason) return undefined;
      return this.results.get(id, job.returnvalue);
    });
  }

  async cancel(id: string): Promise<boolean> {
    return this.guard(async () => {
      const job = await this.queue.getJob(id);
      if (!job) return false;
      const state = await job.getState();
      if (state === 'active') {
        // a worker holds its lock: ask the workers to abort it (it then fails as CANCELLED)
        await this.redis.publish(CANCEL_CHANNEL, id);
        return true;
      }
      await job.remove();
      await this.results.remove(id);
      if (state !== 'completed' && state !== 'failed') this.changed(id, 'failed');
      return true;
    });
  }

  subscribe(id: string, listener: (e: JobEvent) => void): () => void {
    return this.listeners.add(id, listener);
  }

  async close(): Promise<void> {
    this.stopSweep();
    this.listeners.clear();
    await Promise.allSettled([this.events.close(), this.queue.close(), this.redis.quit()]);
  }

  private changed(id: string, status: JobStatus): void {
    if (!this.listeners.has(id)) return;
    if (status === 'completed') {
      this.listeners.emit({ id, status, progress: 1 });
      return;
    }
    void this.get(id).then(
      (v) => v && this.listeners.emit({ id, status: v.status, progress: v.progress }),
      () => {},
    );
  }

  private async viewOf(read: Job<QueuedJob, StoredResult>): Promise<JobView> {
    let job = read;
    const state = await job.getState();
    if ((state === 'completed' && !job.returnvalue) || (state === 'failed' && !job.failedReason)) {
      // it finished between the read of its data and that of its state: read it again
      job = (await this.queue.getJob(read.id!)) ?? read;
    }
    const status = STATUS[state] ?? 'queued';
    const view: JobView = { id: job.id!, kind: job.data.kind, status, progress: progressOf(job.progress) };
    if (status === 'completed' && job.returnvalue) {
      const r = job.returnvalue;
      Object.assign(
        view,
        { progress: 1 },
        r.type === 'json' ? summary(r) : { audio: { contentType: r.contentType, bytes: r.bytes } },
      );
    }
    if (status === 'failed') view.error = failureOf(job.failedReason);
    return view;
  }

  /** Run a Redis operation, or fail with QUEUE_UNAVAILABLE when Redis is away or too slow. */
  private async guard<T>(op: () => Promise<T>): Promise<T> {
    const unavailable = (cause?: unknown) =>
      new OmniError('QUEUE_UNAVAILABLE', 'the job queue is unavailable: Redis cannot be reached', { cause });
    const client = await within(this.queue.client, this.timeoutMs, () => unavailable());
    if (client.status !== 'ready' || this.redis.status !== 'ready') throw unavailable();
    try {
      return await within(op(), this.timeoutMs, () => unavailable());
    } catch (e) {
      if (e instanceof OmniError) throw e;
      // Redis went away during the operation (its socket closed before ioredis says so)
      const lost = /connect|closed|writeable|ECONN|EPIPE|ETIMEDOUT|retr/i.test((e as Error)?.message ?? '');
      if (lost || client.status !== 'ready' || this.redis.status !== 'ready') throw unavailable(e);
      throw e;
    }
  }
}

function progressOf(p: unknown): number {
  return typeof p === 'number' && Number.isFinite(p) ? Math.max(0, Math.min(1, p)) : 0;
}
