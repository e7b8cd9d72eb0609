import { OmniError } from '../errors.js';
import type { DecodedAudio } from './audio-file.js';
import { decodeToFloatWav, locateFfmpeg } from './ffmpeg.js';

/**
 * Read the WAV that FFmpeg streams out (sizes may be unknown, 0 or 0xFFFFFFFF): rate and
 * channels from `fmt `, samples as 32-bit floats from `data` to the end of the bytes.
 */
export function parseStreamedFloatWav(bytes: Buffer, name: string): DecodedAudio {
  if (
    bytes.length < 12 ||
    bytes.toString('latin1', 0, 4) !== 'RIFF' ||
    bytes.toString('latin1', 8, 12) !== 'WAVE'
  ) {
    throw new OmniError('BAD_AUDIO', `${name}: FFmpeg decoded no audio`);
  }
  let pos = 12;
  let channels = 0;
  let sampleRate = 0;
  while (pos + 8 <= bytes.length) {
    const id = bytes.toString('latin1', pos, pos + 4);
    const size = bytes.readUInt32LE(pos + 4);
    if (id === 'fmt ') {
      channels = bytes.readUInt16LE(pos + 10);
      sampleRate = bytes.readUInt32LE(pos + 12);
    } else if (id === 'data') {
      if (!channels || !sampleRate) break;
      const start = pos + 8;
      const frames = Math.floor((bytes.length - start) / (4 * channels));
      if (frames === 0) throw new OmniError('BAD_AUDIO', `${name}: the file holds no samples`);
      const planar = Array.from({ length: channels }, () => new Float32Array(frames));
      // an aligned copy read as floats (little-endian hosts; others read value by value)
      const le = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
      const all = le
        ? new Float32Array(Uint8Array.from(bytes.subarray(start, start + frames * channels * 4)).buffer)
        : Float32Array.from({ length: frames * channels }, (_, k) => bytes.readFloatLE(start + 4 * k));
      for (let c = 0; c < channels; c++) {
        const dst = planar[c]!;
        for (let i = 0, k = c; i < frames; i++, k += channels) dst[i] = all[k]!;
      }
      return { sampleRate, channels: planar };
    }
    pos += 8 + size + (size & 1);
  }
  throw new OmniError('BAD_AUDIO', `${name}: FFmpeg produced no readable samples`);
}

/**
 * Decode any audio file FFmpeg can read (mp3, ogg, opus, flac, m4a, ...) to planar floats, mono
 * or stereo (more channels are mixed down). `sampleRate` asks FFmpeg to resample.
 *
 * @example
 * const { sampleRate, channels } = await decodeWithFfmpeg('rain.ogg');
 */
export async function decodeWithFfmpeg(path: string, sampleRate?: number): Promise<DecodedAudio> {
  const location = locateFfmpeg();
  const bytes = await decodeToFloatWav(location, path, sampleRate);
  return parseStreamedFloatWav(bytes, path);
}
