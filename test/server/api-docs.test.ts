/**
 * docs/api.md lists, for every route, the statuses of its responses in the OpenAPI document
 * (as served with an API key, so 401 included) and the error codes it may answer, each a code
 * of the catalogue whose status the route lists.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES, type ErrorCode } from '../../src/errors.js';
import { buildApp } from '../../src/server/app.js';

type Doc = { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };

const md = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
const section = md.split('## Statuses by route')[1]?.split('\n## ')[0] ?? '';
const rows = new Map(
  [...section.matchAll(/^\| `([A-Z]+ [^`]+)` \| ([\d ]+) \| (.*) \|$/gm)].map((m) => [
    m[1]!,
    { statuses: m[2]!.trim().split(/\s+/), codes: [...m[3]!.matchAll(/`([A-Z_]+)`/g)].map((c) => c[1]!) },
  ]),
);

let doc: Doc;
let close: () => Promise<void>;
beforeAll(async () => {
  const app = await buildApp({ apiKey: 'correct-horse-battery', rateLimit: 0 });
  doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
  close = () => app.close();
});
afterAll(async () => close());

const operations = () =>
  Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, op })),
  );

describe('docs/api.md: statuses and codes by route', () => {
  it('has a row for every operation of the document, and no other', () => {
    expect(rows.size).toBeGreaterThan(0);
    expect([...rows.keys()].sort()).toEqual(
      operations()
        .map((o) => o.route)
        .sort(),
    );
  });

  it("each row's statuses are the operation's responses in the document", () => {
    for (const { route, op } of operations()) {
      expect(rows.get(route)?.statuses, route).toEqual(Object.keys(op.responses).sort());
    }
  });

  it('each code is in the catalogue with a status of its row, and each error status has a code', () => {
    for (const [route, { statuses, codes }] of rows) {
      for (const c of codes) {
        expect(ERROR_CODES, `${route}: ${c}`).toHaveProperty(c);
        expect(statuses, `${route}: ${c}`).toContain(String(ERROR_CODES[c as ErrorCode].http));
      }
      for (const s of statuses.filter((x) => Number(x) >= 400)) {
        expect(
          codes.some((c) => String(ERROR_CODES[c as ErrorCode].http) === s),
          `${route}: no code for ${s}`,
        ).toBe(true);
      }
    }
  });
});
