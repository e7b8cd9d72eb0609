/**
 * The job functions, run in the calling thread: a request body of the matching endpoint in,
 * the audio file or the analysis JSON out. Same rendering as the synchronous endpoints.
 */
import { invalid, OmniError } from '../errors.js';
import { analyzeAudio } from '../harmony/analysis/analyze.js';
import { assertAudible } from '../harmony-bridge.js';
import { decodeWav } from '../io/audio-file.js';
import { toneScene } from '../render/build.js';
import { sceneChannels } from '../render/engine.js';
import { renderToBuffer } from '../server/render.js';
import { durationOf, generateRequest, mixRequest, planOf } from '../server/routes/audio.js';
import type { GenerateBody, MixBody, RenderBody } from '../server/schemas.js';

export type JobKind = 'generate' | 'mix' | 'render' | 'analyze' | 'midi';
export type JobResult =
  | { type: 'audio'; contentType: string; body: Buffer }
  | { type: 'json'; value: unknown };
export interface JobOptions {
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
  onChunk?: (chunk: Buffer) => void;
}

const NO_LIMIT = Number.POSITIVE_INFINITY;

/** Run one job (the request was validated by the server that accepted it). */
export async function executeJob(kind: JobKind, request: unknown, opts: JobOptions = {}): Promise<JobResult> {
  const limits = opts.signal ? { signal: opts.signal } : {};
  opts.onProgress?.(0);
  let result: JobResult;
  switch (kind) {
    case 'generate': {
      const { tone, plan } = generateRequest(request as GenerateBody, NO_LIMIT);
      const out = await renderToBuffer(toneScene(tone), plan, limits);
      result = { type: 'audio', contentType: out.contentType, body: out.body };
      break;
    }
    case 'mix': {
      const { scene, plan } = mixRequest(request as MixBody, NO_LIMIT);
      const out = await renderToBuffer(scene, plan, limits);
      result = { type: 'audio', contentType: out.contentType, body: out.body };
      break;
    }
    case 'render': {
      const { presetScene } = await import('../server/routes/preset-source.js');
      const b = request as RenderBody;
      const scene = await presetScene(b.preset, { sampleRate: b.sampleRate ?? 48000, presetDirs: undefined });
      if (b.duration !== undefined) scene.duration = durationOf(b.duration, NO_LIMIT);
      const out = await renderToBuffer(scene, planOf(b, sceneChannels(scene)), limits);
      result = { type: 'audio', contentType: out.contentType, body: out.body };
      break;
    }
    case 'analyze': {
      const { audio: bytes } = request as { audio: Uint8Array };
      const audio = decodeWav(bytes, 'the job audio');
      assertAudible(audio.channels, 'the job audio');
      result = {
        type: 'json',
        value: analyzeAudio({ channels: audio.channels, sampleRate: audio.sampleRate }),
      };
      break;
    }
    case 'midi':
      throw new OmniError('INTERNAL', 'midi jobs are not available in this build');
    default:
      throw invalid('BAD_VALUE', `kind: unknown job kind ${String(kind)}`, 'kind');
  }
  opts.onProgress?.(1);
  return result;
}
