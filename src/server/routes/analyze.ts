/**
 * `POST /analyze/`: a WAV body in, the JSON of `omnisonic analyze --json` out. The job is
 * admitted before its body is read (its memory estimate comes from Content-Length), the body is
 * read into one buffer that moves to a worker thread without a copy, and the decode and
 * analysis run there; a client that goes away stops the analysis.
 */
import { Type as T } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { invalid, isOmniError, OmniError } from '../../errors.js';
import { OverloadedError } from '../pool/admission.js';
import { clientGone } from '../pool/plugin.js';
import { checks, errorResponses } from '../schemas.js';

/** Largest WAV upload (64 MiB: about 5.8 minutes of 48 kHz 16-bit stereo). */
export const MAX_UPLOAD = 64 * 1024 * 1024;
const WAV_TYPES = ['audio/wav', 'audio/x-wav', 'audio/wave', 'audio/vnd.wave'];

/** Memory an analysis needs per byte of WAV (decoded samples, spectra, loudness), on top of the body. */
export const ANALYZE_BYTES_PER_BYTE = 4;

/** The body as one buffer with an ArrayBuffer of its own (so it can move to a worker). */
function readBody(req: FastifyRequest, payload: NodeJS.ReadableStream): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  return new Promise((resolve, reject) => {
    let buf = Buffer.allocUnsafeSlow(Number.isInteger(declared) && declared > 0 ? declared : 1 << 20);
    let n = 0;
    payload.on('data', (c: Buffer) => {
      if (n + c.length > MAX_UPLOAD) {
        reject(
          Object.assign(new Error('body too large'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' }),
        );
        return;
      }
      if (n + c.length > buf.length) {
        const bigger = Buffer.allocUnsafeSlow(Math.min(MAX_UPLOAD, Math.max(buf.length * 2, n + c.length)));
        buf.copy(bigger, 0, 0, n);
        buf = bigger;
      }
      c.copy(buf, n);
      n += c.length;
    });
    payload.on('end', () => resolve(n === buf.length ? buf : Buffer.from(buf.subarray(0, n))));
    payload.on('error', reject);
  });
}

/** Registers the analysis endpoint: WAV bodies only (any other content type is 415). */
export async function analyzeRoutes(app: FastifyInstance): Promise<void> {
  // this plugin's own parsers: JSON and text bodies are refused here, not parsed
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(WAV_TYPES, { bodyLimit: MAX_UPLOAD }, (req, payload, done) => {
    readBody(req, payload).then(
      (b) => done(null, b),
      (e: Error) => done(e, undefined),
    );
  });
  app.post<{ Body: Buffer }>(
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
        const size = Number.isInteger(declared) && declared > 0 ? Math.min(declared, MAX_UPLOAD) : MAX_UPLOAD;
        try {
          const ticket = app.jobs.admission.admit(size * (1 + ANALYZE_BYTES_PER_BYTE));
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
      const body = req.body;
      if (!Buffer.isBuffer(body) || body.length === 0)
        throw invalid('BAD_AUDIO', 'the body is empty; send a WAV file', 'body');
      const audio = new Uint8Array(body.buffer, body.byteOffset, body.length);
      try {
        const r = await app.jobs.pool.runJob('analyze', { audio }, { signal: clientGone(reply) });
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
