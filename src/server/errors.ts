/**
 * The server's error handler: every failure becomes `{ error: { code, message, field? } }`
 * with the HTTP status of the error catalogue. Validation errors name the field; a 5xx says
 * only "internal error" and the request id, and the details go to the log.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CODES, type ErrorCode, isOmniError } from '../errors.js';
import { HarmonyError } from '../harmony/errors.js';
import { HARMONY_TO_OMNI } from '../harmony-bridge.js';

/** Body of every error response. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; field?: string };
}

interface AjvError {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}

/** `/layers/0/frequency` -> `layers[0].frequency` */
export function fieldOf(path: string, extra?: string): string {
  const parts = path.split('/').filter(Boolean);
  if (extra) parts.push(extra);
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

const CODE_BY_FIELD: [RegExp, ErrorCode][] = [
  [/(^|\.)frequenc(y|ies)(\[\d+\])?$/, 'BAD_FREQUENCY'],
  [/(^|\.)(waveform|noise)$/, 'BAD_WAVEFORM'],
  [/(^|\.)duration$/, 'BAD_DURATION'],
  [/(^|\.)(gain|amplitude)$/, 'BAD_GAIN'],
];

function validationBody(errors: AjvError[], context: string): { status: number; body: ErrorBody } {
  // a union reports each branch; the most specific error is the deepest path
  const e = [...errors].sort((a, b) => b.instancePath.length - a.instancePath.length)[0]!;
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
  if (e.keyword === 'required') message = `${where}: is required`;
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
  } else message = `${where}: ${e.message ?? 'invalid'}`;
  const code = CODE_BY_FIELD.find(([re]) => re.test(field))?.[1] ?? 'BAD_VALUE';
  return { status: 400, body: { error: { code, message, ...(field ? { field } : {}) } } };
}

/** Status and body of any error thrown while handling a request. */
export function errorResponse(err: unknown): { status: number; body: ErrorBody; internal: boolean } {
  if (isOmniError(err)) {
    const status = ERROR_CODES[err.code].http;
    const body: ErrorBody = { error: { code: err.code, message: err.message } };
    if (err.field) body.error.field = err.field;
    // a busy server says why and when to retry; other 5xx keep their details in the log
    if (status >= 500 && err.code !== 'OVERLOADED')
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
      return simple('BAD_MEDIA_TYPE', `unsupported content type; send application/json`);
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
  const { status, body, internal } = errorResponse(err);
  if (internal) {
    req.log.error({ err }, 'request failed');
    body.error.message = `${body.error.message} (request id ${req.id})`;
  } else {
    req.log.info({ code: body.error.code, field: body.error.field }, body.error.message);
  }
  if (status === 429 && !reply.hasHeader('retry-after')) reply.header('retry-after', '60');
  reply.code(status).type('application/json; charset=utf-8').send(body);
}

/** 404 for unknown routes, in the same shape. */
export function notFoundHandler(req: FastifyRequest, reply: FastifyReply): void {
  reply.code(404).send({
    error: { code: 'NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` },
  } satisfies ErrorBody);
}
