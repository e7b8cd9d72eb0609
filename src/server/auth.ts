/**
 * API-key check of the REST endpoints: the key comes in `X-API-Key` or `Authorization: Bearer`
 * and is compared in constant time (SHA-256 digests of equal length, then timingSafeEqual).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { OmniError } from '../errors.js';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * True when `given` equals `expected`, in time that does not depend on where they differ.
 * @example keyMatches('secret', 'secret') // true
 */
export function keyMatches(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  return timingSafeEqual(digest(given), digest(expected));
}

/** The key a request carries: `X-API-Key`, else the token of `Authorization: Bearer`. */
export function keyOf(req: FastifyRequest): string | undefined {
  const header = req.headers['x-api-key'];
  if (typeof header === 'string' && header !== '') return header;
  const auth = req.headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (m) return m[1];
  }
  return undefined;
}

/** An onRequest hook that refuses requests without the right key (no-op when no key is set). */
export function authHook(apiKey: string | undefined) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!apiKey) return;
    const given = keyOf(req);
    if (!keyMatches(given, apiKey)) {
      reply.header('www-authenticate', 'Bearer realm="omnisonic"');
      throw new OmniError(
        'UNAUTHORIZED',
        given === undefined
          ? 'an API key is required (X-API-Key or Authorization: Bearer)'
          : 'the API key is wrong',
      );
    }
  };
}

/** Who a request comes from, for per-client state: a hash of its API key, else its IP. */
export function clientIdOf(req: FastifyRequest): string {
  const key = keyOf(req);
  return key ? `key:${digest(key).toString('base64url').slice(0, 22)}` : `ip:${req.ip}`;
}
