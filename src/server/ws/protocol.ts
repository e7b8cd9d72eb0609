import { invalid } from '../../errors.js';
import type { LayerSpec, MasterSpec } from '../../render/scene.js';
import { isObject, layerFromJson, MAX_LAYERS, num, onlyKeys, setParamsFromJson } from './layers.js';

/** Sample format of the binary audio frames. */
export type WireFormat = 'f32' | 's16';

/** Audio options of a session (what the binary frames carry). */
export interface AudioOptions {
  format: WireFormat;
  sampleRate: number;
  channels: 1 | 2;
  /** Sample frames per binary frame. */
  blockSize: number;
}

/** Visualisation options: `viz` messages per second and log-spaced spectrum bands. */
export interface VizOptions {
  fps: number;
  bins: number;
}

/** A validated `start` message. */
export interface StartMessage {
  type: 'start';
  layers?: LayerSpec[];
  master?: MasterSpec;
  seed?: number;
  preset?: string;
  /** Start the MIDI synthesizer with the session (`soundfont`: a bank the server knows). */
  midi?: { soundfont?: string };
  /** `null` when the client wants no audio frames (viz only). */
  audio: AudioOptions | null;
  viz: VizOptions | null;
  latencyMs: number;
  seq: number | string | null;
}

export type LayerRef = string | number;

/** Every message a client may send, validated. */
export type ClientMessage =
  | StartMessage
  | {
      type: 'set';
      layer: LayerRef;
      params: Record<string, unknown>;
      glide: number;
      seq: number | string | null;
    }
  | { type: 'add'; layer: unknown; seq: number | string | null }
  | { type: 'remove'; layer: LayerRef; seq: number | string | null }
  | { type: 'midi'; data: number[] }
  | { type: 'stop'; fade: number }
  | { type: 'ping'; t: unknown };

export const DEFAULT_AUDIO: AudioOptions = { format: 'f32', sampleRate: 48000, channels: 2, blockSize: 512 };
export const DEFAULT_VIZ: VizOptions = { fps: 30, bins: 64 };
export const DEFAULT_LATENCY_MS = 50;
export const LIMITS = {
  sampleRate: [8000, 192000],
  blockSize: [128, 8192],
  fps: [1, 60],
  bins: [8, 512],
  latencyMs: [10, 2000],
  glide: [0, 60],
} as const;

const TYPES = ['start', 'set', 'add', 'remove', 'midi', 'stop', 'ping'];

/**
 * Parse and validate one text message from a client. Throws BAD_MESSAGE (not JSON, no or
 * unknown type) or a BAD_* code naming the field. Layer contents of `set`/`add` that depend on
 * the session's sample rate are checked by the session ({@link setParamsFromJson}, {@link layerFromJson}).
 * @example parseClientMessage('{"type":"ping"}') // { type: 'ping', t: undefined }
 */
export function parseClientMessage(text: string): ClientMessage {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw invalid(
      'BAD_MESSAGE',
      'message is not valid JSON',
      undefined,
      'send one JSON object per text message',
    );
  }
  if (!isObject(raw) || typeof raw.type !== 'string') {
    throw invalid('BAD_MESSAGE', `message must be a JSON object with a 'type' (${TYPES.join(', ')})`, 'type');
  }
  const seq = seqOf(raw.seq);
  switch (raw.type) {
    case 'start':
      return { ...startOf(raw), seq };
    case 'set':
      onlyKeys(raw, ['type', 'layer', 'params', 'glide', 'seq'], 'set');
      return {
        type: 'set',
        layer: refOf(raw.layer ?? 0),
        params: paramsObj(raw.params),
        glide: num(raw, 'glide', 0, 60, 'set') ?? 0,
        seq,
      };
    case 'add':
      onlyKeys(raw, ['type', 'layer', 'seq'], 'add');
      return { type: 'add', layer: raw.layer, seq };
    case 'remove':
      onlyKeys(raw, ['type', 'layer', 'seq'], 'remove');
      return { type: 'remove', layer: refOf(raw.layer), seq };
    case 'midi':
      return { type: 'midi', data: midiOf(raw.data) };
    case 'stop':
      return { type: 'stop', fade: num(raw, 'fade', 0.001, 10, 'stop') ?? 0.05 };
    case 'ping':
      return { type: 'ping', t: raw.t };
    default:
      throw invalid(
        'BAD_MESSAGE',
        `unknown message type '${String(raw.type).slice(0, 40)}' (known: ${TYPES.join(', ')})`,
        'type',
      );
  }
}

function seqOf(v: unknown): number | string | null {
  if (v === undefined) return null;
  if ((typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && v.length <= 64)) return v;
  throw invalid('BAD_VALUE', 'seq: must be a number or a short string', 'seq');
}

function refOf(v: unknown): LayerRef {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 1024) return v;
  if (typeof v === 'string' && v.length > 0 && v.length <= 64) return v;
  throw invalid('BAD_VALUE', `layer: must be a layer id or index, got ${JSON.stringify(v)}`, 'layer');
}

function paramsObj(v: unknown): Record<string, unknown> {
  if (!isObject(v)) throw invalid('BAD_VALUE', 'params: must be an object such as { "freq": 440 }', 'params');
  return v;
}

function midiOf(v: unknown): number[] {
  if (
    !Array.isArray(v) ||
    v.length < 1 ||
    v.length > 3 ||
    !v.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)
  ) {
    throw invalid('BAD_VALUE', 'data: must be 1 to 3 bytes [status, data1, data2]', 'data');
  }
  if (v[0] < 0x80 || v.slice(1).some((b: number) => b > 127)) {
    throw invalid(
      'BAD_VALUE',
      'data: the first byte must be a status byte (>= 0x80), the others data bytes (< 0x80)',
      'data',
    );
  }
  return v as number[];
}

/** `midi: true` or `midi: { soundfont: name }` of a start message. */
function midiStartOf(v: unknown): { soundfont?: string } {
  if (v === true) return {};
  if (!isObject(v)) throw invalid('BAD_VALUE', 'midi: must be true or { soundfont: name }', 'midi');
  onlyKeys(v, ['soundfont'], 'midi');
  if (v.soundfont === undefined) return {};
  if (typeof v.soundfont !== 'string' || !/^[\w-]{1,64}$/.test(v.soundfont))
    throw invalid(
      'BAD_VALUE',
      'midi.soundfont: must be the name of a bank the server knows',
      'midi.soundfont',
    );
  return { soundfont: v.soundfont };
}

function startOf(raw: Record<string, unknown>): StartMessage {
  onlyKeys(raw, ['type', 'scene', 'preset', 'midi', 'audio', 'viz', 'latency', 'seq'], 'start');
  const audio = audioOf(raw.audio);
  const msg: StartMessage = {
    type: 'start',
    seq: null,
    audio,
    viz: vizOf(raw.viz),
    latencyMs: num(raw, 'latency', LIMITS.latencyMs[0], LIMITS.latencyMs[1], 'start') ?? DEFAULT_LATENCY_MS,
  };
  if (raw.midi !== undefined && raw.midi !== false) msg.midi = midiStartOf(raw.midi);
  if (msg.midi && raw.scene === undefined && raw.preset === undefined) {
    msg.layers = [];
    return msg;
  }
  if ((raw.scene === undefined) === (raw.preset === undefined)) {
    throw invalid('BAD_VALUE', "start: give either 'scene' { layers: [...] } or 'preset' (a name)", 'scene');
  }
  if (raw.preset !== undefined) {
    if (typeof raw.preset !== 'string' || !/^[\w-]{1,64}$/.test(raw.preset)) {
      throw invalid('BAD_VALUE', 'preset: must be a preset name (letters, digits, _ -)', 'preset');
    }
    msg.preset = raw.preset;
    return msg;
  }
  const scene = raw.scene;
  if (!isObject(scene)) throw invalid('BAD_VALUE', 'scene: must be an object { layers: [...] }', 'scene');
  onlyKeys(scene, ['layers', 'master', 'seed'], 'scene');
  if (!Array.isArray(scene.layers) || scene.layers.length === 0) {
    throw invalid('BAD_VALUE', 'scene.layers: must be a non-empty array of layers', 'scene.layers');
  }
  if (scene.layers.length > MAX_LAYERS) {
    throw invalid(
      'TOO_LARGE',
      `scene.layers: at most ${MAX_LAYERS} layers, got ${scene.layers.length}`,
      'scene.layers',
    );
  }
  const sr = audio?.sampleRate ?? DEFAULT_AUDIO.sampleRate;
  msg.layers = scene.layers.map((l, i) => layerFromJson(l, sr, `scene.layers[${i}]`));
  const ids = msg.layers.map((l) => l.id).filter((id) => id !== undefined);
  if (new Set(ids).size !== ids.length)
    throw invalid('BAD_VALUE', 'scene.layers: layer ids must be unique', 'scene.layers');
  if (scene.master !== undefined) {
    if (!isObject(scene.master))
      throw invalid('BAD_VALUE', 'scene.master: must be an object', 'scene.master');
    onlyKeys(scene.master, ['gain', 'normalize', 'fadeIn'], 'scene.master');
    const m: MasterSpec = {};
    const g = num(scene.master, 'gain', 0, 16, 'scene.master');
    if (g !== undefined) m.gain = g;
    const fi = num(scene.master, 'fadeIn', 0, 60, 'scene.master');
    if (fi !== undefined) m.fadeIn = fi;
    if (scene.master.normalize !== undefined) {
      if (typeof scene.master.normalize !== 'boolean')
        throw invalid('BAD_VALUE', 'scene.master.normalize: must be true or false', 'scene.master.normalize');
      m.normalize = scene.master.normalize;
    }
    msg.master = m;
  }
  const seed = num(scene, 'seed', 0, 2 ** 32 - 1, 'scene');
  if (seed !== undefined) msg.seed = seed;
  return msg;
}

function audioOf(v: unknown): AudioOptions | null {
  if (v === false) return null;
  if (v === undefined) return { ...DEFAULT_AUDIO };
  if (!isObject(v))
    throw invalid(
      'BAD_VALUE',
      'audio: must be an object { format, sampleRate, channels, blockSize } or false',
      'audio',
    );
  onlyKeys(v, ['format', 'sampleRate', 'channels', 'blockSize'], 'audio');
  const format = v.format ?? DEFAULT_AUDIO.format;
  if (format !== 'f32' && format !== 's16')
    throw invalid(
      'BAD_VALUE',
      `audio.format: must be f32 or s16, got ${JSON.stringify(format)}`,
      'audio.format',
    );
  const sampleRate =
    num(v, 'sampleRate', LIMITS.sampleRate[0], LIMITS.sampleRate[1], 'audio') ?? DEFAULT_AUDIO.sampleRate;
  if (!Number.isInteger(sampleRate))
    throw invalid('BAD_VALUE', 'audio.sampleRate: must be a whole number of Hz', 'audio.sampleRate');
  const channels = v.channels ?? DEFAULT_AUDIO.channels;
  if (channels !== 1 && channels !== 2)
    throw invalid(
      'BAD_VALUE',
      `audio.channels: must be 1 or 2, got ${JSON.stringify(channels)}`,
      'audio.channels',
    );
  const blockSize =
    num(v, 'blockSize', LIMITS.blockSize[0], LIMITS.blockSize[1], 'audio') ?? DEFAULT_AUDIO.blockSize;
  if (!Number.isInteger(blockSize))
    throw invalid('BAD_VALUE', 'audio.blockSize: must be a whole number of frames', 'audio.blockSize');
  return { format, sampleRate, channels, blockSize };
}

function vizOf(v: unknown): VizOptions | null {
  if (v === false) return null;
  if (v === undefined) return { ...DEFAULT_VIZ };
  if (!isObject(v)) throw invalid('BAD_VALUE', 'viz: must be an object { fps, bins } or false', 'viz');
  onlyKeys(v, ['fps', 'bins'], 'viz');
  const bins = num(v, 'bins', LIMITS.bins[0], LIMITS.bins[1], 'viz') ?? DEFAULT_VIZ.bins;
  return {
    fps: num(v, 'fps', LIMITS.fps[0], LIMITS.fps[1], 'viz') ?? DEFAULT_VIZ.fps,
    bins: Math.round(bins),
  };
}

export { setParamsFromJson };
