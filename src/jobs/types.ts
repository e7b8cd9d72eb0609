/**
 * Jobs: long renders and analyses run apart from the request that asked for them, in the
 * server's own pool (no Redis) or on a BullMQ queue taken by `omnisonic worker` processes.
 * Both stores answer the same {@link JobStore} interface, so the routes have one code path.
 */
import type { JobKind, JobResult } from '../server/work/execute.js';

export type { JobKind, JobOptions, JobResult } from '../server/work/execute.js';

/** What `GET /jobs/{id}` reports. */
export type JobStatus = 'queued' | 'active' | 'completed' | 'failed';

/** A job as the API shows it. `result` is the JSON of analyze jobs; audio is fetched apart. */
export interface JobView {
  id: string;
  kind: JobKind;
  status: JobStatus;
  /** 0 to 1. */
  progress: number;
  error?: { code: string; message: string };
  result?: unknown;
  /** For audio results: its type and size, the bytes are at `/jobs/{id}/result`. */
  audio?: { contentType: string; bytes: number };
}

/** A progress or status change pushed to subscribers (WebSocket sessions). */
export interface JobEvent {
  id: string;
  status: JobStatus;
  progress: number;
}

/** The jobs of a server: in memory (local pool) or in Redis (BullMQ). */
export interface JobStore {
  readonly kind: 'local' | 'queue';
  /**
   * Submit a job under `id` (the canonical request key). When a job of that id exists and has
   * not failed, it is shared: nothing new runs.
   */
  submit(id: string, kind: JobKind, request: unknown): Promise<JobView>;
  get(id: string): Promise<JobView | undefined>;
  /** The result of a completed job; undefined when absent, unfinished or expired. */
  result(id: string): Promise<JobResult | undefined>;
  /** Cancel a queued or running job and forget it; false when there is no such job. */
  cancel(id: string): Promise<boolean>;
  /** Listen to the changes of one job until the returned function is called. */
  subscribe(id: string, listener: (e: JobEvent) => void): () => void;
  close(): Promise<void>;
}

/** True for a status that will not change any more. */
export function isFinal(status: JobStatus): boolean {
  return status === 'completed' || status === 'failed';
}
