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

/** Largest power of two not above `n`, clamped to [min, max]. */
export function powerOfTwoAtMost(n: number, min: number, max: number): number {
  let p = min;
  while (p * 2 <= Math.min(n, max)) p *= 2;
  return p;
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
 * @example mergeSplitPartials([{ frequency: 440, amplitude: 1 }, { frequency: 446, amplitude: 1 }])
 * // [{ frequency: 443, amplitude: 1.414... }]
 */
export function mergeSplitPartials(peaks: readonly Partial[], toleranceCents = 40): Partial[] {
  const ratio = 2 ** (toleranceCents / 1200);
  const order = [...peaks].sort((a, b) => b.amplitude - a.amplitude);
  const anchors: { frequency: number; power: number; sum: number }[] = [];
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
    if (best < 0) anchors.push({ frequency: p.frequency, power, sum: power * p.frequency });
    else {
      anchors[best]!.power += power;
      anchors[best]!.sum += power * p.frequency;
    }
  }
  // clusters whose means ended up within the tolerance (a swinging partial whose sidebands
  // seeded two anchors) are one partial too: the closest neighbours merge first, until no two
  // are within the tolerance
  anchors.sort((a, b) => a.sum / a.power - b.sum / b.power);
  for (;;) {
    let at = -1;
    let closest = Math.log(ratio);
    for (let i = 0; i + 1 < anchors.length; i++) {
      const d = Math.log(
        (anchors[i + 1]!.sum / anchors[i + 1]!.power) * (anchors[i]!.power / anchors[i]!.sum),
      );
      if (d <= closest) {
        closest = d;
        at = i;
      }
    }
    if (at < 0) break;
    anchors[at]!.power += anchors[at + 1]!.power;
    anchors[at]!.sum += anchors[at + 1]!.sum;
    anchors.splice(at + 1, 1);
  }
  return anchors
    .map((a) => ({ frequency: a.sum / a.power, amplitude: Math.sqrt(a.power) }))
    .sort((a, b) => a.frequency - b.frequency);
}
