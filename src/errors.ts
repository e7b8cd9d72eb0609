/**
 * The one catalogue of OmniSonic's error codes: each has its exit code (CLI) and HTTP status
 * (server). Code that fails throws an {@link OmniError} with one of these codes; only the CLI's
 * entry prints errors and sets the exit code, and only the server's error handler maps them to
 * HTTP responses.
 */
export const ERROR_CODES = {
  BAD_FREQUENCY: { exit: 2, http: 400, summary: 'a frequency is not a positive number below Nyquist' },
  BAD_NOTE: { exit: 2, http: 400, summary: 'a note name is not understood or out of range' },
  BAD_DURATION: { exit: 2, http: 400, summary: 'a duration is not a number of seconds, 90s, 2m, 1h or inf' },
  BAD_GAIN: { exit: 2, http: 400, summary: 'a gain is not a linear factor or a dB value' },
  BAD_WAVEFORM: { exit: 2, http: 400, summary: 'a waveform or noise colour is not one of the known names' },
  BAD_LAYER: { exit: 2, http: 400, summary: 'a mix layer does not follow <freq>[:<wave>][@<gain>][~<pan>]' },
  BAD_VALUE: { exit: 2, http: 400, summary: 'an option or field has a value out of its range' },
  BAD_USAGE: { exit: 2, http: 400, summary: 'the command line is incomplete or contradictory' },
  BAD_AUDIO: { exit: 2, http: 400, summary: 'an audio file is unreadable, empty or corrupt' },
  BAD_PRESET: { exit: 2, http: 400, summary: 'a preset file is invalid' },
  BAD_MIDI: { exit: 2, http: 400, summary: 'a MIDI file is truncated, corrupt or absurd' },
  BAD_SOUNDFONT: {
    exit: 2,
    http: 400,
    summary: 'a SoundFont or DLS bank is not a bank the synthesizer can read',
  },
  NOT_FOUND: { exit: 2, http: 404, summary: 'a named preset or file does not exist' },
  TOO_LONG: { exit: 2, http: 413, summary: 'the output would exceed a size or duration limit' },
  TOO_LARGE: { exit: 2, http: 413, summary: 'a request body or layer list is too large' },
  BAD_MESSAGE: {
    exit: 2,
    http: 400,
    summary: 'a WebSocket message is not valid JSON, has an unknown type, or is binary',
  },
  TOO_MANY_SESSIONS: {
    exit: 1,
    http: 503,
    summary: 'the server already holds its maximum number of live sessions',
  },
  SLOW_CONSUMER: { exit: 1, http: 503, summary: 'a WebSocket client reads audio slower than real time' },
  OVERLOADED: {
    exit: 1,
    http: 503,
    summary: 'the server is at its limit of concurrent heavy jobs or of memory; retry after Retry-After',
  },
  CANCELLED: { exit: 1, http: 499, summary: 'a job was cancelled: its client went away or it was deleted' },
  QUEUE_UNAVAILABLE: {
    exit: 1,
    http: 503,
    summary: 'the job queue (Redis) cannot be reached; the synchronous endpoints still serve',
  },
  JOB_NOT_READY: { exit: 1, http: 409, summary: 'the job has no result yet, or it failed' },
  BAD_JSON: { exit: 2, http: 400, summary: 'a request body is not valid JSON' },
  BAD_MEDIA_TYPE: {
    exit: 2,
    http: 415,
    summary: 'a request body has a content type the endpoint does not take',
  },
  UNAUTHORIZED: { exit: 2, http: 401, summary: 'the API key is missing or wrong' },
  HOST_NOT_ALLOWED: {
    exit: 2,
    http: 403,
    summary: 'the Host header names no host a server without an API key answers to',
  },
  METHOD_NOT_ALLOWED: { exit: 2, http: 405, summary: 'the HTTP method is not allowed on this path' },
  RATE_LIMITED: { exit: 1, http: 429, summary: 'too many requests from this client' },
  IO_ERROR: { exit: 1, http: 500, summary: 'a file could not be read or written' },
  ENCODER_MISSING: { exit: 1, http: 500, summary: 'FFmpeg is not installed or not found' },
  ENCODER_FAILED: { exit: 1, http: 500, summary: 'FFmpeg failed while encoding' },
  NO_AUDIO_DEVICE: { exit: 1, http: 500, summary: 'no sound card or audio output could be opened' },
  MIDI_UNAVAILABLE: { exit: 1, http: 500, summary: 'MIDI input is not available on this machine' },
  SERVER_ERROR: { exit: 1, http: 500, summary: 'the server could not start or failed' },
  INTERRUPTED: { exit: 130, http: 499, summary: 'stopped by a signal (Ctrl-C) before it was complete' },
  INTERNAL: { exit: 1, http: 500, summary: 'an unexpected internal error' },
} as const satisfies Record<string, { exit: 1 | 2 | 130; http: number; summary: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An error with a catalogued code, a one-line message, and optionally the field and a hint. */
export class OmniError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly hint: string | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    opts: { field?: string; hint?: string; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'OmniError';
    this.code = code;
    this.field = opts.field;
    this.hint = opts.hint;
  }

  /** Exit code of the CLI for this error (1 runtime failure, 2 bad input, 130 interrupted). */
  get exitCode(): 1 | 2 | 130 {
    return ERROR_CODES[this.code].exit;
  }

  /** HTTP status of the server for this error. */
  get httpStatus(): number {
    return ERROR_CODES[this.code].http;
  }
}

/** Shorthand for a bad-input error. */
export function invalid(code: ErrorCode, message: string, field?: string, hint?: string): OmniError {
  return new OmniError(code, message, { field, hint });
}

/** True when `e` is an {@link OmniError}. */
export function isOmniError(e: unknown): e is OmniError {
  return e instanceof OmniError;
}
