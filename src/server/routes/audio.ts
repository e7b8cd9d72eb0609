/**
 * Audio endpoints: `POST /generate-frequency/`, `POST /mix-frequencies/`, `POST /render/`.
 * Requests are validated and turned into the same scenes as `omnisonic tone`, `mix` and
 * `render`, looked up in the cache under their canonical form, and on a miss rendered in the
 * job pool and streamed (`send-audio.ts`).
 */
import type { FastifyInstance } from 'fastify';
import {
  AudioResponse,
  checks,
  durationCheck,
  encoderChecks,
  errorResponses,
  GenerateBody,
  MixBody,
  nyquistCheck,
  RenderBody,
} from '../schemas.js';
import { generateJob, mixJob, renderJob } from '../work/requests.js';
import { sendAudio } from './send-audio.js';

const audioResponse = (summary: string, ...statuses: number[]) => ({
  200: {
    description: summary,
    content: Object.fromEntries(
      ['audio/wav', 'audio/flac', 'audio/mpeg', 'audio/ogg', 'audio/mp4', 'application/octet-stream'].map(
        (t) => [t, { schema: AudioResponse }],
      ),
    ),
  },
  ...errorResponses(400, 401, 403, ...statuses, 413, 415, 429, 500, 503),
});

/** Registers the audio endpoints. */
export async function audioRoutes(app: FastifyInstance): Promise<void> {
  app.post<{ Body: GenerateBody }>(
    '/generate-frequency/',
    {
      schema: {
        summary: 'Render one tone',
        description: 'The same synthesis as `omnisonic tone`. Cached under the canonical request (X-Cache).',
        tags: ['audio'],
        body: GenerateBody,
        response: audioResponse('the tone as an audio file'),
        ...checks(nyquistCheck('frequency'), durationCheck, ...encoderChecks, {
          field: 'binaural',
          codes: ['BAD_FREQUENCY'],
          rule: 'both ears within range: frequency - binaural/2 > 0 and frequency + binaural/2 below Nyquist',
        }),
      },
    },
    async (req, reply) =>
      sendAudio(app, req, reply, 'generate', req.body, generateJob(req.body, app.omni.maxDuration)),
  );

  app.post<{ Body: MixBody }>(
    '/mix-frequencies/',
    {
      schema: {
        summary: 'Render a mix of layers',
        description: `The same synthesis as \`omnisonic mix\`: tone or noise layers summed, normalised under -1 dBFS. At most 64 layers (413 above).`,
        tags: ['audio'],
        body: MixBody,
        response: audioResponse('the mix as an audio file'),
        ...checks(nyquistCheck('layers[].frequency'), durationCheck, ...encoderChecks, {
          field: 'layers[].frequency',
          codes: ['BAD_LAYER'],
          rule: 'a ratio (3/2) needs a tone layer before it and a denominator > 0',
        }),
      },
    },
    async (req, reply) => sendAudio(app, req, reply, 'mix', req.body, mixJob(req.body, app.omni.maxDuration)),
  );

  app.post<{ Body: RenderBody }>(
    '/render/',
    {
      schema: {
        summary: 'Render a preset',
        description:
          'A built-in preset by name, or a preset object (presets/schema.json), as `omnisonic render` does.',
        tags: ['audio', 'presets'],
        body: RenderBody,
        response: audioResponse('the preset as an audio file', 404),
        ...checks(durationCheck, ...encoderChecks, {
          field: 'preset.*',
          codes: ['BAD_PRESET', 'BAD_FREQUENCY', 'BAD_NOTE', 'BAD_VALUE', 'BAD_DURATION', 'BAD_GAIN'],
          rule: 'the rules of presets that their schema cannot state (docs/presets.md): frequencies below Nyquist, unique layer ids, timeline steps naming existing layers and parameters inside the duration',
        }),
      },
    },
    async (req, reply) =>
      sendAudio(
        app,
        req,
        reply,
        'render',
        req.body,
        await renderJob(req.body, app.omni.maxDuration, app.omni.presetDirs),
      ),
  );
}
