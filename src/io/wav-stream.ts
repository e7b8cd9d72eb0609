/**
 * A WAV decoder fed bytes as they arrive (an upload, a file read in chunks), in chunks of any
 * size: the header is gathered until the `data` chunk begins, then each chunk of sample bytes is
 * converted at once into blocks of 32-bit floats per channel and let go. It reads what
 * `decodeWav` (audio-file.ts) reads (RIFF/WAVE, PCM 8/16/24/32-bit, float 32/64, WAVE_FORMAT_EXTENSIBLE),
 * the same samples, with the same errors for files it refuses: the header goes through the same
 * parser (wavefile) and the same checks.
 *
 * How many frames the file holds is known before its samples when the file's total length is:
 * the data chunk's size, cut at the end of the file (a truncated file, or a size of 0xFFFFFFFF
 * as streaming writers leave it), as decodeWav cuts it. Without the total length the count is
 * known only at the end.
 */
import wavefilePkg from 'wavefile';
import { OmniError } from '../errors.js';
import { wavFormat } from './audio-file.js';

const { WaveFile } = wavefilePkg;

/** What the header says, once the `data` chunk began. */
export interface WavStreamFormat {
  readonly sampleRate: number;
  readonly channels: number;
  /** Bytes of one sample (1, 2, 3, 4 or 8). */
  readonly width: number;
  readonly isFloat: boolean;
  /** Samples per channel, when the total length of the file was given (else undefined). */
  readonly frames: number | undefined;
}

/** Options of {@link WavStream}. */
export interface WavStreamOptions {
  /** The file's length in bytes, when known (Content-Length, the file's size). */
  readonly totalBytes?: number | undefined;
}

/**
 * Decodes a WAV file pushed chunk by chunk. `push` returns the samples the chunk completed (one
 * array per channel, maybe empty) and throws OmniError `BAD_AUDIO` as soon as the file is known
 * to be unreadable; `end` says the file is over and throws for what only its end reveals (no
 * `data` chunk, no samples).
 *
 * @example
 * const wav = new WavStream('take.wav', { totalBytes: size });
 * for await (const chunk of stream) { const block = wav.push(chunk); if (block) analyse(block); }
 * wav.end();
 */
export class WavStream {
  private head: Uint8Array = new Uint8Array(4096);
  private headLength = 0;
  private fmt: WavStreamFormat | null = null;
  /** Bytes of the data chunk still to read (Infinity: to the end of the file). */
  private remaining = 0;
  /** Data bytes read so far. */
  private dataBytes = 0;
  /** Bytes of a frame begun in one chunk and ended in the next. */
  private carry: Uint8Array = new Uint8Array(0);
  private carried = 0;
  /** An encoding decodeWav refuses once it knows the file holds samples. */
  private undecodable: string | null = null;
  private framesOut = 0;
  private readonly totalBytes: number | undefined;

  constructor(
    private readonly name: string,
    options: WavStreamOptions = {},
  ) {
    this.totalBytes = options.totalBytes;
  }

  /** The format, once the header has been read (null before). */
  get format(): WavStreamFormat | null {
    return this.fmt;
  }

  /** Frames decoded so far. */
  get frames(): number {
    return this.framesOut;
  }

  /** The next bytes of the file; returns the frames they complete (null while in the header). */
  push(chunk: Uint8Array): Float32Array[] | null {
    if (this.fmt) return this.samples(chunk);
    this.gather(chunk);
    const start = this.findData();
    if (start < 0) return null;
    const rest = this.head.slice(start, this.headLength);
    this.readHeader(this.head.subarray(0, start));
    this.head = new Uint8Array(0);
    this.headLength = 0;
    return this.samples(rest);
  }

  /** The file is over: throws BAD_AUDIO when it had no `data` chunk or no samples. */
  end(): void {
    if (!this.fmt) {
      const bytes = this.head.subarray(0, this.headLength);
      // what decodeWav says of these bytes: wavefile's complaint, else no data chunk
      this.parse(bytes);
      throw this.unreadable(new Error('Could not find the "data" chunk'));
    }
    const fmt = this.fmt;
    const expected = fmt.frames;
    const frames = Math.floor(this.dataBytes / (fmt.width * fmt.channels));
    if (expected === undefined && frames === 0)
      throw new OmniError('BAD_AUDIO', `${this.name}: the WAV holds no samples`);
    if (this.undecodable) throw new OmniError('BAD_AUDIO', this.undecodable);
    if (expected !== undefined && this.framesOut !== expected)
      throw new OmniError(
        'BAD_AUDIO',
        `${this.name}: the file ended after ${this.framesOut} of its ${expected} frames`,
      );
  }

  private gather(chunk: Uint8Array): void {
    if (this.headLength + chunk.length > this.head.length) {
      const bigger = new Uint8Array(Math.max(this.head.length * 2, this.headLength + chunk.length));
      bigger.set(this.head.subarray(0, this.headLength));
      this.head = bigger;
    }
    this.head.set(chunk, this.headLength);
    this.headLength += chunk.length;
  }

  /**
   * Where the samples of the `data` chunk begin in the header gathered so far, or -1 when its
   * chunk header has not arrived: the chunks after the 12-byte RIFF header are walked (id, 32-bit
   * size, padded to even), as decodeWav walks them. A file that is not RIFF/RIFX/RF64 WAVE is
   * refused as soon as its first 12 bytes are in.
   */
  private findData(): number {
    const bytes = this.head.subarray(0, this.headLength);
    if (bytes.length < 12) return -1;
    const riff = latin1(bytes, 0);
    if (!['RIFF', 'RIFX', 'RF64'].includes(riff) || latin1(bytes, 8) !== 'WAVE') this.parse(bytes);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const little = riff !== 'RIFX';
    let p = 12;
    while (p + 8 <= bytes.length) {
      if (latin1(bytes, p) === 'data') return p + 8;
      const size = view.getUint32(p + 4, little);
      p += 8 + size + (size % 2);
    }
    return -1;
  }

  /** wavefile's parse of a header (samples not read); its errors as decodeWav words them. */
  private parse(bytes: Uint8Array): InstanceType<typeof WaveFile> {
    const wav = new WaveFile();
    try {
      wav.fromBuffer(bytes, false);
    } catch (e) {
      throw this.unreadable(e as Error);
    }
    return wav;
  }

  private unreadable(e: Error): OmniError {
    return new OmniError('BAD_AUDIO', `${this.name}: not a readable WAV file (${e.message})`, { cause: e });
  }

  /** The checks of decodeWav on the header (everything before the samples). */
  private readHeader(header: Uint8Array): void {
    const { name } = this;
    const wav = this.parse(header);
    const size = (wav.data as { chunkSize: number }).chunkSize;
    const { sampleRate, channels: ch, width, isFloat, bits, decodable } = wavFormat(wav, name);
    // decodeWav's data: the chunk's bytes, cut at the end of the file
    let frames: number | undefined;
    if (this.totalBytes !== undefined) {
      const dataLength = Math.max(0, Math.min(this.totalBytes, header.length + size) - header.length);
      frames = Math.floor(dataLength / (width * ch));
      if (frames === 0) throw new OmniError('BAD_AUDIO', `${name}: the WAV holds no samples`);
      if (!decodable) throw new OmniError('BAD_AUDIO', `${name}: cannot decode ${bits}-bit WAV data`);
    } else if (!decodable) this.undecodable = `${name}: cannot decode ${bits}-bit WAV data`;
    this.remaining = size;
    this.fmt = { sampleRate, channels: ch, width, isFloat, frames };
    this.carry = new Uint8Array(decodable ? width * ch : 0);
  }

  /** Converts the sample bytes of a chunk (past the data chunk's end: ignored). */
  private samples(chunk: Uint8Array): Float32Array[] {
    const fmt = this.fmt!;
    const bytes = chunk.subarray(0, Math.min(chunk.length, this.remaining));
    this.remaining -= bytes.length;
    this.dataBytes += bytes.length;
    if (this.undecodable) {
      // decodeWav says "cannot decode" once the data holds a frame, "no samples" before
      if (Math.floor(this.dataBytes / (fmt.width * fmt.channels)) > 0)
        throw new OmniError('BAD_AUDIO', this.undecodable);
      return [];
    }
    const stride = fmt.width * fmt.channels;
    let take = bytes.length;
    if (fmt.frames !== undefined)
      take = Math.min(take, (fmt.frames - this.framesOut) * stride - this.carried);
    const fill = this.carried > 0 ? Math.min(stride - this.carried, take) : 0;
    const whole = Math.floor((take - fill) / stride);
    const completes = this.carried > 0 && this.carried + fill === stride ? 1 : 0;
    const out = Array.from({ length: fmt.channels }, () => new Float32Array(completes + whole));
    if (fill > 0) {
      this.carry.set(bytes.subarray(0, fill), this.carried);
      this.carried += fill;
      if (completes) {
        convert(this.carry, 0, 1, fmt, out, 0);
        this.carried = 0;
      }
    }
    convert(bytes, fill, whole, fmt, out, completes);
    const left = bytes.subarray(fill + whole * stride, take);
    if (left.length > 0) {
      this.carry.set(left, this.carried);
      this.carried += left.length;
    }
    this.framesOut += completes + whole;
    return out;
  }
}

/** Four bytes at `p` as a latin1 string. */
function latin1(bytes: Uint8Array, p: number): string {
  return String.fromCharCode(bytes[p]!, bytes[p + 1]!, bytes[p + 2]!, bytes[p + 3]!);
}

/** `frames` interleaved frames from `bytes[at..]` into the channels from `outAt`: decodeWav's conversions. */
function convert(
  bytes: Uint8Array,
  at: number,
  frames: number,
  fmt: WavStreamFormat,
  out: Float32Array[],
  outAt: number,
): void {
  if (frames <= 0) return;
  const { width, isFloat } = fmt;
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, frames * width * fmt.channels);
  const stride = width * fmt.channels;
  for (let c = 0; c < fmt.channels; c++) {
    const ch = out[c]!;
    let p = c * width;
    for (let i = outAt; i < outAt + frames; i++, p += stride) {
      if (isFloat) ch[i] = width === 4 ? view.getFloat32(p, true) : view.getFloat64(p, true);
      else if (width === 2) ch[i] = view.getInt16(p, true) / 32768;
      else if (width === 3)
        ch[i] = (view.getUint8(p) | (view.getUint8(p + 1) << 8) | (view.getInt8(p + 2) << 16)) / 8388608;
      else if (width === 1) ch[i] = (view.getUint8(p) - 128) / 128;
      else ch[i] = view.getInt32(p, true) / 2147483648;
    }
  }
}
