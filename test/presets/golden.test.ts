/**
 * Golden renders of every shipped preset: the first 20 s at 8 kHz (or the preset's own rate),
 * reduced to RMS per second and a coarse spectrum per channel, compared within a tolerance.
 * Regenerate (after a deliberate change of sound) with: UPDATE_GOLDEN=1 npx vitest run test/presets
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPresetScene } from '../../src/presets/resolve.js';
import { presetDuration } from '../../src/presets/scene.js';
import type { Preset } from '../../src/presets/types.js';
import { renderAll } from '../helpers/signal.js';
import { compareFeatures, type Features, featuresOf } from './features.js';

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
      const file = join(GOLDEN, `${name}.json`);
      if (UPDATE) {
        writeFileSync(file, `${JSON.stringify(got)}\n`);
        return;
      }
      expect(
        existsSync(file),
        `no golden file for ${name}: run UPDATE_GOLDEN=1 npx vitest run test/presets`,
      ).toBe(true);
      const want = JSON.parse(readFileSync(file, 'utf8')) as Features;
      expect(compareFeatures(got, want)).toEqual([]);
    });
  }
});
