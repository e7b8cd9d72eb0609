/**
 * Security headers of the server (helmet) and its Content-Security-Policy. Scripts load only
 * from the server itself (no inline scripts anywhere: the control page and Swagger UI load
 * theirs from files). `upgrade-insecure-requests` is sent only on requests that came over
 * https (directly, or behind a trusted proxy that says so): over plain http on a LAN name it
 * would make the browser fetch the page's scripts and styles over https, which is not there.
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

/**
 * Register helmet with {@link CSP_DIRECTIVES}, adding `upgrade-insecure-requests` to the policy
 * of https requests only.
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
    const csp = reply.getHeader('content-security-policy');
    if (typeof csp === 'string' && overHttps(req) && !csp.includes('upgrade-insecure-requests')) {
      reply.header('content-security-policy', `${csp};upgrade-insecure-requests`);
    }
    return payload;
  });
}
