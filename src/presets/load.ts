/**
 * Reading a preset file: JSON with line and column on syntax errors, validation, and the audio
 * of its file layers (paths relative to the preset). Every problem is one BAD_PRESET error
 * `<file>: <json path>: <reason>`.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { isOmniError, OmniError } from '../errors.js';
import type { Preset } from './types.js';
import { presetRate, type ValidateContext, validatePreset } from './validate.js';

/** The error of a bad preset: one line, `<file>: <json path>: <reason>`. */
export function presetError(file: string, path: string, reason: string): OmniError {
  return new OmniError('BAD_PRESET', `${file}: ${path === '' ? '(top level)' : path}: ${reason}`, {
    field: path,
  });
}

/** Line and column (1-based) of character `pos` in `text`. */
export function lineColumn(text: string, pos: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(pos, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: lines[lines.length - 1]!.length + 1 };
}

/**
 * Parse preset JSON text; a syntax error becomes `<file>: line L, column C: <reason>`.
 * @example parsePresetJson('{"name": }', 'x.json') // throws 'x.json: line 1, column 10: ...'
 */
export function parsePresetJson(text: string, file: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch (e) {
    const msg = (e as Error).message;
    const at = /at position (\d+)/.exec(msg);
    const pos = at ? Number(at[1]) : body.trimEnd().length;
    const { line, column } = lineColumn(body, pos);
    const reason = (at ? msg.slice(0, at.index) : msg)
      .replace(/,? *".*" is not valid JSON$/s, '')
      .replace(/ in JSON *$/, '')
      .trim();
    const why = /end of JSON input/.test(reason) ? 'unexpected end of the file (unclosed { or [ ?)' : reason;
    throw new OmniError('BAD_PRESET', `${file}: line ${line}, column ${column}: invalid JSON: ${why}`, {
      cause: e,
    });
  }
}

/**
 * Validate a parsed preset; throws the BAD_PRESET one-liner for the first problem.
 * @example checkPreset(JSON.parse(text), 'alpha.json', { sampleRate: 48000 })
 */
export function checkPreset(raw: unknown, file: string, ctx: ValidateContext = {}): Preset {
  const issue = validatePreset(raw, ctx);
  if (issue) throw presetError(file, issue.path, issue.message);
  return raw as Preset;
}

/** A validated preset with where it came from, and the decoded audio of its file layers. */
export interface LoadedPreset {
  preset: Preset;
  /** Absolute path of the preset file ('' when it came from memory). */
  source: string;
  /** Name used in messages (file name or path as given). */
  shown: string;
  /** Planar audio at the render's rate, by layer index (file layers only). */
  audio: Map<number, Float32Array[]>;
  sampleRate: number;
}

/**
 * Read, parse and validate a preset file, then decode its audio files.
 * @example await loadPresetFile('presets/alpha-relax.json', 'alpha-relax.json', {})
 */
export async function loadPresetFile(
  path: string,
  shown: string,
  ctx: ValidateContext = {},
): Promise<LoadedPreset> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new OmniError('NOT_FOUND', `${shown}: no such preset file`, { cause: e });
    if (code === 'EISDIR')
      throw new OmniError('NOT_FOUND', `${shown}: is a folder, not a preset file`, { cause: e });
    throw new OmniError('IO_ERROR', `${shown}: cannot read (${code ?? (e as Error).message})`, { cause: e });
  }
  return loadPresetValue(parsePresetJson(text, shown), shown, resolve(path), ctx);
}

/** Options of {@link loadPresetValue}. */
export interface LoadContext extends ValidateContext {
  /**
   * Whether `file` layers may read files (default true). Servers rendering presets from
   * untrusted requests pass false: the preset must not read files of the server.
   */
  allowFiles?: boolean;
}

/**
 * Validate a preset already parsed (a REST body, a test) and decode its audio files, whose
 * paths are relative to `source`'s folder (or the working directory when `source` is '').
 */
export async function loadPresetValue(
  raw: unknown,
  shown: string,
  source: string,
  ctx: LoadContext = {},
): Promise<LoadedPreset> {
  const sampleRate = presetRate(raw, ctx);
  const preset = checkPreset(raw, shown, { sampleRate });
  const audio = new Map<number, Float32Array[]>();
  const base = source === '' ? process.cwd() : dirname(source);
  for (let i = 0; i < preset.layers.length; i++) {
    const l = preset.layers[i]!;
    if (l.type !== 'file') continue;
    if (ctx.allowFiles === false)
      throw presetError(shown, `layers[${i}]`, 'file layers are not allowed here');
    const file = isAbsolute(l.path) ? l.path : resolve(base, l.path);
    // loaded only when needed: the WAV decoder is slow to import
    const { readAudioFile } = await import('../io/audio-file.js');
    try {
      audio.set(i, (await readAudioFile(file, sampleRate)).channels);
    } catch (e) {
      if (!isOmniError(e)) throw e;
      const reason = e.code === 'NOT_FOUND' ? `no such file: ${file}` : e.message.replace(`${file}: `, '');
      throw presetError(shown, `layers[${i}].path`, reason);
    }
  }
  return { preset, source, shown, audio, sampleRate };
}
