/**
 * Loudness per ITU-R BS.1770-4 / EBU R 128: K-weighting (a high-shelf and a high-pass biquad,
 * coefficients derived for any sample rate from the standard's filter parameters), 400 ms
 * blocks with 75 % overlap, absolute gate at -70 LUFS and relative gate 10 LU below;
 * momentary (400 ms) and short-term (3 s) maxima; true peak by 4x oversampling with a
 * windowed-sinc interpolator (Annex 2 style); sample peak and RMS.
 */

/** Biquad coefficients `[b0, b1, b2, a1, a2]` (a0 = 1). */
export type Biquad = readonly [number, number, number, number, number];

/** The two K-weighting stages for a sample rate: [high shelf, high-pass]. */
export function kWeighting(sampleRate: number): [Biquad, Biquad] {
  // Stage 1: high shelf, +4 dB above ~1.7 kHz (head acoustics).
  let f0 = 1681.974450955533;
  const gainDb = 3.999843853973347;
  let q = 0.7071752369554196;
  let k = Math.tan((Math.PI * f0) / sampleRate);
  const vh = 10 ** (gainDb / 20);
  const vb = vh ** 0.4996667741545416;
  let a0 = 1 + k / q + k * k;
  const shelf: Biquad = [
    (vh + (vb * k) / q + k * k) / a0,
    (2 * (k * k - vh)) / a0,
    (vh - (vb * k) / q + k * k) / a0,
    (2 * (k * k - 1)) / a0,
    (1 - k / q + k * k) / a0,
  ];
  // Stage 2: RLB high-pass at ~38 Hz.
  f0 = 38.13547087602444;
  q = 0.5003270373238773;
  k = Math.tan((Math.PI * f0) / sampleRate);
  a0 = 1 + k / q + k * k;
  const highpass: Biquad = [1, -2, 1, (2 * (k * k - 1)) / a0, (1 - k / q + k * k) / a0];
  return [shelf, highpass];
}

/**
 * Running sums of squares of `x` filtered through biquads in series (direct form I), taken at
 * the sample counts `marks` (ascending): the prefix sums that blocks need, without holding the
 * filtered signal. Also the sum of the filtered squares divided by `n` (for signals shorter than
 * a block), added to `total` in sample order.
 */
function weightedSums(
  x: Float32Array | Float64Array,
  stages: readonly Biquad[],
  marks: readonly number[],
  total: { z: number },
): Float64Array {
  const out = new Float64Array(marks.length);
  const n = x.length;
  const state = stages.map(() => [0, 0, 0, 0]);
  let m = 0;
  while (m < marks.length && marks[m] === 0) out[m++] = 0;
  let acc = 0;
  for (let i = 0; i < n; i++) {
    let v = x[i]!;
    for (let s = 0; s < stages.length; s++) {
      const [b0, b1, b2, a1, a2] = stages[s]!;
      const st = state[s]!;
      const y = b0 * v + b1 * st[0]! + b2 * st[1]! - a1 * st[2]! - a2 * st[3]!;
      st[1] = st[0]!;
      st[0] = v;
      st[3] = st[2]!;
      st[2] = y;
      v = y;
    }
    acc += v * v;
    total.z += (v * v) / n;
    while (m < marks.length && marks[m] === i + 1) out[m++] = acc;
  }
  return out;
}

/** Loudness measurements of a signal. */
export interface Loudness {
  /** Gated integrated loudness, LUFS (-Infinity when every block is below the absolute gate). */
  readonly integratedLufs: number;
  /** Highest momentary (400 ms) loudness, LUFS. */
  readonly momentaryMaxLufs: number;
  /** Highest short-term (3 s) loudness, LUFS (the integrated value for shorter signals). */
  readonly shortTermMaxLufs: number;
  /** True peak over all channels, dBTP (4x oversampled). */
  readonly truePeakDbtp: number;
  /** Sample peak over all channels, dBFS. */
  readonly samplePeakDbfs: number;
  /** Plain RMS over all channels and samples, dBFS (a full-scale sine reads -3.01 dBFS). */
  readonly rmsDbfs: number;
  /** The same RMS in the AES17 convention (+3.01 dB: a full-scale sine reads 0 dBFS). */
  readonly rmsAes17Dbfs: number;
}

const toDb = (v: number): number => (v > 0 ? 20 * Math.log10(v) : Number.NEGATIVE_INFINITY);
const lufs = (meanSquare: number): number =>
  meanSquare > 0 ? -0.691 + 10 * Math.log10(meanSquare) : Number.NEGATIVE_INFINITY;

/** 4x-oversampling interpolator: 4 phases of a 48-tap Hann-windowed sinc. */
const PHASES: Float64Array[] = (() => {
  const taps = 12;
  const out: Float64Array[] = [];
  for (let ph = 0; ph < 4; ph++) {
    const h = new Float64Array(taps);
    for (let t = 0; t < taps; t++) {
      const x = t - taps / 2 + 1 - ph / 4; // distance in input samples
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      const win = 0.5 + 0.5 * Math.cos((Math.PI * x) / (taps / 2 + 0.5));
      h[t] = sinc * win;
    }
    // Unity gain at DC for every phase.
    let sum = 0;
    for (let t = 0; t < taps; t++) sum += h[t]!;
    for (let t = 0; t < taps; t++) h[t] = h[t]! / sum;
    out.push(h);
  }
  return out;
})();

/** True peak (linear) of one channel by 4x oversampling. */
export function truePeak(x: Float32Array | Float64Array): number {
  let peak = 0;
  for (let i = 0; i < x.length; i++) {
    const v = Math.abs(x[i]!);
    if (v > peak) peak = v;
  }
  for (let i = 0; i < x.length; i++) {
    for (let ph = 1; ph < 4; ph++) {
      const h = PHASES[ph]!;
      let s = 0;
      for (let t = 0; t < h.length; t++) {
        const j = i + t - h.length / 2 + 1;
        if (j >= 0 && j < x.length) s += h[t]! * x[j]!;
      }
      const v = Math.abs(s);
      if (v > peak) peak = v;
    }
  }
  return peak;
}

/** Sample counts where blocks of `block` every `hop` start and end (none when n < block). */
function blockMarks(n: number, block: number, hop: number): number[] {
  const out: number[] = [];
  for (let start = 0; start + block <= n; start += hop) out.push(start, start + block);
  return out;
}

/** Mean square of K-weighted blocks, summed over channels, from each channel's prefix sums at `marks`. */
function blockPowers(
  sums: Float64Array[],
  marks: readonly number[],
  n: number,
  block: number,
  hop: number,
): number[] {
  const out: number[] = [];
  const at = new Map(marks.map((v, i) => [v, i]));
  for (let start = 0; start + block <= n; start += hop) {
    const i0 = at.get(start)!;
    const i1 = at.get(start + block)!;
    let z = 0;
    for (const p of sums) z += (p[i1]! - p[i0]!) / block;
    out.push(z);
  }
  return out;
}

/**
 * Measures the loudness of one or more channels (mono, stereo; all weighted 1, as for L, R, C).
 *
 * @example measureLoudness([left, right], 48000).integratedLufs // -23.0 for the EBU reference sine
 */
export function measureLoudness(
  channels: ReadonlyArray<Float32Array | Float64Array>,
  sampleRate: number,
): Loudness {
  const stages = kWeighting(sampleRate);
  const n = channels[0]!.length;
  const hop = Math.round(0.1 * sampleRate);
  const momentary = Math.round(0.4 * sampleRate);
  const long = Math.round(3 * sampleRate);
  // the filtered channels are not kept: only their running sums of squares where blocks start and end
  const marks = [...new Set([...blockMarks(n, momentary, hop), ...blockMarks(n, long, hop)])].sort(
    (a, b) => a - b,
  );
  const whole = { z: 0 };
  const sums = channels.map((ch) => weightedSums(ch, stages, marks, whole));
  const blocks = blockPowers(sums, marks, n, momentary, hop);
  let integratedLufs = Number.NEGATIVE_INFINITY;
  // shorter than one block: the whole signal is one block
  if (blocks.length === 0) blocks.push(whole.z);
  const absGated = blocks.filter((z) => lufs(z) > -70);
  if (absGated.length > 0) {
    const relGate = lufs(absGated.reduce((a, b) => a + b, 0) / absGated.length) - 10;
    const gated = absGated.filter((z) => lufs(z) > relGate);
    integratedLufs = lufs(gated.reduce((a, b) => a + b, 0) / gated.length);
  }
  const shortTerm = blockPowers(sums, marks, n, long, hop);
  let samplePeak = 0;
  let sumSq = 0;
  let count = 0;
  let tp = 0;
  for (const ch of channels) {
    for (let i = 0; i < ch.length; i++) {
      const v = ch[i]!;
      sumSq += v * v;
      if (Math.abs(v) > samplePeak) samplePeak = Math.abs(v);
    }
    count += ch.length;
    tp = Math.max(tp, truePeak(ch));
  }
  return {
    integratedLufs,
    momentaryMaxLufs: lufs(Math.max(...blocks)),
    shortTermMaxLufs: shortTerm.length ? lufs(Math.max(...shortTerm)) : integratedLufs,
    truePeakDbtp: toDb(tp),
    samplePeakDbfs: toDb(samplePeak),
    rmsDbfs: toDb(Math.sqrt(sumSq / count)),
    rmsAes17Dbfs: toDb(Math.sqrt(sumSq / count) * Math.SQRT2),
  };
}
