/** Response schemas of the `/jobs` routes (OpenAPI through the route schemas, as the others). */
import { Type as T } from '@sinclair/typebox';

export const JobIdParams = T.Object({
  id: T.String({ pattern: '^[a-z]+-[A-Za-z0-9_-]{1,64}$', description: 'the id POST /jobs/ returned' }),
});

const Status = T.Union(
  ['queued', 'active', 'completed', 'failed'].map((s) => T.Literal(s)),
  { description: 'queued, active (running), completed or failed' },
);

export const JobAccepted = T.Object({
  id: T.String({ description: 'kind and hash of the canonical request: identical requests share it' }),
  status: Status,
  location: T.String({ description: 'where to poll: /jobs/{id}' }),
});

export const JobViewSchema = T.Object({
  id: T.String(),
  kind: T.String(),
  status: Status,
  progress: T.Number({ minimum: 0, maximum: 1 }),
  error: T.Optional(T.Object({ code: T.String(), message: T.String() })),
  result: T.Optional(T.Unknown({ description: 'the JSON result (analyze jobs)' })),
  audio: T.Optional(
    T.Object(
      { contentType: T.String(), bytes: T.Integer() },
      { description: 'an audio result: its type and size; the bytes are at /jobs/{id}/result' },
    ),
  ),
});

export const JobCancelled = T.Object({ id: T.String(), cancelled: T.Literal(true) });
