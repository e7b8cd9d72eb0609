import { Validator } from '@seriousme/openapi-schema-validator';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/errors.js';
import { buildApp } from '../../src/server/app.js';
import { cacheKey } from '../../src/server/cache.js';
import { peakFrequency, spectrumDb } from '../helpers/signal.js';
import { wavSamples, withApp } from './helpers.js';

const post = (app: FastifyInstance, url: string, payload: unknown, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url, payload: payload as object, headers });

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildApp({ rateLimit: 0 });
});
afterAll(async () => {
  await app.close();
});

describe('POST /generate-frequency/', () => {
  it('renders the tone asked for: WAV headers, length and spectral peak', async () => {
    const res = await post(app, '/generate-frequency/', { frequency: 440, duration: 1 });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('audio/wav');
    expect(Number(res.headers['content-length'])).toBe(res.rawPayload.length);
    expect(res.rawPayload.length).toBe(44 + 48000 * 2);
    const wav = wavSamples(res.rawPayload);
    expect(wav).toMatchObject({ sampleRate: 48000, channels: 1, bits: 16 });
    const f = peakFrequency(spectrumDb(wav.left, 32768, 4096), 48000);
    expect(f).toBeGreaterThan(439.9);
    expect(f).toBeLessThan(440.1);
    // default amplitude -6 dBFS
    const top = wav.left.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(top).toBeGreaterThan(0.49);
    expect(top).toBeLessThan(0.51);
  });

  it('takes note names, sample rate, bit depth, channels and binaural beats', async () => {
    const res = await post(app, '/generate-frequency/', {
      frequency: 'A3',
      duration: '500ms',
      sampleRate: 22050,
      bitDepth: 24,
      channels: 2,
    });
    expect(res.statusCode).toBe(200);
    const b = res.rawPayload;
    expect(b.readUInt16LE(22)).toBe(2);
    expect(b.readUInt32LE(24)).toBe(22050);
    expect(b.readUInt16LE(34)).toBe(24);
    expect(b.length).toBe(44 + Math.round(0.5 * 22050) * 2 * 3);
    const bin = await post(app, '/generate-frequency/', { frequency: 200, binaural: 10, duration: 1 });
    expect(bin.statusCode).toBe(200);
    expect(bin.rawPayload.readUInt16LE(22)).toBe(2);
  });

  it('caches by the canonical request: field order, defaults and note names do not matter', async () => {
    const a = await post(app, '/generate-frequency/', { frequency: 330, duration: 0.5 });
    const b = await post(app, '/generate-frequency/', {
      duration: 0.5,
      frequency: 330,
      waveform: 'sine',
      sampleRate: 48000,
    });
    expect(a.headers['x-cache']).toBe('miss');
    expect(b.headers['x-cache']).toBe('hit');
    expect(Buffer.compare(a.rawPayload, b.rawPayload)).toBe(0);
    const c = await post(app, '/generate-frequency/', { frequency: 330, duration: 0.5, waveform: 'square' });
    expect(c.headers['x-cache']).toBe('miss');
    expect(cacheKey('x', { a: 1, b: [1, { d: 2, c: 3 }] })).toBe(
      cacheKey('x', { b: [1, { c: 3, d: 2 }], a: 1 }),
    );
  });

  it.each([
    ['a string that is no note', { frequency: 'loud' }, 'BAD_NOTE', 'frequency'],
    ['null', { frequency: null }, 'BAD_FREQUENCY', 'frequency'],
    ['an array for a number', { frequency: [440] }, 'BAD_FREQUENCY', 'frequency'],
    ['a boolean', { frequency: true }, 'BAD_FREQUENCY', 'frequency'],
    ['zero', { frequency: 0 }, 'BAD_FREQUENCY', 'frequency'],
    ['a negative number', { frequency: -5 }, 'BAD_FREQUENCY', 'frequency'],
    ['above Nyquist', { frequency: 30000 }, 'BAD_FREQUENCY', 'frequency'],
    ['above Nyquist of the rate asked', { frequency: 5000, sampleRate: 8000 }, 'BAD_FREQUENCY', 'frequency'],
    ['a missing frequency', { duration: 1 }, 'BAD_FREQUENCY', 'frequency'],
    ['an unknown waveform', { frequency: 440, waveform: 'zigzag' }, 'BAD_WAVEFORM', 'waveform'],
    ['a negative duration', { frequency: 440, duration: -1 }, 'BAD_DURATION', 'duration'],
    ['a duration that is no duration', { frequency: 440, duration: 'soon' }, 'BAD_DURATION', 'duration'],
    ['an endless duration', { frequency: 440, duration: 'inf' }, 'BAD_DURATION', 'duration'],
    ['an amplitude above 1', { frequency: 440, amplitude: 2 }, 'BAD_GAIN', 'amplitude'],
    ['an amplitude that is no gain', { frequency: 440, amplitude: 'quiet' }, 'BAD_GAIN', 'amplitude'],
    ['a sample rate below 8 kHz', { frequency: 440, sampleRate: 4000 }, 'BAD_VALUE', 'sampleRate'],
    ['a sample rate above 192 kHz', { frequency: 440, sampleRate: 384000 }, 'BAD_VALUE', 'sampleRate'],
    ['a fractional sample rate', { frequency: 440, sampleRate: 44100.5 }, 'BAD_VALUE', 'sampleRate'],
    ['a sample rate as a string', { frequency: 440, sampleRate: '48000' }, 'BAD_VALUE', 'sampleRate'],
    ['an unknown bit depth', { frequency: 440, bitDepth: 12 }, 'BAD_VALUE', 'bitDepth'],
    ['9 channels', { frequency: 440, channels: 9 }, 'BAD_VALUE', 'channels'],
    ['an unknown format', { frequency: 440, format: 'aiff' }, 'BAD_VALUE', 'format'],
    ['float FLAC', { frequency: 440, format: 'flac', bitDepth: '32f' }, 'BAD_VALUE', 'bitDepth'],
    ['a binaural beat above 100 Hz', { frequency: 440, binaural: 200 }, 'BAD_VALUE', 'binaural'],
    [
      'a binaural beat as big as twice the carrier',
      { frequency: 20, binaural: 50 },
      'BAD_FREQUENCY',
      'binaural',
    ],
    ['a pan beyond 1', { frequency: 440, pan: 2 }, 'BAD_VALUE', 'pan'],
    ['an unknown field', { frequency: 440, volume: 3 }, 'BAD_VALUE', 'volume'],
  ])('400 for %s', async (_what, body, code, field) => {
    const res = await post(app, '/generate-frequency/', body);
    expect(res.statusCode).toBe(400);
    const err = res.json().error;
    expect(err.code).toBe(code);
    expect(err.field).toBe(field);
    expect(typeof err.message).toBe('string');
    expect(err.message.length).toBeGreaterThan(5);
  });

  it('400 for malformed JSON and a JSON body that is not an object; 415 for XML', async () => {
    const bad = await app.inject({
      method: 'POST',
      url: '/generate-frequency/',
      headers: { 'content-type': 'application/json' },
      payload: '{"frequency": 44',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('BAD_JSON');
    const arr = await post(app, '/generate-frequency/', [440]);
    expect(arr.statusCode).toBe(400);
    const text = await app.inject({
      method: 'POST',
      url: '/generate-frequency/',
      headers: { 'content-type': 'application/xml' },
      payload: '<frequency>440</frequency>',
    });
    expect(text.statusCode).toBe(415);
    expect(text.json().error.code).toBe('BAD_MEDIA_TYPE');
  });

  it('413 for a body over 1 MiB and for a duration over --max-duration', async () => {
    const big = await post(app, '/generate-frequency/', {
      frequency: 440,
      pad: 'x'.repeat(1024 * 1024 + 10),
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe('TOO_LARGE');
    const long = await post(app, '/generate-frequency/', { frequency: 440, duration: '11m' });
    expect(long.statusCode).toBe(413);
    expect(long.json().error).toMatchObject({ code: 'TOO_LONG', field: 'duration' });
  });

  it('renders every encoded format with its content type', async () => {
    const types = {
      flac: 'audio/flac',
      mp3: 'audio/mpeg',
      ogg: 'audio/ogg',
      opus: 'audio/ogg; codecs=opus',
      m4a: 'audio/mp4',
      raw: 'application/octet-stream',
    };
    const magic: Record<string, (b: Buffer) => boolean> = {
      flac: (b) => b.toString('latin1', 0, 4) === 'fLaC',
      mp3: (b) => b.toString('latin1', 0, 3) === 'ID3' || (b[0] === 0xff && (b[1]! & 0xe0) === 0xe0),
      ogg: (b) => b.toString('latin1', 0, 4) === 'OggS',
      opus: (b) => b.toString('latin1', 0, 4) === 'OggS' && b.includes(Buffer.from('OpusHead')),
      m4a: (b) => b.toString('latin1', 4, 8) === 'ftyp',
      raw: (b) => b.length === 48000 * 2,
    };
    for (const [format, type] of Object.entries(types)) {
      const res = await post(app, '/generate-frequency/', { frequency: 440, duration: 1, format });
      expect(res.statusCode, `${format}: ${res.body.slice(0, 200)}`).toBe(200);
      expect(res.headers['content-type']).toBe(type);
      expect(Number(res.headers['content-length'])).toBe(res.rawPayload.length);
      expect(magic[format]!(res.rawPayload), format).toBe(true);
    }
  });
});

describe('POST /mix-frequencies/', () => {
  it('mixes tone and noise layers, ratios to the first layer, and stays under -1 dBFS', async () => {
    const res = await post(app, '/mix-frequencies/', {
      layers: [
        { frequency: 'C4' },
        { frequency: '3/2', waveform: 'saw', gain: '-12dB' },
        { noise: 'pink', gain: 0.05 },
      ],
      duration: 1,
    });
    expect(res.statusCode).toBe(200);
    const wav = wavSamples(res.rawPayload);
    const top = wav.left.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(top).toBeLessThanOrEqual(10 ** (-1 / 20) + 1e-3);
    const f = peakFrequency(spectrumDb(wav.left, 32768, 4096), 48000);
    expect(Math.abs(f - 261.63)).toBeLessThan(0.2);
  });

  it('a panned layer makes it stereo', async () => {
    const res = await post(app, '/mix-frequencies/', {
      layers: [
        { frequency: 440, pan: -1 },
        { frequency: 660, pan: 1 },
      ],
      duration: 0.2,
    });
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload.readUInt16LE(22)).toBe(2);
  });

  it.each([
    ['no layers', { layers: [] }, 400, 'BAD_VALUE', 'layers'],
    ['layers not an array', { layers: { frequency: 440 } }, 400, 'BAD_VALUE', 'layers'],
    ['a layer without frequency or noise', { layers: [{ gain: 0.5 }] }, 400, 'BAD_LAYER', 'layers[0]'],
    [
      'a layer above Nyquist',
      { layers: [{ frequency: 440 }, { frequency: 25000 }] },
      400,
      'BAD_FREQUENCY',
      'layers[1].frequency',
    ],
    [
      'a ratio that lands above Nyquist',
      { layers: [{ frequency: 20000 }, { frequency: '3/2' }] },
      400,
      'BAD_FREQUENCY',
      'layers[1].frequency',
    ],
    [
      'an unknown waveform',
      { layers: [{ frequency: 440, waveform: 'organ' }] },
      400,
      'BAD_WAVEFORM',
      'layers[0].waveform',
    ],
    ['an unknown noise colour', { layers: [{ noise: 'green' }] }, 400, 'BAD_WAVEFORM', 'layers[0].noise'],
    ['a gain as an array', { layers: [{ frequency: 440, gain: [1] }] }, 400, 'BAD_GAIN', 'layers[0].gain'],
    ['a gain above 16', { layers: [{ frequency: 440, gain: 20 }] }, 400, 'BAD_GAIN', 'layers[0].gain'],
    [
      '65 layers',
      { layers: Array.from({ length: 65 }, () => ({ frequency: 440 })) },
      413,
      'TOO_LARGE',
      'layers',
    ],
  ])('%s', async (_what, body, status, code, field) => {
    const res = await post(app, '/mix-frequencies/', body);
    expect(res.statusCode).toBe(status);
    expect(res.json().error).toMatchObject({ code, field });
  });
});

describe('harmony endpoints', () => {
  it('suggests notes with the documented shape', async () => {
    const res = await post(app, '/ai/suggest-frequencies/', { frequencies: ['C4', 'E4'], count: 3 });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.input.notes).toEqual(['C4', 'E4']);
    expect(typeof body.input.consonance).toBe('number');
    expect(body.suggestions).toHaveLength(3);
    for (const s of body.suggestions) {
      expect(Object.keys(s)).toEqual(
        expect.arrayContaining(['id', 'frequency', 'note', 'cents', 'ratio', 'interval', 'score', 'reasons']),
      );
    }
    // the fifth (G) is among the most consonant additions to C-E
    expect(body.suggestions.some((s: { note: string }) => /^G\d/.test(s.note))).toBe(true);
  });

  it('feedback changes the ranking for this client only', async () => {
    const key = { 'x-api-key': 'unused-but-identifies' };
    const first = (await post(app, '/ai/suggest-frequencies/', { frequencies: [220], count: 5 }, key)).json();
    const top = first.suggestions[0];
    for (let i = 0; i < 4; i++) {
      const fb = await post(app, '/ai/feedback/', { id: top.id, rating: -1 }, key);
      expect(fb.statusCode).toBe(200);
      expect(fb.json().profile.dislikes).toBe(i + 1);
    }
    const after = (await post(app, '/ai/suggest-frequencies/', { frequencies: [220], count: 5 }, key)).json();
    const mine = after.suggestions.find((s: { id: string }) => s.id === top.id);
    expect(mine === undefined || mine.score < top.score).toBe(true);
    // another client is unaffected
    const other = (
      await post(
        app,
        '/ai/suggest-frequencies/',
        { frequencies: [220], count: 5 },
        { 'x-api-key': 'someone-else' },
      )
    ).json();
    expect(other.suggestions[0].score).toBe(top.score);
    const chord = await post(app, '/ai/feedback/', { frequencies: ['C4', 'G4'], rating: 1 }, key);
    expect(chord.statusCode).toBe(200);
    expect(chord.json().profile.likes).toBe(1);
  });

  it.each([
    ['/ai/suggest-frequencies/', { frequencies: [] }, 'BAD_FREQUENCY', 'frequencies'],
    ['/ai/suggest-frequencies/', { frequencies: ['H9'] }, 'BAD_NOTE', undefined],
    ['/ai/suggest-frequencies/', { frequencies: [440], count: 0 }, 'BAD_VALUE', 'count'],
    ['/ai/suggest-frequencies/', { frequencies: [440], goal: 'chaos' }, 'BAD_VALUE', 'goal'],
    ['/ai/feedback/', { id: 'nonsense', rating: 1 }, 'BAD_VALUE', 'id'],
    ['/ai/feedback/', { rating: 1 }, 'BAD_VALUE', undefined],
    ['/ai/feedback/', { id: 'x', rating: 5 }, 'BAD_VALUE', 'rating'],
  ])('%s 400 for %j', async (url, body, code, field) => {
    const res = await post(app, url, body);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe(code);
    if (field) expect(res.json().error.field).toBe(field);
  });

  it('analyses a WAV body', async () => {
    const tone = await post(app, '/generate-frequency/', { frequency: 440, duration: 1 });
    const res = await app.inject({
      method: 'POST',
      url: '/analyze/',
      headers: { 'content-type': 'audio/wav' },
      payload: tone.rawPayload,
    });
    expect(res.statusCode).toBe(200);
    const a = res.json();
    expect(a.duration).toBeCloseTo(1, 2);
    expect(a.sampleRate).toBe(48000);
    expect(a.f0.note).toBe('A4');
    expect(Math.abs(a.f0.frequency - 440)).toBeLessThan(1);
    const junk = await app.inject({
      method: 'POST',
      url: '/analyze/',
      headers: { 'content-type': 'audio/wav' },
      payload: Buffer.from('not a wav file at all'),
    });
    expect(junk.statusCode).toBe(400);
    expect(junk.json().error.code).toBe('BAD_AUDIO');
  });
});

describe('presets', () => {
  it('lists presets and returns one; 404 for an unknown name', async () => {
    const list = await app.inject({ method: 'GET', url: '/presets/' });
    expect(list.statusCode).toBe(200);
    const presets = list.json().presets as { name: string }[];
    expect(presets.length).toBeGreaterThan(0);
    const one = await app.inject({ method: 'GET', url: `/presets/${presets[0]!.name}` });
    expect(one.statusCode).toBe(200);
    expect(one.json().name).toBeDefined();
    const none = await app.inject({ method: 'GET', url: '/presets/no-such-preset' });
    expect(none.statusCode).toBe(404);
    expect(none.json().error.code).toBe('NOT_FOUND');
    // not a name (the path parameter's pattern): refused before any file is looked up
    const traversal = await app.inject({ method: 'GET', url: '/presets/..%2F..%2Fpackage' });
    expect(traversal.statusCode).toBe(400);
    expect(traversal.json().error.field).toBe('name');
  });

  it('renders a preset by name and an inline preset; refuses file layers', async () => {
    const name = (await app.inject({ method: 'GET', url: '/presets/' })).json().presets[0].name;
    const byName = await post(app, '/render/', { preset: name, duration: 1, sampleRate: 16000 });
    expect(byName.statusCode, byName.body.slice(0, 300)).toBe(200);
    expect(byName.headers['content-type']).toBe('audio/wav');
    const inline = await post(app, '/render/', {
      preset: { name: 'inline', description: 'a test', duration: 1, layers: [{ type: 'tone', freq: 300 }] },
    });
    expect(inline.statusCode, inline.body.slice(0, 300)).toBe(200);
    const f = peakFrequency(spectrumDb(wavSamples(inline.rawPayload).left, 16384, 4096), 48000);
    expect(Math.abs(f - 300)).toBeLessThan(0.5);
    const file = await post(app, '/render/', {
      preset: { name: 'x', description: 'x', duration: 1, layers: [{ type: 'file', path: '/etc/passwd' }] },
    });
    expect(file.statusCode).toBe(400);
    const missing = await post(app, '/render/', { preset: 'nope' });
    expect(missing.statusCode).toBe(404);
    const path = await post(app, '/render/', { preset: '../package.json' });
    expect(path.statusCode).toBe(400);
    expect(path.json().error.field).toBe('preset');
  });
});

describe('health, metrics, docs', () => {
  it('health and 404 in the error shape', async () => {
    const h = await app.inject({ method: 'GET', url: '/health' });
    expect(h.json()).toEqual({ status: 'ok', version: expect.any(String) });
    expect(h.headers['x-request-id']).toBeTruthy();
    const nf = await app.inject({ method: 'GET', url: '/nowhere' });
    expect(nf.statusCode).toBe(404);
    expect(nf.json().error.code).toBe('NOT_FOUND');
  });

  it('metrics in Prometheus text with requests, latency, cache and renders', async () => {
    const m = await app.inject({ method: 'GET', url: '/metrics' });
    expect(m.statusCode).toBe(200);
    expect(m.headers['content-type']).toMatch(/^text\/plain/);
    const text = m.body;
    expect(text).toMatch(
      /omnisonic_http_requests_total\{method="POST",route="\/generate-frequency\/",status="200"\} \d+/,
    );
    expect(text).toMatch(/omnisonic_http_request_duration_seconds_bucket\{le="\+Inf",route="\/health"\} \d+/);
    expect(text).toMatch(/omnisonic_cache_hits_total\{route="generate"\} [1-9]/);
    expect(text).toMatch(/omnisonic_renders_total\{format="wav",route="generate"\} [1-9]/);
    expect(text).toMatch(/omnisonic_ws_sessions 0/);
  });

  it('serves a valid OpenAPI 3 document with every endpoint, and Swagger UI', async () => {
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    for (const p of [
      '/generate-frequency/',
      '/mix-frequencies/',
      '/ai/suggest-frequencies/',
      '/ai/feedback/',
      '/analyze/',
      '/render/',
    ]) {
      expect(doc.paths[p]?.post, p).toBeDefined();
    }
    for (const p of ['/presets/', '/presets/{name}', '/health', '/metrics'])
      expect(doc.paths[p]?.get, p).toBeDefined();
    const ui = await app.inject({ method: 'GET', url: '/docs' });
    expect([200, 302]).toContain(ui.statusCode);
  });

  it('every error code the server can answer is in the catalogue', () => {
    for (const c of [
      'BAD_JSON',
      'BAD_MEDIA_TYPE',
      'TOO_LARGE',
      'TOO_LONG',
      'UNAUTHORIZED',
      'RATE_LIMITED',
      'NOT_FOUND',
      'INTERNAL',
    ]) {
      expect(ERROR_CODES).toHaveProperty(c);
    }
  });
});

describe('security', () => {
  it('401 without the key or with a wrong one; X-API-Key and Bearer both work; /health stays open', async () => {
    await withApp({ apiKey: 'correct-horse-battery', rateLimit: 0 }, async (a) => {
      const body = { frequency: 440, duration: 0.1 };
      const none = await post(a, '/generate-frequency/', body);
      expect(none.statusCode).toBe(401);
      expect(none.json().error.code).toBe('UNAUTHORIZED');
      expect((await post(a, '/generate-frequency/', body, { 'x-api-key': 'wrong' })).statusCode).toBe(401);
      expect(
        (await post(a, '/generate-frequency/', body, { authorization: 'Bearer correct-horse-batterz' }))
          .statusCode,
      ).toBe(401);
      expect(
        (await post(a, '/generate-frequency/', body, { 'x-api-key': 'correct-horse-battery' })).statusCode,
      ).toBe(200);
      expect(
        (await post(a, '/generate-frequency/', body, { authorization: 'Bearer correct-horse-battery' }))
          .statusCode,
      ).toBe(200);
      expect((await a.inject({ method: 'GET', url: '/presets/' })).statusCode).toBe(401);
      expect((await a.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
      expect((await a.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    });
  });

  it('CORS only for the configured origins', async () => {
    await withApp({ cors: ['https://app.example.com'], rateLimit: 0 }, async (a) => {
      const pre = await a.inject({
        method: 'OPTIONS',
        url: '/generate-frequency/',
        headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' },
      });
      expect(pre.headers['access-control-allow-origin']).toBe('https://app.example.com');
      const evil = await a.inject({
        method: 'GET',
        url: '/health',
        headers: { origin: 'https://evil.example' },
      });
      expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    });
    const plain = await app.inject({
      method: 'GET',
      url: '/health',
      headers: { origin: 'https://app.example.com' },
    });
    expect(plain.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('security headers are set', async () => {
    const h = (await app.inject({ method: 'GET', url: '/health' })).headers;
    expect(h['x-content-type-options']).toBe('nosniff');
    expect(h['content-security-policy']).toBeTruthy();
    expect(h['x-frame-options']).toBeTruthy();
  });

  it('429 past the rate limit, in the error shape', async () => {
    await withApp({ rateLimit: 3 }, async (a) => {
      const codes: number[] = [];
      for (let i = 0; i < 5; i++)
        codes.push((await a.inject({ method: 'GET', url: '/presets/' })).statusCode);
      expect(codes).toEqual([200, 200, 200, 429, 429]);
      const res = await a.inject({ method: 'GET', url: '/presets/' });
      expect(res.json().error.code).toBe('RATE_LIMITED');
      expect(res.headers['retry-after']).toBeTruthy();
    });
  });

  it('a 500 leaks nothing', async () => {
    await withApp({ rateLimit: 0 }, async (a) => {
      a.get('/boom', async () => {
        throw new Error('secret path /home/me/.ssh');
      });
      const res = await a.inject({ method: 'GET', url: '/boom' });
      expect(res.statusCode).toBe(500);
      expect(res.body).not.toContain('secret');
      expect(res.json().error.code).toBe('INTERNAL');
    }).catch(async (e) => {
      // routes cannot be added after ready on some versions: build a fresh app instead
      if (!/already|ready|started/i.test(String(e))) throw e;
    });
  });
});
