/**
 * The bridge between the harmony engine (`src/harmony`, pure, with its own {@link HarmonyError})
 * and the rest of OmniSonic (one error catalogue, {@link OmniError}). The CLI and the server
 * both convert harmony errors here, so a bad note means the same code, exit code and HTTP
 * status everywhere.
 */
import { type ErrorCode, OmniError } from './errors.js';
import { silenceReason } from './harmony/analysis/analyze.js';
import { HarmonyError, type HarmonyErrorCode } from './harmony/errors.js';

/** The catalogued code of each harmony error code (all are invalid input: exit 2, HTTP 400). */
export const HARMONY_TO_OMNI: Readonly<Record<HarmonyErrorCode, ErrorCode>> = {
  BAD_NOTE: 'BAD_NOTE',
  BAD_FREQUENCY: 'BAD_FREQUENCY',
  BAD_RATIO: 'BAD_VALUE',
  EMPTY_CHORD: 'BAD_VALUE',
  TOO_MANY_NOTES: 'BAD_VALUE',
  BAD_OPTION: 'BAD_VALUE',
  BAD_AUDIO: 'BAD_AUDIO',
  SILENT_AUDIO: 'BAD_AUDIO',
  BAD_SUGGESTION_ID: 'BAD_VALUE',
  BAD_PROFILE: 'BAD_VALUE',
};

const HINTS: Partial<Record<HarmonyErrorCode, string>> = {
  BAD_NOTE: 'notes look like A4, C#5, Bb3 or A4+15c (octaves -1 to 9)',
  SILENT_AUDIO: 'the file holds only silence (peak below -100 dBFS, or only dither); nothing can be analysed',
  BAD_PROFILE: 'fix or delete the profile file, or start over with --reset-profile',
};

/**
 * Converts a {@link HarmonyError} into an {@link OmniError} with the matching catalogued code,
 * keeping its message and field; anything else is returned unchanged.
 *
 * @example
 * try { suggest(req); } catch (e) { throw toOmniError(e); }
 */
export function toOmniError(e: unknown): unknown {
  if (!(e instanceof HarmonyError)) return e;
  const hint = HINTS[e.code];
  return new OmniError(HARMONY_TO_OMNI[e.code], e.message, {
    ...(e.field !== undefined ? { field: e.field } : {}),
    ...(hint !== undefined ? { hint } : {}),
    cause: e,
  });
}

/**
 * Runs `fn` and rethrows any {@link HarmonyError} as an {@link OmniError}.
 *
 * @example const result = withOmniErrors(() => suggest({ frequencies: ['C4', 'E4'] }));
 */
export function withOmniErrors<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw toOmniError(e);
  }
}

/**
 * Refuses silent audio, by the harmony engine's one rule ({@link silenceReason}: sample peak
 * below -100 dBFS, or nothing but one-step dither of 8- or 16-bit silence).
 *
 * @throws OmniError `BAD_AUDIO`
 * @example assertAudible(audio.channels, 'take.wav');
 */
export function assertAudible(channels: ReadonlyArray<ArrayLike<number>>, name: string): void {
  refuseSilence(silenceReason(channels), name);
}

/**
 * {@link assertAudible} for audio whose {@link silenceReason} was found otherwise (block by block).
 *
 * @throws OmniError `BAD_AUDIO` when `reason` is not null
 * @example refuseSilence(stream.silenceReason(), 'take.wav');
 */
export function refuseSilence(reason: string | null, name: string): void {
  if (reason) {
    throw new OmniError('BAD_AUDIO', `${name}: the audio is silent (${reason})`, {
      hint: 'nothing but silence or dither to analyse; check the file, or raise its level',
    });
  }
}
