/**
 * Averaged magnitude spectra (Welch's method with a Hann window, via fft.js) and spectral peak
 * picking with quadratic interpolation of the log magnitude, for partial analysis.
 */
import FFT from 'fft.js';

/** A spectral peak (partial). */
export interface Partial {
  /** Interpolated frequency in Hz. */
  readonly frequency: number;
  /** Interpolated amplitude of an equivalent sinusoid (linear, full scale = 1). */
  readonly amplitude: number;
}

/** An averaged one-sided power spectrum. */
export interface PowerSpectrum {
  /** Mean power per bin, bins 0..size/2. */
  readonly power: Float64Array;
  readonly size: number;
  readonly sampleRate: number;
  /** Sum of the window, to convert magnitudes to sinusoid amplitudes. */
  readonly windowSum: number;
}

const ffts = new Map<number, FFT>();
function fftOf(size: number): FFT {
  let f = ffts.get(size);
  if (!f) {
    f = new FFT(size);
    ffts.set(size, f);
  }
  return f;
}

/** Hann window of a given length (periodic form). */
export function hann(size: number): Float64Array {
  const w = new Float64Array(size);
  for (let i = 0; i < size; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / size);
  return w;
}

/**
 * Welch-averaged power spectrum of `x[start..end)` with frames of `size` samples (a power of
 * two) overlapping by half. Signals shorter than one frame are zero-padded.
 */
export function averagedSpectrum(
  x: Float32Array | Float64Array,
  sampleRate: number,
  size: number,
  start = 0,
  end = x.length,
  maxFrames = 64,
): PowerSpectrum {
  const welch = new WelchAverage(size);
  for (const offset of welchOffsets(end - start, size, maxFrames)) {
    const from = start + offset;
    welch.add(x.subarray(from, Math.min(end, from + size)));
  }
  return welch.finish(sampleRate);
}

/**
 * Where the frames of {@link averagedSpectrum} start in a signal of `len` samples: every half
 * frame, or at most `maxFrames` of them spread evenly (one at 0 for a short signal). Frames of a
 * signal at least `size` long lie inside it.
 */
export function welchOffsets(len: number, size: number, maxFrames = 64): number[] {
  const hop = size / 2;
  const frames = Math.max(1, Math.floor((len - size) / hop) + 1);
  const step = frames > maxFrames ? frames / maxFrames : 1;
  const out: number[] = [];
  for (let f = 0; f < Math.min(frames, maxFrames); f++) out.push(Math.floor(f * step) * hop);
  return out;
}

/**
 * The sum of the Hann-windowed power spectra of frames, added one at a time (in the order of
 * {@link welchOffsets}, for the same result as {@link averagedSpectrum}); a stream's analysis adds
 * each frame once its samples have arrived.
 */
export class WelchAverage {
  private readonly fft: FFT;
  private readonly w: Float64Array;
  private readonly frame: Float64Array;
  private readonly out: number[];
  private readonly power: Float64Array;
  private used = 0;

  constructor(readonly size: number) {
    this.fft = fftOf(size);
    this.w = hann(size);
    this.frame = new Float64Array(size);
    this.out = this.fft.createComplexArray() as number[];
    this.power = new Float64Array(size / 2 + 1);
  }

  /** One frame's samples (zero-padded past their end to `size`). */
  add(samples: ArrayLike<number>): void {
    const { frame, w, out, power, size } = this;
    for (let i = 0; i < size; i++) frame[i] = i < samples.length ? samples[i]! * w[i]! : 0;
    this.fft.realTransform(out, frame);
    for (let k = 0; k <= size / 2; k++) {
      const re = out[2 * k]!;
      const im = out[2 * k + 1]!;
      power[k] = power[k]! + re * re + im * im;
    }
    this.used++;
  }

  /** The mean power of the frames added. */
  finish(sampleRate: number): PowerSpectrum {
    const { power, size, w } = this;
    let windowSum = 0;
    for (let i = 0; i < size; i++) windowSum += w[i]!;
    for (let k = 0; k < power.length; k++) power[k] = power[k]! / this.used;
    return { power, size, sampleRate, windowSum };
  }
}

/**
 * Peaks of a power spectrum: local maxima (over ±2 bins) no more than `floorDb` below the
 * strongest peak, with frequency and amplitude refined by fitting a parabola through the log
 * magnitudes of the peak bin and its neighbours.
 */
export function findPeaks(
  spec: PowerSpectrum,
  floorDb = -60,
  minHz = 20,
  maxHz = Number.POSITIVE_INFINITY,
): Partial[] {
  const { power, size, sampleRate, windowSum } = spec;
  const binHz = sampleRate / size;
  let max = 0;
  for (let k = 1; k < power.length - 1; k++) if (power[k]! > max) max = power[k]!;
  if (max === 0) return [];
  const threshold = max * 10 ** (floorDb / 10);
  const kLo = Math.max(2, Math.ceil(minHz / binHz));
  const kHi = Math.min(power.length - 3, Math.floor(maxHz / binHz));
  const peaks: Partial[] = [];
  for (let k = kLo; k <= kHi; k++) {
    const p = power[k]!;
    if (p < threshold) continue;
    if (!(p > power[k - 1]! && p >= power[k + 1]! && p > power[k - 2]! && p >= power[k + 2]!)) continue;
    const a = 0.5 * Math.log(power[k - 1]! + 1e-300);
    const b = 0.5 * Math.log(p);
    const c = 0.5 * Math.log(power[k + 1]! + 1e-300);
    const denom = a - 2 * b + c;
    const delta = denom < 0 ? (0.5 * (a - c)) / denom : 0;
    const logMag = b - 0.25 * (a - c) * delta;
    // A sinusoid of amplitude A gives a Hann-windowed peak magnitude of A * windowSum / 2.
    peaks.push({ frequency: (k + delta) * binHz, amplitude: (2 * Math.exp(logMag)) / windowSum });
  }
  return peaks;
}

/**
 * The level of the spectrum's background around a frequency: the median power of the bins
 * within about a quarter octave of it (at least 16 bins either side), as the amplitude of an
 * equivalent sinusoid, like {@link findPeaks}' peaks. Partials are a few bins wide, so the
 * median lies on the noise between them; in a band of noise (a rumble, a bow's or breath's
 * hiss) it lies a few dB under the noise's own peaks, which a clean partial stands far above.
 */
export function spectralBackground(spec: PowerSpectrum): (hz: number) => number {
  const { power, size, sampleRate, windowSum } = spec;
  const binHz = sampleRate / size;
  const cache = new Map<number, number>();
  return (hz) => {
    const k = Math.min(power.length - 2, Math.max(1, Math.round(hz / binHz)));
    let level = cache.get(k);
    if (level === undefined) {
      const span = Math.max(16, Math.round(k * (2 ** 0.25 - 1)));
      const bins = power.slice(Math.max(1, k - span), Math.min(power.length - 1, k + span + 1)).sort();
      level = (2 * Math.sqrt(bins[bins.length >> 1]!)) / windowSum;
      cache.set(k, level);
    }
    return level;
  };
}

/**
 * How wide a partial spreads, as log2 of bins: from the lowest to the highest bin within 40
 * cents of the spectrum's peak nearest `hz` (within 2 bins) whose power is within 10 dB of
 * that peak's, the edges interpolated to the -10 dB point. A steady sinusoid spans the Hann
 * window's main lobe there, 2.2-2.5 bins (log2 1.15-1.3); two sinusoids a few cents apart (a partial of an
 * upper string beside a lower string's) span their distance too, whether the window resolves
 * them into two peaks or not; a wavering partial (vibrato, a chorus) spans its swing. NaN near
 * the ends of the spectrum.
 */
export function partialSpread(spec: PowerSpectrum): (hz: number) => number {
  const { power, size, sampleRate } = spec;
  const binHz = sampleRate / size;
  return (hz) => {
    const k = Math.round(hz / binHz);
    const reach = Math.max(3, Math.round(k * (2 ** (40 / 1200) - 1)));
    if (k - 2 - reach < 1 || k + 2 + reach >= power.length - 1) return Number.NaN;
    let k0 = k - 2;
    for (let i = k - 1; i <= k + 2; i++) if (power[i]! > power[k0]!) k0 = i;
    const th = power[k0]! / 10;
    let lo = k0;
    let hi = k0;
    for (let i = k0 - reach; i < k0; i++)
      if (power[i]! >= th) {
        lo = i;
        break;
      }
    for (let i = k0 + reach; i > k0; i--)
      if (power[i]! >= th) {
        hi = i;
        break;
      }
    // how far past an edge bin the power stays above the -10 dB point (log-linear)
    const past = (i: number, d: number): number => {
      const a = Math.log(power[i]! / th);
      const b = Math.log(Math.max(power[i + d]!, 1e-300) / th);
      return b < 0 ? a / (a - b) : 0;
    };
    return Math.log2(hi - lo + past(lo, -1) + past(hi, 1));
  };
}

/** Largest power of two not above `n`, clamped to [min, max]. */
export function powerOfTwoAtMost(n: number, min: number, max: number): number {
  let p = min;
  while (p * 2 <= Math.min(n, max)) p *= 2;
  return p;
}

/** Clusters further apart than this (cents) are two partials, however smeared: a semitone is 100. */
const SMEAR_CENTS = 80;
/** Only clusters within this (dB) of the strongest peak merge as a smeared partial: noise stays as it is. */
const SMEAR_FLOOR_DB = -30;
/** A valley this deep (dB) below the weaker cluster's strongest peak parts two partials. */
const VALLEY_DB = 25;
/** Sidebands of a vibrato lie its rate apart (4-8 Hz); a gap this wide (Hz) between them parts two partials. */
const SIDEBAND_GAP_HZ = 12;
/** Peaks this far (dB) below the weaker cluster's strongest are no sidebands. */
const SIDEBAND_DB = 40;

/**
 * Are two clusters of peaks (mean frequencies `lo` < `hi`, the weaker one's strongest peak of
 * amplitude `top`) one smeared partial? They must lie within `SMEAR_CENTS`, and either no bin of
 * the spectrum between them falls `VALLEY_DB` below `top` (an irregular vibrato, a chorus), or a
 * comb of `peaks` bridges them (a regular vibrato's sidebands, with deep valleys between them:
 * at least one strictly between, no gap wider than `SIDEBAND_GAP_HZ`, each within
 * `SIDEBAND_DB` of `top`). Two steady partials have the window's deep valley (when 6 bins or
 * more apart) and no peak between them.
 */
function smearedTogether(
  spec: PowerSpectrum,
  peaks: readonly Partial[],
): (lo: number, hi: number, top: number) => boolean {
  const { power, size, sampleRate, windowSum } = spec;
  const binHz = sampleRate / size;
  // a peak's amplitude A is 2 sqrt(P) / windowSum (findPeaks)
  const toPower = (windowSum / 2) ** 2;
  return (lo, hi, top) => {
    if (1200 * Math.log2(hi / lo) > SMEAR_CENTS) return false;
    const floor = top * top * toPower * 10 ** (-VALLEY_DB / 10);
    // closer than 6 bins, the window's main lobes (4 bins wide) leave no valley to measure
    let valley = hi - lo < 6 * binHz;
    const end = Math.min(power.length - 1, Math.floor(hi / binHz));
    for (let k = Math.ceil(lo / binHz); k <= end && !valley; k++) valley = power[k]! < floor;
    if (!valley) return true;
    const weakest = top * 10 ** (-SIDEBAND_DB / 20);
    let last = lo;
    let inside = 0;
    for (const p of peaks) {
      if (p.frequency <= lo || p.frequency >= hi || p.amplitude < weakest) continue;
      if (p.frequency - last > SIDEBAND_GAP_HZ) return false;
      last = p.frequency;
      inside++;
    }
    return inside > 0 && hi - last <= SIDEBAND_GAP_HZ;
  };
}

/**
 * Merges the peaks into which one partial splits when its frequency moves during the analysis
 * (vibrato, chorus, a slight detuning of unison strings): averaged over frames, a partial whose
 * frequency swings by ±d cents shows as a cluster of peaks (sidebands at the vibrato rate)
 * spread over about ±d cents around its mean. Peaks are taken from the strongest down; a peak
 * within `toleranceCents` of a stronger kept peak joins it, and each cluster becomes one partial
 * with the summed power of its peaks (the power of the swinging partial) at their
 * power-weighted mean frequency; clusters whose means end up within the tolerance (a sideband
 * seeded a cluster of its own) merge too, closest first. The tolerance (default 40 cents) covers the vibrato of string
 * and wind players (about ±15-35 cents) and stays under half a semitone, so the partials of
 * notes a semitone apart never merge; partials of two notes that nearly coincide (the 5th
 * harmonic of C and the 4th of E, 14 cents apart) merge, as they are one peak to the ear too.
 *
 * A wide vibrato (a violin's high notes swing ±50 cents and more) spreads a partial over more
 * than the tolerance, and it would come out as two partials, the upper one taken for a note of
 * its own. Given the `spectrum` the peaks came from, neighbouring clusters within
 * `SMEAR_FLOOR_DB` of the strongest peak and up to `SMEAR_CENTS` apart merge too when nothing
 * parts them: no deep valley, or a comb of sidebands (see `smearedTogether`).
 *
 * @example mergeSplitPartials([{ frequency: 440, amplitude: 1 }, { frequency: 446, amplitude: 1 }])
 * // [{ frequency: 443, amplitude: 1.414... }]
 */
export function mergeSplitPartials(
  peaks: readonly Partial[],
  toleranceCents = 40,
  spectrum?: PowerSpectrum,
): Partial[] {
  const ratio = 2 ** (toleranceCents / 1200);
  const order = [...peaks].sort((a, b) => b.amplitude - a.amplitude);
  const anchors: { frequency: number; power: number; sum: number; top: number }[] = [];
  for (const p of order) {
    let best = -1;
    let bestDist = Number.POSITIVE_INFINITY;
    for (let i = 0; i < anchors.length; i++) {
      const f = anchors[i]!.frequency;
      const dist = Math.abs(Math.log(p.frequency / f));
      if (p.frequency <= f * ratio && p.frequency >= f / ratio && dist < bestDist) {
        best = i;
        bestDist = dist;
      }
    }
    const power = p.amplitude * p.amplitude;
    if (best < 0) anchors.push({ frequency: p.frequency, power, sum: power * p.frequency, top: power });
    else {
      anchors[best]!.power += power;
      anchors[best]!.sum += power * p.frequency;
    }
  }
  // clusters whose means ended up within the tolerance (a swinging partial whose sidebands
  // seeded two anchors) are one partial too, and so are clusters of a wide vibrato with no
  // valley between them: the closest neighbours merge first, until none are left to merge
  anchors.sort((a, b) => a.sum / a.power - b.sum / b.power);
  const smeared = spectrum
    ? smearedTogether(
        spectrum,
        [...peaks].sort((a, b) => a.frequency - b.frequency),
      )
    : null;
  const strongest = order.length > 0 ? order[0]!.amplitude : 0;
  const loud = strongest * 10 ** (SMEAR_FLOOR_DB / 20);
  for (;;) {
    let at = -1;
    let closest = Number.POSITIVE_INFINITY;
    for (let i = 0; i + 1 < anchors.length; i++) {
      const lo = anchors[i]!;
      const hi = anchors[i + 1]!;
      const d = Math.log((hi.sum / hi.power) * (lo.power / lo.sum));
      if (d >= closest) continue;
      const top = Math.sqrt(Math.min(lo.top, hi.top));
      if (
        d <= Math.log(ratio) ||
        (smeared && top >= loud && smeared(lo.sum / lo.power, hi.sum / hi.power, top))
      ) {
        closest = d;
        at = i;
      }
    }
    if (at < 0) break;
    anchors[at]!.power += anchors[at + 1]!.power;
    anchors[at]!.sum += anchors[at + 1]!.sum;
    anchors[at]!.top = Math.max(anchors[at]!.top, anchors[at + 1]!.top);
    anchors.splice(at + 1, 1);
  }
  return anchors
    .map((a) => ({ frequency: a.sum / a.power, amplitude: Math.sqrt(a.power) }))
    .sort((a, b) => a.frequency - b.frequency);
}
