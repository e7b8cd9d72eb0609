import { Rng } from './rng.js';

/** Sample formats of the output: signed integers of 16, 24, 32 bits, or 32-bit float. */
export type SampleFormat = 's16' | 's24' | 's32' | 'f32';
export const BITS_TO_FORMAT: Record<string, SampleFormat> = {
  '16': 's16',
  '24': 's24',
  '32': 's32',
  '32f': 'f32',
};

const DITHER_SCALE = 1 / 65536;

/** Bytes of one sample in a format. */
export function bytesPerSample(format: SampleFormat): number {
  return format === 's16' ? 2 : format === 's24' ? 3 : 4;
}

export interface QuantizerOptions {
  format: SampleFormat;
  /** Channels written (the synthesis channels are mapped onto them). */
  channels: number;
  /** TPDF dither for integer formats (default true). */
  dither?: boolean;
  seed?: number;
}

/**
 * Converts planar float blocks into interleaved little-endian PCM bytes in a caller-owned
 * buffer: channel mapping (mono to all channels, stereo to mono as the mean, stereo into the
 * first two of more), TPDF dither of +-1 LSB for integer formats, and clipping at full scale
 * (counted in {@link clipped}).
 */
export class Quantizer {
  readonly format: SampleFormat;
  readonly channels: number;
  readonly frameBytes: number;
  /** Samples that were beyond full scale and were clipped. */
  clipped = 0;
  private readonly dither: boolean;
  /** State of the dither's xorshift32 generator (seeded from an Rng). */
  private state: number;

  constructor(opts: QuantizerOptions) {
    this.format = opts.format;
    this.channels = opts.channels;
    this.dither = (opts.dither ?? true) && opts.format !== 'f32';
    this.state = new Rng(opts.seed ?? 0xd17e).nextU32() | 1;
    this.frameBytes = bytesPerSample(opts.format) * opts.channels;
  }

  /**
   * Write `frames` frames of `src` (1 or 2 planar channels) into `dst` from byte 0.
   * `dst` must be aligned to 4 bytes and hold `frames * frameBytes` bytes. Returns the bytes written.
   */
  encode(src: Float64Array[], frames: number, dst: Uint8Array): number {
    const outCh = this.channels;
    if (this.format === 's16' && src.length === outCh && outCh <= 2) {
      this.encode16(src, frames, dst);
      return frames * this.frameBytes;
    }
    for (let c = 0; c < outCh; c++) {
      const s = this.sourceFor(src, c);
      this.encodeChannel(s, src, c, frames, dst);
    }
    return frames * this.frameBytes;
  }

  /** The common case, fused: 16-bit, one or two channels written as synthesised. */
  private encode16(src: Float64Array[], frames: number, dst: Uint8Array): void {
    const out = new Int16Array(dst.buffer, dst.byteOffset, frames * src.length);
    const dither = this.dither ? DITHER_SCALE : 0;
    let x = this.state;
    let clipped = 0;
    const a = src[0]!;
    if (src.length === 1) {
      for (let i = 0; i < frames; i++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        let q = ((a[i]! * 32767 + ((x & 0xffff) - (x >>> 16)) * dither + 32768.5) | 0) - 32768;
        if (q > 32767 || q < -32768) {
          q = q > 0 ? 32767 : -32768;
          clipped++;
        }
        out[i] = q;
      }
    } else {
      const b = src[1]!;
      for (let i = 0, j = 0; i < frames; i++, j += 2) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        let q = ((a[i]! * 32767 + ((x & 0xffff) - (x >>> 16)) * dither + 32768.5) | 0) - 32768;
        if (q > 32767 || q < -32768) {
          q = q > 0 ? 32767 : -32768;
          clipped++;
        }
        out[j] = q;
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        q = ((b[i]! * 32767 + ((x & 0xffff) - (x >>> 16)) * dither + 32768.5) | 0) - 32768;
        if (q > 32767 || q < -32768) {
          q = q > 0 ? 32767 : -32768;
          clipped++;
        }
        out[j + 1] = q;
      }
    }
    this.state = x;
    this.clipped += clipped;
  }

  /** Which source feeds output channel `c`: an index, -1 for the mean of two, -2 for silence. */
  private sourceFor(src: Float64Array[], c: number): number {
    if (src.length === 1) return 0;
    if (this.channels === 1) return -1;
    return c < src.length ? c : -2;
  }

  private encodeChannel(
    which: number,
    src: Float64Array[],
    c: number,
    frames: number,
    dst: Uint8Array,
  ): void {
    const outCh = this.channels;
    const a = which >= 0 ? src[which]! : src[0]!;
    const b = which === -1 ? src[1]! : null;
    const silent = which === -2;
    // TPDF dither: the difference of two independent uniform 16-bit halves of one xorshift32
    // draw is triangular on (-1, 1) LSB
    const dither = this.dither ? DITHER_SCALE : 0;
    let x = this.state;
    let clipped = 0;
    switch (this.format) {
      case 's16':
      case 's24':
      case 's32': {
        // one loop for the integer formats: full scale 2^(n-1) - 1, 24-bit packed byte by byte
        const packed = this.format === 's24';
        const max = this.format === 's16' ? 32767 : packed ? 8388607 : 2147483647;
        const min = -max - 1;
        const out =
          this.format === 's16'
            ? new Int16Array(dst.buffer, dst.byteOffset, frames * outCh)
            : packed
              ? null
              : new Int32Array(dst.buffer, dst.byteOffset, frames * outCh);
        for (let i = 0, j = c; i < frames; i++, j += outCh) {
          const s = silent ? 0 : b ? (a[i]! + b[i]!) * 0.5 : a[i]!;
          x ^= x << 13;
          x ^= x >>> 17;
          x ^= x << 5;
          let q = Math.floor(s * max + ((x & 0xffff) - (x >>> 16)) * dither + 0.5);
          if (q > max || q < min) {
            q = q > 0 ? max : min;
            clipped++;
          }
          if (out) out[j] = q;
          else {
            const p = j * 3;
            dst[p] = q & 0xff;
            dst[p + 1] = (q >> 8) & 0xff;
            dst[p + 2] = (q >> 16) & 0xff;
          }
        }
        break;
      }
      case 'f32': {
        const out = new Float32Array(dst.buffer, dst.byteOffset, frames * outCh);
        for (let i = 0, j = c; i < frames; i++, j += outCh) {
          const s = silent ? 0 : b ? (a[i]! + b[i]!) * 0.5 : a[i]!;
          if (s > 1 || s < -1) clipped++;
          out[j] = s;
        }
        break;
      }
    }
    this.state = x;
    this.clipped += clipped;
  }
}
