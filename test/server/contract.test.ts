/**
 * The REST API keeps the contract of its own OpenAPI document: the document is valid 3.1 and
 * describes the server as configured, the schemas refuse what the server refuses, every answer
 * has a documented status and shape, and the request checks (content types, Host, request ids)
 * behave as documented.
 */
import { Writable } from 'node:stream';
import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020Module from 'ajv/dist/2020.js';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type AppOptions, buildApp } from '../../src/server/app.js';
import { withApp } from './helpers.js';

const Ajv2020 = Ajv2020Module as unknown as typeof Ajv2020Module.default;

type Doc = {
  security?: unknown;
  components?: { securitySchemes?: unknown };
  paths: Record<
    string,
    Record<
      string,
      {
        security?: unknown;
        requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
        responses: Record<string, { content?: Record<string, { schema: object }> }>;
      }
    >
  >;
};

const post = (app: FastifyInstance, url: string, payload: unknown, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url, payload: payload as object, headers });
const docOf = async (app: FastifyInstance): Promise<Doc> =>
  (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
const bodySchema = (doc: Doc, path: string) =>
  doc.paths[path]!.post!.requestBody!.content['application/json']!.schema;

let app: FastifyInstance;
let doc: Doc;
beforeAll(async () => {
  app = await buildApp({ rateLimit: 0 });
  doc = await docOf(app);
});
afterAll(async () => {
  await app.close();
});

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1, range included (a prefixItems tuple)', async () => {
    const result = await new Validator().validate(doc as never);
    expect(result.errors ?? []).toEqual([]);
    const range = (bodySchema(doc, '/ai/suggest-frequencies/').properties as Record<string, object>).range;
    expect(range).toMatchObject({ type: 'array', prefixItems: [{}, {}], items: false });
    expect(Array.isArray((range as { items: unknown }).items)).toBe(false);
    const ok = await post(app, '/ai/suggest-frequencies/', { frequencies: [440], range: [300, 900] });
    expect(ok.statusCode).toBe(200);
    const three = await post(app, '/ai/suggest-frequencies/', {
      frequencies: [440],
      range: [300, 900, 1000],
    });
    expect(three.statusCode).toBe(400);
    expect(three.json().error.field).toBe('range');
  });

  it('declares no security without a key, and the key on every operation but /health with one', async () => {
    expect(doc.security).toBeUndefined();
    expect(doc.components?.securitySchemes).toBeUndefined();
    for (const ops of Object.values(doc.paths))
      for (const op of Object.values(ops)) expect(op.responses['401']).toBeUndefined();
    await withApp({ apiKey: 'correct-horse-battery', rateLimit: 0 }, async (a) => {
      const keyed = await docOf(a);
      expect(keyed.security).toEqual([{ apiKey: [] }, { bearer: [] }]);
      expect(keyed.paths['/health']!.get!.security).toEqual([]);
      expect(keyed.paths['/metrics']!.get!.responses['401']).toBeDefined();
      expect(keyed.paths['/generate-frequency/']!.post!.responses['401']).toBeDefined();
      const result = await new Validator().validate(keyed as never);
      expect(result.errors ?? []).toEqual([]);
    });
  });

  it('documents the body of /analyze/ as binary audio/wav', () => {
    const body = doc.paths['/analyze/']!.post!.requestBody!;
    expect(body.content['audio/wav']!.schema).toMatchObject({ type: 'string', format: 'binary' });
    expect(body.content['application/json']).toBeUndefined();
  });

  it('documents /metrics: text/plain when it works, the JSON error shape otherwise', async () => {
    const m = doc.paths['/metrics']!.get!.responses;
    expect(Object.keys(m['200']!.content!)).toEqual(['text/plain']);
    await withApp({ apiKey: 'correct-horse-battery', rateLimit: 0 }, async (a) => {
      const keyed = await docOf(a);
      expect(Object.keys(keyed.paths['/metrics']!.get!.responses['401']!.content!)).toEqual([
        'application/json',
      ]);
      const res = await a.inject({ method: 'GET', url: '/metrics' });
      expect(res.statusCode).toBe(401);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
    });
  });

  it('documents 404 for /render/ (a preset name that does not exist)', async () => {
    expect(doc.paths['/render/']!.post!.responses['404']).toBeDefined();
    const res = await post(app, '/render/', { preset: 'no-such-preset' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('NOT_FOUND');
  });
});

describe('the schemas refuse what the server refuses', () => {
  const ajv = new Ajv2020({ strict: false, allowUnionTypes: true });
  it.each([
    ['/generate-frequency/', { frequency: 440, bitrate: '0', format: 'mp3' }, 'bitrate'],
    ['/generate-frequency/', { frequency: 440, bitrate: '700k', format: 'mp3' }, 'bitrate'],
    ['/generate-frequency/', { frequency: 440, bitrate: '128k' }, 'format'],
    ['/generate-frequency/', { frequency: 440, format: 'flac', bitDepth: 32 }, 'bitDepth'],
    ['/generate-frequency/', { frequency: 440, amplitude: 2 }, 'amplitude'],
    ['/generate-frequency/', { frequency: '0hz' }, 'frequency'],
    ['/mix-frequencies/', { layers: [{}] }, 'layers[0]'],
    ['/mix-frequencies/', { layers: [{ noise: 'pink', frequency: 440 }] }, 'layers[0]'],
    ['/render/', { preset: {} }, 'preset'],
    [
      '/render/',
      { preset: { name: 'x', description: 'x', duration: 1, layers: [{ type: 'tone' }] } },
      'preset.layers[0].type',
    ],
    ['/ai/feedback/', { rating: 1 }, ''],
    ['/ai/feedback/', { id: 'a', frequencies: [440, 660], rating: 1 }, ''],
    ['/ai/feedback/', { frequencies: [440], rating: 1 }, 'frequencies'],
    ['/ai/suggest-frequencies/', { frequencies: ['0'] }, 'frequencies[0]'],
    ['/ai/suggest-frequencies/', { frequencies: [440], range: [0, 100] }, 'range[0]'],
  ])('%s %j: refused by the document and by the server (400)', async (url, body, field) => {
    const valid = ajv.validate(bodySchema(doc, url), body);
    expect(valid, 'the document accepts it').toBe(false);
    const res = await post(app, url, body);
    expect(res.statusCode).toBe(400);
    const err = res.json().error;
    expect(err.code).toMatch(/^BAD_/);
    if (field) expect(err.field).toBe(field);
    else expect(err.field).toBeUndefined();
  });

  it.each([
    ['/generate-frequency/', { frequency: 440, bitrate: '96k', format: 'mp3', duration: 0.2 }],
    ['/generate-frequency/', { frequency: '440hz', amplitude: '-6dB', duration: '200ms' }],
    [
      '/mix-frequencies/',
      { layers: [{ frequency: 'C4' }, { frequency: '3/2' }, { noise: 'pink' }], duration: 0.2 },
    ],
    ['/ai/feedback/', { frequencies: ['C4', 'E4', 'G4'], rating: 1 }],
  ])('%s %j: accepted by the document and by the server', async (url, body) => {
    expect(ajv.validate(bodySchema(doc, url), body), JSON.stringify(ajv.errors)).toBe(true);
    const res = await post(app, url, body);
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
  });

  it('a duration below one sample is refused, as on the command line', async () => {
    const res = await post(app, '/generate-frequency/', { frequency: 440, duration: 1e-300 });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'BAD_DURATION', field: 'duration' });
    expect(res.json().error.message).toContain('one sample');
    const one = await post(app, '/generate-frequency/', { frequency: 440, duration: 1 / 48000, fade: 0 });
    expect(one.statusCode).toBe(200);
    expect(one.rawPayload.length).toBe(44 + 2);
  });

  it('suggestions and feedback take frequencies and ranges from 1 Hz to 100 kHz: others are 400 at once', async () => {
    // found by the fuzzer: such values used to keep the harmony engine searching for minutes
    const far = [
      { frequencies: [2.5e-201, 848, 1671], range: [3.5e-323, 8.2e-66] },
      { frequencies: [440, 848, 1671], range: [3.5e-323, 8.2e-66] },
      { frequencies: ['1e-300hz', 848] },
      { frequencies: [440], range: [100, 1e9] },
    ];
    for (const body of far) {
      const res = await post(app, '/ai/suggest-frequencies/', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
    }
    const fb = await post(app, '/ai/feedback/', { frequencies: [1e-200, 440], rating: 1 });
    expect(fb.statusCode).toBe(400);
    const edge = await post(app, '/ai/suggest-frequencies/', {
      frequencies: [1, 100_000],
      range: [1, 100_000],
    });
    expect(edge.statusCode).toBe(200);
  });
});

describe('answers stay inside the document', () => {
  it('a preset name over 100 characters: 400 in the error shape', async () => {
    const res = await app.inject({ method: 'GET', url: `/presets/${'a'.repeat(101)}` });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: { code: 'BAD_VALUE', message: expect.any(String) } });
    expect(doc.paths['/presets/{name}']!.get!.responses['400']).toBeDefined();
  });

  it('TRACE and PUT on known paths: 405 with Allow; unknown paths stay 404', async () => {
    const trace = await app.inject({ method: 'TRACE', url: '/health' });
    expect(trace.statusCode).toBe(405);
    expect(trace.headers.allow).toBe('GET, HEAD');
    expect(trace.json().error.code).toBe('METHOD_NOT_ALLOWED');
    const put = await app.inject({ method: 'PUT', url: '/presets/alpha-relax' });
    expect(put.statusCode).toBe(405);
    expect(put.headers.allow).toBe('GET, HEAD');
    const del = await app.inject({ method: 'DELETE', url: '/generate-frequency/' });
    expect(del.statusCode).toBe(405);
    expect(del.headers.allow).toBe('POST');
    const none = await app.inject({ method: 'TRACE', url: '/nowhere' });
    expect(none.statusCode).toBe(404);
  });

  it('GET /presets/schema is no preset; the schema has its own route', async () => {
    const res = await app.inject({ method: 'GET', url: '/presets/schema' });
    expect(res.statusCode).toBe(404);
    const schema = await app.inject({ method: 'GET', url: '/presets/schema.json' });
    expect(schema.statusCode).toBe(200);
    expect(schema.json().$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(doc.paths['/presets/schema.json']!.get).toBeDefined();
    const render = await post(app, '/render/', { preset: 'schema' });
    expect(render.statusCode).toBe(404);
  });
});

describe('content types', () => {
  it('JSON sent as text/plain is 415, not a validation error', async () => {
    const res = await post(app, '/generate-frequency/', '{"frequency":440}', {
      'content-type': 'text/plain',
    });
    expect(res.statusCode).toBe(415);
    expect(res.json().error.code).toBe('BAD_MEDIA_TYPE');
    expect(res.json().error.message).toContain('application/json');
  });

  it('/analyze/ with JSON, text or no content type: 415 naming audio/wav', async () => {
    for (const headers of [
      { 'content-type': 'application/json' },
      { 'content-type': 'text/plain' },
      {} as Record<string, string>,
    ]) {
      const res = await post(app, '/analyze/', '{"a":1}', headers);
      expect(res.statusCode, JSON.stringify(headers)).toBe(415);
      expect(res.json().error.code).toBe('BAD_MEDIA_TYPE');
      expect(res.json().error.message).toContain('audio/wav');
      expect(res.json().error.message).not.toContain('empty');
    }
  });

  it('a WAV whose format tag is not PCM or float (MP3, 0x55) is refused, not decoded', async () => {
    const tone = (await post(app, '/generate-frequency/', { frequency: 440, duration: 0.5 })).rawPayload;
    const mp3 = Buffer.from(tone);
    mp3.writeUInt16LE(0x55, 20);
    const res = await post(app, '/analyze/', mp3, { 'content-type': 'audio/wav' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('BAD_AUDIO');
    expect(res.json().error.message).toContain('0x55');
    const pcm = await post(app, '/analyze/', tone, { 'content-type': 'audio/wav' });
    expect(pcm.statusCode).toBe(200);
  });
});

describe('request ids', () => {
  it('takes a short safe token and replaces anything else', async () => {
    const ok = await app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'job-42.a_b' } });
    expect(ok.headers['x-request-id']).toBe('job-42.a_b');
    for (const bad of ['x'.repeat(65), 'a\tb', '{"a":1}', 'a b', '']) {
      const res = await app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': bad } });
      const id = String(res.headers['x-request-id']);
      expect(id).not.toBe(bad);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

/** A server listening on loopback whose JSON log lines are kept. */
async function listening(opts: AppOptions) {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n')) if (l.trim()) lines.push(JSON.parse(l));
      cb();
    },
  });
  const a = await buildApp({ rateLimit: 0, ...opts, logger: { level: 'info', stream } });
  await a.listen({ host: '127.0.0.1', port: 0 });
  const { port } = a.server.address() as { port: number };
  return { app: a, port, lines };
}

const wsOpen = (port: number, headers: Record<string, string>) =>
  new Promise<{ ws: WebSocket; status: number | undefined }>((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/audio-stream/`, { headers });
    ws.once('open', () => resolve({ ws, status: 101 }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ ws, status: res.statusCode });
      res.resume();
    });
    ws.once('error', () => resolve({ ws, status: undefined }));
  });

describe('Host check (no API key)', () => {
  it('answers loopback names and --allowed-hosts; 403 HOST_NOT_ALLOWED otherwise', async () => {
    await withApp({ rateLimit: 0, allowedHosts: ['synth.local'] }, async (a) => {
      for (const host of [
        'localhost',
        'localhost:8000',
        '127.0.0.1:8000',
        '[::1]:8000',
        'synth.local:8000',
      ]) {
        const res = await a.inject({ method: 'GET', url: '/health', headers: { host } });
        expect(res.statusCode, host).toBe(200);
      }
      for (const host of ['evil.test', 'evil.test:8000', 'localhost.evil.test', '127.0.0.2']) {
        const res = await a.inject({ method: 'GET', url: '/health', headers: { host } });
        expect(res.statusCode, host).toBe(403);
        expect(res.json().error.code).toBe('HOST_NOT_ALLOWED');
      }
      const gen = await post(a, '/generate-frequency/', { frequency: 440 }, { host: 'evil.test' });
      expect(gen.statusCode).toBe(403);
    });
    // with an API key the key protects the server: any Host
    await withApp({ rateLimit: 0, apiKey: 'correct-horse-battery' }, async (a) => {
      const res = await a.inject({ method: 'GET', url: '/health', headers: { host: 'api.example.com' } });
      expect(res.statusCode).toBe(200);
    });
  });

  it('refuses the WebSocket upgrade with a foreign Host, and opens it for localhost', async () => {
    const s = await listening({});
    try {
      const evil = await wsOpen(s.port, { host: 'evil.test', origin: 'http://evil.test' });
      expect(evil.status).toBe(403);
      evil.ws.terminate();
      const local = await wsOpen(s.port, { host: `localhost:${s.port}` });
      expect(local.status).toBe(101);
      local.ws.close();
    } finally {
      await s.app.close();
    }
  });
});

describe('WebSocket client errors', () => {
  it('a message over 1 MiB is logged as a client error (warn, no stack) and the socket closes', async () => {
    const s = await listening({});
    try {
      const { ws, status } = await wsOpen(s.port, {});
      expect(status).toBe(101);
      const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
      ws.send(Buffer.alloc(1024 * 1024 + 16, 0x20).toString());
      expect(await closed).toBe(1009);
      await new Promise((r) => setTimeout(r, 100));
      const entry = s.lines.find((l) => /websocket/.test(String(l.msg)));
      expect(entry, JSON.stringify(s.lines)).toBeDefined();
      expect(entry!.level).toBe(40);
      expect(entry!.code).toBe('WS_ERR_UNSUPPORTED_MESSAGE_LENGTH');
      expect(JSON.stringify(entry)).not.toContain('stack');
      expect(s.lines.some((l) => Number(l.level) >= 50)).toBe(false);
    } finally {
      await s.app.close();
    }
  });
});

describe('omnisonic serve --allowed-hosts', () => {
  it('takes comma-separated names and refuses what is no host name', async () => {
    const { serveOptionsOf } = await import('../../src/cli/serve.js');
    expect(serveOptionsOf({ allowedHosts: 'synth.local, 192.168.1.20:8000' }, {}).allowedHosts).toEqual([
      'synth.local',
      '192.168.1.20:8000',
    ]);
    expect(serveOptionsOf({}, {}).allowedHosts).toEqual([]);
    expect(() => serveOptionsOf({ allowedHosts: 'http://x/y' }, {})).toThrow(/--allowed-hosts/);
  });
});
