/**
 * Request and response schemas of the REST API (TypeBox). Fastify validates every body with
 * them (no type coercion, unknown fields rejected) and @fastify/swagger turns them into the
 * OpenAPI 3.1 document at `/openapi.json`. The schemas state every rule they can (patterns,
 * ranges, required fields, `oneOf`); the few rules that span fields or need the render's
 * sample rate are listed per operation under `x-checks` (see {@link checks}).
 */
import { type Static, Type as T, type TSchema } from '@sinclair/typebox';
import { ERROR_CODES, type ErrorCode } from '../errors.js';
import { presetSchema } from '../presets/validate.js';

/** Most layers a mix may have (more is 413). */
export const MAX_LAYERS = 64;
/** Sample rates the server renders at. */
export const MIN_RATE = 8000;
export const MAX_RATE = 192000;

/** A number written as text: `440`, `27.5`, `.5` (no sign). */
const NUM = '(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)';
/** Hz (`440`, `440hz`, `1.5khz`) or a note name (`A4`, `C#5`, `Bb3`, `A4+15c`). */
export const FREQUENCY_PATTERN = `^ *(?:[A-Ga-g][#b]{0,2}-?[0-9]{1,2}(?:[+-][0-9]+(?:\\.[0-9]+)?c)?|\\+?(?=[0-9.]*[1-9])${NUM}(?:[eE][+-]?[0-9]+)? *(?:[kK]?[hH][zZ])?) *$`;
/** A ratio to the first tone layer of a mix: `3/2`. */
const RATIO_PATTERN = '^ *[0-9]+(?:\\.[0-9]+)? */ *[0-9]+(?:\\.[0-9]+)? *$';
/** `90`, `90s`, `2m`, `1h`, `1m30s`, `500ms` (no `inf` on the server). */
export const DURATION_PATTERN = `^ *(?=[0-9.])(?:${NUM} *(?:ms|s|min|m|h) *)*(?:${NUM} *)?$`;
/** Decibels up to +24 (`-6dB`, `+3dBFS`). */
const DB_24 = `(?:-${NUM}|\\+?(?:0*(?:1?[0-9]|2[0-3])(?:\\.[0-9]*)?|\\.[0-9]+|0*24(?:\\.0*)?)) *[dD][bB](?:[fF][sS])?`;
/** Decibels up to 0 (`-6dB`). */
const DB_0 = `(?:-${NUM}|\\+?(?:0+(?:\\.0*)?|\\.0+)) *[dD][bB](?:[fF][sS])?`;
/** A linear gain written as text, up to 16 or up to 1. */
const LIN_16 = '\\+?(?:0*(?:[0-9]|1[0-5])(?:\\.[0-9]*)?|\\.[0-9]+|0*16(?:\\.0*)?)';
const LIN_1 = '\\+?(?:0*(?:\\.[0-9]+|0\\.?[0-9]*)|0*1(?:\\.0*)?)';
/** 6k to 640k: `192k`, `96.5k` or bits per second `128000`. */
export const BITRATE_PATTERN =
  '^(?:(?:[6-9]|[1-9][0-9]|[1-5][0-9]{2}|6[0-3][0-9])(?:\\.[0-9]+)?|640(?:\\.0+)?)k$' +
  '|^(?:(?:[6-9][0-9]{3}|[1-9][0-9]{4}|[1-5][0-9]{5}|6[0-3][0-9]{4})(?:\\.[0-9]+)?|640000(?:\\.0+)?)$';

const FrequencyText = T.String({ minLength: 1, maxLength: 32, pattern: FREQUENCY_PATTERN });
const Frequency = T.Union([T.Number({ exclusiveMinimum: 0 }), FrequencyText], {
  description: 'Hz (440, "440hz") or a note name (A4, C#5, Bb3, A4+15c); must be > 0 and below Nyquist',
  examples: [440, 'A4'],
});
const Duration = T.Union(
  [T.Number({ exclusiveMinimum: 0 }), T.String({ minLength: 1, maxLength: 32, pattern: DURATION_PATTERN })],
  {
    description:
      "seconds (1.5) or '90s', '2m', '1h', '500ms'; at least one sample, at most the server's --max-duration (default 600 s; 413 above)",
    examples: [1.5, '90s'],
  },
);
/** A gain: linear up to `max` (1 or 16) or decibels (up to 0 or +24 dB). */
const gain = (max: 1 | 16) =>
  T.Union(
    [
      T.Number({ minimum: 0, maximum: max }),
      T.String({
        minLength: 1,
        maxLength: 16,
        pattern: `^ *(?:${max === 1 ? DB_0 : DB_24}|${max === 1 ? LIN_1 : LIN_16}) *$`,
      }),
    ],
    { description: `linear (0 to ${max}) or decibels ('-6dB', at most ${max === 1 ? '0' : '+24'} dB)` },
  );
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
    T.String({
      pattern: BITRATE_PATTERN,
      description: "encoder bitrate of a lossy format (mp3, ogg, opus, m4a), 6k to 640k, e.g. '192k'",
    }),
  ),
  seed: T.Optional(T.Integer({ minimum: 0, maximum: 4294967295, description: 'seed of noise and dither' })),
  fade: T.Optional(
    T.Number({ minimum: 0, maximum: 60, description: 'fade in and out, seconds (default 0.01)' }),
  ),
};

const LOSSY = ['mp3', 'ogg', 'opus', 'm4a'];
/**
 * Rules between output fields: a bitrate only for lossy formats, FLAC holds 16 or 24-bit
 * samples, lossy formats have no bit depth but 16 (their default).
 */
/** A JSON Schema `if`/`then` pair. */
function ifThen(cond: object, then: object): object {
  return { if: cond, then };
}
const OUTPUT_RULES = {
  allOf: [
    ifThen({ required: ['bitrate'] }, { required: ['format'], properties: { format: { enum: LOSSY } } }),
    ifThen(
      { required: ['format'], properties: { format: { const: 'flac' } } },
      { properties: { bitDepth: { enum: [16, 24] } } },
    ),
    ifThen(
      { required: ['format'], properties: { format: { enum: LOSSY } } },
      { properties: { bitDepth: { const: 16 } } },
    ),
    ifThen(
      { required: ['format'], properties: { format: { const: 'mp3' } } },
      { properties: { channels: { type: 'integer', maximum: 2 } } },
    ),
  ],
};

export const GenerateBody = T.Object(
  {
    frequency: Frequency,
    duration: T.Optional(Duration),
    waveform: T.Optional(Waveform),
    amplitude: T.Optional(gain(1)),
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
  { additionalProperties: false, ...OUTPUT_RULES },
);
export type GenerateBody = Static<typeof GenerateBody>;

export const MixLayerBody = T.Object(
  {
    frequency: T.Optional(
      T.Union(
        [
          T.Number({ exclusiveMinimum: 0 }),
          FrequencyText,
          T.String({ minLength: 1, maxLength: 32, pattern: RATIO_PATTERN }),
        ],
        {
          description:
            'Hz, note name, or a ratio to the first tone layer (3/2: a tone layer must come before, the denominator > 0); below Nyquist',
        },
      ),
    ),
    waveform: T.Optional(Waveform),
    noise: T.Optional(
      T.Union(
        ['white', 'pink', 'brown', 'blue', 'violet'].map((c) => T.Literal(c)),
        { description: 'a noise layer of this colour instead of a tone' },
      ),
    ),
    gain: T.Optional(gain(16)),
    pan: T.Optional(T.Number({ minimum: -1, maximum: 1 })),
  },
  {
    additionalProperties: false,
    description: 'a tone (frequency, waveform?) or a noise (noise), with gain? and pan?',
    oneOf: [
      { required: ['frequency'], not: { required: ['noise'] } },
      { required: ['noise'], not: { anyOf: [{ required: ['frequency'] }, { required: ['waveform'] }] } },
    ],
  },
);

export const MixBody = T.Object(
  {
    layers: T.Array(MixLayerBody, {
      minItems: 1,
      maxItems: MAX_LAYERS,
      description: `1 to ${MAX_LAYERS} layers`,
    }),
    duration: T.Optional(Duration),
    amplitude: T.Optional(gain(16)),
    normalize: T.Optional(T.Boolean({ description: 'keep the sum under -1 dBFS (default true)' })),
    duty: T.Optional(T.Number({ minimum: 0.01, maximum: 0.99 })),
    ...OutputFields,
  },
  { additionalProperties: false, ...OUTPUT_RULES },
);
export type MixBody = Static<typeof MixBody>;

/** Preset names: letters, digits, '.', '_' and '-' (as files of the preset folders, without `.json`). */
export const PRESET_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]*$';
const PresetNameText = T.String({ minLength: 1, maxLength: 100, pattern: PRESET_NAME_PATTERN });

/**
 * presets/schema.json as one self-contained schema (its `$ref`s inlined) without file layers:
 * the server reads no files for clients.
 */
function requestPresetSchema(): Record<string, unknown> {
  const root = presetSchema() as { $defs: Record<string, unknown> };
  const inline = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(inline);
    if (!node || typeof node !== 'object') return node;
    const ref = (node as { $ref?: string }).$ref;
    if (ref?.startsWith('#/$defs/')) return inline(root.$defs[ref.slice(8)]);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) if (k !== '$schema' && k !== '$defs') out[k] = inline(v);
    return out;
  };
  const schema = inline(root) as Record<string, unknown> & {
    properties: { layers: { items: { oneOf: { properties?: { type?: { const?: string } } }[] } } };
  };
  const layer = schema.properties.layers.items;
  layer.oneOf = layer.oneOf.filter((l) => l.properties?.type?.const !== 'file');
  delete schema.title;
  return schema;
}

/** `POST /render/`: a preset (inline object or built-in name) plus output options. */
export const RenderBody = T.Object(
  {
    preset: T.Union([PresetNameText, T.Unsafe<Record<string, unknown>>(requestPresetSchema())], {
      description:
        'a preset name (GET /presets/) or a preset object (presets/schema.json, without file layers); its frequencies below Nyquist, its timeline naming its own layers',
    }),
    duration: T.Optional(Duration),
    ...OutputFields,
  },
  { additionalProperties: false, ...OUTPUT_RULES },
);
export type RenderBody = Static<typeof RenderBody>;

export const SuggestBody = T.Object(
  {
    frequencies: T.Array(T.Union([T.Number({ minimum: 1, maximum: 100_000 }), FrequencyText]), {
      minItems: 1,
      maxItems: 16,
      description: 'input notes: Hz (1 to 100000) or note names',
    }),
    count: T.Optional(T.Integer({ minimum: 1, maximum: 50, default: 5 })),
    range: T.Optional(
      T.Unsafe<[number, number]>({
        type: 'array',
        prefixItems: [
          { type: 'number', minimum: 1, maximum: 100_000, description: 'lo, Hz' },
          { type: 'number', minimum: 1, maximum: 100_000, description: 'hi, Hz (above lo)' },
        ],
        items: false,
        minItems: 2,
        maxItems: 2,
        description: '[lo, hi] in Hz, 1 <= lo < hi <= 100000',
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
    id: T.Optional(
      T.String({
        minLength: 1,
        maxLength: 512,
        description: 'the id of a suggestion this server gave (POST /ai/suggest-frequencies/)',
      }),
    ),
    frequencies: T.Optional(
      T.Array(T.Union([T.Number({ minimum: 1, maximum: 100_000 }), FrequencyText]), {
        minItems: 2,
        maxItems: 16,
        description: 'a chord of 2 to 16 notes rated as a whole (instead of id), in the audible range',
      }),
    ),
    rating: T.Number({ minimum: -1, maximum: 1, description: '+1 like, -1 dislike' }),
  },
  {
    additionalProperties: false,
    description: 'either id or frequencies, and rating',
    oneOf: [{ required: ['id'] }, { required: ['frequencies'] }],
  },
);
export type FeedbackBody = Static<typeof FeedbackBody>;

export const FeedbackResponse = T.Object({
  profile: T.Object({
    likes: T.Integer(),
    dislikes: T.Integer(),
    weights: T.Record(T.String(), T.Number()),
  }),
});

/** The body of every error. */
export const ErrorResponse = T.Object({
  error: T.Object({
    code: T.String({ description: 'a code of the error catalogue (docs/errors.md)' }),
    message: T.String(),
    field: T.Optional(T.String()),
  }),
});

export const HealthResponse = T.Object({ status: T.Literal('ok'), version: T.String() });

/** Path parameters of `GET /presets/{name}`. */
export const PresetName = T.Object({ name: PresetNameText });

/** What each error status means, for the OpenAPI document and docs/api.md. */
export const STATUS_MEANING: Record<number, string> = {
  400: 'invalid request: a field breaks its schema or a rule of x-checks',
  401: 'an API key is configured and missing or wrong',
  403: 'the Host header names no host this server answers to',
  404: 'no such preset',
  405: 'the method is not allowed on this path',
  413: 'the body, the layer list or the duration is too large',
  415: 'the body has a content type this operation does not take',
  429: 'rate limited (Retry-After)',
  500: 'a failure on the server (summary and request id only)',
  503: 'the server is busy or a backend is unavailable (Retry-After)',
};

/** Error codes of the catalogue answered with HTTP status `status`. */
export function codesOfStatus(status: number): ErrorCode[] {
  return (Object.keys(ERROR_CODES) as ErrorCode[]).filter((c) => ERROR_CODES[c].http === status);
}

/** The error body of one status: its `code` is one of the catalogue's codes of that status. */
export function errorSchema(status: number): TSchema {
  const codes = codesOfStatus(status);
  return T.Object(
    {
      error: T.Object({
        code:
          codes.length > 0
            ? T.Union(
                codes.map((c) => T.Literal(c)),
                { description: 'a code of the error catalogue (docs/errors.md)' },
              )
            : T.String(),
        message: T.String(),
        field: T.Optional(T.String({ description: 'the offending field, e.g. layers[1].frequency' })),
      }),
    },
    { description: STATUS_MEANING[status] ?? 'error' },
  );
}

/**
 * Error responses of an operation, for its `response` schema and so for the OpenAPI document
 * and docs/api.md: every status an operation can answer is listed here and nowhere else.
 * 401 is added by the route's registration only when an API key is configured.
 * @example response: { 200: SuggestResponse, ...errorResponses(400, 413, 415, 429) }
 */
export function errorResponses(...codes: number[]): Record<number, TSchema> {
  const out: Record<number, TSchema> = {};
  for (const c of codes) out[c] = errorSchema(c);
  return out;
}

/** A rule of a request that its schema cannot state (it spans fields or needs the sample rate). */
export interface Check {
  /** The field the error names: `layers[].frequency` matches `layers[3].frequency`; a trailing `.*` any field under it. */
  field: string;
  /** The codes it answers with (status 400). */
  codes: ErrorCode[];
  /** The rule, for people. */
  rule: string;
}

/**
 * The `x-checks` of an operation: the only reasons beyond its schema for which a request is
 * refused with 400. The property test holds the server to them.
 */
export function checks(...list: Check[]): { 'x-checks': Check[] } {
  return { 'x-checks': list };
}

/** Frequencies below Nyquist of `sampleRate` (default 48000) and note names in range. */
export const nyquistCheck = (field: string): Check => ({
  field,
  codes: ['BAD_FREQUENCY', 'BAD_NOTE'],
  rule: 'above 0 and below Nyquist (sampleRate / 2); note names from C-1 to G#9, cents included',
});
/** Durations of at least one sample. */
export const durationCheck: Check = {
  field: 'duration',
  codes: ['BAD_DURATION'],
  rule: 'at least one sample long (1 / sampleRate seconds) and > 0',
};
/** What the encoder of a lossy format takes: bitrate, sample rate and channels together. */
export const encoderChecks: Check[] = [
  {
    field: 'bitrate',
    codes: ['BAD_VALUE'],
    rule: 'a bitrate the encoder takes at this sample rate and channel count (Vorbis and AAC limits depend on both)',
  },
  {
    field: 'sampleRate',
    codes: ['BAD_VALUE'],
    rule: 'a sample rate the encoder of the lossy format takes',
  },
];
/** Gains in range when written as text. */
export const gainCheck = (field: string): Check => ({
  field,
  codes: ['BAD_GAIN'],
  rule: 'within the range of the field once converted from decibels',
});

/** A binary audio response, for the OpenAPI document. */
export const AudioResponse = T.Unsafe<Buffer>({
  description: 'the audio file (Content-Type by format); header X-Cache: hit|miss',
  type: 'string',
  format: 'binary',
});

/** Query of output options (for `POST /render/` callers that send a bare preset). */
export type OutputFieldsBody = Static<ReturnType<typeof T.Object<typeof OutputFields>>>;
