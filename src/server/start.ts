/**
 * Starting and stopping the server: the only module that listens. SIGTERM and SIGINT close it
 * gracefully: no new connections, in-flight requests finish (up to a grace period), the cache
 * store is closed, then the process exits.
 */
import cluster from 'node:cluster';
import type { FastifyInstance } from 'fastify';
import { OmniError } from '../errors.js';
import { type AppOptions, buildApp } from './app.js';

export interface StartOptions extends AppOptions {
  host: string;
  port: number;
  /** Longest wait for in-flight requests on shutdown, ms (default 60000). */
  graceMs?: number;
}

/**
 * Build the app and listen. Resolves with the app and the URL it serves.
 * @example const { url } = await startServer({ host: '127.0.0.1', port: 8000 });
 */
export async function startServer(o: StartOptions): Promise<{ app: FastifyInstance; url: string }> {
  const app = await buildApp(o);
  // responses in progress, so that shutdown can drop idle keep-alive sockets once none is left
  let active = 0;
  app.addHook('onRequest', async (_req, reply) => {
    active++;
    reply.raw.once('close', () => active--);
  });
  inFlight.set(app, () => active);
  if (cluster.isWorker && cluster.worker) {
    // which worker answered (1..n): helps to see the load spread
    const id = String(cluster.worker.id);
    app.addHook('onSend', async (_req, reply, payload) => {
      reply.header('x-worker', id);
      return payload;
    });
  }
  try {
    await app.listen({ host: o.host, port: o.port });
  } catch (e) {
    await app.close().catch(() => {});
    const err = e as NodeJS.ErrnoException;
    const why =
      err.code === 'EADDRINUSE'
        ? `port ${o.port} is already in use`
        : err.code === 'EACCES'
          ? `no permission to listen on port ${o.port}`
          : err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND'
            ? `cannot listen on host ${o.host}`
            : err.message;
    throw new OmniError('SERVER_ERROR', `cannot start the server: ${why}`, {
      cause: e,
      hint: err.code === 'EADDRINUSE' ? 'choose another --port' : undefined,
    });
  }
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : o.port;
  const host = o.host.includes(':') ? `[${o.host}]` : o.host;
  return { app, url: `http://${host}:${port}` };
}

const inFlight = new WeakMap<FastifyInstance, () => number>();

/**
 * Close `app` on SIGTERM / SIGINT and exit 0 once in-flight requests are done (or after the
 * grace period, exit 1).
 */
export function closeOnSignals(app: FastifyInstance, graceMs = 60_000): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    const timer = setTimeout(() => {
      app.log.error('shutdown grace period over: exiting with requests still running');
      process.exit(1);
    }, graceMs);
    timer.unref();
    // keep-alive sockets of clients that hold them open would delay close() by minutes:
    // once no response is in progress, close them
    const count = inFlight.get(app);
    const sweep = setInterval(() => {
      if (!count || count() === 0) app.server.closeAllConnections();
    }, 50);
    sweep.unref();
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
