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
  const meter = new TruePeakMeter();
  meter.add(x);
  return meter.finish();
}

/**
 * True peak measured block by block: each sample is interpolated once the 6 samples after it
 * have arrived (the last ones against zeros at the end), so blocks of any size give the value
 * {@link truePeak} gives for the whole signal (the taps that fall outside the signal add zeros,
 * which changes no sum).
 */
class TruePeakMeter {
  /**
   * The samples being centred on: the last ones not yet centred on, after up to 5 that came
   * before them (zeros at first), then the new block. Reused from block to block.
   */
  private ext: Float64Array = new Float64Array(4096);
  private kept = 5;
  private peak = 0;

  add(x: Float32Array | Float64Array): void {
    let peak = this.peak;
    for (let i = 0; i < x.length; i++) {
      const v = Math.abs(x[i]!);
      if (v > peak) peak = v;
    }
    this.append(x, x.length);
    this.peak = Math.max(peak, interpolatedPeak(this.ext, this.kept));
    const from = Math.max(0, this.kept - 11);
    this.ext.copyWithin(0, from, this.kept);
    this.kept -= from;
  }

  finish(): number {
    this.append(new Float64Array(6), 6);
    return Math.max(this.peak, interpolatedPeak(this.ext, this.kept));
  }

  private append(x: Float32Array | Float64Array, n: number): void {
    if (this.kept + n > this.ext.length) {
      const bigger = new Float64Array(this.kept + n);
      bigger.set(this.ext.subarray(0, this.kept));
      this.ext = bigger;
    }
    this.ext.set(x, this.kept);
    this.kept += n;
  }
}

/** Peak of the 3 interpolated phases between samples, for the centres 5..length-7 of `ext[0..length)`. */
function interpolatedPeak(ext: Float64Array, length: number): number {
  let peak = 0;
  for (let i = 5; i + 6 < length; i++) {
    for (let ph = 1; ph < 4; ph++) {
      const h = PHASES[ph]!;
      let s = 0;
      for (let t = 0; t < h.length; t++) s += h[t]! * ext[i + t - 5]!;
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
  const meter = new LoudnessMeter(channels.length, sampleRate);
  meter.add(channels);
  return meter.finish();
}

/**
 * Loudness measured block by block (a stream of audio), with the results of
 * {@link measureLoudness} for the whole signal: each channel is K-weighted as it arrives and only
 * its running sums of squares where 400 ms and 3 s blocks start and end are kept (3 numbers per
 * channel per 100 ms), with the true-peak interpolator's last samples. The squares of the samples
 * are summed per channel, then over the channels. A signal shorter than one 400 ms block is
 * measured whole, from its samples kept until then.
 *
 * @example const m = new LoudnessMeter(2, 48000); m.add([l1, r1]); m.add([l2, r2]); m.finish().integratedLufs
 */
export class LoudnessMeter {
  private readonly stages: [Biquad, Biquad];
  private readonly hop: number;
  private readonly momentary: number;
  private readonly long: number;
  /** Per channel: the direct-form-I state of both stages (x1, x2, y1, y2 each). */
  private readonly state: Float64Array[];
  /** Per channel: the running sum of the K-weighted squares. */
  private readonly acc: Float64Array;
  /** Per channel: the sum of the squares of the samples. */
  private readonly sumSq: Float64Array;
  /** Per channel: `acc` where blocks start (k hops), where 400 ms blocks end, where 3 s blocks end. */
  private readonly starts: number[][];
  private readonly momentaryEnds: number[][];
  private readonly longEnds: number[][];
  private readonly truePeaks: TruePeakMeter[];
  private samplePeak = 0;
  private n = 0;
  /** The first samples of each channel, while there are fewer than one 400 ms block. */
  private head: Float64Array[] | null;

  constructor(
    private readonly channels: number,
    private readonly sampleRate: number,
  ) {
    this.stages = kWeighting(sampleRate);
    this.hop = Math.round(0.1 * sampleRate);
    this.momentary = Math.round(0.4 * sampleRate);
    this.long = Math.round(3 * sampleRate);
    this.state = Array.from({ length: channels }, () => new Float64Array(8));
    this.acc = new Float64Array(channels);
    this.sumSq = new Float64Array(channels);
    this.starts = Array.from({ length: channels }, () => [0]);
    this.momentaryEnds = Array.from({ length: channels }, () => []);
    this.longEnds = Array.from({ length: channels }, () => []);
    this.truePeaks = Array.from({ length: channels }, () => new TruePeakMeter());
    this.head = Array.from({ length: channels }, () => new Float64Array(Math.max(0, this.momentary)));
  }

  /** The next block: one array per channel, all the same length. */
  add(block: ReadonlyArray<Float32Array | Float64Array>): void {
    const frames = block[0]?.length ?? 0;
    const [[sb0, sb1, sb2, sa1, sa2], [hb0, hb1, hb2, ha1, ha2]] = this.stages;
    const { hop, momentary, long } = this;
    const base = this.n;
    let samplePeak = this.samplePeak;
    for (let c = 0; c < this.channels; c++) {
      const x = block[c]!;
      if (this.head && base < momentary) this.head[c]!.set(x.subarray(0, momentary - base), base);
      const st = this.state[c]!;
      let x1 = st[0]!;
      let x2 = st[1]!;
      let y1 = st[2]!;
      let y2 = st[3]!;
      let u1 = st[4]!;
      let u2 = st[5]!;
      let w1 = st[6]!;
      let w2 = st[7]!;
      let acc = this.acc[c]!;
      let sumSq = this.sumSq[c]!;
      const starts = this.starts[c]!;
      const ends = this.momentaryEnds[c]!;
      const longEnds = this.longEnds[c]!;
      const nextMark = () =>
        Math.min(starts.length * hop, ends.length * hop + momentary, longEnds.length * hop + long);
      let next = nextMark();
      for (let i = 0; i < frames; i++) {
        const raw = x[i]!;
        sumSq += raw * raw;
        if (Math.abs(raw) > samplePeak) samplePeak = Math.abs(raw);
        // the same arithmetic, in the same order, as a direct-form-I biquad per stage
        const y = sb0 * raw + sb1 * x1 + sb2 * x2 - sa1 * y1 - sa2 * y2;
        x2 = x1;
        x1 = raw;
        y2 = y1;
        y1 = y;
        const v = hb0 * y + hb1 * u1 + hb2 * u2 - ha1 * w1 - ha2 * w2;
        u2 = u1;
        u1 = y;
        w2 = w1;
        w1 = v;
        acc += v * v;
        const pos = base + i + 1;
        if (pos === next) {
          if (pos === starts.length * hop) starts.push(acc);
          if (pos === ends.length * hop + momentary) ends.push(acc);
          if (pos === longEnds.length * hop + long) longEnds.push(acc);
          next = nextMark();
        }
      }
      st[0] = x1;
      st[1] = x2;
      st[2] = y1;
      st[3] = y2;
      st[4] = u1;
      st[5] = u2;
      st[6] = w1;
      st[7] = w2;
      this.acc[c] = acc;
      this.sumSq[c] = sumSq;
      this.truePeaks[c]!.add(x);
    }
    this.samplePeak = samplePeak;
    this.n += frames;
    if (this.n >= momentary) this.head = null;
  }

  /** The loudness of everything added. */
  finish(): Loudness {
    const { n, momentary, long } = this;
    if (this.head) {
      const head = this.head;
      this.head = null;
      return measureWhole(
        head.map((h) => h.subarray(0, n)),
        this.sampleRate,
      );
    }
    const blocks = this.blockPowers(this.momentaryEnds, momentary);
    const shortTerm = this.blockPowers(this.longEnds, long);
    let integratedLufs = Number.NEGATIVE_INFINITY;
    const absGated = blocks.filter((z) => lufs(z) > -70);
    if (absGated.length > 0) {
      const relGate = lufs(absGated.reduce((a, b) => a + b, 0) / absGated.length) - 10;
      const gated = absGated.filter((z) => lufs(z) > relGate);
      integratedLufs = lufs(gated.reduce((a, b) => a + b, 0) / gated.length);
    }
    let sumSq = 0;
    for (const s of this.sumSq) sumSq += s;
    const count = n * this.channels;
    const tp = this.truePeaks.reduce((m, p) => Math.max(m, p.finish()), 0);
    return {
      integratedLufs,
      momentaryMaxLufs: lufs(Math.max(...blocks)),
      shortTermMaxLufs: shortTerm.length ? lufs(Math.max(...shortTerm)) : integratedLufs,
      truePeakDbtp: toDb(tp),
      samplePeakDbfs: toDb(this.samplePeak),
      rmsDbfs: toDb(Math.sqrt(sumSq / count)),
      rmsAes17Dbfs: toDb(Math.sqrt(sumSq / count) * Math.SQRT2),
    };
  }

  /** Mean square of the K-weighted blocks of `block` samples that fit, summed over channels. */
  private blockPowers(ends: number[][], block: number): number[] {
    const out: number[] = [];
    for (let k = 0; k * this.hop + block <= this.n; k++) {
      let z = 0;
      for (let c = 0; c < this.channels; c++) z += (ends[c]![k]! - this.starts[c]![k]!) / block;
      out.push(z);
    }
    return out;
  }
}

/** {@link measureLoudness} of a whole signal held in memory (used for signals shorter than a block). */
function measureWhole(channels: ReadonlyArray<Float32Array | Float64Array>, sampleRate: number): Loudness {
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
