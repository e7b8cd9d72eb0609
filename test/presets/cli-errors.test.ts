/**
 * Every bad preset through the built CLI, as a user meets it: exit 2, one line
 * `omnisonic: error: <file>: <json path>: <reason>`, no output file created, an existing output
 * file left untouched.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliIn } from '../helpers/cli.js';
import { BAD_CASES } from './bad-cases.js';

const dir = mkdtempSync(join(tmpdir(), 'omni-presets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = cliIn(dir);

describe('bad presets via the CLI', () => {
  for (const [i, c] of BAD_CASES.entries()) {
    it(c.name, () => {
      const file = `bad${i}.json`;
      for (const [name, bytes] of Object.entries(c.files ?? {})) writeFileSync(join(dir, name), bytes);
      writeFileSync(join(dir, file), typeof c.body === 'string' ? c.body : JSON.stringify(c.body, null, 2));
      const expected = `omnisonic: error: ${file}: ${c.line.replace('{dir}', dir)}`;

      const fresh = `fresh${i}.wav`;
      const r = cli(['render', file, '-o', fresh]);
      expect(r.code).toBe(2);
      const lines = r.stderr.split('\n').filter((l) => l !== '');
      expect(lines).toHaveLength(1);
      if (c.name === 'audio file that is not audio') expect(lines[0]!.startsWith(expected)).toBe(true);
      else expect(lines[0]).toBe(expected);
      expect(existsSync(join(dir, fresh))).toBe(false);
      expect(r.stdout).toBe('');

      const kept = join(dir, `kept${i}.wav`);
      writeFileSync(kept, 'precious');
      const again = cli(['render', file, '-o', kept]);
      expect(again.code).toBe(2);
      expect(readFileSync(kept, 'utf8')).toBe('precious');

      if (i % 5 === 0) {
        // `presets validate` gives the same line (sampled: every CLI run costs start-up time)
        const v = cli(['presets', 'validate', file]);
        expect(v.code).toBe(2);
        expect(v.stderr.trim()).toBe(lines[0]);
        // nothing reaches standard output either (no WAV header before the error)
        const piped = cli(['render', file, '-o', '-']);
        expect(piped.code).toBe(2);
        expect(piped.stdout).toBe('');
      }
    });
  }

  it('an unknown preset name is NOT_FOUND: exit 2, nothing written', () => {
    const r = cli(['render', 'alpha-relaxx', '-o', 'x.wav']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no preset named 'alpha-relaxx' (did you mean alpha-relax?)");
    expect(existsSync(join(dir, 'x.wav'))).toBe(false);
  });

  it('a .mid argument goes to the MIDI renderer (a clear error for a missing file)', () => {
    const r = cli(['render', 'nothing-here.mid', '-o', 'm.wav']);
    expect(r.code).not.toBe(0);
    expect(r.stderr.split('\n').filter(Boolean).length).toBeLessThanOrEqual(2);
    expect(existsSync(join(dir, 'm.wav'))).toBe(false);
  });
});
