/** `POST /analyze/`: a WAV body in, the JSON of `omnisonic analyze --json` out. */
import { Type as T } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { invalid, isOmniError, OmniError } from '../../errors.js';
import { analyzeAudio } from '../../harmony/analysis/analyze.js';
import { HarmonyError } from '../../harmony/errors.js';
import { assertAudible } from '../../harmony-bridge.js';
import { decodeWav } from '../../io/audio-file.js';
import { checks, errorResponses } from '../schemas.js';

/** Largest WAV upload (64 MiB: about 5.8 minutes of 48 kHz 16-bit stereo). */
export const MAX_UPLOAD = 64 * 1024 * 1024;
const WAV_TYPES = ['audio/wav', 'audio/x-wav', 'audio/wave', 'audio/vnd.wave'];

/** Registers the analysis endpoint: WAV bodies only (any other content type is 415). */
export async function analyzeRoutes(app: FastifyInstance): Promise<void> {
  // this plugin's own parsers: JSON and text bodies are refused here, not parsed
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(WAV_TYPES, { parseAs: 'buffer', bodyLimit: MAX_UPLOAD }, (_req, body, done) =>
    done(null, body),
  );
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
      schema: {
        summary: 'Analyse a WAV file',
        description:
          'f0, partials, notes, chord, key, consonance and loudness (LUFS, true peak) of the WAV sent as the body (Content-Type: audio/wav), as `omnisonic analyze --json`.',
        tags: ['harmony'],
        response: {
          200: T.Object({}, { additionalProperties: true, description: 'the analysis' }),
          ...errorResponses(400, 401, 403, 413, 415, 429),
        },
        ...checks({
          field: 'body',
          codes: ['BAD_AUDIO'],
          rule: 'a readable WAV file (PCM or float) holding audible sound',
        }),
      },
    },
    async (req) => {
      const body = req.body;
      if (!Buffer.isBuffer(body) || body.length === 0)
        throw invalid('BAD_AUDIO', 'the body is empty; send a WAV file', 'body');
      try {
        const audio = decodeWav(
          new Uint8Array(body.buffer, body.byteOffset, body.length),
          'the request body',
        );
        // the same floor as the CLI: dithered silence is not analysed into noise notes
        assertAudible(audio.channels, 'the request body');
        return analyzeAudio({ channels: audio.channels, sampleRate: audio.sampleRate });
      } catch (e) {
        // what is wrong is the body: say so in `field`
        if (isOmniError(e) && e.code === 'BAD_AUDIO' && e.field === undefined)
          throw new OmniError('BAD_AUDIO', e.message, { field: 'body', cause: e });
        if (e instanceof HarmonyError && e.field === undefined)
          throw new HarmonyError(e.code, e.message, 'body');
        throw e;
      }
    },
  );
}
