import { readFileSync, statSync } from 'node:fs';
import wavefilePkg from 'wavefile';
import { resample } from '../dsp/resample.js';
import { OmniError } from '../errors.js';
import { ioError } from './sinks.js';

const { WaveFile } = wavefilePkg;

/** Decoded audio: planar channels as floats in [-1, 1]. */
export interface DecodedAudio {
  sampleRate: number;
  channels: Float32Array[];
}

/** Largest audio file read into memory. */
const MAX_FILE_BYTES = 1 << 30;

/**
 * Decode a WAV file (PCM 8-32 bit or float) from bytes. Throws BAD_AUDIO for anything that is
 * not a readable, non-empty WAV.
 */
export function decodeWav(bytes: Uint8Array, name: string): DecodedAudio {
  const wav = new WaveFile();
  try {
    wav.fromBuffer(bytes);
  } catch (e) {
    throw new OmniError('BAD_AUDIO', `${name}: not a readable WAV file (${(e as Error).message})`, {
      cause: e,
    });
  }
  const fmt = wav.fmt as {
    sampleRate: number;
    numChannels: number;
    audioFormat: number;
    bitsPerSample: number;
  };
  const bits = wav.bitDepth;
  if (!fmt.sampleRate || !fmt.numChannels)
    throw new OmniError('BAD_AUDIO', `${name}: WAV header has no rate or channels`);
  let raw: Float64Array[];
  try {
    const s = wav.getSamples(false, Float64Array) as unknown as Float64Array | Float64Array[];
    raw = fmt.numChannels === 1 ? [s as Float64Array] : (s as Float64Array[]);
  } catch (e) {
    throw new OmniError('BAD_AUDIO', `${name}: cannot decode ${bits}-bit WAV data`, { cause: e });
  }
  if (raw.length === 0 || raw[0]!.length === 0)
    throw new OmniError('BAD_AUDIO', `${name}: the WAV holds no samples`);
  const isFloat = bits === '32f' || bits === '64';
  const scale = isFloat ? 1 : bits === '8' ? 1 / 128 : 1 / 2 ** (Number(bits) - 1);
  const offset = bits === '8' ? -128 : 0;
  const channels = raw.map((ch) => {
    const out = new Float32Array(ch.length);
    for (let i = 0; i < ch.length; i++) out[i] = (ch[i]! + offset) * scale;
    return out;
  });
  return { sampleRate: fmt.sampleRate, channels };
}

/**
 * Read an audio file as planar floats at `sampleRate` (resampled when needed). WAV is read
 * directly; other formats are decoded through FFmpeg when it is installed.
 */
export async function readAudioFile(path: string, sampleRate?: number): Promise<DecodedAudio> {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw new OmniError('NOT_FOUND', `${path}: no such file`);
    throw ioError(e, path, 'read');
  }
  if (size === 0) throw new OmniError('BAD_AUDIO', `${path}: the file is empty`);
  if (size > MAX_FILE_BYTES) throw new OmniError('BAD_AUDIO', `${path}: larger than 1 GiB`);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw ioError(e, path, 'read');
  }
  const isWav = bytes.length >= 12 && Buffer.from(bytes.subarray(0, 4)).toString('latin1') === 'RIFF';
  let audio: DecodedAudio;
  if (isWav) audio = decodeWav(bytes, path);
  else {
    const { decodeWithFfmpeg } = await import('./decode.js');
    audio = await decodeWithFfmpeg(path);
  }
  if (sampleRate !== undefined && audio.sampleRate !== sampleRate) {
    audio = { sampleRate, channels: audio.channels.map((c) => resample(c, audio.sampleRate, sampleRate)) };
  }
  return audio;
}
