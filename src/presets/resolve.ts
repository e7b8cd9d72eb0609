/**
 * Finding presets by name (built-in, user, `--preset-dir`) or path, and turning them into
 * scenes. The CLI (`render`, `presets`, `play`) and the server use these.
 */
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { isOmniError, OmniError } from '../errors.js';
import { packagePath } from '../package-root.js';
import type { Scene } from '../render/scene.js';
import { type LoadContext, type LoadedPreset, loadPresetFile, loadPresetValue } from './load.js';
import { presetDuration, presetToScene } from './scene.js';
import type { Preset } from './types.js';

/** Folder of the presets shipped with the package. */
export const BUILTIN_DIR = packagePath('presets');

/** Where presets are looked up. */
export interface PresetLookup {
  /** Extra folders searched first (`--preset-dir`), in order. */
  presetDirs?: string[];
  /** Environment for the user folder (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/** Options of {@link loadPresetScene}. */
export interface PresetSceneOptions extends PresetLookup {
  /** Render rate (Nyquist limit); default the preset's `sampleRate`, else 48000. */
  sampleRate?: number;
  /** Replace the preset's duration (seconds; Infinity for endless streams). */
  durationOverride?: number;
  /** Replace the preset's noise seed. */
  seed?: number;
}

/** The user's preset folder: `$XDG_CONFIG_HOME/omnisonic/presets`, else `~/.config/omnisonic/presets`. */
export function userPresetDir(env: NodeJS.ProcessEnv = process.env): string {
  const config = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(config, 'omnisonic', 'presets');
}

/** Folders searched for a preset name, first match wins. */
export function presetSearchPath(o: PresetLookup = {}): { dir: string; origin: PresetOrigin }[] {
  return [
    ...(o.presetDirs ?? []).map((d) => ({ dir: resolve(d), origin: 'dir' as const })),
    { dir: userPresetDir(o.env), origin: 'user' as const },
    { dir: BUILTIN_DIR, origin: 'builtin' as const },
  ];
}

export type PresetOrigin = 'builtin' | 'user' | 'dir';

/** True when the argument names a file rather than a preset. */
export function isPresetPath(arg: string): boolean {
  return /\.json$/i.test(arg) || arg.includes('/') || arg.includes('\\');
}

/**
 * The file of a preset name or path. Throws NOT_FOUND (with near names) when there is none.
 * @example findPreset('alpha-relax') // { file: '/…/presets/alpha-relax.json', shown: 'alpha-relax.json' }
 */
export function findPreset(arg: string, o: PresetLookup = {}): { file: string; shown: string } {
  if (isPresetPath(arg)) {
    // `alpha-relax.json` with no such file here: the preset of that name
    const bare = !/[/\\]/.test(arg) && !existsSync(resolve(arg));
    if (!bare) return { file: resolve(arg), shown: arg };
    const stem = arg.slice(0, -'.json'.length);
    try {
      return findPreset(stem, o);
    } catch (e) {
      if (!isOmniError(e) || e.code !== 'NOT_FOUND') throw e;
      throw new OmniError('NOT_FOUND', `${arg}: no such file, and ${e.message}`, {
        field: 'preset',
        hint: e.hint,
      });
    }
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(arg)) {
    throw new OmniError('NOT_FOUND', `'${arg}' is not a preset name`, {
      hint: 'see: omnisonic presets list',
    });
  }
  for (const { dir } of presetSearchPath(o)) {
    // schema.json is the presets' JSON Schema, not a preset (the listing skips it too)
    if (arg === 'schema') break;
    const file = join(dir, `${arg}.json`);
    if (existsSync(file)) return { file, shown: `${arg}.json` };
  }
  const names = presetFiles(o).map((p) => p.name);
  const near = names
    .filter((n) => n.includes(arg) || arg.includes(n) || editDistance(n, arg) <= 3)
    .slice(0, 3);
  throw new OmniError(
    'NOT_FOUND',
    `no preset named '${arg}'${near.length ? ` (did you mean ${near.join(', ')}?)` : ''}`,
    {
      field: 'preset',
      hint: 'see: omnisonic presets list',
    },
  );
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return d[b.length]!;
}

/**
 * A preset by name or path, validated, as written in its file (for `presets show` and
 * `GET /presets/{name}`).
 * @example (await getPreset('alpha-relax')).preset.description
 */
export async function getPreset(
  nameOrPath: string,
  o: PresetLookup = {},
): Promise<{ preset: Preset; source: string }> {
  const { file, shown } = findPreset(nameOrPath, o);
  const { preset, source } = await loadPresetFile(file, shown);
  return { preset, source };
}

/** Every preset file on the search path (first of each name), without reading them. */
export function presetFiles(o: PresetLookup = {}): { name: string; file: string; origin: PresetOrigin }[] {
  const seen = new Map<string, { name: string; file: string; origin: PresetOrigin }>();
  for (const { dir, origin } of presetSearchPath(o)) {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      continue;
    }
    for (const e of entries.sort()) {
      if (!e.endsWith('.json') || e === 'schema.json') continue;
      const name = e.slice(0, -5);
      if (!seen.has(name)) seen.set(name, { name, file: join(dir, e), origin });
    }
  }
  return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** One entry of {@link listPresets}. */
export interface PresetInfo {
  name: string;
  description: string;
  tags: string[];
  /** Seconds. */
  duration: number;
  layers: number;
  steps: number;
  origin: PresetOrigin;
  file: string;
  /** Set when the file is invalid (the other fields are then empty). */
  error?: string;
}

/**
 * Every preset on the search path, validated; invalid user files are listed with their error.
 * @example (await listPresets()).map((p) => p.name)
 */
export async function listPresets(o: PresetLookup = {}): Promise<PresetInfo[]> {
  const out: PresetInfo[] = [];
  for (const f of presetFiles(o)) {
    try {
      const { preset } = await loadPresetFile(f.file, basename(f.file), {});
      out.push({
        name: f.name,
        description: preset.description,
        tags: preset.tags ?? [],
        duration: presetDuration(preset),
        layers: preset.layers.length,
        steps: preset.timeline?.length ?? 0,
        origin: f.origin,
        file: f.file,
      });
    } catch (e) {
      if (!isOmniError(e)) throw e;
      out.push({
        name: f.name,
        description: '',
        tags: [],
        duration: 0,
        layers: 0,
        steps: 0,
        origin: f.origin,
        file: f.file,
        error: e.message,
      });
    }
  }
  return out;
}

/**
 * Load a preset by name or path and build its scene: validated against the render's rate,
 * audio files decoded. Throws NOT_FOUND for unknown names, BAD_PRESET for invalid presets.
 * @example const { scene } = await loadPresetScene('alpha-relax', { sampleRate: 8000, durationOverride: 10 });
 */
export async function loadPresetScene(
  nameOrPath: string,
  opts: PresetSceneOptions = {},
): Promise<{ scene: Scene; preset: Preset; source: string }> {
  const { file, shown } = findPreset(nameOrPath, opts);
  const ctx = opts.sampleRate === undefined ? {} : { sampleRate: opts.sampleRate };
  return sceneOf(await loadPresetFile(file, shown, ctx), opts);
}

/**
 * Build the scene of a preset given as a parsed JSON value (a REST body). File layers resolve
 * against `baseFile`'s folder (default: the working directory); pass `allowFiles: false` for
 * untrusted input (a request body must not read the server's files).
 * @example await presetValueScene(JSON.parse(body), { sampleRate: 48000 })
 */
export async function presetValueScene(
  raw: unknown,
  opts: PresetSceneOptions & { shown?: string; baseFile?: string; allowFiles?: boolean } = {},
): Promise<{ scene: Scene; preset: Preset; source: string }> {
  const ctx: LoadContext = opts.sampleRate === undefined ? {} : { sampleRate: opts.sampleRate };
  if (opts.allowFiles !== undefined) ctx.allowFiles = opts.allowFiles;
  return sceneOf(await loadPresetValue(raw, opts.shown ?? 'preset', opts.baseFile ?? '', ctx), opts);
}

function sceneOf(
  loaded: LoadedPreset,
  opts: PresetSceneOptions,
): { scene: Scene; preset: Preset; source: string } {
  const sceneOpts: { durationOverride?: number; seed?: number } = {};
  if (opts.durationOverride !== undefined) sceneOpts.durationOverride = opts.durationOverride;
  if (opts.seed !== undefined) sceneOpts.seed = opts.seed;
  return { scene: presetToScene(loaded, sceneOpts), preset: loaded.preset, source: loaded.source };
}
