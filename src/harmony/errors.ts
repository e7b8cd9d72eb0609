/**
 * Errors raised by the harmony engine. Every error carries a stable `code` so the CLI and the
 * server can map it to an exit code or HTTP status without parsing messages.
 */

/** Error codes of the harmony engine, with a one-line description of each. */
export const HARMONY_ERROR_CODES = {
  BAD_NOTE: 'a note name could not be parsed or is out of range',
  BAD_FREQUENCY: 'a frequency is not a positive finite number (or is out of range)',
  BAD_RATIO: 'a ratio is not a positive finite number',
  EMPTY_CHORD: 'no frequencies were given',
  TOO_MANY_NOTES: 'more notes were given than the models accept',
  BAD_OPTION: 'an option has an invalid value',
  BAD_AUDIO: 'audio samples are empty, non-finite or have an invalid sample rate',
  SILENT_AUDIO: 'the audio is silent, so nothing can be analysed',
  BAD_SUGGESTION_ID: 'a suggestion id could not be decoded',
  BAD_PROFILE: 'an adaptive profile object is malformed',
} as const;

/** One of the keys of {@link HARMONY_ERROR_CODES}. */
export type HarmonyErrorCode = keyof typeof HARMONY_ERROR_CODES;

/**
 * An invalid-input error from the harmony engine (CLI exit code 2, HTTP 400).
 *
 * @example
 * try { parseNote('H4'); } catch (e) { if (e instanceof HarmonyError) console.log(e.code); }
 */
export class HarmonyError extends Error {
  readonly code: HarmonyErrorCode;
  /** The offending input field, when one is known (e.g. `frequencies[2]`). */
  readonly field: string | undefined;

  constructor(code: HarmonyErrorCode, message: string, field?: string) {
    super(message);
    this.name = 'HarmonyError';
    this.code = code;
    this.field = field;
  }
}
