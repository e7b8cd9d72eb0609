/**
 * Golden renders of every shipped preset: the first 20 s at 8 kHz (or the preset's own rate),
 * reduced to RMS per second and a coarse spectrum per channel, compared within a tolerance.
 * Regenerate (after a deliberate change of sound) with: UPDATE_GOLDEN=1 npx vitest run test/presets
 * (then `npx biome format --write test/presets/golden` to keep the files in house format).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPresetScene } from '../../src/presets/resolve.js';
import { presetDuration } from '../../src/presets/scene.js';
import type { Preset } from '../../src/presets/types.js';
import { renderAll } from '../helpers/signal.js';
import { compareFeatures, compareSessions, featuresOf, quickPeakHz, sessionFeaturesOf } from './features.js';

const PRESETS = join(import.meta.dirname, '../../presets');
const GOLDEN = join(import.meta.dirname, 'golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const names = readdirSync(PRESETS)
  .filter((f) => f.endsWith('.json') && f !== 'schema.json')
  .map((f) => f.slice(0, -5));

describe('golden renders of every shipped preset', () => {
  it('ships at least 12 presets', () => {
    expect(names.length).toBeGreaterThanOrEqual(12);
  });

  for (const name of names) {
    it(name, async () => {
      const raw = JSON.parse(readFileSync(join(PRESETS, `${name}.json`), 'utf8')) as Preset;
      const sampleRate = raw.sampleRate ?? 8000;
      const seconds = Math.min(20, presetDuration(raw));
      const { scene } = await loadPresetScene(name, { sampleRate, durationOverride: seconds });
      const channels = renderAll(scene);
      for (const ch of channels) {
        let worst = 0;
        for (let i = 0; i < ch.length; i++) worst = Math.max(worst, Math.abs(ch[i]!));
        expect(Number.isFinite(worst) && worst <= 1, `${name} peak ${worst}`).toBe(true);
      }
      const got = featuresOf(channels, sampleRate);
      checkGolden(`${name}.json`, got, compareFeatures);
    });
  }
});

/**
 * Whole sessions, timeline included, at 2 kHz (every shipped tonal layer is below 1 kHz; a preset
 * with its own rate, the test-signal set, renders at that rate): RMS and the strongest frequency
 * of each channel in up to 60 segments, so a step at the wrong time or a glide to the wrong value
 * shows.
 */
describe('golden sessions: the whole timeline of every shipped preset', () => {
  for (const name of names) {
    const raw = JSON.parse(readFileSync(join(PRESETS, `${name}.json`), 'utf8')) as Preset;
    it(name, async () => {
      const sampleRate = raw.sampleRate ?? 2000;
      const seconds = presetDuration(raw);
      const { scene } = await loadPresetScene(name, { sampleRate });
      const channels = renderAll(scene);
      const tonal = raw.layers.some((l) => l.type !== 'noise' && l.type !== 'file');
      const segments = Math.min(60, Math.floor(seconds));
      const peakOf = (x: Float64Array, n: number, offset: number) => quickPeakHz(x, n, offset, sampleRate);
      const got = sessionFeaturesOf(channels, sampleRate, segments, tonal, peakOf);
      checkGolden(`${name}.session.json`, got, compareSessions);
    });
  }
});

/**
 * Compare `got` with the golden file `name` (no differences listed by `compare`), or rewrite
 * the file when UPDATE_GOLDEN=1.
 */
function checkGolden<T>(name: string, got: T, compare: (got: T, want: T) => string[]): void {
  const file = join(GOLDEN, name);
  if (UPDATE) {
    writeFileSync(file, `${JSON.stringify(got)}\n`);
    return;
  }
  expect(existsSync(file), `no golden file ${name}: run UPDATE_GOLDEN=1 npx vitest run test/presets`).toBe(
    true,
  );
  expect(compare(got, JSON.parse(readFileSync(file, 'utf8')) as T)).toEqual([]);
}
