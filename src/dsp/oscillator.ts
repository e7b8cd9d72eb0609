import { arenaOf } from './arena.js';
import { getTable, gridHarmonics, type TableWave, type WaveTable } from './tables.js';

/** Periodic waveforms. All but sine are band-limited (no harmonic above Nyquist). */
export type Wave = 'sine' | TableWave;
export const WAVES: readonly Wave[] = ['sine', 'square', 'saw', 'triangle', 'pulse'];

const TWO_PI = 2 * Math.PI;
/** Frames over which a varying frequency keeps one wavetable. */
export const SEGMENT = 64;
/** Headroom for a frequency rising within one segment. */
const SEGMENT_MARGIN = 1.06;

/**
 * A phase-continuous oscillator. `phase` is in cycles [0, 1) and carries over between blocks and
 * between frequency or waveform changes, so nothing clicks.
 *
 * Sine at a constant frequency uses a rotating phasor re-anchored to the exact phase at every
 * block (float64 accuracy); other waves read a band-limited table holding only the harmonics
 * below Nyquist.
 */
export class Oscillator {
  phase: number;
  wave: Wave;
  duty: number;
  private readonly sampleRate: number;
  private readonly nyquist: number;
  private table: WaveTable | undefined;
  private segTable: WaveTable | undefined;
  private tableFreq = -1;
  private rotFreq = -1;
  private rotCos = 1;
  private rotSin = 0;
  private rot4Cos = 1;
  private rot4Sin = 0;

  constructor(sampleRate: number, wave: Wave = 'sine', phase = 0, duty = 0.5) {
    this.sampleRate = sampleRate;
    this.nyquist = sampleRate / 2;
    this.wave = wave;
    this.phase = phase - Math.floor(phase);
    this.duty = duty;
  }

  /** Change waveform (keeps phase). */
  setWave(wave: Wave, duty = this.duty): void {
    if (wave !== this.wave || duty !== this.duty) {
      this.tableFreq = -1;
      this.segTable = undefined;
    }
    this.wave = wave;
    this.duty = duty;
  }

  /** Write `frames` samples at constant frequency `freq` into `out` from `offset`. */
  renderConst(out: Float64Array, offset: number, frames: number, freq: number): void {
    const view = offset === 0 ? out : out.subarray(offset, offset + frames);
    view.fill(0, 0, frames);
    this.addConst(view, null, frames, freq, 1, 0);
  }

  /**
   * Add `frames` samples at constant frequency, scaled by `gainL` into `outL` and by `gainR`
   * into `outR` (when given), from index 0: the fast path of a steady tone, one pass.
   */
  addConst(
    outL: Float64Array,
    outR: Float64Array | null,
    frames: number,
    freq: number,
    gainL: number,
    gainR: number,
  ): void {
    const inc = freq / this.sampleRate;
    if (this.wave === 'sine') {
      if (freq !== this.rotFreq) {
        this.rotFreq = freq;
        this.rotCos = Math.cos(TWO_PI * inc);
        this.rotSin = Math.sin(TWO_PI * inc);
        this.rot4Cos = Math.cos(TWO_PI * 4 * inc);
        this.rot4Sin = Math.sin(TWO_PI * 4 * inc);
      }
      const done = this.sineSimd(outL, outR, frames, inc, gainL, gainR);
      const rc = this.rotCos;
      const rs = this.rotSin;
      let c = Math.cos(TWO_PI * (this.phase + done * inc));
      let s = Math.sin(TWO_PI * (this.phase + done * inc));
      if (outR === null) {
        for (let i = done; i < frames; i++) {
          outL[i]! += s * gainL;
          const nc = c * rc - s * rs;
          s = s * rc + c * rs;
          c = nc;
        }
      } else {
        for (let i = done; i < frames; i++) {
          outL[i]! += s * gainL;
          outR[i]! += s * gainR;
          const nc = c * rc - s * rs;
          s = s * rc + c * rs;
          c = nc;
        }
      }
    } else {
      if (freq !== this.tableFreq) {
        this.table = getTable(this.wave, (this.nyquist * 0.9999) / freq, this.duty);
        this.tableFreq = freq;
      }
      const table = this.table!;
      const data = table.data;
      const size = table.size;
      const step = inc * size;
      let idx = this.phase * size;
      for (let i = 0; i < frames; i++) {
        const j = idx | 0;
        const a = data[j]!;
        const v = a + (idx - j) * (data[j + 1]! - a);
        outL[i]! += v * gainL;
        if (outR !== null) outR[i]! += v * gainR;
        idx += step;
        if (idx >= size) idx -= size;
      }
    }
    const p = this.phase + inc * frames;
    this.phase = p - Math.floor(p);
  }

  /**
   * The steady sine in the SIMD kernel when the outputs live in the arena: four phasors, each
   * anchored to its exact phase, turn by four frames at a time. Returns the frames done (a
   * multiple of four; 0 when the outputs live elsewhere).
   */
  private sineSimd(
    outL: Float64Array,
    outR: Float64Array | null,
    frames: number,
    inc: number,
    gainL: number,
    gainR: number,
  ): number {
    const n = frames & ~3;
    if (n === 0) return 0;
    const mem = arenaOf(outL);
    if (!mem || (outR && arenaOf(outR) !== mem)) return 0;
    const pl = mem.ptr(outL);
    const pr = outR ? mem.ptr(outR) : -1;
    const p = TWO_PI * this.phase;
    const w = TWO_PI * inc;
    mem.kernels.sineAdd(
      pl,
      pr,
      n,
      Math.cos(p),
      Math.cos(p + w),
      Math.cos(p + 2 * w),
      Math.cos(p + 3 * w),
      Math.sin(p),
      Math.sin(p + w),
      Math.sin(p + 2 * w),
      Math.sin(p + 3 * w),
      this.rot4Cos,
      this.rot4Sin,
      gainL,
      gainR,
    );
    return n;
  }

  /**
   * Write `frames` samples following per-sample frequencies `freqs[offset..]` (Hz). `start` is
   * the absolute index of the first frame: tables are chosen per aligned segment of
   * {@link SEGMENT} frames, so the output does not depend on how the render is cut into blocks.
   */
  renderVar(out: Float64Array, offset: number, frames: number, freqs: Float64Array, start: number): void {
    const invSr = 1 / this.sampleRate;
    const end = offset + frames;
    if (this.wave === 'sine') {
      let phase = this.phase;
      for (let i = offset; i < end; i++) {
        out[i] = Math.sin(TWO_PI * phase);
        phase += freqs[i]! * invSr;
        if (phase >= 1) phase -= 1;
        else if (phase < 0) phase += 1;
      }
      this.phase = phase;
      return;
    }
    this.tableFreq = -1;
    let phase = this.phase;
    let i = offset;
    while (i < end) {
      const abs = start + (i - offset);
      const segEnd = Math.min(end, i + (SEGMENT - (abs % SEGMENT)));
      if (abs % SEGMENT === 0 || this.segTable === undefined) {
        // the segment's table, chosen from its first frame with a margin for a rising frequency
        const f = Math.max(1e-9, Math.abs(freqs[i]!) * SEGMENT_MARGIN);
        this.segTable = getTable(this.wave, gridHarmonics((this.nyquist * 0.9999) / f), this.duty);
      }
      const table = this.segTable;
      const data = table.data;
      const size = table.size;
      let idx = phase * size;
      const scale = size * invSr;
      for (; i < segEnd; i++) {
        const j = idx | 0;
        const frac = idx - j;
        const a = data[j]!;
        out[i] = a + frac * (data[j + 1]! - a);
        idx += freqs[i]! * scale;
        if (idx >= size) idx -= size;
        else if (idx < 0) idx += size;
      }
      phase = idx / size;
    }
    this.phase = phase;
  }
}
