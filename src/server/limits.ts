/**
 * Connection limits and timeouts of the HTTP server, so that clients that stall cannot hold
 * sockets (and file descriptors) forever:
 * - `headersTimeoutMs`: a request's headers must arrive within this time of its first byte (or
 *   of the connection) — slow or silent clients are closed;
 * - `bodyTimeoutMs`: while a request is received, the socket may stay silent at most this long
 *   (a body that stalls); once the handler runs, a long job sends nothing for a while, so the
 *   timer is off until the response is complete;
 * - `requestTimeoutMs`: the whole request (headers and body) must arrive within this time;
 * - `keepAliveTimeoutMs`: an idle keep-alive connection is closed after this time;
 * - `maxConnections`: open connections at once; more are closed as they arrive. By default
 *   1024, lowered to fit the process's limit of open files (`ulimit -n`) with room to spare.
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';

export interface ServerLimits {
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
}

/** File descriptors kept free of connections (files, pipes, worker threads, FFmpeg). */
const SPARE_FDS = 128;

/** The soft limit of open files of this process, when the system says (Linux). */
export function openFileLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    return soft && /^\d+$/.test(soft) ? Number(soft) : undefined;
  } catch {
    return undefined;
  }
}

/** The default connection cap: 1024, or fewer when the open-file limit is lower. */
export function defaultMaxConnections(): number {
  const fds = openFileLimit();
  return fds === undefined ? 1024 : Math.max(16, Math.min(1024, fds - SPARE_FDS));
}

export const DEFAULT_LIMITS: Omit<ServerLimits, 'maxConnections'> = {
  headersTimeoutMs: 10_000,
  bodyTimeoutMs: 10_000,
  requestTimeoutMs: 120_000,
  keepAliveTimeoutMs: 5_000,
};

/** The limits with defaults filled, and the Fastify options that apply them. */
export function serverLimits(
  o: Partial<ServerLimits> = {},
): ServerLimits & { fastify: Partial<FastifyServerOptions> } {
  const l: ServerLimits = {
    ...DEFAULT_LIMITS,
    maxConnections: defaultMaxConnections(),
    ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)),
  };
  // Node checks headers and request timeouts every connectionsCheckingInterval (30 s by default)
  const check = Math.max(100, Math.min(1000, Math.floor(l.headersTimeoutMs / 4)));
  return {
    ...l,
    fastify: {
      keepAliveTimeout: l.keepAliveTimeoutMs,
      requestTimeout: l.requestTimeoutMs,
      connectionTimeout: l.bodyTimeoutMs,
      http: {
        headersTimeout: Math.min(l.headersTimeoutMs, l.requestTimeoutMs || l.headersTimeoutMs),
        requestTimeout: l.requestTimeoutMs,
        keepAliveTimeout: l.keepAliveTimeoutMs,
        connectionsCheckingInterval: check,
      },
    } as Partial<FastifyServerOptions>,
  };
}

/** Apply the connection cap and switch the silence timer off while a request is handled. */
export function watchLimits(app: FastifyInstance, l: ServerLimits): void {
  app.server.maxConnections = l.maxConnections;
  // (injected requests have a socket without timers)
  app.addHook('preHandler', async (req) => {
    const socket = req.raw.socket;
    if (typeof socket?.setTimeout === 'function') socket.setTimeout(0);
  });
  app.addHook('onResponse', async (req) => {
    const socket = req.raw.socket;
    if (typeof socket?.setTimeout === 'function' && !socket.destroyed) socket.setTimeout(l.bodyTimeoutMs);
  });
}
