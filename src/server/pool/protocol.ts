/**
 * Messages between the pool and a job running in one of its worker threads, over a MessagePort
 * of its own. Audio chunks go out at most `maxInFlight` ahead of the acknowledgements, and the
 * pool acknowledges a chunk only once its consumer took it (the socket drained), so a slow
 * client slows the render instead of filling memory.
 */
import type { MessagePort } from 'node:worker_threads';
import type { JobErrorData, JobKind, JobResult } from '../work/execute.js';
import type { AudioHead } from '../work/render-stream.js';

/** What the pool hands a worker for one job. */
export interface PoolTask {
  kind: JobKind;
  request: unknown;
  port: MessagePort;
  /** Stream the audio as chunks (else the result holds the whole body). */
  stream: boolean;
  /** Most chunks sent and not yet acknowledged. */
  maxInFlight: number;
  presetDirs: string[] | undefined;
  /**
   * The request's bytes arrive over the port after the job started (`input` messages, then
   * `input-end`) and go into this field of the request; `bytes` is their announced length. The
   * worker acknowledges each chunk it took (`input-ack`); at most `maxInFlight` are unacknowledged.
   */
  input?: { field: string; bytes: number | undefined };
}

/** Worker to pool. */
export type FromWorker =
  | { type: 'started' }
  | { type: 'input-ack' }
  | { type: 'head'; head: AudioHead }
  | { type: 'chunk'; chunk: Uint8Array }
  | { type: 'progress'; fraction: number }
  | { type: 'done'; result: JobResult }
  | { type: 'error'; error: JobErrorData };

/** Pool to worker. */
export type ToWorker =
  | { type: 'ack' }
  | { type: 'abort' }
  | { type: 'input'; chunk: Uint8Array }
  | { type: 'input-end' };
