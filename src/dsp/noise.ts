import { type Arena, arena, arenaOf, hash32 } from './arena.js';
import type { Rng } from './rng.js';
import { designSlope, type SlopeFilter } from './slope-filter.js';

/** Noise colours and their spectral slopes in dB per octave. */
export const NOISE_SLOPES = { white: 0, pink: -3, brown: -6, blue: 3, violet: 6 } as const;
export type NoiseColor = keyof typeof NOISE_SLOPES;
export const NOISE_COLORS = Object.keys(NOISE_SLOPES) as NoiseColor[];

/**
 * RMS of every noise colour at gain 1. Peaks beyond {@link NOISE_KNEE} (3 RMS) are softened by
 * {@link noiseSoftLimit}, so they approach +-1 without ever reaching it: no sample is clipped.
 */
export const NOISE_RMS = 0.25;
/** Level below which noise samples pass unchanged. */
export const NOISE_KNEE = 0.75;
/**
 * The filters' output is scaled down by this before the kernels' clamp at +-1, which then stands
 * for +-4 (16 RMS, never reached by noise of RMS 0.25), and up again before the soft limit.
 */
const NOISE_HEADROOM = 4;
/** Samples of the scratch buffer noise is made in before it is added to a mix. */
const SCRATCH = 4096;

/**
 * The soft limit of noise peaks: identity up to {@link NOISE_KNEE}, then a tanh knee that
 * approaches +-1 and stays below it for every input up to the kernels' clamp (4).
 * @example noiseSoftLimit(0.5) // 0.5
 * @example noiseSoftLimit(4) < 1 // true
 */
export function noiseSoftLimit(v: number): number {
  const m = Math.abs(v);
  if (m <= NOISE_KNEE) return v;
  const y = NOISE_KNEE + (1 - NOISE_KNEE) * Math.tanh((m - NOISE_KNEE) / (1 - NOISE_KNEE));
  return v < 0 ? -y : y;
}

/** Samples of white noise made per kernel call. */
const CHUNK = 1024;
/** One-pole terms the SIMD kernels run (filters with more use the TypeScript loop). */
const KERNEL_TERMS = 6;
/** Samples in each of the four segments the four-lane kernel makes per call. */
const SEGMENT = 65536;
/** Samples one call of the four-lane kernel makes. */
const SPAN = 4 * SEGMENT;
/**
 * How far the four-lane kernel lets a restarted term decay: after the warm-up, what is left of
 * the zero start is below 2^-30 of the state, finer than f32 resolves.
 */
const RESTART_ERROR = 2 ** -30;

/**
 * The four-lane form of a filter (kernel noiseLanes): the stream is cut into segments of
 * {@link SEGMENT} samples; each is filtered from zero state, starting `warm` samples early, in
 * f32, four segments at once. Samples `start` .. `start + SPAN - 1` are in `buf`.
 */
interface Lanes {
  readonly buf: Float32Array;
  /** The kernel's coefficients a, r and c0, each four times (see {@link makeLanes}). */
  readonly coef: Float32Array;
  readonly warm: number;
  /** Stream position of buf[0]; -1 before the first fill. */
  start: number;
  /** The TypeScript twin's term states. */
  readonly s: Float64Array;
}

/**
 * A seeded noise generator of a given colour. White is uniform, sample `k` drawn from
 * `hash32(key + k)` (a counter-based generator, so the stream does not depend on block sizes);
 * the other colours are white noise through the slope filter of {@link designSlope}, run as
 * partial fractions (a constant plus one-pole terms, in the SIMD kernel when the terms fit),
 * and normalised to the same RMS so that colours can be swapped without a jump in level.
 */
export class NoiseSource {
  readonly color: NoiseColor;
  /** Parallel form of the filter: y = c0 x + sum of one-pole terms s_k = a_k s_k + r_k x. */
  private readonly c0: number;
  private readonly a: Float64Array;
  private readonly r: Float64Array;
  private readonly state: Float64Array;
  private readonly scale: number;
  private readonly parallel: boolean;
  private readonly cascade: SlopeFilter;
  private readonly x1: Float64Array;
  private readonly y1: Float64Array;
  private readonly key: number;
  /** Samples drawn so far (the generator's counter). */
  private position = 0;
  /** White samples of the current chunk (in the arena when it has room). */
  private readonly white: Float64Array;
  /** Coefficients and states of the kernel, in the arena; null when the TypeScript loop runs. */
  private readonly terms: Float64Array | null;
  /** The four-lane form, when the filter fits it (see {@link laneWarmUp}); null otherwise. */
  private readonly lanes: Lanes | null;
  private readonly mem: Arena;
  /** Where noise is made before it is softened and added to a mix (in the arena when it has room). */
  private readonly scratch: Float64Array;

  constructor(color: NoiseColor, sampleRate: number, rng: Rng) {
    this.color = color;
    this.key = rng.nextU32() | 0;
    const slope = NOISE_SLOPES[color];
    let filt: SlopeFilter = { poles: new Float64Array(0), zeros: new Float64Array(0) };
    if (slope !== 0) {
      const base = designSlope(-Math.abs(slope), sampleRate);
      filt = slope < 0 ? base : { poles: base.zeros, zeros: base.poles };
    }
    const { c0, residues } = partialFractions(filt);
    // near-coincident poles (a pole cancelled by a zero beside it) make the partial fractions
    // ill-conditioned: such filters run as the cascade itself
    this.parallel = residues.every((v) => Number.isFinite(v) && Math.abs(v) < 1e3);
    this.cascade = filt;
    this.x1 = new Float64Array(filt.poles.length);
    this.y1 = new Float64Array(filt.poles.length);
    this.c0 = c0;
    const n = this.parallel ? filt.poles.length : 0;
    const a = new Float64Array(n);
    const r = new Float64Array(n);
    if (this.parallel) {
      a.set(filt.poles);
      r.set(residues);
    }
    const warm = this.parallel ? laneWarmUp(a) : -1;
    const mem = arena(
      8 * SCRATCH + (warm >= 0 ? 4 * (SPAN + LANE_CONSTANTS) : 8 * (CHUNK + 4 + 5 * KERNEL_TERMS)),
    );
    this.mem = mem;
    this.scratch = mem.f64(SCRATCH);
    this.lanes = warm >= 0 ? makeLanes(mem, c0, a, r, warm) : null;
    this.white = mem.f64(this.lanes ? 0 : CHUNK + 4);
    // the kernel's a, r, s, a^2 and a r (six terms each); the TypeScript loop shares the states
    let terms: Float64Array | null = null;
    if (!this.lanes && this.parallel && n <= KERNEL_TERMS && mem.ptr(this.white) >= 0) {
      terms = mem.f64(5 * KERNEL_TERMS);
      if (mem.ptr(terms) >= 0) {
        for (let k = 0; k < n; k++) {
          terms[k] = a[k]!;
          terms[KERNEL_TERMS + k] = r[k]!;
          terms[3 * KERNEL_TERMS + k] = a[k]! * a[k]!;
          terms[4 * KERNEL_TERMS + k] = a[k]! * r[k]!;
        }
      } else terms = null;
    }
    this.terms = terms;
    this.a = a;
    this.r = r;
    this.state = terms ? terms.subarray(2 * KERNEL_TERMS, 2 * KERNEL_TERMS + n) : new Float64Array(n);
    // uniform white in [-1, 1) has variance 1/3
    const gain = Math.sqrt(
      (this.parallel ? parallelPowerGain(c0, this.a, this.r) : powerGain(filt, sampleRate)) / 3,
    );
    this.scale = NOISE_RMS / gain / NOISE_HEADROOM;
    // let the slowest term settle so the render starts in its steady state (the four-lane form
    // starts every segment settled)
    const settle =
      filt.poles.length > 0 && !this.lanes
        ? Math.min(sampleRate, 8 * Math.ceil(sampleRate / (2 * Math.PI * 2)))
        : 0;
    for (let done = 0; done < settle; done += CHUNK) this.process(this.white, 0, CHUNK);
  }

  /** Write `frames` samples into `out` from `offset` (RMS {@link NOISE_RMS}, peaks within +-1). */
  process(out: Float64Array, offset: number, frames: number): void {
    this.run(out, offset, frames, false, 1);
  }

  /** Add `frames` samples times `gain` into `out` from index 0. */
  addTo(out: Float64Array, frames: number, gain: number): void {
    this.run(out, 0, frames, true, gain);
  }

  /** Noise of RMS {@link NOISE_RMS} with its peaks softened, written or added times `gain`. */
  private run(out: Float64Array, offset: number, frames: number, add: boolean, gain: number): void {
    if (!add) {
      this.filtered(out, offset, frames);
      for (let i = offset; i < offset + frames; i++) out[i] = noiseSoftLimit(out[i]! * NOISE_HEADROOM);
      return;
    }
    const tmp = this.scratch;
    for (let done = 0; done < frames; done += SCRATCH) {
      const n = Math.min(SCRATCH, frames - done);
      this.filtered(tmp, 0, n);
      for (let i = 0; i < n; i++) out[offset + done + i]! += gain * noiseSoftLimit(tmp[i]! * NOISE_HEADROOM);
    }
  }

  /** The filtered noise divided by {@link NOISE_HEADROOM}, written to `out` from `offset`. */
  private filtered(out: Float64Array, offset: number, frames: number): void {
    const add = false;
    const gain = 1;
    if (this.lanes) {
      this.runLanes(this.lanes, out, offset, frames, add, gain);
      return;
    }
    const mem = this.mem;
    const po = this.terms && arenaOf(out) === mem ? mem.ptr(out) : -1;
    for (let done = 0; done < frames; done += CHUNK) {
      const n = Math.min(CHUNK, frames - done);
      if (po >= 0) {
        const pw = mem.ptr(this.white);
        mem.kernels.white(pw, n, (this.key + this.position) | 0);
        mem.kernels.pinkish(
          pw,
          po + (offset + done) * 8,
          n,
          mem.ptr(this.terms!),
          this.c0,
          this.scale,
          add ? 1 : 0,
          gain,
        );
      } else {
        this.drawWhite(n);
        this.chunk(out, offset + done, n, add, gain);
      }
      this.position += n;
    }
  }

  private runLanes(
    lanes: Lanes,
    out: Float64Array,
    offset: number,
    frames: number,
    add: boolean,
    gain: number,
  ): void {
    const mem = this.mem;
    const pb = mem.ptr(lanes.buf);
    const po = pb >= 0 && arenaOf(out) === mem ? mem.ptr(out) : -1;
    for (let done = 0; done < frames; ) {
      let at = this.position - lanes.start;
      if (lanes.start < 0 || at < 0 || at >= SPAN) {
        lanes.start = Math.floor(this.position / SPAN) * SPAN;
        this.fillLanes(lanes);
        at = this.position - lanes.start;
      }
      const n = Math.min(frames - done, SPAN - at);
      const o = offset + done;
      if (po >= 0) mem.kernels.noiseEmit(pb + at * 4, po + o * 8, n, this.scale, add ? 1 : 0, gain);
      else scaleInto(lanes.buf, at, out, o, n, this.scale, add, gain);
      done += n;
      this.position += n;
    }
  }

  /** The four segments from lanes.start into lanes.buf: the kernel, or its TypeScript twin. */
  private fillLanes(lanes: Lanes): void {
    const { buf, coef, warm, s } = lanes;
    const key = (this.key + lanes.start - warm) | 0;
    const mem = this.mem;
    if (mem.ptr(buf) >= 0 && mem.ptr(coef) >= 0) {
      mem.kernels.noiseLanes(mem.ptr(buf), SEGMENT, warm, mem.ptr(coef), key);
      return;
    }
    const f = Math.fround;
    const c0 = coef[LANE_C0]!;
    for (let j = 0; j < 4; j++) {
      s.fill(0);
      for (let t = 0; t < warm + SEGMENT; t++) {
        const x = f(hash32(key + j * SEGMENT + t)) * 2 ** -31;
        let y = f(c0 * x);
        for (let k = 0; k < KERNEL_TERMS; k++) {
          s[k] = f(f(coef[4 * k]! * s[k]!) + f(coef[LANE_R + 4 * k]! * x));
          y = f(y + s[k]!);
        }
        if (t >= warm) buf[j * SEGMENT + t - warm] = y;
      }
    }
  }

  /** White samples of the next chunk, the TypeScript way (the kernel's `white`). */
  private drawWhite(n: number): void {
    const w = this.white;
    const key = this.key + this.position;
    for (let i = 0; i < n; i++) w[i] = hash32(key + i) / 2147483648;
  }

  private chunk(out: Float64Array, offset: number, frames: number, add: boolean, gain: number): void {
    const y = this.parallel ? this.parallelTerms(frames) : this.cascadeSections(frames);
    scaleInto(y, 0, out, offset, frames, this.scale, add, gain);
  }

  /** The partial fractions over the white chunk, in place; returns it. */
  private parallelTerms(frames: number): Float64Array {
    const { a, r, state, white: w, c0 } = this;
    for (let i = 0; i < frames; i++) {
      const x = w[i]!;
      let y = c0 * x;
      for (let k = 0; k < a.length; k++) {
        const s = a[k]! * state[k]! + r[k]! * x;
        state[k] = s;
        y += s;
      }
      w[i] = y;
    }
    return w;
  }

  /** The cascade of first-order sections over the white chunk, in place; returns it. */
  private cascadeSections(frames: number): Float64Array {
    const w = this.white;
    const { poles, zeros } = this.cascade;
    for (let s = 0; s < poles.length; s++) {
      const a = poles[s]!;
      const b = zeros[s]!;
      let x1 = this.x1[s]!;
      let y1 = this.y1[s]!;
      for (let i = 0; i < frames; i++) {
        const x = w[i]!;
        const y = x - b * x1 + a * y1;
        x1 = x;
        y1 = y;
        w[i] = y;
      }
      this.x1[s] = x1;
      this.y1[s] = y1;
    }
    return w;
  }
}

/**
 * Filtered samples `src[from ..]` times `scale`, clamped to +-1, written to `out[at ..]` (or
 * added times `gain`): the TypeScript twin of the kernels' last step (pinkish, noiseEmit).
 */
function scaleInto(
  src: Float64Array | Float32Array,
  from: number,
  out: Float64Array,
  at: number,
  n: number,
  scale: number,
  add: boolean,
  gain: number,
): void {
  for (let i = 0; i < n; i++) {
    const v = Math.max(-1, Math.min(1, src[from + i]! * scale));
    if (add) out[at + i]! += v * gain;
    else out[at + i] = v;
  }
}

/**
 * The warm-up of the four-lane form for one-pole terms `a` (the slowest term's decay to
 * {@link RESTART_ERROR}), or -1 when the form does not fit: more than six terms, or a warm-up
 * longer than a segment (restarts would cost more than the samples they make). Brown noise at
 * 96 kHz and above, and pink at 192 kHz, decay too slowly and keep the sequential kernel.
 */
function laneWarmUp(a: Float64Array): number {
  if (a.length === 0 || a.length > KERNEL_TERMS) return -1;
  let slowest = 0;
  for (const v of a) slowest = Math.max(slowest, Math.abs(v));
  const warm = slowest > 0 ? Math.ceil(Math.log(RESTART_ERROR) / Math.log(slowest)) : 0;
  return warm <= SEGMENT ? warm : -1;
}

/** Where noiseLanes finds its coefficients, in f32 units of `coef`, each four times: a_k at 4k, r_k at LANE_R + 4k, c0. */
const LANE_R = 4 * KERNEL_TERMS;
const LANE_C0 = 8 * KERNEL_TERMS;
const LANE_CONSTANTS = LANE_C0 + 4;

/** The four-lane form of c0 plus one-pole terms a, r, its buffers in `mem` when it has room. */
function makeLanes(mem: Arena, c0: number, a: Float64Array, r: Float64Array, warm: number): Lanes {
  const coef = mem.f32(LANE_CONSTANTS);
  for (let lane = 0; lane < 4; lane++) {
    for (let k = 0; k < a.length; k++) {
      coef[4 * k + lane] = a[k]!;
      coef[LANE_R + 4 * k + lane] = r[k]!;
    }
    coef[LANE_C0 + lane] = c0;
  }
  return { buf: mem.f32(SPAN), coef, warm, start: -1, s: new Float64Array(KERNEL_TERMS) };
}

/**
 * Power gain (sum of the squared impulse response) of c0 plus one-pole terms r_k / (1 - a_k z^-1):
 * the response is c0 + sum r_k at n = 0 and sum r_k a_k^n after, so the sum is closed-form.
 */
function parallelPowerGain(c0: number, a: Float64Array, r: Float64Array): number {
  let sumR = 0;
  let cross = 0;
  for (let i = 0; i < a.length; i++) {
    sumR += r[i]!;
    for (let j = 0; j < a.length; j++) cross += (r[i]! * r[j]!) / (1 - a[i]! * a[j]!);
  }
  return c0 * c0 + 2 * c0 * sumR + cross;
}

/**
 * The cascade of first-order sections as a constant plus a sum of one-pole terms (partial
 * fractions): the terms are independent, so the CPU can update several at once.
 */
export function partialFractions(f: SlopeFilter): { c0: number; residues: Float64Array } {
  const a = f.poles;
  const b = f.zeros;
  const n = a.length;
  let c0 = 1;
  for (let i = 0; i < n; i++) c0 *= b[i]! / a[i]!;
  const residues = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let num = 1;
    let den = 1;
    for (let j = 0; j < n; j++) {
      num *= 1 - b[j]! / a[i]!;
      if (j !== i) den *= 1 - a[j]! / a[i]!;
    }
    residues[i] = num / den;
  }
  return { c0, residues };
}

/** Sum of the squared impulse response of the cascade (its power gain for white noise). */
function powerGain(f: SlopeFilter, sampleRate: number): number {
  if (f.poles.length === 0) return 1;
  const n = Math.ceil(sampleRate * 4);
  const buf = new Float64Array(n);
  buf[0] = 1;
  for (let s = 0; s < f.poles.length; s++) {
    const a = f.poles[s]!;
    const b = f.zeros[s]!;
    let x1 = 0;
    let y1 = 0;
    for (let i = 0; i < n; i++) {
      const x = buf[i]!;
      const y = x - b * x1 + a * y1;
      x1 = x;
      y1 = y;
      buf[i] = y;
    }
  }
  let e = 0;
  for (let i = 0; i < n; i++) e += buf[i]! * buf[i]!;
  return e;
}
