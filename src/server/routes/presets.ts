/** `GET /presets/` and `GET /presets/{name}`. */
import { readFile } from 'node:fs/promises';
import { Type as T } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { invalid } from '../../errors.js';
import { findPreset, listPresets } from '../../presets/resolve.js';
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
        response: { 200: T.Object({ presets: T.Array(PresetSummary) }), ...errorResponses(401, 429) },
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

  app.get<{ Params: { name: string } }>(
    '/presets/:name',
    {
      schema: {
        summary: 'One preset (its JSON)',
        tags: ['presets'],
        params: PresetName,
        response: {
          200: T.Object({}, { additionalProperties: true, description: 'the preset (presets/schema.json)' }),
          ...errorResponses(401, 404, 429),
        },
      },
    },
    async (req, reply) => {
      const { name } = req.params;
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) || name.endsWith('.json')) {
        throw invalid('NOT_FOUND', `no preset named '${name}'`, 'name');
      }
      const { file } = findPreset(name, lookup());
      const text = await readFile(file, 'utf8');
      return reply.type('application/json; charset=utf-8').send(text);
    },
  );
}
