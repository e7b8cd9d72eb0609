import { KERNELS_WASM } from './kernels-wasm.js';

/** The exports of src/dsp/kernels.wat (pointers are byte offsets into the arena). */
export interface Kernels {
  q16m(src: number, dst: number, n: number, key: number, dither: number): number;
  q16s(l: number, r: number, dst: number, n: number, key: number, dither: number): number;
  sineAdd(
    outL: number,
    outR: number,
    n: number,
    c0: number,
    c1: number,
    c2: number,
    c3: number,
    s0: number,
    s1: number,
    s2: number,
    s3: number,
    rc: number,
    rs: number,
    gl: number,
    gr: number,
  ): void;
  white(out: number, n: number, key: number): void;
  pinkish(
    x: number,
    out: number,
    n: number,
    st: number,
    c0: number,
    scale: number,
    add: number,
    gain: number,
  ): void;
  noiseLanes(out: number, len: number, warm: number, coef: number, key: number): void;
  noiseEmit(src: number, out: number, n: number, scale: number, add: number, gain: number): void;
}

/**
 * Pages of 64 KiB in one arena (4 MiB: the blocks of a few renders). A larger memory would
 * make V8 collect garbage at once when it is allocated, at every start of the CLI.
 */
const PAGES = 64;
const ALIGN = 64;
/** Bytes at the start of the memory that hold the kernels' constants (the data segment of kernels.wat). */
const CONSTANTS = 256;

/**
 * A WebAssembly memory shared by the SIMD kernels and the buffers they work on. The hot
 * buffers of a render (the engine's blocks, the quantiser's output chunk, noise state) are
 * allocated here, so the kernels read and write them in place. The memory never grows, so views
 * stay valid; when it is full, {@link f64} and {@link bytes} return ordinary arrays, and a
 * kernel whose buffers are not all in one arena gives way to its TypeScript twin, which gives
 * the same results. {@link arena} starts a new arena when the current one runs short.
 *
 * A buffer is returned to the arena when the view it was allocated as is garbage-collected:
 * keep that view (not only a subarray of it) for as long as the buffer is used.
 */
export class Arena {
  readonly kernels: Kernels;
  private readonly memory: WebAssembly.Memory;
  private readonly buffer: ArrayBuffer;
  private top = CONSTANTS;
  private readonly free = new Map<number, number[]>();
  private readonly registry = new FinalizationRegistry<[number, number]>(([offset, size]) => {
    const list = this.free.get(size);
    if (list) list.push(offset);
    else this.free.set(size, [offset]);
  });

  constructor(pages = PAGES) {
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    this.buffer = this.memory.buffer;
    const module = new WebAssembly.Module(Buffer.from(KERNELS_WASM, 'base64'));
    const instance = new WebAssembly.Instance(module, { env: { memory: this.memory } });
    this.kernels = instance.exports as unknown as Kernels;
    owners.set(this.buffer, this);
  }

  /** Bytes never handed out yet (freed buffers come back on top of these). */
  get room(): number {
    return this.buffer.byteLength - this.top;
  }

  /** A zeroed Float64Array of `n` in the arena (an ordinary one when the arena is full). */
  f64(n: number): Float64Array {
    return this.view(Float64Array, n);
  }

  /** A zeroed Float32Array of `n` in the arena (an ordinary one when the arena is full). */
  f32(n: number): Float32Array {
    return this.view(Float32Array, n);
  }

  private view<T extends Float64Array | Float32Array>(
    kind: {
      new (buffer: ArrayBuffer, offset: number, n: number): T;
      new (n: number): T;
      BYTES_PER_ELEMENT: number;
    },
    n: number,
  ): T {
    const bytes = n * kind.BYTES_PER_ELEMENT;
    const offset = this.take(bytes);
    if (offset < 0) return new kind(n);
    const view = new kind(this.buffer, offset, n);
    view.fill(0);
    this.registry.register(view, [offset, round(bytes)]);
    return view;
  }

  /** A zeroed Uint8Array of `n` bytes in the arena (an ordinary one when the arena is full). */
  bytes(n: number): Uint8Array {
    const offset = this.take(n);
    if (offset < 0) return new Uint8Array(new ArrayBuffer(round(n)), 0, n);
    const view = new Uint8Array(this.buffer, offset, n);
    view.fill(0);
    this.registry.register(view, [offset, round(n)]);
    return view;
  }

  /** Byte offset of `view` in the arena, or -1 when it lives elsewhere. */
  ptr(view: ArrayBufferView): number {
    return view.buffer === this.buffer ? view.byteOffset : -1;
  }

  private take(bytes: number): number {
    const size = round(bytes);
    const reused = this.free.get(size)?.pop();
    if (reused !== undefined) return reused;
    if (this.top + size > this.buffer.byteLength) return -1;
    const offset = this.top;
    this.top += size;
    return offset;
  }
}

function round(bytes: number): number {
  return Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
}

const owners = new WeakMap<ArrayBuffer, Arena>();
let current: Arena | undefined;

/**
 * The current arena, replaced by a new one when it has fewer than `reserve` bytes left: a
 * caller about to allocate a group of buffers that kernels use together reserves their size
 * first, so that they land in one arena.
 */
export function arena(reserve = 0): Arena {
  if (!current || current.room < reserve) current = new Arena();
  return current;
}

/** The arena `view` lives in, if any. */
export function arenaOf(view: ArrayBufferView): Arena | undefined {
  return owners.get(view.buffer as ArrayBuffer);
}

/**
 * lowbias32 integer hash: the counter-based generator behind dither and noise (sample `k` of a
 * stream draws `hash(key + k)`), identical to `$hash4` in kernels.wat.
 */
export function hash32(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  return h ^ (h >>> 16);
}
