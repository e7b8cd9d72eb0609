import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Arena, arena, hash32 } from '../src/dsp/arena.js';
import { NoiseSource, noiseSoftLimit } from '../src/dsp/noise.js';
import { Oscillator } from '../src/dsp/oscillator.js';
import { Quantizer } from '../src/dsp/quantize.js';
import { Rng } from '../src/dsp/rng.js';

/** Test signal: a sine beyond full scale in places, with NaN and exact half-LSB values. */
function signal(n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const a = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.05) * 1.2 + rng.bipolar() * 0.01);
  if (n > 3) {
    a[1] = Number.NaN;
    a[2] = 0.5 / 32767;
    a[3] = -1.5 / 32767;
  }
  return a;
}

describe('SIMD kernels', () => {
  it('are assembled from the committed kernels.wat', async () => {
    // @ts-expect-error: a plain JavaScript build script
    const { generate } = await import('../scripts/wasm.mjs');
    const committed = readFileSync(new URL('../src/dsp/kernels-wasm.ts', import.meta.url), 'utf8');
    expect(await generate()).toBe(committed);
  });

  it.each([1, 2])('quantise %i channel(s) to the same bytes as the TypeScript loop', (channels) => {
    const mem = arena();
    for (const n of [1, 3, 4, 5, 7, 8, 9, 4093, 4096]) {
      const src = Array.from({ length: channels }, (_, c) => signal(n, n * 7 + c));
      const inArena = src.map((s) => {
        const v = mem.f64(n);
        v.set(s);
        return v;
      });
      const viaKernel = mem.bytes(n * 2 * channels);
      const viaTs = new Uint8Array(new ArrayBuffer(n * 2 * channels));
      const qk = new Quantizer({ format: 's16', channels, seed: n });
      qk.encode(inArena, n, viaKernel);
      // the TypeScript twin, as taken when the arena is full
      const qt = new Quantizer({ format: 's16', channels, seed: n });
      const twin = qt as unknown as {
        encode16(s: Float64Array[], f: number, d: Uint8Array, k: number): void;
        seed: number;
      };
      twin.encode16(src, n, viaTs, twin.seed);
      expect(Buffer.from(viaKernel).equals(Buffer.from(viaTs))).toBe(true);
      expect(qk.clipped).toBe(qt.clipped);
      expect(qk.clipped).toBeGreaterThan(n > 100 ? 100 : -1);
    }
  });

  it('quantise arrays from outside the arena through its staging buffers, to the same bytes', () => {
    const n = 4096;
    const src = [signal(n, 1), signal(n, 2)];
    const mem = arena();
    const inArena = src.map((s) => {
      const v = mem.f64(n);
      v.set(s);
      return v;
    });
    const a = mem.bytes(n * 4);
    const b = new Uint8Array(new ArrayBuffer(n * 4));
    new Quantizer({ format: 's16', channels: 2, seed: 3 }).encode(inArena, n, a);
    new Quantizer({ format: 's16', channels: 2, seed: 3 }).encode(src, n, b);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it('quantise 16-bit the same way whatever the channel layout (mono mapped to two = stereo)', () => {
    const n = 4096;
    const a = signal(n, 6);
    const mapped = new Uint8Array(new ArrayBuffer(n * 4));
    const stereo = new Uint8Array(new ArrayBuffer(n * 4));
    const q1 = new Quantizer({ format: 's16', channels: 2, seed: 7 });
    const q2 = new Quantizer({ format: 's16', channels: 2, seed: 7 });
    q1.encode([a], n, mapped);
    q2.encode([a, Float64Array.from(a)], n, stereo);
    expect(Buffer.from(mapped).equals(Buffer.from(stereo))).toBe(true);
    expect(q1.clipped).toBe(q2.clipped);
  });

  it('give the same dither whatever the block sizes', () => {
    const n = 10000;
    const src = signal(n, 4);
    const whole = new Uint8Array(new ArrayBuffer(n * 2));
    new Quantizer({ format: 's16', channels: 1, seed: 5 }).encode([src], n, whole);
    const pieces = new Uint8Array(new ArrayBuffer(n * 2));
    const q = new Quantizer({ format: 's16', channels: 1, seed: 5 });
    const sizes = [1, 3, 4, 5, 17, 4096, 100, 7];
    for (let at = 0, k = 0; at < n; k++) {
      const len = Math.min(sizes[k % sizes.length]!, n - at);
      q.encode([src.subarray(at, at + len)], len, pieces.subarray(at * 2));
      at += len;
    }
    expect(Buffer.from(pieces).equals(Buffer.from(whole))).toBe(true);
  });

  it('add a steady sine in the arena within 1e-12 of the scalar phasor', () => {
    const mem = arena();
    for (const frames of [4, 7, 4096]) {
      const inArena = [mem.f64(frames), mem.f64(frames)];
      const plain = [new Float64Array(frames), new Float64Array(frames)];
      const a = new Oscillator(48000, 'sine', 0.3);
      const b = new Oscillator(48000, 'sine', 0.3);
      for (let block = 0; block < 3; block++) {
        a.addConst(inArena[0]!, inArena[1]!, frames, 997.3, 0.7, 0.2);
        b.addConst(plain[0]!, plain[1]!, frames, 997.3, 0.7, 0.2);
      }
      for (let c = 0; c < 2; c++)
        for (let i = 0; i < frames; i++)
          expect(Math.abs(inArena[c]![i]! - plain[c]![i]!)).toBeLessThan(1e-12);
      expect(a.phase).toBe(b.phase);
    }
  });

  it.each(['white', 'pink', 'brown', 'blue', 'violet'] as const)(
    '%s noise is the same in the arena as outside it (within 1e-12)',
    (color) => {
      const mem = arena();
      const n = 3000;
      const inArena = mem.f64(n);
      const plain = new Float64Array(n);
      const a = new NoiseSource(color, 44100, new Rng(8));
      const b = new NoiseSource(color, 44100, new Rng(8));
      a.process(inArena, 0, n);
      b.process(plain, 0, n);
      for (let i = 0; i < n; i++) expect(Math.abs(inArena[i]! - plain[i]!)).toBeLessThan(1e-12);
      // and adding at a gain is the same as writing then scaling
      const added = mem.f64(n);
      added.fill(0.25);
      a.addTo(added, n, 0.5);
      b.process(plain, 0, n);
      for (let i = 0; i < n; i++) expect(Math.abs(added[i]! - (0.25 + 0.5 * plain[i]!))).toBeLessThan(1e-12);
    },
  );

  /** The four-lane form's internals, as the tests reach them. */
  type LaneView = {
    lanes: { buf: Float32Array; coef: Float32Array } | null;
    key: number;
    scale: number;
    c0: number;
    a: Float64Array;
    r: Float64Array;
  };
  /** Samples of `src` made in blocks cycling through `sizes`. */
  function inBlocks(src: NoiseSource, n: number, sizes: number[], inArena: boolean): Float64Array {
    const out = inArena ? arena(n * 8).f64(n) : new Float64Array(n);
    for (let off = 0, i = 0; off < n; i++) {
      const k = Math.min(sizes[i % sizes.length]!, n - off);
      src.process(out.subarray(off, off + k), 0, k);
      off += k;
    }
    return out;
  }
  // three segments of 65536 and a half, across the end of the first call's four segments
  const LONG = 300_000;

  it.each(['pink', 'brown', 'blue', 'violet'] as const)(
    '%s noise in four lanes: the kernel and its TypeScript twin make the same samples, whatever the blocks',
    (color) => {
      const viaKernel = inBlocks(
        new NoiseSource(color, 44100, new Rng(5)),
        LONG,
        [1, 7, 4096, 333, 100_000],
        true,
      );
      const twin = new NoiseSource(color, 44100, new Rng(5));
      const lanes = (twin as unknown as LaneView).lanes!;
      expect(lanes).not.toBeNull();
      // buffers outside the arena: the fill and the copy-out both run the TypeScript way
      lanes.buf = new Float32Array(lanes.buf.length);
      lanes.coef = Float32Array.from(lanes.coef);
      const viaTs = inBlocks(twin, LONG, [LONG], false);
      const bytes = (v: Float64Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
      expect(bytes(viaKernel).equals(bytes(viaTs))).toBe(true);
    },
  );

  it.each([
    ['pink', 44100, 1e-5],
    ['pink', 96000, 2e-5],
    ['blue', 48000, 1e-5],
    ['violet', 48000, 1e-5],
    ['brown', 48000, 1e-4],
  ] as const)(
    '%s noise at %i Hz in four lanes stays within %s of the sequential f64 filter, segment joins included',
    (color, rate, bound) => {
      const src = new NoiseSource(color, rate, new Rng(3));
      const got = inBlocks(src, LONG, [4096], true);
      const { key, scale, c0, a, r } = src as unknown as LaneView;
      // the same white samples through the partial fractions in f64, settled from far back
      const s = new Float64Array(a.length);
      let worst = 0;
      let worstAtJoin = 0;
      for (let p = -400_000; p < LONG; p++) {
        const x = hash32(key + p) / 2147483648;
        let y = c0 * x;
        for (let k = 0; k < a.length; k++) {
          s[k] = a[k]! * s[k]! + r[k]! * x;
          y += s[k]!;
        }
        if (p < 0) continue;
        const e = Math.abs(noiseSoftLimit(4 * Math.max(-1, Math.min(1, y * scale))) - got[p]!);
        worst = Math.max(worst, e);
        if (p % 65536 < 64 || p % 65536 > 65536 - 64) worstAtJoin = Math.max(worstAtJoin, e);
      }
      expect(worst).toBeLessThan(bound);
      expect(worstAtJoin).toBeLessThan(bound);
    },
  );

  it('fall back to ordinary arrays when the arena is full', () => {
    const small = new Arena(1);
    const a = small.f64(4096);
    const b = small.f64(8192);
    expect(small.ptr(a)).toBeGreaterThanOrEqual(0);
    expect(small.ptr(b)).toBe(-1);
    expect(b.length).toBe(8192);
    expect(b.every((v) => v === 0)).toBe(true);
  });
});
