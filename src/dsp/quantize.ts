import { type Arena, arena, arenaOf, hash32 } from './arena.js';
import { Rng } from './rng.js';

/** Staging buffers of a quantiser, in one arena. */
interface Stage {
  mem: Arena;
  src: Float64Array[];
  dst: Uint8Array;
}

/** Sample formats of the output: signed integers of 16, 24, 32 bits, or 32-bit float. */
export type SampleFormat = 's16' | 's24' | 's32' | 'f32';
export const BITS_TO_FORMAT: Record<string, SampleFormat> = {
  '16': 's16',
  '24': 's24',
  '32': 's32',
  '32f': 'f32',
};

const DITHER_SCALE = 1 / 65536;
/** Largest block the staging buffers take (longer ones use the TypeScript loop). */
const MAX_STAGE = 4096;

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
 *
 * The dither of sample `c` of frame `f` is drawn from `hash32(seed + f * channels + c)`: a
 * counter-based generator, so the bytes do not depend on how a render is cut into blocks, and
 * the SIMD kernel (16-bit, one or two channels) and the TypeScript loops give the same bytes.
 */
export class Quantizer {
  readonly format: SampleFormat;
  readonly channels: number;
  readonly frameBytes: number;
  /** Samples that were beyond full scale and were clipped. */
  clipped = 0;
  private readonly dither: boolean;
  private readonly seed: number;
  /** Frames encoded so far (the dither's counter). */
  private position = 0;
  /** Staging buffers in the arena for callers whose arrays live elsewhere (made on first use). */
  private stage: Stage | null = null;

  constructor(opts: QuantizerOptions) {
    this.format = opts.format;
    this.channels = opts.channels;
    this.dither = (opts.dither ?? true) && opts.format !== 'f32';
    this.seed = new Rng(opts.seed ?? 0xd17e).nextU32() | 0;
    this.frameBytes = bytesPerSample(opts.format) * opts.channels;
  }

  /**
   * Write `frames` frames of `src` (1 or 2 planar channels) into `dst` from byte 0.
   * `dst` must be aligned to 4 bytes and hold `frames * frameBytes` bytes. Returns the bytes written.
   */
  encode(src: Float64Array[], frames: number, dst: Uint8Array): number {
    const outCh = this.channels;
    const key = (this.seed + this.position * outCh) | 0;
    if (this.format === 's16' && src.length === outCh && outCh <= 2) {
      if (!this.encode16Simd(src, frames, dst, key)) this.encode16(src, frames, dst, key);
    } else {
      for (let c = 0; c < outCh; c++) this.encodeChannel(this.sourceFor(src, c), src, c, frames, dst, key);
    }
    this.position += frames;
    return frames * this.frameBytes;
  }

  /** 16-bit, one or two channels, in the SIMD kernel; false when no arena has room. */
  private encode16Simd(src: Float64Array[], frames: number, dst: Uint8Array, key: number): boolean {
    const stereo = src.length === 2;
    let mem = arenaOf(src[0]!);
    const direct =
      mem !== undefined &&
      (!stereo || arenaOf(src[1]!) === mem) &&
      arenaOf(dst) === mem &&
      dst.byteOffset % 2 === 0;
    let staged: Stage | null = null;
    if (!direct) {
      // blocks come in at most MAX_STAGE frames at a time through the staging buffers
      staged = frames <= MAX_STAGE ? this.staging(src.length) : null;
      if (!staged) return false;
      mem = staged.mem;
      for (let c = 0; c < src.length; c++) staged.src[c]!.set(src[c]!.subarray(0, frames));
    }
    const m = mem!;
    const pl = m.ptr(staged ? staged.src[0]! : src[0]!);
    const pr = stereo ? m.ptr(staged ? staged.src[1]! : src[1]!) : 0;
    const pd = m.ptr(staged ? staged.dst : dst);
    const dither = this.dither ? DITHER_SCALE : 0;
    this.clipped += stereo
      ? m.kernels.q16s(pl, pr, pd, frames, key, dither)
      : m.kernels.q16m(pl, pd, frames, key, dither);
    if (staged) dst.set(staged.dst.subarray(0, frames * this.frameBytes));
    return true;
  }

  private staging(channels: number): Stage | null {
    if (!this.stage) {
      const mem = arena(MAX_STAGE * (8 * channels + this.frameBytes) + 256);
      const stage = {
        mem,
        src: Array.from({ length: channels }, () => mem.f64(MAX_STAGE)),
        dst: mem.bytes(MAX_STAGE * this.frameBytes),
      };
      if (stage.src.some((s) => mem.ptr(s) < 0) || mem.ptr(stage.dst) < 0) return null;
      this.stage = stage;
    }
    return this.stage;
  }

  /**
   * The TypeScript twin of the 16-bit kernel (the same bytes), for when the arena is full: the
   * kernel works in f32, four samples at a time, so this rounds each step to f32 too.
   */
  private encode16(src: Float64Array[], frames: number, dst: Uint8Array, key: number): void {
    const out = new Int16Array(dst.buffer, dst.byteOffset, frames * src.length);
    const dither = this.dither ? DITHER_SCALE : 0;
    const ch = src.length;
    let clipped = 0;
    for (let c = 0; c < ch; c++) {
      const a = src[c]!;
      for (let i = 0, j = c; i < frames; i++, j += ch) {
        let q = round16(a[i]!, hash32(key + j), dither);
        if (q > 32767 || q < -32768) {
          q = q > 0 ? 32767 : -32768;
          clipped++;
        }
        out[j] = q;
      }
    }
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
    key: number,
  ): void {
    const outCh = this.channels;
    const a = which >= 0 ? src[which]! : src[0]!;
    const b = which === -1 ? src[1]! : null;
    const silent = which === -2;
    const dither = this.dither ? DITHER_SCALE : 0;
    let clipped = 0;
    switch (this.format) {
      case 's16':
      case 's24':
      case 's32': {
        // one loop for the integer formats: full scale 2^(n-1) - 1, 24-bit packed byte by byte
        const packed = this.format === 's24';
        const f32 = this.format === 's16';
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
          const h = hash32(key + j);
          // 16-bit rounds as the kernel does, whatever the channel layout
          let q = f32
            ? round16(s, h, dither)
            : Math.floor(s * max + ((h & 0xffff) - (h >>> 16)) * dither + 0.5);
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
    this.clipped += clipped;
  }
}

/**
 * One dithered 16-bit sample as the SIMD kernel makes it: floor(x * 32767 + d * dither + 0.5)
 * with every step rounded to f32, `d` the TPDF value from the hash `h`. Not yet clipped.
 */
function round16(x: number, h: number, dither: number): number {
  const v = Math.fround(Math.fround(x) * 32767);
  const d = Math.fround(((h & 0xffff) - (h >>> 16)) * dither);
  return Math.floor(Math.fround(Math.fround(v + d) + 0.5));
}
