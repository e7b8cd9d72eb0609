/**
 * Security headers of the server (helmet) and its Content-Security-Policy. Scripts load only
 * from the server itself (no inline scripts anywhere: the control page and Swagger UI load
 * theirs from files). `upgrade-insecure-requests` is sent only on requests that came over
 * https (directly, or behind a trusted proxy that says so): over plain http on a LAN name it
 * would make the browser fetch the page's scripts and styles over https, which is not there.
 * For the same reason Cross-Origin-Opener-Policy goes only to https and loopback names: on plain
 * http elsewhere browsers ignore it and log an error on every page load.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** The policy's directives (helmet's names), without `upgrade-insecure-requests`. */
export const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  mediaSrc: ["'self'", 'blob:', 'data:'],
  connectSrc: ["'self'", 'ws:', 'wss:'],
  upgradeInsecureRequests: null,
};

/** True when the request reached the server (or the trusted proxy in front) over https. */
function overHttps(req: FastifyRequest): boolean {
  return req.protocol === 'https';
}

/** True for a Host header naming this machine's loopback interface. */
function loopbackHost(host: string | undefined): boolean {
  const name = (host ?? '').replace(/:\d+$/, '').toLowerCase();
  return /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/.test(name) || name.endsWith('.localhost');
}

/**
 * Register helmet with {@link CSP_DIRECTIVES}, adding `upgrade-insecure-requests` to the policy
 * of https requests only, and Cross-Origin-Opener-Policy to https and loopback requests only.
 * @example await registerSecurityHeaders(app, { crossOrigin: false });
 */
export async function registerSecurityHeaders(
  app: FastifyInstance,
  opts: { crossOrigin: boolean },
): Promise<void> {
  const { default: helmet } = await import('@fastify/helmet');
  await app.register(helmet, {
    contentSecurityPolicy: { directives: CSP_DIRECTIVES },
    crossOriginResourcePolicy: { policy: opts.crossOrigin ? 'cross-origin' : 'same-origin' },
  });
  app.addHook('onSend', async (req, reply, payload) => {
    const https = overHttps(req);
    const csp = reply.getHeader('content-security-policy');
    if (typeof csp === 'string' && https && !csp.includes('upgrade-insecure-requests')) {
      reply.header('content-security-policy', `${csp};upgrade-insecure-requests`);
    }
    if (!https && !loopbackHost(req.headers.host)) reply.removeHeader('cross-origin-opener-policy');
    return payload;
  });
}
