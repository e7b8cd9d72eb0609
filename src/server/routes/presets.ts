/** `GET /presets/`, `GET /presets/{name}` and `GET /presets/schema.json`. */
import { readFile } from 'node:fs/promises';
import { Type as T } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { invalid } from '../../errors.js';
import { findPreset, listPresets } from '../../presets/resolve.js';
import { SCHEMA_URL } from '../../presets/validate.js';
import { errorResponses, PresetName } from '../schemas.js';

const PresetSummary = T.Object({
  name: T.String(),
  description: T.String(),
  tags: T.Array(T.String()),
  duration: T.Number({ description: 'seconds' }),
  layers: T.Integer(),
  steps: T.Integer({ description: 'timeline steps' }),
  origin: T.String({ description: 'builtin, user or dir' }),
});

/** Registers the preset endpoints. */
export async function presetRoutes(app: FastifyInstance): Promise<void> {
  const lookup = () => (app.omni.presetDirs ? { presetDirs: app.omni.presetDirs } : {});
  app.get(
    '/presets/',
    {
      schema: {
        summary: 'List presets',
        tags: ['presets'],
        response: {
          200: T.Object({ presets: T.Array(PresetSummary) }),
          ...errorResponses(401, 403, 429),
        },
      },
    },
    async () => {
      const all = await listPresets(lookup());
      const presets = all
        .filter((p) => p.error === undefined)
        .map(({ name, description, tags, duration, layers, steps, origin }) => ({
          name,
          description,
          tags,
          duration: Number.isFinite(duration) ? duration : -1,
          layers,
          steps,
          origin,
        }));
      return { presets };
    },
  );

  app.get(
    '/presets/schema.json',
    {
      schema: {
        summary: 'The JSON Schema of presets',
        description: 'presets/schema.json (draft 2020-12), the schema of preset files and inline presets.',
        tags: ['presets'],
        response: {
          200: T.Object({}, { additionalProperties: true, description: 'a JSON Schema' }),
          ...errorResponses(401, 403, 429),
        },
      },
    },
    async (_req, reply) =>
      reply.type('application/json; charset=utf-8').send(await readFile(SCHEMA_URL, 'utf8')),
  );

  app.get<{ Params: { name: string } }>(
    '/presets/:name',
    {
      schema: {
        summary: 'One preset (its JSON)',
        tags: ['presets'],
        params: PresetName,
        response: {
          200: T.Object({}, { additionalProperties: true, description: 'the preset (presets/schema.json)' }),
          ...errorResponses(400, 401, 403, 404, 429),
        },
      },
    },
    async (req, reply) => {
      const { name } = req.params;
      if (name.endsWith('.json')) throw invalid('NOT_FOUND', `no preset named '${name}'`, 'name');
      const { file } = findPreset(name, lookup());
      const text = await readFile(file, 'utf8');
      return reply.type('application/json; charset=utf-8').send(text);
    },
  );
}
