/**
 * The job store without Redis: jobs run in this server's own pool and their records and
 * results live in memory until their time to live ends.
 */
import { OmniError } from '../errors.js';
import { JobListeners, jobError } from './events.js';
import type { JobOptions } from './execute-fallback.js';
import { executableRequest } from './request.js';
import type { JobKind, JobResult, JobStore, JobView } from './types.js';

/** Runs one job (the pool's `runJob`). */
export type JobRunner = (kind: JobKind, request: unknown, opts: JobOptions) => Promise<JobResult>;

export interface LocalStoreOptions {
  /** Seconds a finished job and its result are kept (default 3600). */
  ttlSec?: number;
  /** Most unfinished jobs at once; more get QUEUE_FULL (default 1000). */
  maxPending?: number;
  /** Called with each job's id when it completes. */
  onCompleted?: (id: string) => void;
}

interface Rec {
  view: JobView;
  result?: JobResult;
  abort: AbortController;
  timer?: NodeJS.Timeout;
}

export class LocalJobStore implements JobStore {
  readonly kind = 'local';
  private readonly jobs = new Map<string, Rec>();
  private readonly listeners = new JobListeners();
  private readonly ttlMs: number;
  private readonly maxPending: number;
  private pending = 0;

  constructor(
    private readonly run: JobRunner,
    private readonly opts: LocalStoreOptions = {},
  ) {
    this.ttlMs = (opts.ttlSec ?? 3600) * 1000;
    this.maxPending = opts.maxPending ?? 1000;
  }

  async submit(id: string, kind: JobKind, request: unknown): Promise<JobView> {
    const old = this.jobs.get(id);
    if (old && old.view.status !== 'failed') return { ...old.view };
    if (old) this.forget(id);
    if (this.pending >= this.maxPending) {
      throw new OmniError('QUEUE_FULL', `the server already holds ${this.maxPending} unfinished jobs`);
    }
    const rec: Rec = { view: { id, kind, status: 'active', progress: 0 }, abort: new AbortController() };
    this.jobs.set(id, rec);
    this.pending++;
    const emit = () => this.listeners.emit({ id, status: rec.view.status, progress: rec.view.progress });
    const onProgress = (p: number) => {
      if (this.jobs.get(id) !== rec || !(p > rec.view.progress)) return;
      rec.view.progress = Math.min(1, p);
      emit();
    };
    this.run(kind, executableRequest(kind, request), { signal: rec.abort.signal, onProgress })
      .then(
        (result) => {
          rec.result = result;
          rec.view = { ...rec.view, status: 'completed', progress: 1, ...summary(result) };
          this.opts.onCompleted?.(id);
        },
        (e: unknown) => {
          rec.view = { ...rec.view, status: 'failed', error: jobError(e) };
        },
      )
      .finally(() => {
        this.pending--;
        if (this.jobs.get(id) !== rec) return;
        rec.timer = setTimeout(() => this.forget(id), this.ttlMs);
        rec.timer.unref();
        emit();
      });
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
    this.forget(id);
    if (rec.view.status === 'active' || rec.view.status === 'queued') {
      this.listeners.emit({ id, status: 'failed', progress: rec.view.progress });
    }
    return true;
  }

  subscribe(id: string, listener: (e: import('./types.js').JobEvent) => void): () => void {
    return this.listeners.add(id, listener);
  }

  async close(): Promise<void> {
    for (const id of [...this.jobs.keys()]) this.forget(id);
    this.listeners.clear();
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
