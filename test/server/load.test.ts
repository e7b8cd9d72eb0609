import { type ClientRequest, type IncomingMessage, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeJob } from '../../src/server/work/execute.js';
import { hasCommand, requireComponent } from '../helpers/cli.js';
import { type ServeProcess, startServe } from './helpers.js';

// real `omnisonic serve` processes (the built bundle: npm run build first)

const json = (body: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One value of the server's /metrics. */
async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : Number.NaN;
}

/** Poll until `check` holds (at most `tries` times, 50 ms apart); returns whether it did. */
async function until(check: () => Promise<boolean>, tries = 400): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return true;
    await sleep(50);
  }
  return false;
}

/** POST `body` as JSON to `path` of `url`; `onResponse` reads the answer. */
function postJson(
  url: string,
  path: string,
  body: unknown,
  onResponse: (res: IncomingMessage) => void,
): ClientRequest {
  const u = new URL(path, url);
  const req = request(
    {
      host: u.hostname,
      port: u.port,
      path: u.pathname,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
    },
    onResponse,
  );
  req.end(JSON.stringify(body));
  return req;
}

/** A long POST whose response is read up to `bytes`, then the socket is destroyed. */
function startAndAbandon(url: string, path: string, body: unknown, bytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = postJson(url, path, body, (res) => {
      let got = 0;
      res.on('data', (c: Buffer) => {
        got += c.length;
        if (got >= bytes) {
          req.destroy();
          resolve(res.statusCode ?? 0);
        }
      });
      res.on('error', () => {});
    });
    req.on('error', (e) => {
      if (!req.destroyed) reject(e);
    });
  });
}

/** Resolves true when the server closes `socket` (false if it is still open after `ms`). */
function closedWithin(socket: Socket, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    socket.on('close', () => {
      clearTimeout(t);
      resolve(true);
    });
    socket.on('error', () => {});
  });
}

function open(url: string): Promise<Socket> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const s = connect(Number(u.port), u.hostname, () => resolve(s));
    s.on('error', reject);
  });
}

const BIG_MIX = {
  layers: Array.from({ length: 64 }, (_, i) => ({ frequency: 100 + i * 7, waveform: 'saw' })),
  duration: 600,
};

describe('heavy jobs in the worker pool', () => {
  let srv: ServeProcess;
  beforeAll(async () => {
    srv = await startServe(['--rate-limit', '0', '--job-threads', '2']);
  });
  afterAll(async () => {
    await srv?.stop();
  });

  it('a render runs in a worker thread while /health answers', async () => {
    let renderDone = false;
    const render = fetch(
      `${srv.url}/generate-frequency/`,
      json({ frequency: 220, duration: 600, bitDepth: '32f' }),
    ).then(async (r) => {
      const b = Buffer.from(await r.arrayBuffer());
      renderDone = true;
      return { status: r.status, length: b.length, declared: Number(r.headers.get('content-length')) };
    });
    expect(await until(async () => (await metric(srv.url, 'omnisonic_jobs_running')) === 1)).toBe(true);
    const answered: boolean[] = [];
    for (let i = 0; i < 3; i++) {
      const h = await fetch(`${srv.url}/health`);
      expect(h.status).toBe(200);
      answered.push(!renderDone);
    }
    expect(answered).toEqual([true, true, true]);
    const r = await render;
    expect(r.status).toBe(200);
    expect(r.length).toBe(44 + 600 * 48000 * 4);
    expect(r.declared).toBe(r.length);
    expect(await metric(srv.url, 'omnisonic_jobs_completed_total')).toBeGreaterThanOrEqual(1);
  });

  it('a client that goes away stops its render in the worker', async () => {
    const cancelled = await metric(srv.url, 'omnisonic_jobs_cancelled_total');
    expect(await startAndAbandon(srv.url, '/mix-frequencies/', BIG_MIX, 600_000)).toBe(200);
    expect(
      await until(async () => (await metric(srv.url, 'omnisonic_jobs_cancelled_total')) === cancelled + 1),
    ).toBe(true);
    expect(await metric(srv.url, 'omnisonic_jobs_running')).toBe(0);
    expect(await metric(srv.url, 'omnisonic_jobs_admitted')).toBe(0);
  });

  it('an odd-sized 24-bit WAV ends with its pad byte', async () => {
    // 48001 frames of 3 bytes: 144003 data bytes, then one pad byte
    const res = await fetch(
      `${srv.url}/generate-frequency/`,
      json({ frequency: 440, duration: 48001 / 48000, bitDepth: 24 }),
    );
    expect(res.status).toBe(200);
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.readUInt32LE(40)).toBe(144003);
    expect(body.length).toBe(8 + body.readUInt32LE(4));
    expect(body.length).toBe(44 + 144003 + 1);
    expect(body.at(-1)).toBe(0);
    expect(Number(res.headers.get('content-length'))).toBe(body.length);
  });

  it('a small response read to its end is cached before its last byte arrives', async () => {
    for (let i = 0; i < 20; i++) {
      const body = json({ frequency: 200 + i, duration: 0.5 });
      const first = await fetch(`${srv.url}/generate-frequency/`, body);
      expect((await first.arrayBuffer()).byteLength).toBe(44 + 24000 * 2);
      expect((await fetch(`${srv.url}/generate-frequency/`, body)).headers.get('x-cache')).toBe('hit');
    }
  });

  it('large responses stream uncached, small ones are cached', async () => {
    const small = json({ frequency: 330, duration: 1 });
    const first = await fetch(`${srv.url}/generate-frequency/`, small);
    expect(first.headers.get('x-cache')).toBe('miss');
    // read to its end: the response is stored once rendered
    expect((await first.arrayBuffer()).byteLength).toBe(44 + 48000 * 2);
    expect((await fetch(`${srv.url}/generate-frequency/`, small)).headers.get('x-cache')).toBe('hit');
    // 200 s of 16-bit mono: 19.2 MB, above the default 16 MiB item limit
    const large = json({ frequency: 330, duration: 200 });
    for (let i = 0; i < 2; i++) {
      const r = await fetch(`${srv.url}/generate-frequency/`, large);
      expect(r.headers.get('x-cache')).toBe('miss');
      expect((await r.arrayBuffer()).byteLength).toBe(44 + 200 * 48000 * 2);
    }
  });
});

/** POST `body` and read the response slowly (a pause every `every` bytes); resolves with its bytes. */
function readSlowly(url: string, path: string, body: unknown, every: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = postJson(url, path, body, (res) => {
      const chunks: Buffer[] = [];
      let since = 0;
      res.on('data', (c: Buffer) => {
        chunks.push(c);
        since += c.length;
        if (since >= every) {
          since = 0;
          res.pause();
          setTimeout(() => res.resume(), 5);
        }
      });
      res.on('end', () => resolve(Buffer.concat(chunks)));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

describe('streamed responses', () => {
  let srv: ServeProcess;
  beforeAll(async () => {
    srv = await startServe(['--rate-limit', '0', '--job-threads', '2']);
  });
  afterAll(async () => {
    await srv?.stop();
  });

  it('two large renders read slowly at once arrive byte for byte as rendered in one thread', async () => {
    // 80 s of 24-bit stereo each (23 MB, streamed uncached): the worker refills its slots of
    // shared memory many times while each socket waits on its client
    const bodies = [
      { frequency: 330, duration: 80, channels: 2, bitDepth: 24 },
      { frequency: 'E5', waveform: 'saw', duration: 80, channels: 2, bitDepth: 24, amplitude: 0.4 },
    ];
    const got = await Promise.all(bodies.map((b) => readSlowly(srv.url, '/generate-frequency/', b, 1 << 20)));
    for (const [i, b] of bodies.entries()) {
      const here = await executeJob('generate', b);
      expect(here.type).toBe('audio');
      if (here.type !== 'audio') return;
      expect(got[i]!.length).toBe(44 + 80 * 48000 * 6);
      expect(got[i]!.equals(here.body)).toBe(true);
    }
  });
});

describe('uploads to /analyze/', () => {
  let srv: ServeProcess;
  beforeAll(async () => {
    // a budget that holds a 64 MiB analysis: here the upload limit, not the memory, is tested
    srv = await startServe(['--rate-limit', '0', '--memory-budget', '4096']);
  });
  afterAll(async () => {
    await srv?.stop();
  });

  it('an upload goes to its worker as it arrives; chunked and oversized uploads', async () => {
    // 2 s of A4, sent without Content-Length: the first half, then (once the analysis job is
    // running in a worker, still waiting for its bytes) the second half
    const tone = Buffer.from(
      await (
        await fetch(`${srv.url}/generate-frequency/`, json({ frequency: 440, duration: 2 }))
      ).arrayBuffer(),
    );
    const u = new URL('/analyze/', srv.url);
    let reply = '';
    let status = 0;
    const req = request({
      host: u.hostname,
      port: u.port,
      path: u.pathname,
      method: 'POST',
      headers: { 'content-type': 'audio/wav', 'transfer-encoding': 'chunked' },
    });
    const answered = new Promise<void>((resolve, reject) => {
      req.on('response', (res) => {
        status = res.statusCode ?? 0;
        res.on('data', (c: Buffer) => {
          reply += c;
        });
        res.on('end', resolve);
      });
      req.on('error', reject);
    });
    const half = Math.floor(tone.length / 2);
    req.write(tone.subarray(0, half));
    expect(await until(async () => (await metric(srv.url, 'omnisonic_jobs_running')) === 1)).toBe(true);
    expect(status).toBe(0);
    req.end(tone.subarray(half));
    await answered;
    expect(status).toBe(200);
    const a = JSON.parse(reply) as { duration: number; f0: { note: string } };
    expect(a.duration).toBeCloseTo(2, 3);
    expect(a.f0.note).toBe('A4');
    // more than 64 MiB: 413, whether announced or not
    const announced = await fetch(`${srv.url}/analyze/`, {
      method: 'POST',
      headers: { 'content-type': 'audio/wav', 'content-length': String(65 * 1024 * 1024) },
      body: Buffer.alloc(1024),
    }).catch(() => null);
    if (announced) expect(announced.status).toBe(413);
    const big = await fetch(`${srv.url}/analyze/`, {
      method: 'POST',
      headers: { 'content-type': 'audio/wav' },
      body: new ReadableStream({
        start(c) {
          for (let i = 0; i < 65; i++) c.enqueue(new Uint8Array(1024 * 1024));
          c.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { code: string } }).error.code).toBe('TOO_LARGE');
    expect(await until(async () => (await metric(srv.url, 'omnisonic_jobs_running')) === 0)).toBe(true);
  });
});

describe('admission control', () => {
  it('past --max-jobs: 503, Retry-After and OVERLOADED; then admitted again', async () => {
    const srv = await startServe(['--rate-limit', '0', '--max-jobs', '1']);
    try {
      const first = startAndAbandon(srv.url, '/mix-frequencies/', BIG_MIX, 1);
      expect(await until(async () => (await metric(srv.url, 'omnisonic_jobs_admitted')) === 1)).toBe(true);
      const res = await fetch(`${srv.url}/generate-frequency/`, json({ frequency: 440, duration: 1 }));
      expect(res.status).toBe(503);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('OVERLOADED');
      await first;
      expect(await until(async () => (await metric(srv.url, 'omnisonic_jobs_admitted')) === 0)).toBe(true);
      expect(
        (await fetch(`${srv.url}/generate-frequency/`, json({ frequency: 440, duration: 1 }))).status,
      ).toBe(200);
    } finally {
      await srv.stop();
    }
  });

  it('past --memory-budget: an upload is refused before its body is read', async () => {
    // the process alone is above 64 MiB: every heavy job is refused, /health still answers
    const srv = await startServe(['--rate-limit', '0', '--memory-budget', '64']);
    try {
      const res = await fetch(`${srv.url}/analyze/`, {
        method: 'POST',
        headers: { 'content-type': 'audio/wav' },
        body: Buffer.alloc(1024 * 1024),
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).not.toBeNull();
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('OVERLOADED');
      const text = await (await fetch(`${srv.url}/metrics`)).text();
      expect(text).toMatch(/^omnisonic_jobs_refused_total\{reason="memory"\} 1$/m);
      expect((await fetch(`${srv.url}/health`)).status).toBe(200);
    } finally {
      await srv.stop();
    }
  });
});

describe('timeouts and the connection cap', () => {
  let srv: ServeProcess;
  beforeAll(async () => {
    srv = await startServe([
      '--rate-limit',
      '0',
      '--headers-timeout',
      '1s',
      '--body-timeout',
      '1s',
      '--keep-alive-timeout',
      '1s',
    ]);
  });
  afterAll(async () => {
    await srv?.stop();
  });

  it('closes a connection whose body stalls', async () => {
    const s = await open(srv.url);
    s.write(
      'POST /generate-frequency/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n',
    );
    expect(await closedWithin(s, 15_000)).toBe(true);
  });

  it('closes a connection whose headers never end, and a silent one', async () => {
    const slow = await open(srv.url);
    slow.write('POST /generate-frequency/ HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const silent = await open(srv.url);
    expect(await Promise.all([closedWithin(slow, 15_000), closedWithin(silent, 15_000)])).toEqual([
      true,
      true,
    ]);
  });

  it('closes an idle keep-alive connection', async () => {
    const s = await open(srv.url);
    let got = '';
    s.on('data', (c: Buffer) => {
      got += c.toString();
    });
    s.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
    expect(await closedWithin(s, 15_000)).toBe(true);
    expect(got).toMatch(/^HTTP\/1\.1 200/);
  });
});

describe('under a limit of 1024 open files', () => {
  const prlimit = hasCommand('prlimit');
  if (process.env.CI !== 'true') requireComponent('prlimit (util-linux)', prlimit);
  it.skipIf(!prlimit && process.env.CI !== 'true')(
    `1100 silent connections do not crash the server; /health answers after the timeout${prlimit ? '' : ' (skipped: prlimit is missing)'}`,
    async () => {
      expect(prlimit, 'prlimit (util-linux) is required under CI').toBe(true);
      const srv = await startServe(
        ['--rate-limit', '0', '--headers-timeout', '2s', '--body-timeout', '2s'],
        {},
        ['prlimit', '--nofile=1024'],
      );
      const sockets: Socket[] = [];
      try {
        const u = new URL(srv.url);
        let opened = 0;
        await Promise.all(
          Array.from(
            { length: 1100 },
            () =>
              new Promise<void>((resolve) => {
                const s = connect(Number(u.port), u.hostname);
                // flowing, so that the server's close is seen
                s.resume();
                sockets.push(s);
                s.on('connect', () => {
                  opened++;
                  resolve();
                });
                s.on('error', () => resolve());
                s.on('close', () => resolve());
              }),
          ),
        );
        expect(opened).toBeGreaterThan(0);
        await sleep(500);
        expect(srv.proc.exitCode).toBeNull();
        // once the silent connections have timed out, the server answers again
        const healthy = await until(async () => {
          try {
            return (await fetch(`${srv.url}/health`, { signal: AbortSignal.timeout(2000) })).status === 200;
          } catch {
            return false;
          }
        }, 300);
        expect(healthy).toBe(true);
        expect(srv.proc.exitCode).toBeNull();
        // every silent connection is closed by the server in the end (those the cap refused at once,
        // the others after the headers timeout)
        const allClosed = await until(
          async () => sockets.every((s) => s.destroyed || s.readyState !== 'open'),
          600,
        );
        const states = sockets.reduce<Record<string, number>>((a, s) => {
          a[s.readyState] = (a[s.readyState] ?? 0) + 1;
          return a;
        }, {});
        expect(allClosed, JSON.stringify(states)).toBe(true);
        expect(srv.proc.exitCode).toBeNull();
      } finally {
        for (const s of sockets) s.destroy();
        await srv.stop();
      }
    },
  );
});
