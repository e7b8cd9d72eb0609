/**
 * The server's pool of worker threads (piscina) for CPU-heavy jobs: renders, encodes, analyses,
 * MIDI renders. Sized to the cores by default, with a bounded queue; past it, OVERLOADED. The
 * event loop of the server only parses, validates, routes and streams.
 *
 * Cancellation: aborting a job's signal tells its worker to stop (the render loop stops within
 * one slice of a few ms); a job that does not stop within `killAfterMs` (an analysis is one long
 * computation) has its worker thread terminated, and piscina starts a fresh one.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { OmniError } from '../../errors.js';
import { packagePath } from '../../package-root.js';
import { type JobKind, type JobResult, jobError } from '../work/execute.js';
import type { AudioHead } from '../work/render-stream.js';
import type { FromWorker, PoolTask, ToWorker } from './protocol.js';

export interface PoolOptions {
  /** Worker threads (default: the cores, `os.availableParallelism()`). */
  threads?: number;
  /** Jobs waiting for a thread before runJob refuses with OVERLOADED (default 4 per thread). */
  maxQueue?: number;
  /** Chunks sent by a worker and not yet taken by the consumer: the slots of a streamed job's ring (default 4). */
  maxInFlight?: number;
  /** Bytes of each slot of a streamed job's ring (default 256 KiB and 4 KiB for a header); larger chunks take several. */
  slotBytes?: number;
  /** How long a cancelled job may take to stop before its thread is terminated, ms (default 50). */
  killAfterMs?: number;
  /** Heap limit of each worker thread, MiB (default 256): a runaway job kills its thread, not the server. */
  heapMb?: number;
  /** Where `render` jobs find user presets by name. */
  presetDirs?: string[] | undefined;
}

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
  /**
   * Receives the audio chunk by chunk (the result's body is then empty). The chunk is a view of
   * memory the worker fills again once the returned promise settles (or at once when nothing is
   * returned): a consumer that keeps the bytes longer copies them.
   */
  onChunk?: (chunk: Buffer) => void | Promise<void>;
  /** Content type and exact length (when known) before the first chunk. */
  onHead?: (head: AudioHead) => void;
  /**
   * Bytes of the request that are still arriving (an upload): sent to the worker chunk by chunk
   * once the job started there (at most maxInFlight unacknowledged), and put together in that
   * thread into `request[field]`, or for an analysis handed to the job as they arrive. An error
   * of `chunks` fails the job with that error.
   */
  input?: { field: string; chunks: AsyncIterable<Uint8Array>; bytes?: number | undefined };
}

/** Counters of the pool (exposed in /metrics). */
export interface PoolStats {
  threads: number;
  /** Jobs running in a worker now. */
  running: number;
  /** Jobs waiting for a thread. */
  queued: number;
  completed: number;
  failed: number;
  /** Jobs stopped by their signal (confirmed by the worker or by terminating it). */
  cancelled: number;
  /** Worker threads terminated because a cancelled job did not stop in time. */
  killed: number;
}

/** The compiled worker entry (tsc output; built by `npm run build`). */
export const WORKER_FILE = packagePath('dist', 'server', 'pool', 'worker-entry.cjs');

export class JobPool {
  private readonly piscina: Piscina<PoolTask, void>;
  private readonly o: Required<Omit<PoolOptions, 'presetDirs' | 'threads'>> & {
    presetDirs: string[] | undefined;
  };
  private counts = { running: 0, completed: 0, failed: 0, cancelled: 0, killed: 0 };

  constructor(options: PoolOptions = {}) {
    if (!existsSync(WORKER_FILE)) {
      throw new OmniError('SERVER_ERROR', `the job pool's worker ${WORKER_FILE} is missing`, {
        hint: 'build the package first: npm run build',
      });
    }
    const threads = Math.max(1, options.threads ?? availableParallelism());
    this.o = {
      maxQueue: options.maxQueue ?? threads * 4,
      maxInFlight: Math.max(1, options.maxInFlight ?? 4),
      slotBytes: Math.max(4096, options.slotBytes ?? 256 * 1024 + 4096),
      killAfterMs: options.killAfterMs ?? 50,
      heapMb: options.heapMb ?? 256,
      presetDirs: options.presetDirs,
    };
    this.piscina = new Piscina<PoolTask, void>({
      filename: WORKER_FILE,
      minThreads: threads,
      maxThreads: threads,
      maxQueue: this.o.maxQueue,
      idleTimeout: 60_000,
      resourceLimits: { maxOldGenerationSizeMb: this.o.heapMb },
      // below the event loop's priority: on a machine whose cores all render, sockets, /health
      // and the pacing of live sessions still get the CPU first
      niceIncrement: 10,
    });
    // a worker that dies (out of heap, terminated) fails its job; the pool replaces it
    this.piscina.on('error', () => {});
  }

  /** Counters for /metrics. */
  get stats(): PoolStats {
    return { threads: this.piscina.threads.length, queued: this.piscina.queueSize, ...this.counts };
  }

  /**
   * Run {@link executeJob} in a worker thread. Rejects with CANCELLED when `signal` aborts,
   * OVERLOADED when the queue is full, or the job's own error.
   * @example const r = await pool.runJob('generate', { frequency: 440, duration: 1 });
   */
  runJob(kind: JobKind, request: unknown, opts: RunOptions = {}): Promise<JobResult> {
    if (opts.signal?.aborted) return Promise.reject(new OmniError('CANCELLED', 'the job was cancelled'));
    if (this.piscina.queueSize >= this.o.maxQueue) return Promise.reject(overloaded('the job queue is full'));
    const { port1, port2 } = new MessageChannel();
    const kill = new AbortController();
    const transferList: ArrayBuffer[] = [];
    const r = request as { audio?: Uint8Array; midi?: Uint8Array } | null;
    // the file of an analysis or a MIDI render moves to the worker instead of being copied
    for (const bytes of [r?.audio, r?.midi]) {
      if (
        bytes instanceof Uint8Array &&
        bytes.byteOffset === 0 &&
        bytes.byteLength === bytes.buffer.byteLength
      )
        transferList.push(bytes.buffer as ArrayBuffer);
    }
    const task: PoolTask = {
      kind,
      request,
      port: port2,
      stream: Boolean(opts.onChunk),
      maxInFlight: this.o.maxInFlight,
      ...(opts.onChunk
        ? { ring: new SharedArrayBuffer(this.o.maxInFlight * this.o.slotBytes), slotBytes: this.o.slotBytes }
        : {}),
      presetDirs: this.o.presetDirs,
      ...(opts.input ? { input: { field: opts.input.field, bytes: opts.input.bytes } } : {}),
    };
    return new Promise<JobResult>((resolve, reject) => {
      let settled = false;
      let inputCredits = this.o.maxInFlight;
      let inputWake: (() => void) | null = null;
      let started = false;
      let killTimer: NodeJS.Timeout | undefined;
      const finish = (outcome: 'completed' | 'failed' | 'cancelled', value?: JobResult, err?: Error) => {
        if (settled) return;
        settled = true;
        if (started) this.counts.running--;
        this.counts[outcome]++;
        clearTimeout(killTimer);
        inputWake?.();
        opts.signal?.removeEventListener('abort', onAbort);
        port1.close();
        if (err) reject(err);
        else resolve(value!);
      };
      const onAbort = () => {
        port1.postMessage({ type: 'abort' } satisfies ToWorker);
        // the job stops at its next check; one that does not (a long computation) loses its thread
        killTimer = setTimeout(() => {
          if (settled) return;
          if (started) this.counts.killed++;
          kill.abort();
        }, this.o.killAfterMs);
      };
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      // each chunk is copied once into a buffer of its own, which then moves to the worker; at
      // most maxInFlight of them wait there (an analysis takes them as fast as it decodes)
      const sendInput = async (chunks: AsyncIterable<Uint8Array>) => {
        for await (const chunk of chunks) {
          while (inputCredits <= 0 && !settled) await new Promise<void>((resolve) => (inputWake = resolve));
          if (settled) return;
          inputCredits--;
          const own = new Uint8Array(chunk);
          port1.postMessage({ type: 'input', chunk: own } satisfies ToWorker, [own.buffer]);
        }
        if (!settled) port1.postMessage({ type: 'input-end' } satisfies ToWorker);
      };
      const ack = (slot: number) => {
        if (!settled) port1.postMessage({ type: 'ack', slot } satisfies ToWorker);
      };
      port1.on('message', (m: FromWorker) => {
        if (!started) {
          started = true;
          this.counts.running++;
        }
        switch (m.type) {
          case 'input-ack': {
            inputCredits++;
            const w = inputWake;
            inputWake = null;
            w?.();
            break;
          }
          case 'started':
            if (opts.input) {
              sendInput(opts.input.chunks).catch((e: Error) => {
                onAbort();
                finish('failed', undefined, e);
              });
            }
            break;
          case 'head':
            opts.onHead?.(m.head);
            break;
          case 'progress':
            opts.onProgress?.(m.fraction);
            break;
          case 'chunk': {
            const ring = task.ring!;
            const slotBytes = task.slotBytes!;
            if (!(m.slot >= 0 && m.slot < this.o.maxInFlight && m.length >= 0 && m.length <= slotBytes)) {
              onAbort();
              finish(
                'failed',
                undefined,
                new OmniError('INTERNAL', `a worker named slot ${m.slot} of its ring`),
              );
              return;
            }
            const chunk = Buffer.from(ring, m.slot * slotBytes, m.length);
            const slot = m.slot;
            let taken: void | Promise<void>;
            try {
              taken = opts.onChunk?.(chunk);
            } catch (e) {
              onAbort();
              finish('failed', undefined, e as Error);
              return;
            }
            if (taken instanceof Promise)
              taken.then(
                () => ack(slot),
                () => ack(slot),
              );
            else ack(slot);
            break;
          }
          case 'done': {
            const res = m.result;
            if (res.type === 'audio') {
              const b = res.body as Uint8Array;
              finish('completed', { ...res, body: Buffer.from(b.buffer, b.byteOffset, b.byteLength) });
            } else finish('completed', res);
            break;
          }
          case 'error': {
            const e = jobError(m.error);
            finish(e.code === 'CANCELLED' ? 'cancelled' : 'failed', undefined, e);
            break;
          }
        }
      });
      // the worker posts 'head' first and 'done' or 'error' last; the task's own promise only
      // matters when the thread died (terminated, out of heap)
      this.piscina.run(task, { transferList: [port2, ...transferList], signal: kill.signal }).then(
        () => {},
        (e: Error) => {
          if (kill.signal.aborted)
            finish('cancelled', undefined, new OmniError('CANCELLED', 'the job was cancelled'));
          else if (/queue is at limit/i.test(e.message))
            finish('failed', undefined, overloaded('the job queue is full'));
          else
            finish(
              'failed',
              undefined,
              new OmniError('INTERNAL', `a job's worker thread failed: ${e.message}`, { cause: e }),
            );
        },
      );
    });
  }

  /** Stop the threads (running jobs are terminated). */
  async close(): Promise<void> {
    await this.piscina.destroy();
  }
}

/** The error of a full server (503 with Retry-After). */
export function overloaded(why: string): OmniError {
  return new OmniError('OVERLOADED', `the server is busy: ${why}; retry later`);
}
