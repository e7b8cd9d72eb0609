/**
 * The entry of the pool's worker threads: runs one job with {@link executeJob} and talks to the
 * pool over the task's MessagePort (see `protocol.ts`). An `abort` message aborts the job's
 * signal; the render loop checks it between blocks and yields to this thread's event loop every
 * few milliseconds, so it stops within one slice.
 */

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { configureJobs, executeJob, jobErrorData, type UploadStream } from '../work/execute.js';
import { abortedError } from '../work/render-stream.js';
import type { FromWorker, PoolTask, ToWorker } from './protocol.js';

/**
 * A full garbage collection of this thread. After a large job the thread would otherwise keep
 * its buffers (hundreds of MB after an analysis) until its next job happened to collect them:
 * an idle server must give that memory back. The `gc` function comes from a context created
 * with --expose-gc set.
 */
const collectGarbage: () => void = (() => {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : () => {};
  } catch {
    return () => {};
  }
})();

/** Bytes a job may leave behind before the thread collects them at its end. */
const COLLECT_AFTER_BYTES = 16 * 1024 * 1024;

/** A buffer this thread may give away: its own ArrayBuffer, not a slice of a shared pool. */
function transferable(chunk: Buffer): Uint8Array {
  if (
    chunk.byteOffset === 0 &&
    chunk.buffer.byteLength === chunk.length &&
    !(chunk.buffer instanceof SharedArrayBuffer)
  )
    return new Uint8Array(chunk.buffer, 0, chunk.length);
  return new Uint8Array(chunk);
}

/**
 * The bytes of an analysis's upload as they arrive, for the job to take one by one (never put
 * together); each chunk taken is acknowledged, so the pool sends only a few ahead.
 */
class InputStream implements UploadStream {
  private readonly queue: Uint8Array[] = [];
  private wake: (() => void) | null = null;
  ended = false;
  constructor(
    readonly bytes: number | undefined,
    private readonly taken: () => void,
  ) {}
  add(chunk: Uint8Array): void {
    this.queue.push(chunk);
    this.poke();
  }
  end(): void {
    this.ended = true;
    this.poke();
  }
  private poke(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }
  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    for (;;) {
      const chunk = this.queue.shift();
      if (chunk) {
        this.taken();
        yield chunk;
      } else if (this.ended) return;
      else await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

/**
 * The bytes of a request sent after its job started, put together in this thread (so a large
 * upload is never copied whole in the event loop's thread).
 */
class InputBytes {
  private buf: Uint8Array;
  private n = 0;
  ended = false;
  constructor(announced: number | undefined) {
    this.buf = new Uint8Array(announced && announced > 0 ? announced : 1 << 20);
  }
  add(chunk: Uint8Array): void {
    if (this.n + chunk.length > this.buf.length) {
      const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.n + chunk.length));
      bigger.set(this.buf.subarray(0, this.n));
      this.buf = bigger;
    }
    this.buf.set(chunk, this.n);
    this.n += chunk.length;
  }
  end(): void {
    this.ended = true;
  }
  /** The bytes, in an ArrayBuffer of their own. */
  take(): Uint8Array {
    const out = this.n === this.buf.length ? this.buf : this.buf.slice(0, this.n);
    this.buf = new Uint8Array(0);
    return out;
  }
}

export default async function runTask(task: PoolTask): Promise<void> {
  const { port } = task;
  const send = (m: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
  configureJobs({ presetDirs: task.presetDirs });
  const ac = new AbortController();
  // the ring's slots the pool gave back (all of them at first)
  const free = Array.from({ length: task.ring ? task.maxInFlight : 0 }, (_, i) => i);
  let wake: (() => void) | null = null;
  // an analysis decodes its upload as it arrives; other jobs get their bytes put together
  const input = task.input
    ? task.kind === 'analyze'
      ? new InputStream(task.input.bytes, () => send({ type: 'input-ack' }))
      : new InputBytes(task.input.bytes)
    : null;
  port.on('message', (m: ToWorker) => {
    if (m.type === 'abort') {
      ac.abort();
      input?.end();
    } else if (m.type === 'ack') free.push(m.slot);
    else if (m.type === 'input') {
      input?.add(m.chunk);
      if (input instanceof InputBytes) send({ type: 'input-ack' });
    } else if (m.type === 'input-end') input?.end();
    const w = wake;
    wake = null;
    w?.();
  });
  // the chunk is copied into free slots of the ring (several when it is larger than one) and
  // may be reused by the render as soon as this returns
  const onChunk = async (chunk: Buffer) => {
    const ring = task.ring!;
    const slotBytes = task.slotBytes!;
    for (let at = 0; at < chunk.length; ) {
      while (free.length === 0 && !ac.signal.aborted) await new Promise<void>((resolve) => (wake = resolve));
      if (ac.signal.aborted) throw abortedError();
      const slot = free.shift()!;
      const length = Math.min(slotBytes, chunk.length - at);
      new Uint8Array(ring, slot * slotBytes, length).set(chunk.subarray(at, at + length));
      send({ type: 'chunk', slot, length });
      at += length;
    }
    handled += chunk.length;
  };
  send({ type: 'started' });
  let handled = task.input?.bytes ?? 0;
  try {
    if (input instanceof InputStream && task.input)
      (task.request as Record<string, unknown>)[task.input.field] = input;
    else if (input instanceof InputBytes && task.input) {
      while (!input.ended && !ac.signal.aborted) await new Promise<void>((resolve) => (wake = resolve));
      if (ac.signal.aborted) throw abortedError();
      (task.request as Record<string, unknown>)[task.input.field] = input.take();
    }
    const result = await executeJob(task.kind, task.request, {
      signal: ac.signal,
      onProgress: (fraction) => send({ type: 'progress', fraction }),
      onHead: (head) => send({ type: 'head', head }),
      ...(task.stream && task.ring ? { onChunk: onChunk as (c: Buffer) => void } : {}),
      collectGarbage,
    });
    if (result.type === 'audio') handled += result.body.length;
    if (result.type === 'audio' && result.body.length > 0) {
      const body = transferable(result.body);
      send({ type: 'done', result: { ...result, body: body as Buffer } }, [body.buffer as ArrayBuffer]);
    } else send({ type: 'done', result });
  } catch (e) {
    send({ type: 'error', error: jobErrorData(e) });
  } finally {
    port.removeAllListeners('message');
    port.close();
    if (handled >= COLLECT_AFTER_BYTES || task.kind === 'analyze' || task.kind === 'midi')
      setImmediate(collectGarbage);
  }
}
