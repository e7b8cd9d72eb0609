/**
 * The job store without Redis: jobs wait in a queue of this server and run in its worker-thread
 * pool, at most `concurrency` at once (the rest of the pool stays free for the synchronous
 * endpoints); records and results live in memory until their time to live ends.
 */
import { isOmniError, OmniError } from '../errors.js';
import { JobListeners, jobError } from './events.js';
import { executableRequest } from './request.js';
import type { JobEvent, JobKind, JobOptions, JobResult, JobStore, JobView } from './types.js';

/** Runs one job (the pool's `runJob`). */
export type JobRunner = (kind: JobKind, request: unknown, opts: JobOptions) => Promise<JobResult>;

export interface LocalStoreOptions {
  /** Seconds a finished job and its result are kept (default 3600). */
  ttlSec?: number;
  /** Jobs running at once (default 2). */
  concurrency?: number;
  /** Most unfinished jobs; more get OVERLOADED (default 1000). */
  maxPending?: number;
}

interface Rec {
  view: JobView;
  request: unknown;
  result?: JobResult;
  abort: AbortController;
  timer?: NodeJS.Timeout;
}

/** A pool that is full now is asked again after this long, ms. */
const RETRY_MS = 200;

export class LocalJobStore implements JobStore {
  readonly kind = 'local';
  private readonly jobs = new Map<string, Rec>();
  private readonly waiting: Rec[] = [];
  private readonly listeners = new JobListeners();
  private readonly ttlMs: number;
  private readonly concurrency: number;
  private readonly maxPending: number;
  private running = 0;

  constructor(
    private readonly run: JobRunner,
    o: LocalStoreOptions = {},
  ) {
    this.ttlMs = (o.ttlSec ?? 3600) * 1000;
    this.concurrency = Math.max(1, o.concurrency ?? 2);
    this.maxPending = o.maxPending ?? 1000;
  }

  async submit(id: string, kind: JobKind, request: unknown): Promise<JobView> {
    const old = this.jobs.get(id);
    if (old && old.view.status !== 'failed') return { ...old.view };
    if (old) this.forget(id);
    if (this.waiting.length + this.running >= this.maxPending) {
      throw new OmniError(
        'OVERLOADED',
        `the server already holds ${this.maxPending} unfinished jobs; retry later`,
      );
    }
    const rec: Rec = {
      view: { id, kind, status: 'queued', progress: 0 },
      request,
      abort: new AbortController(),
    };
    this.jobs.set(id, rec);
    this.waiting.push(rec);
    this.pump();
    return { ...rec.view };
  }

  async get(id: string): Promise<JobView | undefined> {
    const rec = this.jobs.get(id);
    return rec ? { ...rec.view } : undefined;
  }

  async result(id: string): Promise<JobResult | undefined> {
    return this.jobs.get(id)?.result;
  }

  async cancel(id: string): Promise<boolean> {
    const rec = this.jobs.get(id);
    if (!rec) return false;
    if (rec.view.status === 'queued' || rec.view.status === 'completed') {
      this.forget(id);
      if (rec.view.status === 'queued') this.emit({ ...rec.view, status: 'failed' });
      return true;
    }
    // running: it stops and is reported failed with CANCELLED
    rec.abort.abort();
    return true;
  }

  subscribe(id: string, listener: (e: JobEvent) => void): () => void {
    return this.listeners.add(id, listener);
  }

  async close(): Promise<void> {
    for (const id of [...this.jobs.keys()]) this.forget(id);
    this.listeners.clear();
  }

  private emit(v: JobView): void {
    this.listeners.emit({ id: v.id, status: v.status, progress: v.progress });
  }

  private pump(): void {
    while (this.running < this.concurrency && this.waiting.length > 0) {
      const rec = this.waiting.shift()!;
      if (this.jobs.get(rec.view.id) === rec) this.start(rec);
    }
  }

  private start(rec: Rec): void {
    const { id, kind } = rec.view;
    this.running++;
    rec.view.status = 'active';
    this.emit(rec.view);
    const onProgress = (p: number) => {
      if (!(p > rec.view.progress) || rec.view.status !== 'active') return;
      rec.view.progress = Math.min(1, p);
      this.emit(rec.view);
    };
    this.run(kind, executableRequest(kind, rec.request), { signal: rec.abort.signal, onProgress })
      .then(
        (result) => {
          rec.result = result;
          rec.view = { ...rec.view, status: 'completed', progress: 1, ...summary(result) };
        },
        (e: unknown) => {
          if (isOmniError(e) && e.code === 'OVERLOADED' && !rec.abort.signal.aborted) {
            // the pool is full of synchronous requests: wait for a turn again
            rec.view.status = 'queued';
            setTimeout(() => {
              this.waiting.unshift(rec);
              this.pump();
            }, RETRY_MS).unref();
            return;
          }
          rec.view = { ...rec.view, status: 'failed', error: jobError(e) };
        },
      )
      .finally(() => {
        this.running--;
        this.pump();
        if (rec.view.status === 'queued') return;
        rec.request = undefined;
        if (this.jobs.get(id) === rec) {
          rec.timer = setTimeout(() => this.forget(id), this.ttlMs);
          rec.timer.unref();
        }
        this.emit(rec.view);
      });
  }

  private forget(id: string): void {
    const rec = this.jobs.get(id);
    if (!rec) return;
    this.jobs.delete(id);
    clearTimeout(rec.timer);
    rec.abort.abort();
  }
}

/** The fields of a view that describe a result. */
export function summary(result: JobResult): Pick<JobView, 'result' | 'audio'> {
  return result.type === 'json'
    ? { result: result.value }
    : { audio: { contentType: result.contentType, bytes: result.body.length } };
}
