/**
 * Audio endpoints: `POST /generate-frequency/`, `POST /mix-frequencies/`, `POST /render/`.
 * Requests are turned into the same scenes as `omnisonic tone`, `mix` and `render`, looked up
 * in the cache under their canonical form, and rendered on a miss.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Wave } from '../../dsp/oscillator.js';
import { BITS_TO_FORMAT } from '../../dsp/quantize.js';
import { invalid } from '../../errors.js';
import type { OutputPlan, OutputType } from '../../io/output.js';
import { type MixLayer, mixScene, type ToneOptions, toneScene } from '../../render/build.js';
import { sceneChannels } from '../../render/engine.js';
import type { Scene } from '../../render/scene.js';
import { checkFrequency, parseDuration, parseFrequency, parseGain } from '../../render/values.js';
import { cacheKey, packAudio, unpackAudio } from '../cache.js';
import { assertEncodable } from '../encodable.js';
import { renderToBuffer } from '../render.js';
import {
  AudioResponse,
  checks,
  durationCheck,
  encoderChecks,
  errorResponses,
  GenerateBody,
  MixBody,
  nyquistCheck,
  type OutputFieldsBody,
  RenderBody,
} from '../schemas.js';

const DEFAULT_SEED = 0x5eed;

/** Seconds from a number or text: at least one sample at `sampleRate`, within the server's limit. */
export function durationOf(
  v: number | string | undefined,
  maxDuration: number,
  sampleRate: number,
  fallback = 5,
): number {
  const d = v === undefined ? fallback : parseDuration(v, 'duration', false);
  if (Math.round(d * sampleRate) < 1) {
    throw invalid(
      'BAD_DURATION',
      `duration: at least one sample (1/${sampleRate} s), got ${v} s`,
      'duration',
    );
  }
  if (d > maxDuration) {
    throw invalid('TOO_LONG', `duration: at most ${maxDuration} s on this server, got ${d} s`, 'duration');
  }
  return d;
}

/** Hz from a number or a note name, below Nyquist. */
export function frequencyOf(v: number | string, sampleRate: number, field: string): number {
  return typeof v === 'number'
    ? checkFrequency(v, sampleRate, field)
    : parseFrequency(v, { sampleRate, field });
}

function gainOf(v: number | string | undefined, field: string): number | undefined {
  return v === undefined ? undefined : parseGain(v, field);
}

/** The output plan of a request's output fields (target unused: bytes stay in memory). */
export function planOf(b: OutputFieldsBody, synthChannels: number): OutputPlan {
  const type = (b.format ?? 'wav') as OutputType;
  const format = BITS_TO_FORMAT[String(b.bitDepth ?? 16)]!;
  if (type === 'flac' && (format === 'f32' || format === 's32')) {
    throw invalid('BAD_VALUE', 'bitDepth: FLAC holds 16 or 24-bit samples', 'bitDepth');
  }
  if (type === 'opus' || type === 'mp3' || type === 'ogg' || type === 'm4a') {
    if (b.bitDepth !== undefined && b.bitDepth !== 16) {
      throw invalid('BAD_VALUE', `bitDepth: ${type} has no bit depth; leave it out`, 'bitDepth');
    }
  }
  const plan: OutputPlan = {
    target: '-',
    type,
    format,
    channels: b.channels ?? synthChannels,
    sampleRate: b.sampleRate ?? 48000,
    dither: b.dither ?? true,
    seed: b.seed ?? DEFAULT_SEED,
  };
  if (b.bitrate !== undefined) {
    const bps = Number.parseFloat(b.bitrate) * (/k$/i.test(b.bitrate) ? 1000 : 1);
    if (bps < 6000 || bps > 640000)
      throw invalid('BAD_VALUE', `bitrate: must be 6k to 640k, got ${b.bitrate}`, 'bitrate');
    if (type === 'wav' || type === 'raw' || type === 'flac') {
      throw invalid('BAD_VALUE', `bitrate: ${type} is lossless; leave it out`, 'bitrate');
    }
    plan.bitrate = b.bitrate.toLowerCase();
  }
  return plan;
}

/** Tone options and plan of a `/generate-frequency/` body, validated, with every default filled. */
export function generateRequest(
  b: GenerateBody,
  maxDuration: number,
): { tone: ToneOptions; plan: OutputPlan } {
  const sampleRate = b.sampleRate ?? 48000;
  const tone: ToneOptions = {
    freq: frequencyOf(b.frequency, sampleRate, 'frequency'),
    duration: durationOf(b.duration, maxDuration, sampleRate),
    wave: (b.waveform ?? 'sine') as Wave,
    amplitude: gainOf(b.amplitude, 'amplitude') ?? 10 ** (-6 / 20),
    sampleRate,
    seed: b.seed ?? DEFAULT_SEED,
    fadeIn: b.fade ?? 0.01,
    fadeOut: b.fade ?? 0.01,
  };
  if (tone.amplitude! > 1)
    throw invalid('BAD_GAIN', `amplitude: must be at most 1 (0 dBFS), got ${b.amplitude}`, 'amplitude');
  if (b.duty !== undefined) tone.duty = b.duty;
  if (b.binaural !== undefined) tone.binaural = b.binaural;
  if (b.isochronic !== undefined) tone.isochronic = b.isochronic;
  if (b.pan !== undefined) tone.pan = b.pan;
  const stereo = b.binaural !== undefined || (b.pan !== undefined && b.pan !== 0);
  return { tone, plan: planOf(b, stereo ? 2 : 1) };
}

/** Layers, scene and plan of a `/mix-frequencies/` body. */
export function mixRequest(
  b: MixBody,
  maxDuration: number,
): { layers: MixLayer[]; scene: Scene; plan: OutputPlan } {
  const sampleRate = b.sampleRate ?? 48000;
  let root: number | undefined;
  const layers = b.layers.map((l, i): MixLayer => {
    const field = `layers[${i}]`;
    const common = {
      ...(l.gain !== undefined ? { gain: parseGain(l.gain, `${field}.gain`) } : {}),
      ...(l.pan !== undefined ? { pan: l.pan } : {}),
    };
    if (l.noise !== undefined) {
      if (l.frequency !== undefined || l.waveform !== undefined) {
        throw invalid('BAD_LAYER', `${field}: a layer is a tone (frequency) or a noise, not both`, field);
      }
      return { kind: 'noise', color: l.noise as MixLayer['color'], ...common };
    }
    if (l.frequency === undefined)
      throw invalid('BAD_LAYER', `${field}: give frequency or noise`, `${field}.frequency`);
    let freq: number;
    const ratio =
      typeof l.frequency === 'string'
        ? /^\s*(\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)\s*$/.exec(l.frequency)
        : null;
    if (ratio) {
      if (root === undefined)
        throw invalid('BAD_LAYER', `${field}: a ratio needs a tone layer before it`, `${field}.frequency`);
      if (Number(ratio[2]) === 0)
        throw invalid('BAD_LAYER', `${field}: ratio with a zero denominator`, `${field}.frequency`);
      freq = checkFrequency((root * Number(ratio[1])) / Number(ratio[2]), sampleRate, `${field}.frequency`);
    } else {
      freq = frequencyOf(l.frequency, sampleRate, `${field}.frequency`);
    }
    root ??= freq;
    return { kind: 'tone', freq, wave: (l.waveform ?? 'sine') as Wave, ...common };
  });
  const scene = mixScene(layers, {
    duration: durationOf(b.duration, maxDuration, sampleRate),
    amplitude: gainOf(b.amplitude, 'amplitude') ?? 1,
    normalize: b.normalize ?? true,
    duty: b.duty ?? 0.5,
    sampleRate,
    seed: b.seed ?? DEFAULT_SEED,
    fadeIn: b.fade ?? 0.01,
    fadeOut: b.fade ?? 0.01,
  });
  return { layers, scene, plan: planOf(b, sceneChannels(scene)) };
}

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
  await assertEncodable(plan);
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
        ...checks(nyquistCheck('frequency'), durationCheck, ...encoderChecks, {
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
        ...checks(nyquistCheck('layers[].frequency'), durationCheck, ...encoderChecks, {
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
        ...checks(durationCheck, ...encoderChecks, {
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
