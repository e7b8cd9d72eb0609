/**
 * The CPU-heavy jobs of the server, runnable in any thread: renders of the audio endpoints,
 * analyses, MIDI renders. No server framework and no pool here, so the same functions run in a
 * worker thread of the server's pool and in a queue's sandboxed processor. Requests arrive
 * validated by the endpoint that took them; the job builds its scene from them again.
 */
import { invalid, isOmniError, OmniError } from '../../errors.js';
import type { OutputPlan } from '../../io/output.js';
import type { Engine } from '../../render/engine.js';
import type { Scene } from '../../render/scene.js';
import type { GenerateBody, MixBody, OutputFieldsBody, RenderBody } from '../schemas.js';
import { type AudioHead, abortedError, renderStream } from './render-stream.js';
import { durationOf, generateJob, mixJob, planOf, renderJob } from './requests.js';

export type JobKind = 'generate' | 'mix' | 'render' | 'analyze' | 'midi';
export type JobResult =
  | { type: 'audio'; contentType: string; body: Buffer }
  | { type: 'json'; value: unknown };
export interface JobOptions {
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
  /**
   * Each chunk of the audio as rendered; when it returns a promise, the job waits for it
   * (backpressure). The chunk's memory is filled again once the call returned or its promise
   * settled: a consumer that keeps it copies it.
   */
  onChunk?: (chunk: Buffer) => void;
  /** Content type and, when known, exact length of the audio, before its first chunk. */
  onHead?: (head: AudioHead) => void;
  /** Collects garbage now, if the thread can (a pool worker): an analysis does every few MB of its upload. */
  collectGarbage?: () => void;
}

/** The kinds of {@link executeJob}. */
export const JOB_KINDS: readonly JobKind[] = ['generate', 'mix', 'render', 'analyze', 'midi'];

/** Settings of the process that runs the jobs (the server's --preset-dir). */
const settings: { presetDirs: string[] | undefined } = { presetDirs: undefined };

/** Set where `render` jobs find user presets by name. */
export function configureJobs(o: { presetDirs?: string[] | undefined }): void {
  settings.presetDirs = o.presetDirs;
}

/** Options of a `midi` job: the file's bytes, the MIDI render options, the output fields. */
export interface MidiJobRequest extends OutputFieldsBody {
  midi: Uint8Array;
  duration?: number | string;
  a4?: number;
  /** A voice map (the JSON of `--voices`). */
  voices?: unknown;
}

/**
 * Runs the job in the current thread. `request` is the validated body of the matching endpoint;
 * for analyze `{ audio: Uint8Array | UploadStream }` (the WAV bytes, whole or as they arrive), for
 * midi `{ midi: Uint8Array, ...options }`. With onChunk the audio is streamed and body is empty.
 * @example const r = await executeJob('generate', { frequency: 440, duration: 1 });
 */
export async function executeJob(kind: JobKind, request: unknown, opts: JobOptions = {}): Promise<JobResult> {
  if (opts.signal?.aborted) throw abortedError();
  switch (kind) {
    case 'generate':
    case 'mix':
    case 'render': {
      const job =
        kind === 'generate'
          ? generateJob(request as GenerateBody, Number.POSITIVE_INFINITY)
          : kind === 'mix'
            ? mixJob(request as MixBody, Number.POSITIVE_INFINITY)
            : await renderJob(request as RenderBody, Number.POSITIVE_INFINITY, settings.presetDirs);
      return audio(job.scene, job.plan, opts);
    }
    case 'midi': {
      const { scene, plan, prepare } = await midiJob(request as MidiJobRequest);
      return audio(scene, plan, opts, prepare);
    }
    case 'analyze':
      return {
        type: 'json',
        value: await analyze(
          request as { audio: Uint8Array | UploadStream },
          opts.signal,
          opts.collectGarbage,
        ),
      };
    default:
      throw invalid('BAD_VALUE', `kind: one of ${JOB_KINDS.join(', ')}, got ${String(kind)}`, 'kind');
  }
}

async function audio(
  scene: Scene,
  plan: OutputPlan,
  opts: JobOptions,
  prepare?: (engine: Engine) => void,
): Promise<JobResult> {
  const chunks: Buffer[] = [];
  const onChunk = opts.onChunk ?? ((c: Buffer) => void chunks.push(c));
  const summary = await renderStream(scene, plan, {
    onChunk: onChunk as (c: Buffer) => void | Promise<void>,
    reuseChunks: Boolean(opts.onChunk),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    ...(opts.onHead ? { onHead: opts.onHead } : {}),
    ...(prepare ? { prepare } : {}),
  });
  const body = opts.onChunk ? Buffer.alloc(0) : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  return { type: 'audio', contentType: summary.contentType, body };
}

/**
 * The bytes of an upload arriving chunk by chunk (in a pool worker, as the client sends them),
 * with the upload's announced length when there was one (Content-Length).
 */
export interface UploadStream extends AsyncIterable<Uint8Array> {
  readonly bytes?: number | undefined;
}

/** Pieces a whole body is decoded in (a body held whole is not converted whole at once). */
const PIECE = 1 << 20;
/** Bytes of an upload between two garbage collections of its thread. */
const COLLECT_EVERY = 8 * 1024 * 1024;

/**
 * Decodes and analyses a WAV body as its chunks arrive (never put together): the decoder turns
 * each chunk into samples, the analysis keeps its running measures, the chunk goes. With the
 * body's length known the analysis holds a few MB whatever the length; without it, the mono mix
 * (see `AnalysisStream`). A body found unreadable is still read to its end, not decoded: an
 * upload that is also too large, or cut short, fails as such.
 */
async function analyze(
  request: { audio: Uint8Array | UploadStream },
  signal: AbortSignal | undefined,
  collectGarbage: (() => void) | undefined,
): Promise<unknown> {
  const body = request?.audio;
  const whole = body instanceof Uint8Array ? body : null;
  if (!whole && !(body && Symbol.asyncIterator in body))
    throw invalid('BAD_AUDIO', 'the body is empty; send a WAV file', 'body');
  const { WavStream } = await import('../../io/wav-stream.js');
  const { AnalysisStream } = await import('../../harmony/analysis/stream.js');
  const { refuseSilence, withOmniErrors } = await import('../../harmony-bridge.js');
  const name = 'the request body';
  const wav = new WavStream(name, { totalBytes: whole ? whole.length : (body as UploadStream).bytes });
  const chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array> = whole
    ? Array.from({ length: Math.ceil(whole.length / PIECE) }, (_, i) =>
        whole.subarray(i * PIECE, (i + 1) * PIECE),
      )
    : (body as UploadStream);
  let analysis: InstanceType<typeof AnalysisStream> | null = null;
  let failure: unknown = null;
  let received = 0;
  let collected = 0;
  for await (const chunk of chunks) {
    if (signal?.aborted) break;
    received += chunk.length;
    // each chunk leaves its bytes and samples behind: collected every few MB, they never pile up
    // (left to the collector, tens of MB of them wait at once)
    if (received - collected >= COLLECT_EVERY) {
      collected = received;
      collectGarbage?.();
    }
    if (failure) continue;
    try {
      const block = wav.push(chunk);
      const format = wav.format;
      if (!analysis && format) analysis = new AnalysisStream(format);
      if (block && block.length > 0 && block[0]!.length > 0) withOmniErrors(() => analysis!.add(block));
    } catch (e) {
      failure = e;
    }
  }
  if (signal?.aborted) throw abortedError();
  if (received === 0) throw invalid('BAD_AUDIO', 'the body is empty; send a WAV file', 'body');
  if (failure) throw failure;
  wav.end();
  // the same floor as the CLI: dithered silence is not analysed into noise notes
  refuseSilence(analysis!.silenceReason(), name);
  const done = analysis!;
  return withOmniErrors(() => done.finish());
}

async function midiJob(
  r: MidiJobRequest,
): Promise<{ scene: Scene; plan: OutputPlan; prepare: (engine: Engine) => void }> {
  if (!(r?.midi instanceof Uint8Array) || r.midi.length === 0)
    throw invalid('BAD_MIDI', 'the MIDI file is empty', 'midi');
  const { parseMidi } = await import('../../midi/smf.js');
  const { midiScene } = await import('../../midi/scene.js');
  const { checkVoiceMap } = await import('../../midi/voices.js');
  const song = parseMidi(r.midi, 'the MIDI file');
  const sampleRate = r.sampleRate ?? 48000;
  const { scene, layer } = midiScene(song, {
    sampleRate,
    seed: r.seed ?? 0x5eed,
    ...(r.voices !== undefined ? { voiceMap: checkVoiceMap(r.voices, 'voices') } : {}),
    ...(r.duration !== undefined ? { duration: durationOf(r.duration, Number.POSITIVE_INFINITY) } : {}),
    ...(r.a4 !== undefined ? { a4: r.a4 } : {}),
    ...(r.fade !== undefined ? { fadeOut: r.fade } : {}),
  });
  // the sequencer feeds the song's events to the synthesizer: attaching the synthesizer alone is silent
  return { scene, plan: planOf(r, scene.channels ?? 1), prepare: (engine) => engine.attach(layer) };
}

/** An error as plain data, to cross a thread or process boundary. */
export interface JobErrorData {
  code: string;
  message: string;
  field?: string;
  hint?: string;
}

/** The data of any error a job throws (catalogued codes kept, anything else INTERNAL). */
export function jobErrorData(e: unknown): JobErrorData {
  if (isOmniError(e)) {
    return {
      code: e.code,
      message: e.message,
      ...(e.field ? { field: e.field } : {}),
      ...(e.hint ? { hint: e.hint } : {}),
    };
  }
  return { code: 'INTERNAL', message: (e as Error)?.message ?? String(e) };
}

/** The error of {@link jobErrorData}, rebuilt. */
export function jobError(d: JobErrorData): OmniError {
  return new OmniError(d.code as OmniError['code'], d.message, {
    ...(d.field ? { field: d.field } : {}),
    ...(d.hint ? { hint: d.hint } : {}),
  });
}
