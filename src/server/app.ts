/**
 * The OmniSonic server as a Fastify application: REST endpoints (SPEC section 4), OpenAPI at
 * `/openapi.json`, Swagger UI at `/docs`, the WebSocket plugin, the control page at `/`.
 * {@link buildApp} only builds; `start.ts` is the one module that listens.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { type ProfileStore, profileStoreFor } from '../jobs/profiles.js';
import { RedisSessionSlots } from '../jobs/sessions.js';
import type { JobsOptions } from '../jobs/setup.js';
import { packagePath } from '../package-root.js';
import { authHook } from './auth.js';
import { type CacheStore, MemoryStore, RedisStore } from './cache.js';
import { registerSecurityHeaders } from './csp.js';
import { errorHandler, errorResponse, notFoundHandler, RouteMethods } from './errors.js';
import { hostHook, requestIdOf } from './host.js';
import { Metrics } from './metrics.js';
import { aiRoutes } from './routes/ai.js';
import { analyzeRoutes } from './routes/analyze.js';
import { audioRoutes } from './routes/audio.js';
import { presetRoutes } from './routes/presets.js';
import { systemRoutes } from './routes/system.js';
import { validatorCompiler } from './validator.js';
import { pagePlugin } from './ws/page.js';
import { wsPlugin } from './ws/plugin.js';

const pkg = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as {
  version: string;
};
/** Version reported by `/health` and the OpenAPI document. */
export const VERSION = pkg.version;

/** Options of {@link buildApp} (the flags of `omnisonic serve`). */
export interface AppOptions {
  /** Requests need this key (X-API-Key or Authorization: Bearer) when set. */
  apiKey?: string;
  /** Origins allowed by CORS; none by default. */
  cors?: string[];
  /** Redis URL of the shared cache and rate-limit counts; in-memory when absent. */
  redisUrl?: string;
  /** A ready cache store (tests); overrides redisUrl. */
  cache?: CacheStore;
  /** Budget of the in-memory cache in bytes (default 256 MiB). */
  cacheBytes?: number;
  /** Longest render in seconds (default 600). */
  maxDuration?: number;
  /** Most live WebSocket sessions (default 100), passed to the WS plugin. */
  maxSessions?: number;
  /** Requests per minute per client; 0 turns the limit off (default 1200). */
  rateLimit?: number;
  /** Folders of user presets. */
  presetDirs?: string[];
  /** Fastify logger: false (default), true, or pino options; logs go to stderr as JSON. */
  logger?: FastifyServerOptions['logger'];
  /** Trust X-Forwarded-For (behind a load balancer). */
  trustProxy?: boolean;
  /** The jobs API: local pool, or the BullMQ queue when redisUrl is set (docs/jobs.md). */
  jobs?: JobsOptions;
  /**
   * Host names (with or without port) answered besides loopback when no API key is set;
   * other Host headers get 403 HOST_NOT_ALLOWED (DNS rebinding).
   */
  allowedHosts?: string[];
}

/** Resolved settings routes read through `app.omni`. */
export interface ServerContext {
  readonly apiKey: string | undefined;
  readonly maxDuration: number;
  readonly cache: CacheStore;
  readonly metrics: Metrics;
  readonly presetDirs: string[] | undefined;
  readonly version: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    omni: ServerContext;
    /** The Prometheus registry; the WS plugin counts sessions with `app.metrics.sessions.inc()`. */
    metrics: Metrics;
    /** Adaptive profiles of the clients, shared by every process (src/jobs/profiles.ts). */
    profiles: ProfileStore;
  }
}

/** JSON bodies above this size get 413. */
export const BODY_LIMIT = 1024 * 1024;

/**
 * Build the server (not listening). Close it with `app.close()`: in-flight requests finish and
 * the cache store is closed.
 * @example
 * const app = await buildApp({ apiKey: 'secret' });
 * const res = await app.inject({ method: 'GET', url: '/health' });
 */
export async function buildApp(options: AppOptions = {}): Promise<FastifyInstance> {
  const logger = options.logger ?? false;
  const app = Fastify({
    logger: logger === true ? { level: 'info', stream: process.stderr } : logger,
    bodyLimit: BODY_LIMIT,
    trustProxy: options.trustProxy ?? false,
    // X-Request-Id is taken only when it is a short safe token (see requestIdOf)
    requestIdHeader: false,
    genReqId: (req) => requestIdOf(req.headers['x-request-id']) ?? randomUUID(),
    // a path parameter over 100 characters gets the catalogue's error, not Fastify's own
    frameworkErrors: (err, req, reply) => {
      const { status, body } = errorResponse(err);
      req.log.info({ code: body.error.code }, body.error.message);
      void reply
        .code(status as never)
        .type('application/json; charset=utf-8')
        .send(body as never);
    },
    return503OnClosing: true,
    ajv: {
      customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: false },
    },
  });
  const metrics = new Metrics();
  const cache =
    options.cache ??
    (options.redisUrl
      ? new RedisStore(options.redisUrl, {
          onError: (e) => app.log.warn({ err: e.message }, 'redis unavailable: serving uncached'),
        })
      : new MemoryStore(options.cacheBytes));
  app.decorate('metrics', metrics);
  app.decorate('profiles', profileStoreFor(cache instanceof RedisStore ? cache.client : undefined));
  app.decorate('omni', {
    apiKey: options.apiKey || undefined,
    maxDuration: options.maxDuration ?? 600,
    cache,
    metrics,
    presetDirs: options.presetDirs,
    version: VERSION,
  } satisfies ServerContext);
  app.addHook('onClose', async () => {
    if (!options.cache) await cache.close();
  });

  app.setValidatorCompiler(validatorCompiler());
  app.setErrorHandler(errorHandler);
  const routeMethods = new RouteMethods();
  app.addHook('onRoute', (route) => routeMethods.add(route.url, route.method));
  app.setNotFoundHandler(notFoundHandler((path) => routeMethods.of(path)));
  // JSON only: a JSON text sent as text/plain is 415, not parsed as a string
  app.removeContentTypeParser('text/plain');
  if (!options.apiKey) app.addHook('onRequest', hostHook(options.allowedHosts ?? []));
  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  // once closing, responses still in flight end their connection, so close() does not wait for
  // keep-alive timeouts (idle connections are closed by close() itself)
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    if (closing) reply.header('connection', 'close');
    return payload;
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ method: req.method, route, status: reply.statusCode });
    metrics.latency.observe({ route }, reply.elapsedTime / 1000);
  });

  await registerSecurityHeaders(app, { crossOrigin: (options.cors?.length ?? 0) > 0 });
  if (options.cors && options.cors.length > 0) {
    const { default: cors } = await import('@fastify/cors');
    await app.register(cors, {
      origin: options.cors.includes('*') ? true : options.cors,
      methods: ['GET', 'POST', 'OPTIONS'],
      allowedHeaders: ['Content-Type', 'X-API-Key', 'Authorization', 'X-Request-Id'],
      exposedHeaders: ['X-Cache', 'X-Request-Id', 'Content-Length', 'Retry-After'],
      maxAge: 600,
    });
  }
  const perMinute = options.rateLimit ?? 1200;
  if (perMinute > 0) {
    const { default: rateLimit } = await import('@fastify/rate-limit');
    await app.register(rateLimit, {
      max: perMinute,
      timeWindow: 60_000,
      skipOnError: true,
      // live sessions are limited by --max-sessions, not by requests per minute
      allowList: (req) => req.url.startsWith('/ws/'),
      ...(cache instanceof RedisStore ? { redis: cache.client, nameSpace: 'omnisonic:rl:' } : {}),
      errorResponseBuilder: (_req, ctx) => ({
        statusCode: 429,
        code: 'RATE_LIMITED',
        message: `rate limit of ${ctx.max} requests per minute exceeded; retry in ${Math.ceil(ctx.ttl / 1000)} s`,
      }),
    });
  }
  await registerDocs(app, Boolean(options.apiKey));
  const { createJobs } = await import('../jobs/setup.js');
  const jobs = await createJobs(
    { presetDirs: options.presetDirs, ...options.jobs, redisUrl: options.redisUrl },
    app.log,
  );
  app.addHook('onClose', () => jobs.close());

  await app.register(systemRoutes);
  // everything below needs the API key when one is set
  await app.register(async (api) => {
    api.addHook('onRequest', authHook(options.apiKey));
    await api.register(audioRoutes);
    await api.register(aiRoutes);
    await api.register(analyzeRoutes);
    await api.register(presetRoutes);
    const { jobRoutes } = await import('./routes/jobs.js');
    await api.register(jobRoutes, { store: jobs.store });
  });
  await app.register(wsPlugin, {
    ...(options.apiKey ? { apiKey: options.apiKey } : {}),
    maxSessions: options.maxSessions ?? 100,
    ...(options.presetDirs ? { presetDirs: options.presetDirs } : {}),
    // browser pages may open sessions from the server's own origin and the --cors origins only
    origins: options.cors ?? [],
    metrics,
    jobs: jobs.store,
    ...(cache instanceof RedisStore
      ? { slots: new RedisSessionSlots(cache.client, options.maxSessions ?? 100) }
      : {}),
  });
  await app.register(pagePlugin);
  return app;
}

/**
 * The document as configured: without an API key, no security and no 401; with one, every
 * operation needs it but `/health`.
 */
function asConfigured(doc: Record<string, unknown>, keyed: boolean): Record<string, unknown> {
  const paths = doc.paths as Record<
    string,
    Record<string, { responses?: Record<string, unknown>; security?: unknown }>
  >;
  if (!keyed) {
    const {
      security: _s,
      components,
      ...rest
    } = doc as { security?: unknown; components?: Record<string, unknown> };
    const { securitySchemes: _ss, ...otherComponents } = components ?? {};
    for (const ops of Object.values(paths)) for (const op of Object.values(ops)) delete op.responses?.['401'];
    return { ...rest, components: otherComponents };
  }
  const health = paths['/health']?.get;
  if (health) health.security = [];
  return doc;
}

async function registerDocs(app: FastifyInstance, keyed: boolean): Promise<void> {
  const { default: swagger } = await import('@fastify/swagger');
  const { default: swaggerUi } = await import('@fastify/swagger-ui');
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'OmniSonic API',
        version: VERSION,
        description:
          'Sound synthesis over HTTP: tones, mixes, presets, harmonic suggestions and audio analysis. ' +
          'Errors are `{ "error": { "code", "message", "field"? } }`.',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ apiKey: [] }, { bearer: [] }],
    },
    transformObject: (documentObject) => {
      const doc = (documentObject as { openapiObject: Record<string, unknown> }).openapiObject;
      return asConfigured(structuredClone(doc), keyed) as typeof doc;
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
