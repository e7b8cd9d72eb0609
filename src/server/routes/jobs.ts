/**
 * The jobs API (SPEC section 4b): `POST /jobs/` queues a render or an analysis and answers 202
 * at once, `GET /jobs/{id}` reports it, `GET /jobs/{id}/result` returns its audio or JSON,
 * `DELETE /jobs/{id}` cancels it. The same routes serve the local pool and the BullMQ queue.
 */
import type { FastifyInstance } from 'fastify';
import { OmniError } from '../../errors.js';
import { JobBody, jobIdOf } from '../../jobs/request.js';
import { JobAccepted, JobCancelled, JobIdParams, JobViewSchema } from '../../jobs/schemas.js';
import type { JobStore } from '../../jobs/types.js';
import { AudioResponse, errorResponses } from '../schemas.js';
import { MAX_UPLOAD } from './analyze.js';

/** Largest `POST /jobs/` body: an analysis upload as base64, plus room for the JSON around it. */
export const JOB_BODY_LIMIT = Math.ceil((MAX_UPLOAD * 4) / 3) + 64 * 1024;

const notFound = (id: string) => new OmniError('NOT_FOUND', `no job ${id} (unknown, cancelled or expired)`);

/** Registers the jobs routes over `store`. */
export async function jobRoutes(app: FastifyInstance, opts: { store: JobStore }): Promise<void> {
  const { store } = opts;
  app.addHook('onError', async (_req, reply, err) => {
    const code = (err as { code?: string }).code;
    if (code === 'QUEUE_UNAVAILABLE' || code === 'OVERLOADED') reply.header('retry-after', '5');
  });
  app.post<{ Body: JobBody }>(
    '/jobs/',
    {
      bodyLimit: JOB_BODY_LIMIT,
      schema: {
        summary: 'Queue a render or an analysis',
        description:
          '`request` is the body of the matching endpoint; analyze and midi take the file as base64. Identical requests share one job (its id is the canonical request key). Answers 202 at once.',
        tags: ['jobs'],
        body: JobBody,
        response: { 202: JobAccepted, ...errorResponses(400, 401, 403, 413, 415, 429, 503) },
      },
    },
    async (req, reply) => {
      const { kind, request } = req.body;
      const id = await jobIdOf(kind, request, {
        maxDuration: app.omni.maxDuration,
        presetDirs: app.omni.presetDirs,
      });
      const view = await store.submit(id, kind, request);
      const location = `/jobs/${id}`;
      return reply.code(202).header('location', location).send({ id, status: view.status, location });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/jobs/:id',
    {
      schema: {
        summary: 'State of a job',
        tags: ['jobs'],
        params: JobIdParams,
        response: { 200: JobViewSchema, ...errorResponses(400, 401, 403, 404, 429, 503) },
      },
    },
    async (req) => {
      const view = await store.get(req.params.id);
      if (!view) throw notFound(req.params.id);
      return view;
    },
  );

  app.get<{ Params: { id: string } }>(
    '/jobs/:id/result',
    {
      schema: {
        summary: 'Result of a completed job',
        description:
          'The audio file (render jobs) or the JSON (analyze). 409 while the job is not completed.',
        tags: ['jobs'],
        params: JobIdParams,
        response: {
          200: {
            description: 'the audio file or the JSON result',
            content: {
              'audio/wav': { schema: AudioResponse },
              'application/octet-stream': { schema: AudioResponse },
              'application/json': { schema: { type: 'object', additionalProperties: true } },
            },
          },
          ...errorResponses(400, 401, 403, 404, 409, 429, 503),
        },
      },
    },
    async (req, reply) => {
      const { id } = req.params;
      const view = await store.get(id);
      if (!view) throw notFound(id);
      if (view.status !== 'completed') {
        const why = view.error
          ? `it failed: ${view.error.code}: ${view.error.message}`
          : `it is ${view.status}`;
        throw new OmniError('JOB_NOT_READY', `job ${id} has no result: ${why}`);
      }
      const result = await store.result(id);
      if (!result) throw notFound(id);
      if (result.type === 'json') return reply.type('application/json; charset=utf-8').send(result.value);
      return reply
        .type(result.contentType)
        .header('content-length', result.body.length)
        .header('content-disposition', `inline; filename="${id}"`)
        .send(result.body);
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/jobs/:id',
    {
      schema: {
        summary: 'Cancel a job',
        description:
          'A queued job is removed; a running one is stopped and reported failed with code CANCELLED; a finished one is forgotten with its result.',
        tags: ['jobs'],
        params: JobIdParams,
        response: { 200: JobCancelled, ...errorResponses(400, 401, 403, 404, 429, 503) },
      },
    },
    async (req) => {
      if (!(await store.cancel(req.params.id))) throw notFound(req.params.id);
      return { id: req.params.id, cancelled: true as const };
    },
  );
}
