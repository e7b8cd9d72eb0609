/**
 * presets/schema.json (checked by an independent validator, ajv) and the loader agree: every
 * shipped preset passes both; every structural bad case fails both; the cases only the loader
 * can judge (Nyquist of the render rate, other layers, files) pass the schema; and on random
 * mutations of shipped presets the loader's schema stage and ajv give the same verdict.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020Module from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPresetValue } from '../../src/presets/load.js';
import { SchemaChecker } from '../../src/presets/schema-check.js';
import { presetSchema, validatePreset } from '../../src/presets/validate.js';
import { BAD_CASES, VALID } from './bad-cases.js';

const Ajv2020 = Ajv2020Module as unknown as typeof Ajv2020Module.default;
const PRESETS = join(import.meta.dirname, '../../presets');
const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: false });
const schemaValid = ajv.compile(presetSchema());
const shipped = readdirSync(PRESETS)
  .filter((f) => f.endsWith('.json') && f !== 'schema.json')
  .map((f) => ({
    file: f,
    value: JSON.parse(readFileSync(join(PRESETS, f), 'utf8')) as Record<string, unknown>,
  }));
const dir = mkdtempSync(join(tmpdir(), 'omni-agree-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('schema and loader agree', () => {
  it('the schema is a valid draft 2020-12 schema (ajv strict mode compiles it)', () => {
    expect(typeof schemaValid).toBe('function');
  });

  for (const { file, value } of shipped) {
    it(`${file} passes both, points at the schema, and is named after its file`, () => {
      expect(schemaValid(value), JSON.stringify(schemaValid.errors)).toBe(true);
      expect(validatePreset(value)).toBeUndefined();
      expect(value.$schema).toBe('./schema.json');
      expect(`${value.name}.json`).toBe(file);
      expect(String(value.description).length).toBeGreaterThan(80);
    });
  }

  it('the valid base of the bad cases passes both', () => {
    expect(schemaValid(VALID)).toBe(true);
    expect(validatePreset(VALID)).toBeUndefined();
  });

  for (const c of BAD_CASES.filter((b) => b.schema !== 'not-json')) {
    it(`${c.name}: schema ${c.schema ? 'rejects' : 'accepts (loader-only rule)'}, loader rejects`, async () => {
      expect(schemaValid(c.body)).toBe(!c.schema);
      for (const [name, bytes] of Object.entries(c.files ?? {})) writeFileSync(join(dir, name), bytes);
      const source = join(dir, 'case.json');
      await expect(loadPresetValue(c.body, 'case.json', source)).rejects.toThrow(
        `case.json: ${c.line.replace('{dir}', dir)}`,
      );
    });
  }

  it('random mutations of shipped presets: the loader schema stage and ajv give the same verdict', () => {
    const plain = new SchemaChecker(presetSchema());
    const jsonValue = fc.oneof(
      fc.constantFrom(
        0,
        -1,
        0.5,
        440,
        30000,
        1e9,
        true,
        false,
        null,
        '',
        'A4',
        '-6dB',
        '2m',
        'pink',
        'sine',
        'x.y',
      ),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.string({ maxLength: 6 }),
      fc.constant([]),
      fc.constant({}),
    );
    const paths = (v: unknown, prefix: (string | number)[] = []): (string | number)[][] => {
      if (v === null || typeof v !== 'object') return [prefix];
      const keys = Array.isArray(v) ? v.map((_, i) => i) : Object.keys(v);
      return [
        prefix,
        ...keys.flatMap((k) => paths((v as Record<string, unknown>)[k as string], [...prefix, k])),
      ];
    };
    fc.assert(
      fc.property(
        fc.nat(shipped.length - 1),
        fc.nat(),
        fc.constantFrom('set', 'delete', 'add'),
        jsonValue,
        (which, at, op, newValue) => {
          const value = structuredClone(shipped[which]!.value);
          const all = paths(value).filter((p) => p.length > 0);
          const path = all[at % all.length]!;
          let parent: Record<string, unknown> = value;
          for (const k of path.slice(0, -1)) parent = parent[k as string] as Record<string, unknown>;
          const key = path[path.length - 1]!;
          if (op === 'set') parent[key as string] = newValue;
          else if (op === 'delete') {
            if (Array.isArray(parent)) parent.splice(key as number, 1);
            else delete parent[key as string];
          } else if (!Array.isArray(parent)) parent.extraField = newValue;
          const mine = plain.check(value) === undefined;
          expect(mine, JSON.stringify({ path, op, newValue, ajv: schemaValid.errors })).toBe(
            schemaValid(value),
          );
        },
      ),
      { numRuns: 3000, seed: 42 },
    );
  });
});
