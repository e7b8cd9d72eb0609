/**
 * Audio endpoints: `POST /generate-frequency/`, `POST /mix-frequencies/`, `POST /render/`.
 * Requests are turned into the same scenes as `omnisonic tone`, `mix` and `render`, looked up
 * in the cache under their canonical form, and rendered on a miss.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { invalid } from '../../errors.js';
import type { OutputPlan } from '../../io/output.js';
import { toneScene } from '../../render/build.js';
import { sceneChannels } from '../../render/engine.js';
import type { Scene } from '../../render/scene.js';
import { cacheKey, packAudio, unpackAudio } from '../cache.js';
import {
  AudioResponse,
  checks,
  durationCheck,
  errorResponses,
  GenerateBody,
  MixBody,
  nyquistCheck,
  RenderBody,
} from '../schemas.js';
import { renderToBuffer } from '../work/render-stream.js';
import { durationOf, generateRequest, mixRequest, planOf } from '../work/requests.js';

/** In-flight renders by key: identical concurrent misses render once. */
const inflight = new Map<string, Promise<{ contentType: string; body: Buffer }>>();

/**
 * Answer with cached audio, or render `scene` to `plan`, cache it and answer.
 */
export async function sendAudio(
  app: FastifyInstance,
  req: FastifyRequest,
  reply: FastifyReply,
  route: string,
  canonical: unknown,
  build: () => Promise<Scene> | Scene,
  plan: OutputPlan,
  filename: string,
): Promise<FastifyReply> {
  const { cache, metrics } = app.omni;
  const key = cacheKey(route, canonical);
  const packed = await cache.get(key);
  const hit = packed ? unpackAudio(packed) : undefined;
  reply.header('content-disposition', `inline; filename="${filename}.${plan.type}"`);
  if (hit) {
    metrics.cacheHits.inc({ route });
    return reply
      .header('x-cache', 'hit')
      .type(hit.contentType)
      .header('content-length', hit.body.length)
      .send(hit.body);
  }
  metrics.cacheMisses.inc({ route });
  let job = inflight.get(key);
  if (!job) {
    job = (async () => {
      const scene = await build();
      const out = await renderToBuffer(scene, plan);
      req.log.debug({ route, frames: out.frames, bytes: out.body.length }, 'rendered');
      metrics.renders.inc({ route, format: plan.type });
      metrics.renderSeconds.inc({}, out.frames / plan.sampleRate);
      const stored = await cache.set(key, packAudio(out));
      if (!stored && cache.kind === 'redis' && !cache.healthy) metrics.cacheErrors.inc();
      return out;
    })().finally(() => inflight.delete(key));
    inflight.set(key, job);
  }
  const out = await job;
  return reply
    .header('x-cache', 'miss')
    .type(out.contentType)
    .header('content-length', out.body.length)
    .send(out.body);
}

const audioResponse = (summary: string, ...statuses: number[]) => ({
  200: {
    description: summary,
    content: Object.fromEntries(
      ['audio/wav', 'audio/flac', 'audio/mpeg', 'audio/ogg', 'audio/mp4', 'application/octet-stream'].map(
        (t) => [t, { schema: AudioResponse }],
      ),
    ),
  },
  ...errorResponses(400, 401, 403, ...statuses, 413, 415, 429, 500),
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
        ...checks(nyquistCheck('frequency'), durationCheck, {
          field: 'binaural',
          codes: ['BAD_FREQUENCY'],
          rule: 'both ears within range: frequency - binaural/2 > 0 and frequency + binaural/2 below Nyquist',
        }),
      },
    },
    async (req, reply) => {
      const { tone, plan } = generateRequest(req.body, app.omni.maxDuration);
      const scene = toneScene(tone);
      const name = `tone-${+tone.freq.toFixed(3)}hz`;
      return sendAudio(
        app,
        req,
        reply,
        'generate',
        { tone, plan: { ...plan, target: undefined } },
        () => scene,
        plan,
        name,
      );
    },
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
        ...checks(nyquistCheck('layers[].frequency'), durationCheck, {
          field: 'layers[].frequency',
          codes: ['BAD_LAYER'],
          rule: 'a ratio (3/2) needs a tone layer before it and a denominator > 0',
        }),
      },
    },
    async (req, reply) => {
      const { scene, plan } = mixRequest(req.body, app.omni.maxDuration);
      return sendAudio(
        app,
        req,
        reply,
        'mix',
        { scene, plan: { ...plan, target: undefined } },
        () => scene,
        plan,
        'mix',
      );
    },
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
        ...checks(durationCheck, {
          field: 'preset.*',
          codes: ['BAD_PRESET', 'BAD_FREQUENCY', 'BAD_NOTE', 'BAD_VALUE', 'BAD_DURATION', 'BAD_GAIN'],
          rule: 'the rules of presets that their schema cannot state (docs/presets.md): frequencies below Nyquist, unique layer ids, timeline steps naming existing layers and parameters inside the duration',
        }),
      },
    },
    async (req, reply) => {
      const { presetScene } = await import('./preset-source.js');
      const b = req.body;
      const sampleRate = b.sampleRate ?? 48000;
      const scene = await presetScene(b.preset, { sampleRate, presetDirs: app.omni.presetDirs });
      if (b.duration !== undefined) scene.duration = durationOf(b.duration, app.omni.maxDuration, sampleRate);
      if (!Number.isFinite(scene.duration) || scene.duration > app.omni.maxDuration) {
        throw invalid(
          'TOO_LONG',
          `duration: at most ${app.omni.maxDuration} s on this server, the preset lasts ${scene.duration} s`,
          'duration',
        );
      }
      const plan = planOf(b, sceneChannels(scene));
      const name = typeof b.preset === 'string' ? b.preset : 'preset';
      // file layers carry decoded audio: the key holds their paths, not their samples
      const layers = scene.layers.map((l) => ({ ...l, audio: undefined }));
      const canonical = { scene: { ...scene, layers }, plan: { ...plan, target: undefined } };
      return sendAudio(
        app,
        req,
        reply,
        'render',
        canonical,
        () => scene,
        plan,
        name.replace(/[^\w.-]/g, '_'),
      );
    },
  );
}
