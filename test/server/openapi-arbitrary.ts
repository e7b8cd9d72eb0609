/**
 * fast-check arbitraries from JSON Schema (draft 2020-12, as in an OpenAPI 3.1 document): values
 * aimed at a schema and mutations of them. Whether a value is valid is decided afterwards by
 * ajv, not by the generator, so the generator may be approximate (it ignores `if`/`then`,
 * `not`, and the constraint-only branches of `oneOf`) without mislabelling a request.
 */
import fc from 'fast-check';

export type Schema = Record<string, unknown> | boolean;

/** Longest arrays and most optional fields generated (keeps requests small). */
const MAX_ITEMS = 4;

/** A pattern fast-check can generate from: lookaheads dropped (the full pattern filters). */
function generable(pattern: string): RegExp {
  return new RegExp(pattern.replace(/\(\?=[^()]*\)/g, ''), 'u');
}

function stringOf(s: Record<string, unknown>): fc.Arbitrary<string> {
  const minLength = (s.minLength as number | undefined) ?? 0;
  const maxLength = (s.maxLength as number | undefined) ?? 40;
  const fits = (v: string) => [...v].length >= minLength && [...v].length <= maxLength;
  if (typeof s.pattern === 'string') {
    const full = new RegExp(s.pattern, 'u');
    return fc.noShrink(fc.stringMatching(generable(s.pattern)).filter((v) => full.test(v) && fits(v)));
  }
  return fc.string({ minLength, maxLength: Math.min(maxLength, minLength + 40), unit: 'grapheme' });
}

function numberOf(s: Record<string, unknown>, integer: boolean): fc.Arbitrary<number> {
  const lo = (s.minimum as number | undefined) ?? (s.exclusiveMinimum as number | undefined);
  const hi = (s.maximum as number | undefined) ?? (s.exclusiveMaximum as number | undefined);
  const ok = (v: number) =>
    (s.exclusiveMinimum === undefined || v > (s.exclusiveMinimum as number)) &&
    (s.exclusiveMaximum === undefined || v < (s.exclusiveMaximum as number));
  if (integer) {
    const min = lo === undefined ? -1e6 : Math.ceil(lo);
    const max = hi === undefined ? 1e6 : Math.floor(hi);
    return fc.integer({ min, max }).filter(ok);
  }
  const min = lo ?? -1e6;
  const max = hi ?? (lo !== undefined ? lo + 1e4 : 1e6);
  // both ends and ordinary values in between
  const whole = { min: Math.ceil(min), max: Math.floor(Math.min(max, min + 2000)) };
  return fc
    .oneof(
      fc.double({ min, max, noNaN: true, noDefaultInfinity: true }),
      fc.constantFrom(min, max, (min + max) / 2),
      whole.min <= whole.max ? fc.integer(whole) : fc.constant((min + max) / 2),
    )
    .filter(ok);
}

function objectOf(s: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> {
  const props = (s.properties ?? {}) as Record<string, Schema>;
  const required = new Set((s.required ?? []) as string[]);
  const keys = Object.keys(props);
  const record = fc.record(Object.fromEntries(keys.map((k) => [k, aimedAt(props[k]!)])), {
    requiredKeys: keys.filter((k) => required.has(k)),
  });
  const extra = s.additionalProperties;
  if (keys.length === 0 && extra && typeof extra === 'object') {
    const names = s.propertyNames as Record<string, unknown> | undefined;
    return fc.dictionary(names ? stringOf(names) : fc.string({ maxLength: 12 }), aimedAt(extra as Schema), {
      minKeys: (s.minProperties as number | undefined) ?? 0,
      maxKeys: Math.max((s.minProperties as number | undefined) ?? 0, MAX_ITEMS),
    });
  }
  return record as fc.Arbitrary<Record<string, unknown>>;
}

function arrayOf(s: Record<string, unknown>): fc.Arbitrary<unknown[]> {
  const minLength = (s.minItems as number | undefined) ?? 0;
  const maxLength = Math.min((s.maxItems as number | undefined) ?? MAX_ITEMS, minLength + MAX_ITEMS);
  if (Array.isArray(s.prefixItems)) {
    return fc.tuple(...(s.prefixItems as Schema[]).map(aimedAt));
  }
  const items = s.items === undefined ? true : (s.items as Schema);
  return fc.array(aimedAt(items), { minLength, maxLength });
}

/**
 * Values aimed at `schema` (most of them valid).
 * @example fc.sample(aimedAt({ type: 'integer', minimum: 1, maximum: 3 }), 5)
 */
export function aimedAt(schema: Schema): fc.Arbitrary<unknown> {
  if (schema === true) return fc.jsonValue({ maxDepth: 2 });
  if (schema === false) return fc.constant(Symbol('never'));
  const s = schema;
  if ('const' in s) return fc.constant(s.const);
  if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]));
  const branches = (s.anyOf ?? (s.properties || s.type ? undefined : s.oneOf)) as Schema[] | undefined;
  if (branches) return fc.oneof(...branches.map(aimedAt));
  const types = Array.isArray(s.type) ? (s.type as string[]) : s.type ? [s.type as string] : [];
  if (types.length > 1) return fc.oneof(...types.map((t) => aimedAt({ ...s, type: t })));
  switch (types[0] ?? (s.properties ? 'object' : undefined)) {
    case 'string':
      return stringOf(s);
    case 'number':
      return numberOf(s, false);
    case 'integer':
      return numberOf(s, true);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return arrayOf(s);
    case 'object':
      return objectOf(s);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Values of the wrong kind for almost any field. */
const wrong = fc.oneof(
  fc.constantFrom(null, true, -1, 0, 1e308, '', 'x', [], {}, [null], { a: 1 }, '0', '-5', 'inf', 'A99'),
  fc.string({ maxLength: 40 }),
  fc.double(),
  fc.jsonValue({ maxDepth: 2 }),
);

/** Replace the value at a random path inside `v` (depth-first pick by `pick`). */
function replaceAt(v: unknown, pick: number, by: unknown): unknown {
  const paths: (string | number)[][] = [[]];
  const walk = (x: unknown, path: (string | number)[]) => {
    const entries: [string | number, unknown][] = Array.isArray(x)
      ? x.map((y, i) => [i, y])
      : x && typeof x === 'object'
        ? Object.entries(x)
        : [];
    for (const [k, y] of entries) {
      paths.push([...path, k]);
      walk(y, [...path, k]);
    }
  };
  walk(v, []);
  const path = paths[pick % paths.length]!;
  if (path.length === 0) return by;
  const copy = structuredClone(v) as Record<string | number, unknown>;
  let at = copy;
  for (const p of path.slice(0, -1)) at = at[p] as Record<string | number, unknown>;
  at[path.at(-1)!] = by;
  return copy;
}

/**
 * Mutations of values aimed at `schema`: a value replaced deep inside, a required field
 * dropped, an unknown field added, or the whole value of another kind (mostly invalid).
 */
export function mutantOf(schema: Schema): fc.Arbitrary<unknown> {
  const base = aimedAt(schema);
  const required = (typeof schema === 'object' ? (schema.required ?? []) : []) as string[];
  return fc.oneof(
    fc.tuple(base, fc.nat(), wrong).map(([v, pick, by]) => replaceAt(v, pick, by)),
    base.map((v) =>
      v && typeof v === 'object' && !Array.isArray(v) ? { ...v, zz_unknown: 1 } : { zz_unknown: v },
    ),
    ...(required.length > 0
      ? [
          fc.tuple(base, fc.constantFrom(...required)).map(([v, k]) => {
            const copy = { ...(v as Record<string, unknown>) };
            delete copy[k];
            return copy;
          }),
        ]
      : []),
    wrong,
  );
}
