import { OmniError } from '../errors.js';
import type { DecodedAudio } from './audio-file.js';

/** Decode a non-WAV audio file through FFmpeg. */
export async function decodeWithFfmpeg(path: string): Promise<DecodedAudio> {
  throw new OmniError('BAD_AUDIO', `${path}: not a WAV file (other formats need FFmpeg decoding, not built yet)`);
}
