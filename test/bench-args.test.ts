import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The harmony benches refuse a bad option before rendering anything (they import the built
// engine: `npm test` builds it first).
const bench = (script: string, ...args: string[]) =>
  spawnSync(process.execPath, [join(import.meta.dirname, '..', 'bench', script), ...args], {
    encoding: 'utf8',
    timeout: 30_000,
  });

describe('harmony benches refuse bad options', () => {
  it('harmony-eval: an unknown --bank exits 2 naming the banks it takes', () => {
    for (const bank of ['nope', 'tim,x', '']) {
      const r = bench('harmony-eval.mjs', '--bank', bank);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/^unknown bank .*: --bank takes fluidr3, msgl, tim, freepats or all\n$/);
      expect(r.stdout).toBe('');
    }
  });

  it('harmony-octave-chords: --root takes a MIDI note 0-115 and nothing else', () => {
    for (const root of ['abc', '-3', '200', '60.5', '']) {
      const r = bench('harmony-octave-chords.mjs', '--root', root);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('--root takes a MIDI note 0-115');
      expect(r.stdout).toBe('');
    }
  });
});
