import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliIn, tempDir } from '../helpers/cli.js';

const dir = tempDir('omni-user-presets-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cli = cliIn(dir);
const PRESETS = join(import.meta.dirname, '..', '..', 'presets');

describe('user presets', () => {
  it('a minimal hand-written preset (no description, no tags) validates and renders', () => {
    writeFileSync(
      join(dir, 'mini.json'),
      '{"name":"mini","duration":2,"layers":[{"type":"tone","freq":300}]}',
    );
    const v = cli(['presets', 'validate', 'mini.json']);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stderr).toBe('ok mini.json (1 layers, 0 steps)\n');
    const r = cli(['render', 'mini.json', '-o', 'mini.wav']);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'mini.wav')).readUInt32LE(40)).toBe(2 * 48000 * 2);
  });

  it('every shipped preset keeps its description and tags', () => {
    const files = readdirSync(PRESETS).filter((f) => f.endsWith('.json') && f !== 'schema.json');
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) {
      const p = JSON.parse(readFileSync(join(PRESETS, f), 'utf8')) as {
        description?: string;
        tags?: string[];
      };
      expect(typeof p.description, f).toBe('string');
      expect(p.description!.length, f).toBeGreaterThan(20);
      expect(Array.isArray(p.tags) && p.tags.length > 0, f).toBe(true);
    }
  });

  it('a "__proto__" field is an unknown field', () => {
    writeFileSync(
      join(dir, 'proto.json'),
      '{"name":"proto","duration":2,"__proto__":{"x":1},"layers":[{"type":"tone","freq":300}]}',
    );
    const v = cli(['presets', 'validate', 'proto.json']);
    expect(v.code).toBe(2);
    expect(v.stderr).toContain('proto.json: __proto__: unknown field');
  });

  it('validate checks every file, reports each, and exits 2 when any failed', () => {
    writeFileSync(
      join(dir, 'good.json'),
      '{"name":"good","duration":1,"layers":[{"type":"noise","color":"pink"}]}',
    );
    writeFileSync(join(dir, 'bad1.json'), '{"name":"bad1","duration":1,"layers":[]}');
    writeFileSync(
      join(dir, 'bad2.json'),
      '{"name":"bad2","duration":-1,"layers":[{"type":"tone","freq":300}]}',
    );
    const v = cli(['presets', 'validate', 'bad1.json', 'good.json', 'bad2.json']);
    expect(v.code).toBe(2);
    const lines = v.stderr.trim().split('\n');
    expect(lines.some((l) => l.startsWith('omnisonic: error: bad1.json: layers'))).toBe(true);
    expect(lines).toContain('ok good.json (1 layers, 0 steps)');
    expect(lines.some((l) => l.startsWith('omnisonic: error: bad2.json: duration'))).toBe(true);
    expect(lines.at(-1)).toBe('omnisonic: error: 2 of 3 preset files are invalid');
  });
});
