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
  let data: Uint8Array;
  try {
    // the header only: the samples are read in place below, not copied first (a 50 MB file
    // would be held twice)
    wav.fromBuffer(bytes, false);
    const start = dataStart(bytes);
    const size = (wav.data as { chunkSize: number }).chunkSize;
    data = bytes.subarray(start, Math.min(bytes.length, start + size));
  } catch (e) {
    throw new OmniError('BAD_AUDIO', `${name}: not a readable WAV file (${(e as Error).message})`, {
      cause: e,
    });
  }
  const { sampleRate, channels: ch, width, isFloat, bits, decodable } = wavFormat(wav, name);
  const frames = Math.floor(data.length / (width * ch));
  if (frames === 0) throw new OmniError('BAD_AUDIO', `${name}: the WAV holds no samples`);
  if (!decodable) throw new OmniError('BAD_AUDIO', `${name}: cannot decode ${bits}-bit WAV data`);
  // wavefile parses the container; the samples are converted here with typed arrays (fast)
  const channels = Array.from({ length: ch }, () => new Float32Array(frames));
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const stride = width * ch;
  for (let c = 0; c < ch; c++) {
    const out = channels[c]!;
    let p = c * width;
    for (let i = 0; i < frames; i++, p += stride) out[i] = sampleAt(view, p, width, isFloat);
  }
  return { sampleRate, channels };
}

/** The sample format of a parsed WAV header, as {@link decodeWav} and `WavStream` read it. */
export interface WavFormat {
  sampleRate: number;
  channels: number;
  /** Bytes per sample. */
  width: number;
  isFloat: boolean;
  /** wavefile's bit depth ('16', '24', '32f', ...). */
  bits: string;
  /** Whether the samples can be converted (8/16/24/32-bit integers, 32/64-bit floats). */
  decodable: boolean;
}

/**
 * The checks of a WAV header shared by the decoders: a rate and channels, and an uncompressed
 * encoding. Throws BAD_AUDIO naming `name` otherwise.
 */
export function wavFormat(wav: InstanceType<typeof WaveFile>, name: string): WavFormat {
  const fmt = wav.fmt as { sampleRate: number; numChannels: number; audioFormat: number };
  const bits = wav.bitDepth;
  if (!fmt.sampleRate || !fmt.numChannels)
    throw new OmniError('BAD_AUDIO', `${name}: WAV header has no rate or channels`);
  // WAVE_FORMAT_EXTENSIBLE keeps the sample type in the first field of its subformat GUID
  const subformat = (wav.fmt as { subformat?: number[] }).subformat?.[0];
  // PCM (1) and IEEE float (3), plain or extensible: any other tag (MP3 0x55, ADPCM, A-law...)
  // holds compressed data that must not be read as samples
  const tag = fmt.audioFormat === 0xfffe ? subformat : fmt.audioFormat;
  if (tag !== 1 && tag !== 3) {
    throw new OmniError(
      'BAD_AUDIO',
      `${name}: unsupported WAV encoding (format tag 0x${(tag ?? fmt.audioFormat).toString(16)}); only PCM and float WAV files are read`,
      { hint: 'convert it first, e.g. ffmpeg -i in.wav -c:a pcm_s16le out.wav' },
    );
  }
  const isFloat =
    fmt.audioFormat === 3 ||
    (fmt.audioFormat === 0xfffe && subformat === 3) ||
    bits === '32f' ||
    bits === '64';
  const width = Number.parseInt(bits, 10) / 8;
  const decodable = [1, 2, 3, 4, 8].includes(width) && (!isFloat || width === 4 || width === 8);
  return { sampleRate: fmt.sampleRate, channels: fmt.numChannels, width, isFloat, bits, decodable };
}

/**
 * Where the samples of the `data` chunk begin: the chunks after the 12-byte RIFF/RIFX/RF64
 * header are walked (id, 32-bit size, padded to even). wavefile has parsed the header already.
 */
function dataStart(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const little = String.fromCharCode(...bytes.subarray(0, 4)) !== 'RIFX';
  let p = 12;
  while (p + 8 <= bytes.length) {
    const id = String.fromCharCode(...bytes.subarray(p, p + 4));
    if (id === 'data') return p + 8;
    const size = view.getUint32(p + 4, little);
    p += 8 + size + (size % 2);
  }
  throw new Error('Could not find the "data" chunk');
}

/** One little-endian sample at byte `p` as a float in [-1, 1]. */
function sampleAt(view: DataView, p: number, width: number, isFloat: boolean): number {
  if (isFloat) return width === 4 ? view.getFloat32(p, true) : view.getFloat64(p, true);
  switch (width) {
    case 1:
      return (view.getUint8(p) - 128) / 128;
    case 2:
      return view.getInt16(p, true) / 32768;
    case 3:
      return (view.getUint8(p) | (view.getUint8(p + 1) << 8) | (view.getInt8(p + 2) << 16)) / 8388608;
    default:
      return view.getInt32(p, true) / 2147483648;
  }
}

/**
 * Read an audio file as planar floats at `sampleRate` (resampled when needed). WAV is read
 * directly; other formats are decoded through FFmpeg when it is installed.
 */
export async function readAudioFile(path: string, sampleRate?: number): Promise<DecodedAudio> {
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new OmniError('BAD_AUDIO', `${path}: is a folder, not an audio file`);
    if (!st.isFile())
      throw new OmniError(
        'BAD_AUDIO',
        `${path}: not a regular file (a device, FIFO or socket), give an audio file`,
      );
    size = st.size;
  } catch (e) {
    if (e instanceof OmniError) throw e;
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
