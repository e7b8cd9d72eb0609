import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Server } from 'node:http';
import { performance } from 'node:perf_hooks';
import websocket from '@fastify/websocket';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { invalid } from '../../errors.js';
import type { Scene } from '../../render/scene.js';
import { midiVoiceMaker } from './midi-voice.js';
import { Scheduler } from './scheduler.js';
import { MAX_MESSAGE_BYTES, Session, type SessionHost } from './session.js';

/** Path of the live synthesis endpoint. */
export const WS_PATH = '/ws/audio-stream/';

/** Options of {@link wsPlugin}. */
export interface WsOptions {
  /** When set, the upgrade needs this key (`?key=`, `X-API-Key` or `Authorization: Bearer`). */
  apiKey?: string;
  /** Most sessions open at once; more are closed with code 1013. */
  maxSessions: number;
  /** Extra preset folders searched first. */
  presetDirs?: string[];
  /**
   * Origins whose pages may open sessions (`*` for any). When set, a browser's upgrade must come
   * from the server's own origin or one of these, else 403; clients that send no `Origin`
   * (Node, curl) are not affected. Unset: any origin.
   */
  origins?: string[];
  /** Close connections with no stream running for this long, seconds (default 60). */
  idleSec?: number;
  /** A registry with a sessions gauge (`src/server/metrics.ts`). */
  metrics?: { sessions: { inc(): void; dec(): void } };
}

/** Live numbers of a server's sessions (tests, bench, metrics). */
export interface WsHub {
  readonly sessions: ReadonlySet<Session>;
  readonly scheduler: Scheduler;
}

const hubs = new WeakMap<Server, WsHub>();

/** The sessions of the WebSocket endpoint served by `server` (undefined when not registered). */
export function wsHubOf(server: Server): WsHub | undefined {
  return hubs.get(server);
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** The key of an upgrade request: `?key=`, `X-API-Key`, or `Authorization: Bearer`. */
function keyOfUpgrade(req: FastifyRequest): string | undefined {
  const q = (req.query as Record<string, unknown> | undefined)?.key;
  if (typeof q === 'string' && q !== '') return q;
  const header = req.headers['x-api-key'];
  if (typeof header === 'string' && header !== '') return header;
  const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization?.trim() ?? '');
  return m?.[1];
}

/** True when the request has no `Origin` (not a browser), the server's own, or a listed one. */
function originAllowed(req: FastifyRequest, origins: string[]): boolean {
  const origin = req.headers.origin;
  if (origin === undefined || origins.includes('*') || origins.includes(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/**
 * Fastify plugin of the live synthesis endpoint `GET /ws/audio-stream/` (SPEC section 5): one
 * {@link Session} per connection, all paced by one shared {@link Scheduler}. Registers
 * `@fastify/websocket` itself unless the app already has it.
 *
 * @example
 * await app.register(wsPlugin, { maxSessions: 100, apiKey: process.env.OMNISONIC_API_KEY });
 */
export const wsPlugin: FastifyPluginAsync<WsOptions> = async (fastify, opts) => {
  if (!fastify.hasDecorator('websocketServer')) {
    await fastify.register(websocket, { options: { maxPayload: 1024 * 1024, perMessageDeflate: false } });
  }
  const scheduler = new Scheduler();
  const sessions = new Set<Session>();
  hubs.set(fastify.server, { sessions, scheduler });
  const maxSessions = Math.max(0, Math.floor(opts.maxSessions));
  const makeMidi = await midiVoiceMaker();
  const host: SessionHost = {
    wake: (at) => scheduler.wake(at),
    schedule: (s) => scheduler.add(s),
    unschedule: (s) => scheduler.delete(s),
    loadPreset: (name, sampleRate) => loadPreset(name, sampleRate, opts.presetDirs),
    makeMidiLayer: (sr, bank) => makeMidi(sr, bank),
    log: (msg, err) => fastify.log.error({ err }, msg),
    idleMs: (opts.idleSec ?? 60) * 1000,
  };

  const auth = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (opts.origins && !originAllowed(req, opts.origins)) {
      await reply.code(403).send({
        error: {
          code: 'UNAUTHORIZED',
          message: `origin ${req.headers.origin} may not open live sessions on this server`,
        },
      });
      return;
    }
    if (!opts.apiKey) return;
    const given = keyOfUpgrade(req);
    if (given === undefined || !timingSafeEqual(digest(given), digest(opts.apiKey))) {
      reply.header('www-authenticate', 'Bearer realm="omnisonic"');
      const message =
        given === undefined
          ? 'an API key is required (?key=, X-API-Key or Authorization: Bearer)'
          : 'the API key is wrong';
      await reply.code(401).send({ error: { code: 'UNAUTHORIZED', message } });
    }
  };

  const onSocket = (socket: WebSocket): void => {
    if (sessions.size >= maxSessions) {
      socket.close(1013, `server busy: it holds its maximum of ${maxSessions} sessions; try again later`);
      setTimeout(() => socket.terminate(), 2000).unref();
      return;
    }
    const session = new Session(randomUUID(), socket, host);
    sessions.add(session);
    opts.metrics?.sessions.inc();
    socket.on('message', (data, isBinary) => session.onMessage(data as Buffer, isBinary, performance.now()));
    socket.on('close', () => {
      session.dispose();
      if (sessions.delete(session)) opts.metrics?.sessions.dec();
    });
    socket.on('error', () => socket.terminate());
  };

  fastify.route({
    method: 'GET',
    url: WS_PATH,
    schema: { hide: true },
    preValidation: auth,
    handler: async (_req, reply) =>
      reply
        .code(426)
        .header('upgrade', 'websocket')
        .send({
          error: {
            code: 'BAD_USAGE',
            message: `${WS_PATH} is a WebSocket endpoint: connect with a WebSocket client`,
          },
        }),
    wsHandler: (socket) => onSocket(socket as WebSocket),
  });

  fastify.addHook('onClose', async () => {
    scheduler.clear();
    for (const s of sessions) s.close(1001, 'server shutting down');
    sessions.clear();
  });
};

/** Load a preset's scene for a live session (the preset modules are loaded on first use). */
async function loadPreset(
  name: string,
  sampleRate: number,
  presetDirs: string[] | undefined,
): Promise<Scene> {
  let mod: { loadPresetScene?: (n: string, o: object) => Promise<{ scene: Scene }> };
  try {
    mod = (await import('../../presets/resolve.js')) as typeof mod;
  } catch {
    throw invalid('NOT_FOUND', `preset '${name}': presets are not available on this server`, 'preset');
  }
  if (!mod.loadPresetScene)
    throw invalid('NOT_FOUND', `preset '${name}': presets are not available on this server`, 'preset');
  const { scene } = await mod.loadPresetScene(name, {
    sampleRate,
    durationOverride: Number.POSITIVE_INFINITY,
    ...(presetDirs ? { presetDirs } : {}),
  });
  return scene;
}

export { MAX_MESSAGE_BYTES };
