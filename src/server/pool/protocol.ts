/**
 * Messages between the pool and a job running in one of its worker threads, over a MessagePort
 * of its own. A streamed job's audio goes through a ring of `maxInFlight` slots in memory shared
 * by both threads: the worker copies a chunk into a free slot and names the slot in a `chunk`
 * message; the pool hands the consumer a view of the slot and acknowledges the slot once the
 * consumer is done with it (the socket wrote it). No chunk is allocated, copied between threads
 * or collected as garbage in the event loop's thread, and a slow client slows the render instead
 * of filling memory.
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
  /** Most chunks sent and not yet acknowledged (the slots of `ring`). */
  maxInFlight: number;
  /** A streamed job's ring of `maxInFlight` slots of `slotBytes` bytes each. */
  ring?: SharedArrayBuffer;
  slotBytes?: number;
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
  /** Bytes `0..length` of slot `slot` of the ring hold the next chunk. */
  | { type: 'chunk'; slot: number; length: number }
  | { type: 'progress'; fraction: number }
  | { type: 'done'; result: JobResult }
  | { type: 'error'; error: JobErrorData };

/** Pool to worker. */
export type ToWorker =
  /** The consumer is done with this slot: the worker may fill it again. */
  | { type: 'ack'; slot: number }
  | { type: 'abort' }
  | { type: 'input'; chunk: Uint8Array }
  | { type: 'input-end' };
