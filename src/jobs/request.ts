/**
 * The body of `POST /jobs/`: its schema (one per kind, as the matching endpoint's body), its
 * checks, and the job id derived from the canonical request, so identical requests share a job.
 */
import { createHash } from 'node:crypto';
import { type Static, Type as T, type TSchema } from '@sinclair/typebox';
import { invalid } from '../errors.js';
import { assertAudible } from '../harmony-bridge.js';
import { decodeWav } from '../io/audio-file.js';
import { parseMidi } from '../midi/smf.js';
import { canonicalJson } from '../server/cache.js';
import { GenerateBody, MixBody, OutputFields, RenderBody } from '../server/schemas.js';
import { durationOf, generateJob, mixJob, renderJob } from '../server/work/requests.js';
import type { JobKind } from './types.js';

const Base64 = (what: string) =>
  T.String({ minLength: 4, pattern: '^[A-Za-z0-9+/=\\s_-]+$', description: `${what}, base64` });

/** `analyze` jobs: the WAV file as base64 (the body `POST /analyze/` takes as bytes). */
export const AnalyzeJobRequest = T.Object({ audio: Base64('a WAV file') }, { additionalProperties: false });

/** `midi` jobs: a Standard MIDI File as base64, with the output options of the audio endpoints. */
export const MidiJobRequest = T.Object(
  {
    midi: Base64('a Standard MIDI File'),
    duration: T.Optional(
      T.Union([T.Number({ exclusiveMinimum: 0 }), T.String({ minLength: 1, maxLength: 32 })]),
    ),
    a4: T.Optional(T.Number({ minimum: 1, maximum: 20000, description: 'Hz of A4 (default 440)' })),
    ...OutputFields,
  },
  { additionalProperties: false },
);

const REQUEST_SCHEMAS: Record<JobKind, TSchema> = {
  generate: GenerateBody,
  mix: MixBody,
  render: RenderBody,
  analyze: AnalyzeJobRequest,
  midi: MidiJobRequest,
};

/** `POST /jobs/`: `kind` picks the schema `request` must follow. */
export const JobBody = T.Object(
  {
    kind: T.Union(
      (Object.keys(REQUEST_SCHEMAS) as JobKind[]).map((k) => T.Literal(k)),
      { description: 'which endpoint the request is the body of' },
    ),
    request: T.Object(
      {},
      {
        additionalProperties: true,
        description:
          'the body of POST /generate-frequency/ (generate), /mix-frequencies/ (mix), /render/ (render); ' +
          '{ audio: base64 WAV } (analyze); { midi: base64 SMF, duration?, a4?, ...output } (midi)',
      },
    ),
  },
  {
    additionalProperties: false,
    allOf: (Object.entries(REQUEST_SCHEMAS) as [JobKind, TSchema][]).map(([k, schema]) => ({
      if: { properties: { kind: { const: k } } },
      // biome-ignore lint/suspicious/noThenProperty: the JSON Schema keyword
      then: { properties: { request: schema } },
    })),
  },
);
export type JobBody = Static<typeof JobBody>;

/** Bytes of a base64 field; BAD_VALUE when it holds none. */
export function bytesOf(b64: string, field: string): Uint8Array {
  const buf = Buffer.from(b64, 'base64');
  if (buf.length === 0) throw invalid('BAD_VALUE', `${field}: not base64 data`, field);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
}

/** Server settings a request is checked against. */
export interface RequestLimits {
  maxDuration: number;
  presetDirs: string[] | undefined;
}

const sha = (data: string | Uint8Array) => createHash('sha256').update(data).digest('base64url');

/**
 * Check a job's request as its endpoint would (400 on bad input) and return the job id: the
 * kind and a hash of the canonical request (defaults filled, field order ignored).
 * @example await jobIdOf('generate', { frequency: 'A4', duration: 1 }, limits) // 'generate-...'
 */
export async function jobIdOf(kind: JobKind, request: unknown, limits: RequestLimits): Promise<string> {
  let canonical: unknown;
  switch (kind) {
    case 'generate':
      canonical = generateJob(request as GenerateBody, limits.maxDuration).canonical;
      break;
    case 'mix':
      canonical = mixJob(request as MixBody, limits.maxDuration).canonical;
      break;
    case 'render':
      canonical = (await renderJob(request as RenderBody, limits.maxDuration, limits.presetDirs)).canonical;
      break;
    case 'analyze': {
      const bytes = bytesOf((request as { audio: string }).audio, 'request.audio');
      const audio = decodeWav(bytes, 'request.audio');
      assertAudible(audio.channels, 'request.audio');
      canonical = { audio: sha(bytes) };
      break;
    }
    case 'midi': {
      const { midi, ...options } = request as { midi: string; duration?: number | string };
      const bytes = bytesOf(midi, 'request.midi');
      parseMidi(bytes, 'request.midi');
      if (options.duration !== undefined) durationOf(options.duration, limits.maxDuration);
      canonical = { midi: sha(bytes), options };
      break;
    }
  }
  return `${kind}-${sha(canonicalJson(canonical)).slice(0, 24)}`;
}

/** The request as the job functions take it: files as bytes instead of base64. */
export function executableRequest(kind: JobKind, request: unknown): unknown {
  if (kind === 'analyze') return { audio: bytesOf((request as { audio: string }).audio, 'request.audio') };
  if (kind === 'midi') {
    const r = request as { midi: string };
    return { ...r, midi: bytesOf(r.midi, 'request.midi') };
  }
  return request;
}
