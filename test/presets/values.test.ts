/**
 * The loader's value parsers accept exactly what the schema's definitions accept (the loader
 * adds only the Nyquist limit of the render's rate), checked with ajv on generated strings.
 */
import Ajv2020Module from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { presetSchema } from '../../src/presets/validate.js';
import {
  FREQUENCY_PATTERN,
  GAIN_PATTERN,
  MAX_VALUE_TEXT,
  parsePresetFrequency,
  parsePresetGain,
  parsePresetTime,
  TIME_PATTERN,
} from '../../src/presets/values.js';

const Ajv2020 = Ajv2020Module as unknown as typeof Ajv2020Module.default;
const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
ajv.addSchema(presetSchema(), 'preset');
const def = (name: string) => {
  const v = ajv.getSchema(`preset#/$defs/${name}`);
  if (!v) throw new Error(`no $defs/${name}`);
  return (x: unknown) => v(x) as boolean;
};

const pieces = (alphabet: string[]) =>
  fc.array(fc.constantFrom(...alphabet), { maxLength: 8 }).map((a) => a.join(''));
const freqText = fc.oneof(
  pieces(['A', 'b', 'C', 'H', '#', 'b', '4', '1', '0', '-', '+', '5', 'c', '.', ' ', 'hz', 'kHz', 'Hz', 'k']),
  fc.string({ maxLength: 8 }),
);
const gainText = pieces(['-', '+', '0', '6', '2', '4', '5', '.', ' ', 'dB', 'db', 'DB', 'dBFS', 'FS', 'x']);
const timeText = pieces(['1', '0', '5', '.', ' ', 'ms', 's', 'm', 'min', 'h', '-', 'x']);

describe('value parsers agree with the schema', () => {
  it('use the very patterns and length limit of the schema', () => {
    const defs = presetSchema().$defs!;
    const text = (name: string) => defs[name]!.anyOf!.find((b) => b.type === 'string')!;
    expect(text('frequency').pattern).toBe(FREQUENCY_PATTERN);
    expect(text('gain').pattern).toBe(GAIN_PATTERN);
    expect(text('time').pattern).toBe(TIME_PATTERN);
    expect(text('duration').pattern).toBe(TIME_PATTERN);
    for (const d of ['frequency', 'gain', 'time', 'duration']) expect(text(d).maxLength).toBe(MAX_VALUE_TEXT);
  });

  it('patterns reject long near-misses (a backtracking pattern would hang here, not fail)', () => {
    for (const p of [FREQUENCY_PATTERN, GAIN_PATTERN, TIME_PATTERN]) {
      expect(new RegExp(p, 'u').test(`${'1'.repeat(5000)}x`)).toBe(false);
      expect(new RegExp(p, 'u').test(`${'1 '.repeat(2500)}x`)).toBe(false);
      expect(new RegExp(p, 'u').test(`${'1.'.repeat(2500)}x`)).toBe(false);
    }
  });

  it('frequencies (at 384 kHz, where the schema bound on numbers equals Nyquist)', () => {
    const schema = def('frequency');
    fc.assert(
      fc.property(fc.oneof(freqText, fc.double({ min: -10, max: 300000, noNaN: true })), (v) => {
        const mine = parsePresetFrequency(v, 384000);
        if (!schema(v)) expect(mine.ok, JSON.stringify(v)).toBe(false);
        // a note name the schema accepts can still be above Nyquist (C#40): only that differs
        else if (!mine.ok) expect(mine.reason, JSON.stringify(v)).toMatch(/\(Nyquist\)/);
      }),
      { numRuns: 4000, seed: 7 },
    );
    for (const v of ['A4', 'C#5', 'Bb3', 'A4+15c', 'G-1', '440hz', '1.5khz', ' 27.5 ', 440])
      expect(schema(v)).toBe(true);
  });

  it('gains', () => {
    const schema = def('gain');
    fc.assert(
      fc.property(fc.oneof(gainText, fc.double({ min: -2, max: 20, noNaN: true })), (v) => {
        expect(parsePresetGain(v).ok, JSON.stringify(v)).toBe(schema(v));
      }),
      { numRuns: 4000, seed: 8 },
    );
  });

  it('times', () => {
    const schema = def('time');
    fc.assert(
      fc.property(fc.oneof(timeText, fc.double({ min: -5, max: 90000, noNaN: true })), (v) => {
        expect(parsePresetTime(v).ok, JSON.stringify(v)).toBe(schema(v));
      }),
      { numRuns: 4000, seed: 9 },
    );
    expect(parsePresetTime('1m30s')).toEqual({ ok: true, value: 90 });
    expect(parsePresetTime('1h 2min 500ms')).toEqual({ ok: true, value: 3720.5 });
  });
});
