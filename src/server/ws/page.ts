import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { packagePath } from '../../package-root.js';

/** Folder of the control page (`public/` at the package root, from both `src/` and `dist/`). */
export const PUBLIC_DIR = packagePath('public');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** Options of {@link pagePlugin}. */
export interface PageOptions {
  /** Folder to serve (default {@link PUBLIC_DIR}). */
  dir?: string;
}

/**
 * Fastify plugin of the control page: `GET /` is `public/index.html`, `GET /ui/<file>` the
 * page's scripts and styles from `public/ui/` (flat names only, no traversal). Responses carry an ETag and
 * `Cache-Control: no-cache`, so browsers revalidate (304) and never run a stale script after
 * an upgrade.
 *
 * @example await app.register(pagePlugin);
 */
export const pagePlugin: FastifyPluginAsync<PageOptions> = async (fastify, opts) => {
  const dir = opts.dir ?? PUBLIC_DIR;
  const send = async (
    name: string,
    sub: string,
    req: FastifyRequest,
    reply: FastifyReply,
  ): Promise<FastifyReply> => {
    const type = TYPES[extname(name)];
    if (!type || !/^[\w-]+(\.[\w-]+)*$/.test(name)) {
      return reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no page file '${name}'` } });
    }
    let body: Buffer;
    try {
      body = await readFile(join(dir, sub, name));
    } catch {
      return reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no page file '${name}'` } });
    }
    const etag = `"${createHash('sha1').update(body).digest('base64url').slice(0, 20)}"`;
    reply.header('cache-control', 'no-cache').header('etag', etag).type(type);
    if (req.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.send(body);
  };
  fastify.get('/', { schema: { hide: true } }, (req, reply) => send('index.html', '', req, reply));
  fastify.get('/ui/:file', { schema: { hide: true } }, (req, reply) =>
    send((req.params as { file: string }).file, 'ui/', req, reply),
  );
};
