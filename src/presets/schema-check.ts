/**
 * A small JSON Schema interpreter for the subset `presets/schema.json` uses ($ref to $defs,
 * type, const, enum, not, anyOf/oneOf, numeric bounds, string length and pattern, object
 * properties/required/additionalProperties/propertyNames/min- and maxProperties, array items/bounds/
 * uniqueItems). It reports the FIRST problem as a JSON path and a one-line reason, which is
 * what a person fixing a preset needs; a generic validator's error lists are not.
 */

/** A schema node (the subset of JSON Schema we interpret). */
export interface SchemaNode {
  $ref?: string;
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  not?: SchemaNode;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: boolean | SchemaNode;
  propertyNames?: SchemaNode;
  minProperties?: number;
  maxProperties?: number;
  items?: SchemaNode;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  description?: string;
  $defs?: Record<string, SchemaNode>;
}

/** One problem: where (a JSON path such as `layers[1].freq`) and why. */
export interface Issue {
  path: string;
  message: string;
}

/**
 * Extra checks run for a named definition (`#/$defs/<name>`) before its schema: they may give a
 * more precise message (a frequency above Nyquist) or check what a schema cannot express.
 */
export type Hook = (value: unknown, path: string) => string | undefined;

/** Append an object key or array index to a JSON path. */
export function joinPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

/** A value as shown in messages: short, quoted when a string. */
export function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v);
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return String(v);
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(t: string, v: unknown): boolean {
  const actual = jsonType(v);
  return t === actual || (t === 'number' && actual === 'integer');
}

const ARTICLE: Record<string, string> = {
  integer: 'a whole number',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

function rangeText(n: SchemaNode): string {
  const lo =
    n.exclusiveMinimum !== undefined
      ? `> ${n.exclusiveMinimum}`
      : n.minimum !== undefined
        ? `>= ${n.minimum}`
        : '';
  const hi =
    n.exclusiveMaximum !== undefined
      ? `< ${n.exclusiveMaximum}`
      : n.maximum !== undefined
        ? `<= ${n.maximum}`
        : '';
  if (n.minimum !== undefined && n.maximum !== undefined) return `from ${n.minimum} to ${n.maximum}`;
  return [lo, hi].filter(Boolean).join(' and ');
}

const patterns = new Map<string, RegExp>();

function compiled(pattern: string): RegExp {
  let re = patterns.get(pattern);
  if (!re) {
    re = new RegExp(pattern, 'u');
    patterns.set(pattern, re);
  }
  return re;
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Validates values against one root schema; reports the first {@link Issue}. */
export class SchemaChecker {
  private readonly defs: Record<string, SchemaNode>;

  /**
   * @example new SchemaChecker(schema, { frequency: checkFreq }).check(preset) // undefined when valid
   */
  constructor(
    private readonly root: SchemaNode,
    private readonly hooks: Record<string, Hook> = {},
  ) {
    this.defs = root.$defs ?? {};
  }

  /** The first problem of `value` against the root schema, or undefined when it is valid. */
  check(value: unknown): Issue | undefined {
    return this.node(this.root, value, '');
  }

  private resolve(n: SchemaNode): SchemaNode {
    let node = n;
    while (node.$ref !== undefined) node = this.def(node.$ref);
    return node;
  }

  private def(ref: string): SchemaNode {
    const name = ref.replace(/^#\/\$defs\//, '');
    const d = this.defs[name];
    if (!d) throw new Error(`schema: unknown $ref ${ref}`);
    return d;
  }

  private node(n: SchemaNode, v: unknown, path: string): Issue | undefined {
    if (n.$ref !== undefined) {
      const hook = this.hooks[n.$ref.replace(/^#\/\$defs\//, '')];
      const msg = hook?.(v, path);
      if (msg !== undefined) return { path, message: msg };
      return this.node(this.def(n.$ref), v, path);
    }
    const alts = n.oneOf ?? n.anyOf;
    if (alts) {
      const issue = this.alternatives(n, alts, v, path);
      if (issue) return issue;
    }
    if (n.type !== undefined) {
      const types = Array.isArray(n.type) ? n.type : [n.type];
      if (!types.some((t) => typeMatches(t, v))) {
        const want = types.map((t) => ARTICLE[t] ?? t).join(' or ');
        return { path, message: `must be ${want}, got ${show(v)}` };
      }
    }
    if (n.const !== undefined && !deepEqual(n.const, v)) {
      return { path, message: `must be ${show(n.const)}, got ${show(v)}` };
    }
    if (n.enum && !n.enum.some((e) => deepEqual(e, v))) {
      return { path, message: `must be one of ${n.enum.join(', ')}, got ${show(v)}` };
    }
    if (n.not && this.node(n.not, v, path) === undefined) {
      return { path, message: `must not be ${show(v)}` };
    }
    if (typeof v === 'number') return this.number(n, v, path);
    if (typeof v === 'string') return this.string(n, v, path);
    if (Array.isArray(v)) return this.array(n, v, path);
    if (v !== null && typeof v === 'object') return this.object(n, v as Record<string, unknown>, path);
    return undefined;
  }

  private alternatives(n: SchemaNode, alts: SchemaNode[], v: unknown, path: string): Issue | undefined {
    const branches = alts.map((a) => this.resolve(a));
    const tags = branches.map((b) => b.properties?.type?.const);
    if (
      tags.every((t) => typeof t === 'string') &&
      v !== null &&
      typeof v === 'object' &&
      !Array.isArray(v)
    ) {
      // a tagged union: choose the branch by its "type" field
      const tag = (v as Record<string, unknown>).type;
      const i = tags.indexOf(tag as string);
      if (tag === undefined)
        return { path: joinPath(path, 'type'), message: `missing; must be one of ${tags.join(', ')}` };
      if (i < 0)
        return {
          path: joinPath(path, 'type'),
          message: `must be one of ${tags.join(', ')}, got ${show(tag)}`,
        };
      return this.node(alts[i]!, v, path);
    }
    const issues = alts.map((a) => this.node(a, v, path));
    if (issues.some((x) => x === undefined)) return undefined;
    // one branch of the right JSON type: its message is the precise one
    const sameType = branches
      .map((b, i) => ({ b, i }))
      .filter(({ b }) => b.type !== undefined && [b.type].flat().some((t) => typeMatches(t, v)));
    if (sameType.length === 1 && branches[sameType[0]!.i]!.pattern === undefined)
      return issues[sameType[0]!.i];
    return { path, message: `must be ${n.description ?? 'valid'}, got ${show(v)}` };
  }

  private number(n: SchemaNode, v: number, path: string): Issue | undefined {
    const bad =
      !Number.isFinite(v) ||
      (n.minimum !== undefined && v < n.minimum) ||
      (n.maximum !== undefined && v > n.maximum) ||
      (n.exclusiveMinimum !== undefined && v <= n.exclusiveMinimum) ||
      (n.exclusiveMaximum !== undefined && v >= n.exclusiveMaximum);
    return bad ? { path, message: `must be ${rangeText(n)}, got ${v}` } : undefined;
  }

  private string(n: SchemaNode, v: string, path: string): Issue | undefined {
    if (n.minLength !== undefined && v.length < n.minLength) {
      return {
        path,
        message: n.minLength === 1 ? 'must not be empty' : `must have at least ${n.minLength} characters`,
      };
    }
    if (n.maxLength !== undefined && v.length > n.maxLength) {
      return { path, message: `must have at most ${n.maxLength} characters, got ${v.length}` };
    }
    if (n.pattern !== undefined && !compiled(n.pattern).test(v)) {
      return { path, message: `must be ${n.description ?? `text matching /${n.pattern}/`}, got ${show(v)}` };
    }
    return undefined;
  }

  private array(n: SchemaNode, v: unknown[], path: string): Issue | undefined {
    if (n.minItems !== undefined && v.length < n.minItems) {
      return { path, message: `must have at least ${n.minItems} item(s), got ${v.length}` };
    }
    if (n.maxItems !== undefined && v.length > n.maxItems) {
      return { path, message: `must have at most ${n.maxItems} items, got ${v.length}` };
    }
    if (n.uniqueItems) {
      const seen = new Set<string>();
      for (let i = 0; i < v.length; i++) {
        const key = JSON.stringify(v[i]);
        if (seen.has(key))
          return { path: joinPath(path, i), message: `duplicate of an earlier item: ${show(v[i])}` };
        seen.add(key);
      }
    }
    if (n.items) {
      for (let i = 0; i < v.length; i++) {
        const issue = this.node(n.items, v[i], joinPath(path, i));
        if (issue) return issue;
      }
    }
    return undefined;
  }

  private object(n: SchemaNode, v: Record<string, unknown>, path: string): Issue | undefined {
    const props = n.properties ?? {};
    const keys = Object.keys(v);
    for (const k of keys) {
      if (n.propertyNames) {
        const issue = this.node(n.propertyNames, k, joinPath(path, k));
        if (issue)
          return { path: issue.path, message: `not a valid key: must be ${n.description ?? 'valid'}` };
      }
      if (!Object.hasOwn(props, k) && n.additionalProperties === false) {
        const known = Object.keys(props).filter((p) => p !== '$schema');
        return { path: joinPath(path, k), message: `unknown field (known: ${known.join(', ')})` };
      }
    }
    for (const r of n.required ?? []) {
      if (!Object.hasOwn(v, r)) return { path: joinPath(path, r), message: 'missing (required)' };
    }
    if (n.minProperties !== undefined && keys.length < n.minProperties) {
      return { path, message: `must have at least ${n.minProperties} field(s)` };
    }
    if (n.maxProperties !== undefined && keys.length > n.maxProperties) {
      return { path, message: `must have at most ${n.maxProperties} fields, got ${keys.length}` };
    }
    for (const k of keys) {
      const sub =
        (Object.hasOwn(props, k) ? props[k] : undefined) ??
        (typeof n.additionalProperties === 'object' ? n.additionalProperties : undefined);
      if (!sub) continue;
      const issue = this.node(sub, v[k], joinPath(path, k));
      if (issue) return issue;
    }
    return undefined;
  }
}
