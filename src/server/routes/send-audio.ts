/**
 * Answering an audio request: from the cache, or rendered in the job pool and streamed to the
 * client as it is rendered, with backpressure from the socket (a chunk is acknowledged to the
 * worker only once the response stream took it). Content-Length is exact for WAV and raw.
 * Responses up to the cache's item limit are kept; larger ones stream uncached.
 */
import type { ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { cacheKey, packAudio, unpackAudio } from '../cache.js';
import { assertEncodable } from '../encodable.js';
import type { JobKind } from '../work/execute.js';
import type { AudioHead } from '../work/render-stream.js';
import type { AudioJob } from '../work/requests.js';

/** Memory a streamed render holds (engine, chunks in flight, stream buffers), bytes. */
export const STREAM_JOB_BYTES = 8 * 1024 * 1024;

/** Default largest response kept in the cache, bytes (`--cache-item-size`). */
export const DEFAULT_CACHE_ITEM = 16 * 1024 * 1024;

/**
 * Answer with cached audio, or render `job` in the pool (`kind` and `body`: what the worker
 * rebuilds it from) and stream it.
 */
export async function sendAudio(
  app: FastifyInstance,
  req: FastifyRequest,
  reply: FastifyReply,
  kind: JobKind,
  body: unknown,
  job: AudioJob,
): Promise<FastifyReply> {
  const { cache, metrics, cacheItemBytes } = app.omni;
  const route = kind;
  const key = cacheKey(route, job.canonical);
  const packed = await cache.get(key);
  const hit = packed ? unpackAudio(packed) : undefined;
  reply.header('content-disposition', `inline; filename="${job.name}.${job.plan.type}"`);
  if (hit) {
    metrics.cacheHits.inc({ route });
    return reply
      .header('x-cache', 'hit')
      .type(hit.contentType)
      .header('content-length', hit.body.length)
      .send(hit.body);
  }
  metrics.cacheMisses.inc({ route });
  await assertEncodable(job.plan);
  const { plan } = job;
  const frames = Math.round(job.scene.duration * job.scene.sampleRate);
  const estimate = frames * plan.channels * 4;
  const store = async (contentType: string, audio: Buffer) => {
    const stored = await cache.set(key, packAudio({ contentType, body: audio }));
    if (!stored && cache.kind === 'redis' && !cache.healthy) metrics.cacheErrors.inc();
  };
  const counted = () => {
    metrics.renders.inc({ route, format: plan.type });
    metrics.renderSeconds.inc({}, frames / plan.sampleRate);
  };
  if (plan.type !== 'wav' && plan.type !== 'raw' && estimate <= cacheItemBytes) {
    // an encoded file's length is known only at its end: a small one is sent whole, with it
    const r = await app.jobs.run(kind, body, STREAM_JOB_BYTES + 2 * estimate, reply);
    if (r.type !== 'audio') throw new Error('the render produced no audio');
    counted();
    await store(r.contentType, r.body);
    return reply
      .header('x-cache', 'miss')
      .type(r.contentType)
      .header('content-length', r.body.length)
      .send(r.body);
  }
  // only what may be cached is collected (and reserved) while it streams
  let kept: Buffer[] | null = estimate <= cacheItemBytes ? [] : null;
  let keptBytes = 0;
  const out = new PassThrough({ highWaterMark: 64 * 1024 });
  // a stream cut short by a failed render: Fastify ends the response; nothing else listens
  out.on('error', () => {});
  let head: AudioHead | undefined;
  let onHead: (h: AudioHead) => void = () => {};
  const headSeen = new Promise<AudioHead>((resolve) => {
    onHead = resolve;
  });
  const sent = socketProgress(reply.raw);
  let lastChunk: Promise<void> = Promise.resolve();
  let queued = 0;
  const reserve = STREAM_JOB_BYTES + (kept ? Math.min(estimate, cacheItemBytes) * 2 : 0);
  const run = app.jobs.run(kind, body, reserve, reply, {
    onHead: (h) => {
      head = h;
      if (h.length !== undefined && h.length > cacheItemBytes) kept = null;
      onHead(h);
    },
    // the chunk is a view of the worker's ring: the cache keeps a copy, and the slot goes back
    // to the worker only once the socket wrote the chunk (backpressure and memory safety alike)
    onChunk: (chunk) => {
      const send = () => {
        if (out.destroyed) return;
        queued += chunk.length;
        out.write(chunk);
        return sent.through(queued);
      };
      if (kept) {
        keptBytes += chunk.length;
        if (keptBytes > cacheItemBytes) kept = null;
        else kept.push(Buffer.from(chunk));
      }
      // the whole response kept: stored before its last bytes go out, so a client that read it
      // to its end and asks again gets a hit
      if (kept && head?.length !== undefined && keptBytes === head.length) {
        const whole = Buffer.concat(kept);
        kept = null;
        lastChunk = store(head.contentType, whole).then(send);
        return lastChunk;
      }
      return send();
    },
  });
  run.then(
    async () => {
      counted();
      // the worker is done once it handed over its last chunk, which may still wait for the cache
      await lastChunk;
      // a response of unknown length is stored at its end (those of known length already are)
      if (kept && head) await store(head.contentType, Buffer.concat(kept));
      out.end();
      kept = null;
    },
    (e: Error) => {
      // after the headers, a failure can only cut the response short
      if (head) req.log.warn({ err: e.message }, 'render stopped after the response started');
      out.destroy(head ? e : undefined);
    },
  );
  // errors before the first byte (bad request, overloaded) become error responses
  const first = await Promise.race([headSeen, run.then(() => head)]);
  if (!first) throw new Error('the render produced no audio head');
  reply.header('x-cache', 'miss').type(first.contentType);
  if (first.length !== undefined) reply.header('content-length', first.length);
  return reply.send(out);
}

/**
 * Counts the body bytes the socket of `res` has written (the callbacks of `res.write`), so a
 * producer can wait until memory it lent to the response is no longer read. Waiters are let go
 * when the response closes.
 */
export function socketProgress(res: ServerResponse): { through(bytes: number): Promise<void> } {
  let written = 0;
  let closed = false;
  const waiters: { bytes: number; resolve: () => void }[] = [];
  const release = () => {
    while (waiters.length > 0 && (closed || written >= waiters[0]!.bytes)) waiters.shift()!.resolve();
  };
  const write = res.write;
  res.write = function counted(this: ServerResponse, chunk: unknown, ...rest: unknown[]): boolean {
    const n = typeof chunk === 'string' ? Buffer.byteLength(chunk) : (chunk as Uint8Array).byteLength;
    const i = rest.findIndex((r) => typeof r === 'function');
    const callback = i >= 0 ? (rest[i] as (e?: Error | null) => void) : undefined;
    const args = i >= 0 ? rest.slice(0, i) : rest;
    return (write as (...a: unknown[]) => boolean).call(this, chunk, ...args, (e?: Error | null) => {
      written += n;
      release();
      callback?.(e);
    });
  } as typeof res.write;
  res.once('close', () => {
    closed = true;
    release();
  });
  return {
    through(bytes) {
      if (closed || written >= bytes) return Promise.resolve();
      return new Promise<void>((resolve) => {
        waiters.push({ bytes, resolve });
      });
    },
  };
}
