/**
 * `POST /analyze/`: a WAV body in, the JSON of `omnisonic analyze --json` out. The job is
 * admitted before its body is read (its memory estimate comes from Content-Length), the body
 * goes to a worker thread chunk by chunk as it arrives, with backpressure, and is decoded and
 * analysed there chunk by chunk (never put together); a client that goes away stops the analysis.
 */
import { Type as T } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { invalid, isOmniError, OmniError } from '../../errors.js';
import { OverloadedError, type Ticket } from '../pool/admission.js';
import { clientGone } from '../pool/plugin.js';
import { checks, errorResponses } from '../schemas.js';

/** Largest WAV upload (64 MiB: about 5.8 minutes of 48 kHz 16-bit stereo). */
export const MAX_UPLOAD = 64 * 1024 * 1024;
const WAV_TYPES = ['audio/wav', 'audio/x-wav', 'audio/wave', 'audio/vnd.wave'];

/** What a body of unknown length (chunked) reserves at first; its reservation grows as it arrives. */
const UNANNOUNCED_FIRST = 8 * 1024 * 1024;
const reservations = new WeakMap<object, { ticket: Ticket; covered: number }>();

/**
 * Memory of an analysis whose length is announced (Content-Length), whatever the length: the
 * chunks on their way, the decoder, the analysis's ring of samples, FFTs and running measures,
 * and the garbage they leave between collections (measured in a process with one worker thread:
 * about 30-40 MB above its idle resident memory for uploads of 10, 60 and 120 MB; see
 * test/server/analyze-stream.test.ts).
 */
export const ANALYZE_BYTES = 32 * 1024 * 1024;

/**
 * Memory per byte of an upload of unknown length (chunked), on top of {@link ANALYZE_BYTES}: the
 * analysis keeps its mono mix (4 bytes a frame: 1 per byte of 16-bit stereo, 4 of 8-bit mono),
 * which grows by doubling.
 */
export const ANALYZE_BYTES_PER_BYTE = 4;

/** Bytes of an upload read ahead of its analysis before the socket is paused. */
const READ_AHEAD = 1 << 20;

/**
 * The body as it arrives, neither joined nor copied here: the chunks go to the worker thread,
 * which decodes them one by one. At most {@link READ_AHEAD} bytes wait here: past that the
 * socket is paused until the analysis took them (a job still waiting for a thread holds the
 * upload, within the server's request timeout). More than MAX_UPLOAD bytes is an error (413).
 */
export function uploadChunks(
  payload: NodeJS.ReadableStream,
  limit = MAX_UPLOAD,
  onBytes: (total: number) => void = () => {},
): AsyncIterable<Uint8Array> {
  const queue: Buffer[] = [];
  let queued = 0;
  let paused = false;
  let n = 0;
  let ended = false;
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const poke = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  payload.on('data', (c: Buffer) => {
    if (failure) return;
    n += c.length;
    if (n > limit) {
      failure = Object.assign(new Error('the request body is larger than the limit'), {
        statusCode: 413,
        code: 'FST_ERR_CTP_BODY_TOO_LARGE',
      });
      queue.length = 0;
    } else {
      try {
        onBytes(n);
        queue.push(c);
        queued += c.length;
        if (queued > READ_AHEAD && !paused) {
          paused = true;
          payload.pause();
        }
      } catch (e) {
        failure = e as Error;
        queue.length = 0;
      }
    }
    poke();
  });
  payload.on('end', () => {
    ended = true;
    poke();
  });
  payload.on('error', (e: Error) => {
    failure ??= e;
    poke();
  });
  // a connection that closes before the body ended leaves no 'end' and maybe no 'error'
  payload.on('close', () => {
    if (!ended) failure ??= Object.assign(new Error('the upload was cut short'), { statusCode: 400 });
    poke();
  });
  return {
    async *[Symbol.asyncIterator]() {
      for (;;) {
        if (failure) throw failure;
        const c = queue.shift();
        if (c) {
          queued -= c.length;
          if (paused && queued <= READ_AHEAD / 2) {
            paused = false;
            payload.resume();
          }
          yield c;
        } else if (ended) return;
        else await new Promise<void>((resolve) => (wake = resolve));
      }
    },
  };
}

/** Registers the analysis endpoint: WAV bodies only (any other content type is 415). */
export async function analyzeRoutes(app: FastifyInstance): Promise<void> {
  // this plugin's own parsers: JSON and text bodies are refused here, not parsed
  app.removeAllContentTypeParsers();
  // the body stays a stream: the handler hands it to the job as it arrives
  app.addContentTypeParser(WAV_TYPES, { bodyLimit: MAX_UPLOAD }, (_req, payload, done) => {
    done(null, payload);
  });
  app.post<{ Body: NodeJS.ReadableStream }>(
    '/analyze/',
    {
      bodyLimit: MAX_UPLOAD,
      config: {
        accepts: 'audio/wav',
        // the body is bytes, validated by the decoder: documented here, not given to the validator
        swaggerTransform: ({ schema, url }) => ({
          url,
          schema: {
            ...schema,
            consumes: WAV_TYPES,
            body: {
              type: 'string',
              format: 'binary',
              contentMediaType: 'audio/wav',
              description: 'a WAV file: PCM 8 to 32-bit or float 32/64-bit, up to 64 MiB',
            },
          } as typeof schema,
        }),
      },
      // admitted before the body is read: a refused upload costs no memory
      onRequest: async (req, reply) => {
        // a body the endpoint does not take is refused (415) by the parser, not admitted first
        const type = String(req.headers['content-type'] ?? '')
          .split(';')[0]!
          .trim()
          .toLowerCase();
        if (!WAV_TYPES.includes(type)) return;
        const declared = Number(req.headers['content-length']);
        // an announced body costs the same whatever its length; a body of unknown length
        // (chunked) reserves for its first MiBs and more as it arrives
        const announced = Number.isInteger(declared) && declared > 0;
        const size = announced ? Math.min(declared, MAX_UPLOAD) : UNANNOUNCED_FIRST;
        try {
          const ticket = app.jobs.admission.admit(
            ANALYZE_BYTES + (announced ? 0 : size * ANALYZE_BYTES_PER_BYTE),
          );
          reservations.set(req.raw, { ticket, covered: announced ? Number.POSITIVE_INFINITY : size });
          reply.raw.once('close', () => ticket.release());
        } catch (e) {
          if (e instanceof OverloadedError) reply.header('retry-after', String(e.retryAfterSec));
          throw e;
        }
      },
      schema: {
        summary: 'Analyse a WAV file',
        description:
          'f0, partials, notes, chord, key, consonance and loudness (LUFS, true peak) of the WAV sent as the body (Content-Type: audio/wav), as `omnisonic analyze --json`.',
        tags: ['harmony'],
        response: {
          200: T.Object({}, { additionalProperties: true, description: 'the analysis' }),
          ...errorResponses(400, 401, 403, 413, 415, 429, 503),
        },
        ...checks({
          field: 'body',
          codes: ['BAD_AUDIO'],
          rule: 'a readable WAV file (PCM or float) holding audible sound',
        }),
      },
    },
    async (req, reply) => {
      const declared = Number(req.headers['content-length']);
      if (declared === 0 || req.body === undefined)
        throw invalid('BAD_AUDIO', 'the body is empty; send a WAV file', 'body');
      if (declared > MAX_UPLOAD)
        throw Object.assign(new Error('body too large'), {
          statusCode: 413,
          code: 'FST_ERR_CTP_BODY_TOO_LARGE',
        });
      try {
        const r = await app.jobs.pool.runJob(
          'analyze',
          {},
          {
            signal: clientGone(reply),
            input: {
              field: 'audio',
              chunks: uploadChunks(req.body, MAX_UPLOAD, (total) => {
                const r = reservations.get(req.raw);
                if (!r || total <= r.covered) return;
                const covered = Math.min(MAX_UPLOAD, Math.max(total, r.covered * 2));
                try {
                  r.ticket.grow((covered - r.covered) * ANALYZE_BYTES_PER_BYTE);
                } catch (e) {
                  if (e instanceof OverloadedError) reply.header('retry-after', String(e.retryAfterSec));
                  throw e;
                }
                r.covered = covered;
              }),
              bytes: Number.isInteger(declared) && declared > 0 ? declared : undefined,
            },
          },
        );
        return r.type === 'json' ? r.value : {};
      } catch (e) {
        // what is wrong is the body: say so in `field`
        if (isOmniError(e) && e.code === 'BAD_AUDIO' && e.field === undefined)
          throw new OmniError('BAD_AUDIO', e.message, { field: 'body', cause: e });
        throw e;
      }
    },
  );
}
