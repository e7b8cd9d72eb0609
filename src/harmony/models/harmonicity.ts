/**
 * Spectral (pitch-class) harmonicity after Harrison & Pearce (2018), building on Milne (2013):
 * the chord's harmonics are placed in a 1200-bin pitch-class spectrum smoothed by a Gaussian
 * (sigma 6.83 cents), a harmonic template is swept across it (cosine similarity at every
 * offset) to give a virtual-pitch profile, and harmonicity is the Kullback-Leibler divergence
 * (bits) of that profile from a uniform distribution: a chord that looks like one harmonic
 * series has a sharply peaked profile and high harmonicity.
 *
 * The sweep is computed exactly and cheaply. Both spectra are sums of one discrete kernel at
 * integer bins, and every tone is the template shifted by its pitch class (quantised to the
 * 1-cent bin width), so the sweep is a sum of shifted copies of the template's circular
 * autocorrelation, precomputed once: O(notes * 1200) per chord.
 */
import { hzToMidi } from '../notes.js';
import { checkFrequencies } from './spectrum.js';

const N = 1200;
const SIGMA = 6.83;
const LIMIT = Math.floor(SIGMA * 12); // kernel truncation, 81 bins
const SPAN = 2 * LIMIT; // autocorrelation support, 162 bins

/** Options of the harmonicity model (defaults as in the `incon` implementation). */
export interface HarmonicityOptions {
  /** Harmonics per tone and in the template (default 11). */
  readonly harmonics?: number;
  /** Amplitude roll-off: harmonic n has weight 1/n^rho (default 0.75). */
  readonly rho?: number;
}

/** Autocorrelation of the truncated discrete Gaussian kernel, indexed by lag + SPAN. */
const KERNEL_AUTO: Float64Array = (() => {
  const k = new Float64Array(2 * LIMIT + 1);
  const norm = 1 / (SIGMA * Math.sqrt(2 * Math.PI));
  for (let i = -LIMIT; i <= LIMIT; i++) k[i + LIMIT] = norm * Math.exp(-0.5 * (i / SIGMA) ** 2);
  const auto = new Float64Array(2 * SPAN + 1);
  for (let lag = -SPAN; lag <= SPAN; lag++) {
    let s = 0;
    for (let u = -LIMIT; u <= LIMIT; u++) {
      const v = u + lag;
      if (v >= -LIMIT && v <= LIMIT) s += k[u + LIMIT]! * k[v + LIMIT]!;
    }
    auto[lag + SPAN] = s;
  }
  return auto;
})();

interface Template {
  /** Circular autocorrelation of the smoothed template spectrum, 1200 lags. */
  readonly auto: Float64Array;
}

const mod = (a: number): number => ((a % N) + N) % N;

const templates = new Map<string, Template>();

/** Builds (once per parameter set) the template's autocorrelation from its partials. */
function template(harmonics: number, rho: number): Template {
  const key = `${harmonics}:${rho}`;
  const cached = templates.get(key);
  if (cached) return cached;
  const bins: number[] = [];
  const weights: number[] = [];
  for (let h = 1; h <= harmonics; h++) {
    bins.push(mod(Math.round(mod(N * Math.log2(h)))));
    weights.push(1 / h ** rho);
  }
  const auto = new Float64Array(N);
  for (let a = 0; a < bins.length; a++) {
    for (let b = 0; b < bins.length; b++) {
      const w = weights[a]! * weights[b]!;
      const centre = bins[b]! - bins[a]!;
      for (let lag = -SPAN; lag <= SPAN; lag++) {
        const i = mod(centre + lag);
        auto[i] = auto[i]! + w * KERNEL_AUTO[lag + SPAN]!;
      }
    }
  }
  const t = { auto };
  templates.set(key, t);
  return t;
}

/**
 * Distinct pitch classes of some frequencies as 1-cent bins (0..1199, C = 0), the resolution
 * of the model's pitch-class spectrum.
 */
export function pitchClassBins(freqsHz: readonly number[]): number[] {
  const out: number[] = [];
  for (const f of freqsHz) {
    const bin = mod(Math.round(hzToMidi(f) * 100));
    if (!out.includes(bin)) out.push(bin);
  }
  return out;
}

/**
 * The virtual-pitch profile: for each of 1200 pitch-class bins (cents above C), the cosine
 * similarity between the chord's smoothed pitch-class spectrum and a harmonic template rooted
 * there. Its peak marks the most likely (virtual) root.
 *
 * @param out optional array of length 1200 to fill (avoids allocation in hot loops)
 */
export function virtualPitchProfile(
  freqsHz: readonly number[],
  options: HarmonicityOptions = {},
  out: Float64Array = new Float64Array(N),
): Float64Array {
  checkFrequencies(freqsHz);
  const { auto } = template(options.harmonics ?? 11, options.rho ?? 0.75);
  const shifts = pitchClassBins(freqsHz);
  let xx = 0;
  for (const a of shifts) for (const b of shifts) xx += auto[mod(b - a)]!;
  // Cosine similarity: divide by |template| |x| = sqrt(auto[0]) sqrt(xx).
  const inv = 1 / Math.sqrt(auto[0]! * xx);
  out.fill(0);
  for (const sh of shifts) {
    for (let s = 0; s < N; s++) {
      let d = s - sh;
      if (d < 0) d += N;
      out[s] = out[s]! + auto[d]! * inv;
    }
  }
  return out;
}

const scratch = new Float64Array(N);

/**
 * Harrison & Pearce (2018) harmonicity: KL divergence (bits) of the normalised virtual-pitch
 * profile from uniform. Higher = more harmonic (more consonant). Octave-invariant.
 *
 * @example harrisonPearceHarmonicity([261.626, 329.628, 391.995]) // 0.9285886 (C-E-G)
 */
export function harrisonPearceHarmonicity(
  freqsHz: readonly number[],
  options: HarmonicityOptions = {},
): number {
  const profile = virtualPitchProfile(freqsHz, options, scratch);
  let sum = 0;
  for (let i = 0; i < N; i++) sum += profile[i]!;
  let kl = 0;
  for (let i = 0; i < N; i++) {
    const p = profile[i]! / sum;
    if (p > 0) kl += p * Math.log2(p * N);
  }
  return kl;
}
