/**
 * Presets for the server: by name from the search path (built-in, user, --preset-dir), or
 * inline objects from a request body. Inline presets may not read files on the server.
 */
import { invalid, isOmniError, OmniError } from '../../errors.js';
import { loadPresetScene, presetValueScene } from '../../presets/resolve.js';
import type { Scene } from '../../render/scene.js';

export interface PresetSourceOptions {
  sampleRate: number;
  presetDirs: string[] | undefined;
}

/**
 * The scene of a preset name or object, validated at `sampleRate`.
 * @example const scene = await presetScene('alpha-relax', { sampleRate: 48000, presetDirs: undefined });
 */
export async function presetScene(
  preset: string | Record<string, unknown>,
  o: PresetSourceOptions,
): Promise<Scene> {
  const lookup = { sampleRate: o.sampleRate, ...(o.presetDirs ? { presetDirs: o.presetDirs } : {}) };
  if (typeof preset === 'string') {
    // names only: a path would let a client read any file of the server
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(preset) || preset.endsWith('.json')) {
      throw invalid('NOT_FOUND', `'${preset}' is not a preset name (see GET /presets/)`, 'preset');
    }
    return (await loadPresetScene(preset, lookup)).scene;
  }
  const layers = (preset as { layers?: unknown }).layers;
  if (Array.isArray(layers)) {
    layers.forEach((l, i) => {
      if (l && typeof l === 'object' && (l as { type?: unknown }).type === 'file') {
        throw invalid(
          'BAD_PRESET',
          `preset.layers[${i}]: file layers are not allowed in a request (the server reads no files for clients)`,
          `preset.layers[${i}]`,
        );
      }
    });
  }
  try {
    return (await presetValueScene(preset, { ...lookup, shown: 'preset' })).scene;
  } catch (e) {
    // the field is the request's: `preset.layers[0].beat`
    if (!isOmniError(e)) throw e;
    const field = e.field === undefined || e.field === 'preset' ? 'preset' : `preset.${e.field}`;
    throw new OmniError(e.code, e.message, { field, hint: e.hint, cause: e });
  }
}
