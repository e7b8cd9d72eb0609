import Fastify, { type FastifyInstance } from 'fastify';
import WebSocket from 'ws';
import { pagePlugin } from '../../src/server/ws/page.js';
import { type WsHub, type WsOptions, wsHubOf, wsPlugin } from '../../src/server/ws/plugin.js';

/** A Fastify server with the WebSocket endpoint and the control page, listening on 127.0.0.1 (free port). */
export interface TestServer {
  app: FastifyInstance;
  url: string;
  wsUrl: string;
  hub: WsHub;
  close(): Promise<void>;
}

export async function startServer(opts: Partial<WsOptions> = {}): Promise<TestServer> {
  const app = Fastify();
  await app.register(wsPlugin, { maxSessions: 100, ...opts });
  await app.register(pagePlugin);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as { port: number };
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws/audio-stream/`,
    hub: wsHubOf(app.server)!,
    close: () => app.close(),
  };
}

/** One decoded binary audio frame. */
export interface AudioFrame {
  seq: number;
  first: number;
  frames: number;
  samples: Float32Array | Int16Array;
  at: number;
}

/** A test client: records every JSON message and audio frame with its arrival time. */
export class Client {
  readonly ws: WebSocket;
  readonly json: Array<Record<string, unknown> & { type: string; at: number }> = [];
  readonly audio: AudioFrame[] = [];
  format: 'f32' | 's16' = 'f32';
  closed: { code: number; reason: string } | null = null;
  private waiters: Array<() => void> = [];

  constructor(url: string, options: WebSocket.ClientOptions = {}) {
    this.ws = new WebSocket(url, options);
    this.ws.on('message', (data, isBinary) => {
      const at = performance.now();
      if (isBinary) {
        const b = data as Buffer;
        const copy = new Uint8Array(b.length - 16);
        copy.set(b.subarray(16));
        this.audio.push({
          seq: b.readUInt32LE(0),
          first: b.readDoubleLE(4),
          frames: b.readUInt32LE(12),
          samples: this.format === 'f32' ? new Float32Array(copy.buffer) : new Int16Array(copy.buffer),
          at,
        });
      } else {
        this.json.push({ ...JSON.parse(String(data)), at });
      }
      this.notify();
    });
    this.ws.on('close', (code, reason) => {
      this.closed = { code, reason: String(reason) };
      this.notify();
    });
    this.ws.on('error', () => this.notify());
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.ws.readyState === WebSocket.OPEN) return resolve();
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
  }

  send(msg: unknown): void {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  private notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Wait until `pred` holds (checked after every message), or fail after `ms`. */
  async until(pred: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
    const end = performance.now() + ms;
    while (!pred()) {
      const left = end - performance.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 100));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** The first JSON message of `type` (after index `from`), waiting for it. */
  async next(type: string, from = 0, ms = 5000): Promise<Record<string, unknown>> {
    let found: Record<string, unknown> | undefined;
    const look = (): boolean => {
      found = this.json.slice(from).find((m) => m.type === type);
      return found !== undefined;
    };
    await this.until(look, ms, `'${type}'`);
    return found!;
  }

  close(): void {
    this.ws.close();
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
