/**
 * Request and response schemas of the REST API (TypeBox). Fastify validates every body with
 * them (no type coercion, unknown fields rejected) and @fastify/swagger turns them into the
 * OpenAPI 3 document at `/openapi.json`.
 */
import { type Static, Type as T, type TSchema } from '@sinclair/typebox';

/** Most layers a mix may have (more is 413). */
export const MAX_LAYERS = 64;
/** Sample rates the server renders at. */
export const MIN_RATE = 8000;
export const MAX_RATE = 192000;

const Frequency = T.Union([T.Number({ exclusiveMinimum: 0 }), T.String({ minLength: 1, maxLength: 32 })], {
  description: 'Hz (440) or a note name (A4, C#5, Bb3, A4+15c); must be below Nyquist',
  examples: [440, 'A4'],
});
const Duration = T.Union([T.Number({ exclusiveMinimum: 0 }), T.String({ minLength: 1, maxLength: 32 })], {
  description: "seconds (1.5) or '90s', '2m', '1h'; at most the server's --max-duration (default 600 s)",
  examples: [1.5, '90s'],
});
const Gain = T.Union([T.Number({ minimum: 0 }), T.String({ minLength: 1, maxLength: 16 })], {
  description: "linear (0.5) or decibels ('-6dB')",
});
const Waveform = T.Union(
  ['sine', 'square', 'saw', 'triangle', 'pulse'].map((w) => T.Literal(w)),
  { description: 'band-limited waveform (default sine)' },
);

/** Output options shared by every audio endpoint. */
export const OutputFields = {
  sampleRate: T.Optional(
    T.Integer({ minimum: MIN_RATE, maximum: MAX_RATE, description: 'Hz (default 48000)', default: 48000 }),
  ),
  bitDepth: T.Optional(
    T.Union([T.Literal(16), T.Literal(24), T.Literal(32), T.Literal('32f')], {
      description: "16, 24, 32 or '32f' (float); default 16 (WAV and raw; FLAC 16/24)",
    }),
  ),
  channels: T.Optional(
    T.Integer({ minimum: 1, maximum: 8, description: 'channels written (default 1, or 2 when needed)' }),
  ),
  format: T.Optional(
    T.Union(
      ['wav', 'flac', 'mp3', 'ogg', 'opus', 'm4a', 'raw'].map((f) => T.Literal(f)),
      { description: 'container or codec (default wav)' },
    ),
  ),
  dither: T.Optional(T.Boolean({ description: 'TPDF dither for integer formats (default true)' })),
  bitrate: T.Optional(
    T.String({ pattern: '^\\d+(\\.\\d+)?k?$', description: "encoder bitrate, e.g. '192k'" }),
  ),
  seed: T.Optional(T.Integer({ minimum: 0, maximum: 4294967295, description: 'seed of noise and dither' })),
  fade: T.Optional(
    T.Number({ minimum: 0, maximum: 60, description: 'fade in and out, seconds (default 0.01)' }),
  ),
};

export const GenerateBody = T.Object(
  {
    frequency: Frequency,
    duration: T.Optional(Duration),
    waveform: T.Optional(Waveform),
    amplitude: T.Optional(Gain),
    binaural: T.Optional(
      T.Number({ exclusiveMinimum: 0, maximum: 100, description: 'binaural beat in Hz (stereo)' }),
    ),
    isochronic: T.Optional(
      T.Number({ minimum: 0.1, maximum: 1000, description: 'isochronic pulse rate, Hz' }),
    ),
    pan: T.Optional(T.Number({ minimum: -1, maximum: 1 })),
    duty: T.Optional(T.Number({ minimum: 0.01, maximum: 0.99, description: 'pulse width (pulse wave)' })),
    ...OutputFields,
  },
  { additionalProperties: false },
);
export type GenerateBody = Static<typeof GenerateBody>;

export const MixLayerBody = T.Object(
  {
    frequency: T.Optional(
      T.Union([T.Number({ exclusiveMinimum: 0 }), T.String({ minLength: 1, maxLength: 32 })], {
        description: 'Hz, note name, or a ratio to the first layer (3/2); omit for a noise layer',
      }),
    ),
    waveform: T.Optional(Waveform),
    noise: T.Optional(
      T.Union(
        ['white', 'pink', 'brown', 'blue', 'violet'].map((c) => T.Literal(c)),
        { description: 'a noise layer of this colour instead of a tone' },
      ),
    ),
    gain: T.Optional(Gain),
    pan: T.Optional(T.Number({ minimum: -1, maximum: 1 })),
  },
  { additionalProperties: false },
);

export const MixBody = T.Object(
  {
    layers: T.Array(MixLayerBody, {
      minItems: 1,
      maxItems: MAX_LAYERS,
      description: `1 to ${MAX_LAYERS} layers`,
    }),
    duration: T.Optional(Duration),
    amplitude: T.Optional(Gain),
    normalize: T.Optional(T.Boolean({ description: 'keep the sum under -1 dBFS (default true)' })),
    duty: T.Optional(T.Number({ minimum: 0.01, maximum: 0.99 })),
    ...OutputFields,
  },
  { additionalProperties: false },
);
export type MixBody = Static<typeof MixBody>;

/** `POST /render/`: a preset (inline object or built-in name) plus output options. */
export const RenderBody = T.Object(
  {
    preset: T.Union(
      [T.String({ minLength: 1, maxLength: 128 }), T.Object({}, { additionalProperties: true })],
      {
        description: 'a preset name (GET /presets/) or a preset object (presets/schema.json)',
      },
    ),
    duration: T.Optional(Duration),
    ...OutputFields,
  },
  { additionalProperties: false },
);
export type RenderBody = Static<typeof RenderBody>;

export const SuggestBody = T.Object(
  {
    frequencies: T.Array(
      T.Union([T.Number({ exclusiveMinimum: 0 }), T.String({ minLength: 1, maxLength: 32 })]),
      { minItems: 1, maxItems: 16, description: 'input notes: Hz or note names' },
    ),
    count: T.Optional(T.Integer({ minimum: 1, maximum: 50, default: 5 })),
    range: T.Optional(
      T.Tuple([T.Number({ exclusiveMinimum: 0 }), T.Number({ exclusiveMinimum: 0 })], {
        description: '[lo, hi] in Hz',
      }),
    ),
    tuning: T.Optional(T.Union([T.Literal('just'), T.Literal('12tet'), T.Literal('pythagorean')])),
    goal: T.Optional(T.Union([T.Literal('consonant'), T.Literal('tension'), T.Literal('binaural')])),
  },
  { additionalProperties: false },
);
export type SuggestBody = Static<typeof SuggestBody>;

export const SuggestionSchema = T.Object(
  {
    id: T.String(),
    frequency: T.Number(),
    note: T.String(),
    cents: T.Number(),
    ratio: T.String(),
    interval: T.String(),
    score: T.Number(),
    reasons: T.Array(T.String()),
  },
  { additionalProperties: true },
);

export const SuggestResponse = T.Object({
  input: T.Object(
    {
      frequencies: T.Array(T.Number()),
      notes: T.Array(T.String()),
      consonance: T.Number({ description: 'higher = more consonant, comparable across 1-6 notes' }),
      roughness: T.Number(),
      harmonicity: T.Number(),
    },
    { additionalProperties: true },
  ),
  suggestions: T.Array(SuggestionSchema),
});

export const FeedbackBody = T.Object(
  {
    id: T.Optional(T.String({ minLength: 1, maxLength: 512, description: 'a suggestion id' })),
    frequencies: T.Optional(
      T.Array(T.Union([T.Number({ exclusiveMinimum: 0 }), T.String({ minLength: 1, maxLength: 32 })]), {
        minItems: 1,
        maxItems: 16,
        description: 'a chord rated as a whole (instead of id)',
      }),
    ),
    rating: T.Number({ minimum: -1, maximum: 1, description: '+1 like, -1 dislike' }),
  },
  { additionalProperties: false },
);
export type FeedbackBody = Static<typeof FeedbackBody>;

export const FeedbackResponse = T.Object({
  profile: T.Object({
    likes: T.Integer(),
    dislikes: T.Integer(),
    weights: T.Record(T.String(), T.Number()),
  }),
});

export const ErrorResponse = T.Object({
  error: T.Object({
    code: T.String({ description: 'a code of the error catalogue (docs/api.md)' }),
    message: T.String(),
    field: T.Optional(T.String()),
  }),
});

export const HealthResponse = T.Object({ status: T.Literal('ok'), version: T.String() });

export const PresetName = T.Object({ name: T.String({ minLength: 1, maxLength: 128 }) });

/** Errors every JSON endpoint may answer, for the OpenAPI document. */
export function errorResponses(...codes: number[]): Record<number, TSchema> {
  const out: Record<number, TSchema> = {};
  for (const c of codes) out[c] = ErrorResponse;
  return out;
}

/** A binary audio response, for the OpenAPI document. */
export const AudioResponse = T.Unsafe<Buffer>({
  description: 'the audio file (Content-Type by format); header X-Cache: hit|miss',
  type: 'string',
  format: 'binary',
});

/** Query of output options (for `POST /render/` callers that send a bare preset). */
export type OutputFieldsBody = Static<ReturnType<typeof T.Object<typeof OutputFields>>>;
