/**
 * Preset validation: first the JSON Schema (`presets/schema.json`, interpreted by
 * {@link SchemaChecker}), then the rules a schema cannot express: frequencies below the Nyquist
 * limit of the render's rate, unique layer ids, timeline keys naming real layers and parameters,
 * values in range for the parameter they set, steps inside the preset's duration.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { NOISE_COLORS } from '../dsp/noise.js';
import { WAVES } from '../dsp/oscillator.js';
import { packagePath } from '../package-root.js';
import { type Issue, joinPath, SchemaChecker, type SchemaNode, show } from './schema-check.js';
import { type Preset, type PresetLayer, STEP_PARAMS } from './types.js';
import { type Parsed, parsePresetFrequency, parsePresetGain, parsePresetTime } from './values.js';

let schemaCache: SchemaNode | undefined;

/** URL of the shipped JSON Schema (`presets/schema.json` in the package). */
export const SCHEMA_URL = pathToFileURL(packagePath('presets', 'schema.json'));

/** The shipped JSON Schema of presets. */
export function presetSchema(): SchemaNode {
  schemaCache ??= JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as SchemaNode;
  return schemaCache;
}

/** Where and how a preset is validated. */
export interface ValidateContext {
  /** Sample rate of the render (Nyquist limit); default: the preset's own, else 48000. */
  sampleRate?: number;
}

/** Effective sample rate of a preset's render. */
export function presetRate(raw: unknown, ctx: ValidateContext): number {
  if (ctx.sampleRate !== undefined) return ctx.sampleRate;
  const r = (raw as { sampleRate?: unknown } | null)?.sampleRate;
  return typeof r === 'number' && Number.isInteger(r) && r >= 8000 && r <= 384000 ? r : 48000;
}

/**
 * The first problem of a parsed preset JSON value, or undefined when it is valid.
 * @example validatePreset(JSON.parse(text), { sampleRate: 8000 }) // { path: 'layers[0].freq', message: '...' }
 */
export function validatePreset(raw: unknown, ctx: ValidateContext = {}): Issue | undefined {
  const sr = presetRate(raw, ctx);
  const a4 = (raw as { a4?: unknown } | null)?.a4;
  const ref = typeof a4 === 'number' && a4 >= 200 && a4 <= 1000 ? a4 : 440;
  const reason = (p: Parsed) => (p.ok ? undefined : p.reason);
  const checker = new SchemaChecker(presetSchema(), {
    frequency: (v) => reason(parsePresetFrequency(v, sr, ref)),
  });
  return checker.check(raw) ?? checkRules(raw as Preset, sr, ref);
}

function checkRules(p: Preset, sr: number, a4: number): Issue | undefined {
  const nyq = sr / 2;
  const ids = new Map<string, number>();
  for (let i = 0; i < p.layers.length; i++) {
    const l = p.layers[i]!;
    const path = joinPath('layers', i);
    if (l.id !== undefined) {
      const first = ids.get(l.id);
      if (first !== undefined)
        return { path: `${path}.id`, message: `"${l.id}" is already the id of layers[${first}]` };
      ids.set(l.id, i);
    }
    const issue = checkLayer(l, path, sr, a4);
    if (issue) return issue;
  }
  const duration = (parsePresetTime(p.duration) as { value: number }).value;
  if (duration <= 0) return { path: 'duration', message: `must be > 0 seconds, got ${show(p.duration)}` };
  const steps = p.timeline ?? [];
  for (let s = 0; s < steps.length; s++) {
    const step = steps[s]!;
    const path = joinPath('timeline', s);
    const at = (parsePresetTime(step.at) as { value: number }).value;
    if (at > duration) {
      return {
        path: `${path}.at`,
        message: `${at} s is after the end of the preset (duration ${duration} s)`,
      };
    }
    for (const [key, value] of Object.entries(step.set)) {
      const where = joinPath(`${path}.set`, key);
      const dot = key.lastIndexOf('.');
      const id = key.slice(0, dot);
      const param = key.slice(dot + 1);
      if (id === 'master') {
        if (param !== 'gain') return { path: where, message: `master has only "gain", got "${param}"` };
        const bad = reasonOf(parsePresetGain(value));
        if (bad) return { path: where, message: bad };
        continue;
      }
      const index = ids.get(id);
      if (index === undefined) {
        const known = [...ids.keys()];
        const list = known.length ? `ids: ${known.join(', ')}` : 'no layer has an id';
        return { path: where, message: `unknown layer id "${id}" (${list})` };
      }
      const layer = p.layers[index]!;
      const params = STEP_PARAMS[layer.type];
      if (!(param in params)) {
        return {
          path: where,
          message: `a ${layer.type} layer has no parameter "${param}" (known: ${Object.keys(params).join(', ')})`,
        };
      }
      const bad = checkStepValue(param, value, layer, nyq, sr, a4);
      if (bad) return { path: where, message: bad };
    }
  }
  return undefined;
}

function reasonOf(p: Parsed): string | undefined {
  return p.ok ? undefined : p.reason;
}

function checkLayer(l: PresetLayer, path: string, sr: number, a4: number): Issue | undefined {
  const nyq = sr / 2;
  if (l.type === 'binaural') {
    const c = (parsePresetFrequency(l.carrier, sr, a4) as { value: number }).value;
    if (c - l.beat / 2 <= 0) {
      return {
        path: `${path}.beat`,
        message: `the left ear would get ${c - l.beat / 2} Hz: the carrier must exceed beat/2`,
      };
    }
    if (c + l.beat / 2 >= nyq) {
      return {
        path: `${path}.beat`,
        message: `the right ear would get ${c + l.beat / 2} Hz, not below ${nyq} (Nyquist)`,
      };
    }
  }
  if (l.type === 'tone' && l.fm) {
    const f = (parsePresetFrequency(l.freq, sr, a4) as { value: number }).value;
    if (f + l.fm.dev >= nyq) {
      return {
        path: `${path}.fm.dev`,
        message: `frequency + deviation reaches ${f + l.fm.dev} Hz, not below ${nyq} (Nyquist)`,
      };
    }
  }
  return undefined;
}

function numberIn(v: unknown, lo: number, hi: number): string | undefined {
  if (typeof v !== 'number' || !Number.isFinite(v))
    return `must be a number from ${lo} to ${hi}, got ${show(v)}`;
  return v < lo || v > hi ? `must be from ${lo} to ${hi}, got ${v}` : undefined;
}

function checkStepValue(
  param: string,
  v: number | string,
  layer: PresetLayer,
  nyq: number,
  sr: number,
  a4: number,
): string | undefined {
  switch (param) {
    case 'freq':
    case 'carrier': {
      const bad = reasonOf(parsePresetFrequency(v, sr, a4));
      if (bad || layer.type !== 'binaural') return bad;
      const hz = (parsePresetFrequency(v, sr, a4) as { value: number }).value;
      return hz + layer.beat / 2 >= nyq
        ? `the right ear would get ${hz + layer.beat / 2} Hz, not below ${nyq} (Nyquist)`
        : undefined;
    }
    case 'gain':
      return reasonOf(parsePresetGain(v));
    case 'pan':
      return numberIn(v, -1, 1);
    case 'beat':
      return numberIn(v, 0, 100);
    case 'duty':
      return numberIn(v, 0.01, 0.99);
    case 'amDepth':
      return numberIn(v, 0, 1);
    case 'rate':
      return numberIn(v, 0.1, 1000);
    case 'amRate':
    case 'fmRate':
      return numberIn(v, 0, 1000);
    case 'fmDev':
      return numberIn(v, 0, nyq);
    case 'wave':
      return WAVES.includes(v as never) ? undefined : `must be one of ${WAVES.join(', ')}, got ${show(v)}`;
    case 'color':
      return NOISE_COLORS.includes(v as never)
        ? undefined
        : `must be one of ${NOISE_COLORS.join(', ')}, got ${show(v)}`;
    default:
      return `unknown parameter "${param}"`;
  }
}
