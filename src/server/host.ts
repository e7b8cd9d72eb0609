/**
 * Request checks that run before routing: the Host header of a server without an API key
 * (a page on another site that rebinds its DNS name to 127.0.0.1 must not drive it), and the
 * request id a client may send.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { OmniError } from '../errors.js';

/** Host names a key-less server always answers to. */
export const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

/**
 * The host name of a Host header, lower-case, without its port; undefined when malformed.
 * @example hostnameOf('LocalHost:8000') // 'localhost'
 */
export function hostnameOf(host: string | undefined): string | undefined {
  if (!host) return undefined;
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]/\s@]+)(?::\d{1,5})?$/i.exec(host.trim());
  return m ? m[1]!.toLowerCase() : undefined;
}

/**
 * An onRequest hook (for servers without an API key) that answers 403 HOST_NOT_ALLOWED unless
 * the Host header names a loopback host or one of `allowed` (names, optionally with a port).
 */
export function hostHook(allowed: string[]) {
  const names = new Set([...LOOPBACK_HOSTS, ...allowed.map((h) => hostnameOf(h) ?? h.toLowerCase())]);
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const host = req.headers.host;
    const name = hostnameOf(host);
    if (name === undefined || !names.has(name)) {
      // a refused WebSocket upgrade: its socket is not the HTTP server's to keep alive
      if (req.headers.upgrade) reply.raw.once('finish', () => req.raw.socket?.destroy());
      throw new OmniError(
        'HOST_NOT_ALLOWED',
        `host '${String(host ?? '').slice(0, 100)}' is not served here; without an API key this server answers to ${[...names].join(', ')} (add names with --allowed-hosts)`,
      );
    }
  };
}

/** Request ids clients may choose: short tokens of letters, digits, '.', '_' and '-'. */
export const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** The client's X-Request-Id when it is a safe token, else undefined (the server makes one). */
export function requestIdOf(header: string | string[] | undefined): string | undefined {
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : undefined;
}
