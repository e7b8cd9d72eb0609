import { Rng } from './rng.js';

/** Sample formats of the output: signed integers of 16, 24, 32 bits, or 32-bit float. */
export type SampleFormat = 's16' | 's24' | 's32' | 'f32';
export const BITS_TO_FORMAT: Record<string, SampleFormat> = { '16': 's16', '24': 's24', '32': 's32', '32f': 'f32' };

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
  private readonly rng: Rng;

  constructor(opts: QuantizerOptions) {
    this.format = opts.format;
    this.channels = opts.channels;
    this.dither = (opts.dither ?? true) && opts.format !== 'f32';
    this.rng = new Rng(opts.seed ?? 0xd17e);
    this.frameBytes = bytesPerSample(opts.format) * opts.channels;
  }

  /**
   * Write `frames` frames of `src` (1 or 2 planar channels) into `dst` from byte 0.
   * `dst` must be aligned to 4 bytes and hold `frames * frameBytes` bytes. Returns the bytes written.
   */
  encode(src: Float64Array[], frames: number, dst: Uint8Array): number {
    const outCh = this.channels;
    for (let c = 0; c < outCh; c++) {
      const s = this.sourceFor(src, c);
      this.encodeChannel(s, src, c, frames, dst);
    }
    return frames * this.frameBytes;
  }

  /** Which source feeds output channel `c`: an index, -1 for the mean of two, -2 for silence. */
  private sourceFor(src: Float64Array[], c: number): number {
    if (src.length === 1) return 0;
    if (this.channels === 1) return -1;
    return c < src.length ? c : -2;
  }

  private encodeChannel(which: number, src: Float64Array[], c: number, frames: number, dst: Uint8Array): void {
    const outCh = this.channels;
    const a = which >= 0 ? src[which]! : src[0]!;
    const b = which === -1 ? src[1]! : null;
    const silent = which === -2;
    const rng = this.rng;
    const dither = this.dither;
    let clipped = 0;
    switch (this.format) {
      case 's16': {
        const out = new Int16Array(dst.buffer, dst.byteOffset, frames * outCh);
        for (let i = 0, j = c; i < frames; i++, j += outCh) {
          const x = silent ? 0 : b ? (a[i]! + b[i]!) * 0.5 : a[i]!;
          let v = x * 32767;
          if (dither) v += (rng.nextU32() - rng.nextU32()) * 2.3283064365386963e-10;
          let q = Math.round(v);
          if (q > 32767) {
            q = 32767;
            clipped++;
          } else if (q < -32768) {
            q = -32768;
            clipped++;
          }
          out[j] = q;
        }
        break;
      }
      case 's24': {
        const stride = outCh * 3;
        for (let i = 0, p = c * 3; i < frames; i++, p += stride) {
          const x = silent ? 0 : b ? (a[i]! + b[i]!) * 0.5 : a[i]!;
          let v = x * 8388607;
          if (dither) v += (rng.nextU32() - rng.nextU32()) * 2.3283064365386963e-10;
          let q = Math.round(v);
          if (q > 8388607) {
            q = 8388607;
            clipped++;
          } else if (q < -8388608) {
            q = -8388608;
            clipped++;
          }
          dst[p] = q & 0xff;
          dst[p + 1] = (q >> 8) & 0xff;
          dst[p + 2] = (q >> 16) & 0xff;
        }
        break;
      }
      case 's32': {
        const out = new Int32Array(dst.buffer, dst.byteOffset, frames * outCh);
        for (let i = 0, j = c; i < frames; i++, j += outCh) {
          const x = silent ? 0 : b ? (a[i]! + b[i]!) * 0.5 : a[i]!;
          let v = x * 2147483647;
          if (dither) v += (rng.nextU32() - rng.nextU32()) * 2.3283064365386963e-10;
          let q = Math.round(v);
          if (q > 2147483647) {
            q = 2147483647;
            clipped++;
          } else if (q < -2147483648) {
            q = -2147483648;
            clipped++;
          }
          out[j] = q;
        }
        break;
      }
      case 'f32': {
        const out = new Float32Array(dst.buffer, dst.byteOffset, frames * outCh);
        for (let i = 0, j = c; i < frames; i++, j += outCh) {
          const x = silent ? 0 : b ? (a[i]! + b[i]!) * 0.5 : a[i]!;
          if (x > 1 || x < -1) clipped++;
          out[j] = x;
        }
        break;
      }
    }
    this.clipped += clipped;
  }
}
