/**
 * The server's error handler: every failure becomes `{ error: { code, message, field? } }`
 * with the HTTP status of the error catalogue. Validation errors name the field; a 5xx says
 * only "internal error" and the request id, and the details go to the log.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CODES, type ErrorCode, isOmniError } from '../errors.js';
import { HarmonyError } from '../harmony/errors.js';
import { HARMONY_TO_OMNI } from '../harmony-bridge.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The content type a route takes, named in its 415 answers (default application/json). */
    accepts?: string;
  }
}

/** Body of every error response. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; field?: string };
}

interface AjvError {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
  /** With ajv's `verbose` option: the schema holding the failed keyword. */
  parentSchema?: { description?: string };
}

/** `/layers/0/frequency` -> `layers[0].frequency` */
export function fieldOf(path: string, extra?: string): string {
  const parts = path.split('/').filter(Boolean);
  if (extra) parts.push(extra);
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

const CODE_BY_FIELD: [RegExp, ErrorCode][] = [
  [/^preset(\.|\[|$)/, 'BAD_PRESET'],
  [/(^|\.)frequenc(y|ies)(\[\d+\])?$/, 'BAD_FREQUENCY'],
  [/(^|\.)(waveform|noise)$/, 'BAD_WAVEFORM'],
  [/(^|\.)duration$/, 'BAD_DURATION'],
  [/(^|\.)(gain|amplitude)$/, 'BAD_GAIN'],
];

function validationBody(errors: AjvError[], context: string): { status: number; body: ErrorBody } {
  // a union reports each branch; the most specific error is the deepest path, and there a
  // broken pattern (the text branch) says more than the number branch's type
  const depth = Math.max(...errors.map((x) => x.instancePath.length));
  const deepest = errors.filter((x) => x.instancePath.length === depth);
  const e =
    deepest.find((x) => x.keyword === 'oneOf') ?? deepest.find((x) => x.keyword === 'pattern') ?? deepest[0]!;
  const extra =
    e.keyword === 'required'
      ? String(e.params.missingProperty)
      : e.keyword === 'additionalProperties'
        ? String(e.params.additionalProperty)
        : undefined;
  const field = fieldOf(e.instancePath, extra);
  const where = field || context;
  if (e.keyword === 'maxItems' && field === 'layers') {
    return {
      status: 413,
      body: { error: { code: 'TOO_LARGE', message: `layers: at most ${e.params.limit} layers`, field } },
    };
  }
  let message: string;
  const code = CODE_BY_FIELD.find(([re]) => re.test(field))?.[1] ?? 'BAD_VALUE';
  if (e.keyword === 'pattern' && code === 'BAD_FREQUENCY') {
    return {
      status: 400,
      body: {
        error: { code: 'BAD_NOTE', message: `${where}: neither a frequency in Hz nor a note name`, field },
      },
    };
  }
  if (e.keyword === 'pattern') message = `${where}: does not match ${e.params.pattern}`;
  else if (e.keyword === 'required') message = `${where}: is required`;
  else if (e.keyword === 'additionalProperties') message = `${where}: unknown field`;
  else if (e.keyword === 'anyOf' || e.keyword === 'type') {
    const types = errors
      .filter((x) => x.instancePath === e.instancePath && x.keyword === 'type')
      .map((x) => String(x.params.type));
    message = `${where}: must be ${[...new Set(types)].join(' or ') || 'of another type'}`;
  } else if (e.keyword === 'const' || e.keyword === 'enum') {
    const allowed = errors
      .filter((x) => x.instancePath === e.instancePath && x.keyword === 'const')
      .map((x) => JSON.stringify(x.params.allowedValue));
    message = `${where}: must be one of ${allowed.join(', ') || 'the allowed values'}`;
  } else if (e.keyword === 'oneOf') {
    const described = e.parentSchema?.description;
    message = `${where}: must be ${described ?? 'exactly one of the forms the OpenAPI document gives'}`;
    if (/^layers\[\d+\]$/.test(field))
      return { status: 400, body: { error: { code: 'BAD_LAYER', message, field } } };
  } else message = `${where}: ${e.message ?? 'invalid'}`;
  return { status: 400, body: { error: { code, message, ...(field ? { field } : {}) } } };
}

/** Status and body of any error thrown while handling a request; `accepts` names what the route takes. */
export function errorResponse(
  err: unknown,
  accepts = 'application/json',
): { status: number; body: ErrorBody; internal: boolean } {
  if (isOmniError(err)) {
    const status = ERROR_CODES[err.code].http;
    const body: ErrorBody = { error: { code: err.code, message: err.message } };
    if (err.field) body.error.field = err.field;
    if (status >= 500)
      return {
        status,
        body: { error: { code: err.code, message: ERROR_CODES[err.code].summary } },
        internal: true,
      };
    return { status, body, internal: false };
  }
  if (err instanceof HarmonyError) {
    const code = HARMONY_TO_OMNI[err.code] ?? 'BAD_VALUE';
    return {
      status: 400,
      body: { error: { code, message: err.message, ...(err.field ? { field: err.field } : {}) } },
      internal: false,
    };
  }
  const fe = err as FastifyError & { validation?: AjvError[]; validationContext?: string };
  if (fe && Array.isArray(fe.validation)) {
    return { ...validationBody(fe.validation, fe.validationContext ?? 'body'), internal: false };
  }
  const status = typeof fe?.statusCode === 'number' ? fe.statusCode : 500;
  const simple = (code: ErrorCode, message: string) => ({
    status: ERROR_CODES[code].http,
    body: { error: { code, message } },
    internal: false,
  });
  switch (fe?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return simple('TOO_LARGE', 'the request body is larger than the limit');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_TYPE':
      return simple('BAD_MEDIA_TYPE', `unsupported content type; send ${accepts}`);
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return simple('BAD_VALUE', 'a path parameter is longer than 100 characters');
    case 'FST_ERR_BAD_URL':
      return simple('BAD_VALUE', 'the URL is malformed');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return simple(
        'BAD_JSON',
        `the body is not valid JSON${fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ? ' (empty)' : ''}`,
      );
    case 'RATE_LIMITED':
      return simple('RATE_LIMITED', fe.message);
  }
  if (status === 429) return simple('RATE_LIMITED', 'too many requests');
  if (status === 413) return simple('TOO_LARGE', 'the request is too large');
  if (status === 415) return simple('BAD_MEDIA_TYPE', 'unsupported content type');
  if (status === 404) return simple('NOT_FOUND', 'not found');
  if (status >= 400 && status < 500) {
    // other client errors of Fastify (bad content length, JSON syntax, ...)
    const code: ErrorCode = fe instanceof SyntaxError ? 'BAD_JSON' : 'BAD_VALUE';
    return {
      status,
      body: { error: { code, message: fe.message.split('\n')[0] ?? 'bad request' } },
      internal: false,
    };
  }
  return { status: 500, body: { error: { code: 'INTERNAL', message: 'internal error' } }, internal: true };
}

/** Fastify error handler (see {@link errorResponse}). */
export function errorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const { status, body, internal } = errorResponse(err, req.routeOptions.config?.accepts);
  if (internal) {
    req.log.error({ err }, 'request failed');
    body.error.message = `${body.error.message} (request id ${req.id})`;
  } else {
    req.log.info({ code: body.error.code, field: body.error.field }, body.error.message);
  }
  if (status === 429 && !reply.hasHeader('retry-after')) reply.header('retry-after', '60');
  reply.code(status).type('application/json; charset=utf-8').send(body);
}

/**
 * 404 for unknown routes, in the same shape; 405 with `Allow` for a known path asked with
 * another method (TRACE, PUT on a GET route, ...). `allowed` gives the methods of a path.
 */
export function notFoundHandler(allowed: (path: string) => string[]) {
  return (req: FastifyRequest, reply: FastifyReply): void => {
    const path = req.url.split('?')[0] ?? '/';
    const methods = allowed(path);
    if (methods.length > 0) {
      reply
        .code(405)
        .header('allow', methods.join(', '))
        .send({
          error: {
            code: 'METHOD_NOT_ALLOWED',
            message: `${req.method} is not allowed on ${path}; use ${methods.join(', ')}`,
          },
        } satisfies ErrorBody);
      return;
    }
    reply.code(404).send({
      error: { code: 'NOT_FOUND', message: `no route ${req.method} ${path}` },
    } satisfies ErrorBody);
  };
}

/** Routes' methods by path pattern, for 405 answers (fed by an onRoute hook). */
export class RouteMethods {
  private readonly routes: { re: RegExp; methods: Set<string> }[] = [];

  /** Records `method` on the path pattern `url` (`/presets/:name`, `/docs/*`). */
  add(url: string, method: string | string[]): void {
    const source = `^${url
      .split('/')
      .map((part) =>
        part === '*' ? '.*' : part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
      )
      .join('/')}$`;
    let route = this.routes.find((r) => r.re.source === new RegExp(source).source);
    if (!route) {
      route = { re: new RegExp(source), methods: new Set() };
      this.routes.push(route);
    }
    for (const m of Array.isArray(method) ? method : [method]) route.methods.add(m.toUpperCase());
  }

  /** Methods allowed on `path`, sorted; empty when no route matches it. */
  of(path: string): string[] {
    const out = new Set<string>();
    for (const r of this.routes) if (r.re.test(path)) for (const m of r.methods) out.add(m);
    return [...out].sort();
  }
}

/**
 * Errors of established WebSocket connections (@fastify/websocket): the ones a client causes
 * (a message over the size limit, bad UTF-8, a bad frame) are client errors, logged at warn
 * without a stack; anything else is logged as an error. The socket is closed either way.
 */
export function wsErrorHandler(
  error: Error & { code?: string },
  socket: { terminate(): void },
  req: FastifyRequest,
): void {
  if (typeof error.code === 'string' && error.code.startsWith('WS_ERR_')) {
    req.log.warn({ code: error.code, reason: error.message }, 'websocket client error: connection closed');
  } else {
    req.log.error({ err: error }, 'websocket connection failed');
  }
  socket.terminate();
}
