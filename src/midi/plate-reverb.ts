// Jon Dattorro's plate reverberator ("Effect Design, Part 1", JAES 1997), the algorithm of
// spessasynth_core's reverb, written for speed: its twelve delay lines live in one Float32Array
// addressed from one sample counter, with no call or array lookup per read. It takes its settings
// (pre-delay, bandwidth, diffusions, decay, damping, excursion, gain) from the engine's reverb
// object each block, so the engine's GS/XG reverb macros and controllers still steer it, and it
// computes the same samples as the engine's reverb (test/midi/plate-reverb.test.ts).

/** The engine's plate: its settings, and the method this class takes over. */
export interface PlateSettings {
  preDelay: number;
  preLPF: number;
  inputDiffusion1: number;
  inputDiffusion2: number;
  decay: number;
  decayDiffusion1: number;
  decayDiffusion2: number;
  damping: number;
  excursionRate: number;
  excursionDepth: number;
  gain: number;
  process(input: Float32Array, left: Float32Array, right: Float32Array, at: number, n: number): void;
}

/**
 * Delay lines, seconds: four input diffusers; per tank half a modulated allpass, a delay, an
 * allpass and a delay (Dattorro's figure 1 lengths at 29761 Hz, as seconds).
 */
const LINES_SEC = [
  0.004771345, 0.003595309, 0.012734787, 0.009307483, 0.022579886, 0.149625349, 0.060481839, 0.1249958,
  0.030509727, 0.141695508, 0.089244313, 0.106280031,
];
/** Output taps, seconds: seven for the left output, then seven for the right. */
const TAPS_SEC = [
  0.008937872, 0.099929438, 0.064278754, 0.067067639, 0.066866033, 0.006283391, 0.035818689, 0.011861161,
  0.121870905, 0.041262054, 0.08981553, 0.070931756, 0.011256342, 0.004065724,
];

/**
 * The plate at one sample rate.
 * @example
 * const plate = new PlateReverb(48000);
 * plate.process(engineReverb.dattorro, send, left, right, 0, 128);
 */
export class PlateReverb {
  private readonly buf: Float32Array;
  /** Start, mask (size - 1) and write distance (length - 1) of each line. */
  private readonly base = new Int32Array(12);
  private readonly mask = new Int32Array(12);
  private readonly lag = new Int32Array(12);
  private readonly taps: Int32Array;
  private readonly pre: Float32Array;
  private preAt = 0;
  /** Sample counter, modulo the largest line. */
  private t = 0;
  private readonly wrap: number;
  private lp1 = 0;
  private lp2 = 0;
  private lp3 = 0;
  private phase = 0;

  constructor(readonly sampleRate: number) {
    let total = 0;
    let largest = 1;
    LINES_SEC.forEach((sec, k) => {
      const len = Math.round(sec * sampleRate);
      const size = 2 ** Math.ceil(Math.log2(len));
      this.base[k] = total;
      this.mask[k] = size - 1;
      this.lag[k] = len - 1;
      total += size;
      largest = Math.max(largest, size);
    });
    this.wrap = largest - 1;
    this.buf = new Float32Array(total);
    this.taps = Int32Array.from(TAPS_SEC, (sec) => Math.round(sec * sampleRate));
    this.pre = new Float32Array(sampleRate);
  }

  /**
   * Add `n` frames of the plate's answer to `input` (from 0) into `left`/`right` from `at`,
   * with the settings of `s`.
   */
  process(
    s: PlateSettings,
    input: Float32Array,
    left: Float32Array,
    right: Float32Array,
    at: number,
    n: number,
  ): void {
    const b = this.buf;
    const [b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11] = this.base as unknown as number[];
    const [m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11] = this.mask as unknown as number[];
    const [g0, g1, g2, g3, g4, g5, g6, g7, g8, g9, g10, g11] = this.lag as unknown as number[];
    const [t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13] = this.taps as unknown as number[];
    const pre = this.pre;
    const preLen = pre.length;
    const preStart = this.preAt;
    const delay = Math.min(Math.max(s.preDelay | 0, 0), preLen - 1);
    const fi = s.inputDiffusion1;
    const si = s.inputDiffusion2;
    const dc = s.decay;
    const ft = s.decayDiffusion1;
    const st = s.decayDiffusion2;
    const dp = 1 - s.damping;
    const ex = s.excursionRate / this.sampleRate;
    const ed = (s.excursionDepth * this.sampleRate) / 1000;
    const bandwidth = s.preLPF;
    const gain = s.gain;
    const wrap = this.wrap;
    for (let j = 0; j < n; j++) pre[(preStart + j) % preLen] = input[j]!;
    let { t, lp1, lp2, lp3, phase } = this;
    for (let i = 0; i < n; i++) {
      lp1 += bandwidth * (pre[(preLen + preStart - delay + i) % preLen]! - lp1);
      // input diffusers (allpasses), each read before it is written
      const r0 = b[b0 + (t & m0)]!;
      let v = lp1 - fi * r0;
      b[b0 + ((t + g0) & m0)] = v;
      const r1 = b[b1 + (t & m1)]!;
      v = fi * (v - r1) + r0;
      b[b1 + ((t + g1) & m1)] = v;
      const r2 = b[b2 + (t & m2)]!;
      v = fi * v + r1 - si * r2;
      b[b2 + ((t + g2) & m2)] = v;
      const r3 = b[b3 + (t & m3)]!;
      v = si * (v - r3) + r2;
      b[b3 + ((t + g3) & m3)] = v;
      const split = si * v + r3;
      // the tank: two halves, each fed by the other's end
      const exc = ed * (1 + Math.cos(phase * 6.28));
      const exc2 = ed * (1 + Math.sin(phase * 6.2847));
      const mod4 = cubicAt(b, b4, m4, t, exc);
      let temp = split + dc * b[b11 + (t & m11)]! + ft * mod4;
      b[b4 + ((t + g4) & m4)] = temp;
      b[b5 + ((t + g5) & m5)] = mod4 - ft * temp;
      lp2 += dp * (b[b5 + (t & m5)]! - lp2);
      const r6 = b[b6 + (t & m6)]!;
      temp = dc * lp2 - st * r6;
      b[b6 + ((t + g6) & m6)] = temp;
      b[b7 + ((t + g7) & m7)] = r6 + st * temp;
      const mod8 = cubicAt(b, b8, m8, t, exc2);
      temp = split + dc * b[b7 + (t & m7)]! + ft * mod8;
      b[b8 + ((t + g8) & m8)] = temp;
      b[b9 + ((t + g9) & m9)] = mod8 - ft * temp;
      lp3 += dp * (b[b9 + (t & m9)]! - lp3);
      const r10 = b[b10 + (t & m10)]!;
      temp = dc * lp3 - st * r10;
      b[b10 + ((t + g10) & m10)] = temp;
      b[b11 + ((t + g11) & m11)] = r10 + st * temp;
      const l =
        b[b9 + ((t + t0) & m9)]! +
        b[b9 + ((t + t1) & m9)]! -
        b[b10 + ((t + t2) & m10)]! +
        b[b11 + ((t + t3) & m11)]! -
        b[b5 + ((t + t4) & m5)]! -
        b[b6 + ((t + t5) & m6)]! -
        b[b7 + ((t + t6) & m7)]!;
      left[at + i]! += l * gain;
      const r =
        b[b5 + ((t + t7) & m5)]! +
        b[b5 + ((t + t8) & m5)]! -
        b[b6 + ((t + t9) & m6)]! +
        b[b7 + ((t + t10) & m7)]! -
        b[b9 + ((t + t11) & m9)]! -
        b[b10 + ((t + t12) & m10)]! -
        b[b11 + ((t + t13) & m11)]!;
      right[at + i]! += r * gain;
      phase += ex;
      t = (t + 1) & wrap;
    }
    this.t = t;
    this.lp1 = lp1;
    this.lp2 = lp2;
    this.lp3 = lp3;
    this.phase = phase;
    this.preAt = (preStart + n) % preLen;
  }
}

/** Cubic interpolation of a line at `x` samples past its read point (x >= 0). */
function cubicAt(b: Float32Array, base: number, mask: number, t: number, x: number): number {
  const whole = ~~x;
  const f = x - whole;
  const k = whole + t - 1;
  const x0 = b[base + (k & mask)]!;
  const x1 = b[base + ((k + 1) & mask)]!;
  const x2 = b[base + ((k + 2) & mask)]!;
  const x3 = b[base + ((k + 3) & mask)]!;
  const a = (3 * (x1 - x2) - x0 + x3) / 2;
  const c2 = 2 * x2 + x0 - (5 * x1 + x3) / 2;
  const c1 = (x2 - x0) / 2;
  return ((a * f + c2) * f + c1) * f + x1;
}

const plates = new WeakMap<object, PlateReverb>();

/**
 * Make the engine's reverb `reverb` (a SpessaSynthReverb, or a proxy of one) run its plate with
 * {@link PlateReverb}; other reverbs are left alone. Idempotent.
 */
export function installPlate(reverb: unknown, sampleRate: number): void {
  const d = (reverb as { dattorro?: PlateSettings } | undefined)?.dattorro;
  if (!d || typeof d.process !== 'function' || plates.has(d)) return;
  const plate = new PlateReverb(sampleRate);
  plates.set(d, plate);
  d.process = (input, left, right, at, n) => plate.process(d, input, left, right, at, n);
}
