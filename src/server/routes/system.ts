/** `GET /health` (no key needed, for load balancers) and `GET /metrics` (Prometheus text). */
import type { FastifyInstance } from 'fastify';
import { authHook } from '../auth.js';
import { errorResponses, HealthResponse } from '../schemas.js';

/** Registers the health and metrics endpoints. */
export async function systemRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/health',
    {
      config: { rateLimit: false },
      schema: {
        summary: 'Liveness',
        tags: ['system'],
        response: { 200: HealthResponse, ...errorResponses(403) },
      },
    },
    async () => ({ status: 'ok' as const, version: app.omni.version }),
  );
  app.get(
    '/metrics',
    {
      onRequest: authHook(app.omni.apiKey),
      config: { rateLimit: false },
      schema: {
        summary: 'Prometheus metrics',
        description:
          'requests by route and status, latency histogram, cache hits and misses, renders, WebSocket sessions',
        tags: ['system'],
        response: {
          200: {
            description: 'Prometheus text format 0.0.4',
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
          ...errorResponses(401, 403),
        },
      },
    },
    async (_req, reply) => reply.type('text/plain; version=0.0.4; charset=utf-8').send(app.metrics.render()),
  );
}
