/**
 * Offline sample-rate conversion with a Kaiser-windowed sinc (32 zero crossings a side, cut-off
 * just below the lower Nyquist), read from a finely sampled kernel table: for audio files mixed
 * into a scene at another rate.
 * @example resample(samples, 44100, 48000)
 */
export function resample(input: Float32Array, fromRate: number, toRate: number): Float32Array {
  if (fromRate === toRate) return input;
  const ratio = toRate / fromRate;
  const outLen = Math.max(1, Math.round(input.length * ratio));
  const out = new Float32Array(outLen);
  const cutoff = Math.min(1, ratio) * 0.97; // of the input's Nyquist
  const half = Math.ceil(ZERO_CROSSINGS / cutoff);
  const kernel = kernelTable(cutoff, half);
  const step = 1 / ratio;
  for (let n = 0; n < outLen; n++) {
    const center = n * step;
    const first = Math.max(0, Math.ceil(center - half));
    const last = Math.min(input.length - 1, Math.floor(center + half));
    let acc = 0;
    for (let k = first; k <= last; k++) {
      const pos = Math.abs(k - center) * RESOLUTION;
      const j = pos | 0;
      const frac = pos - j;
      const a = kernel[j]!;
      acc += input[k]! * (a + frac * (kernel[j + 1]! - a));
    }
    out[n] = acc;
  }
  return out;
}

const ZERO_CROSSINGS = 32;
const RESOLUTION = 512;
const BETA = 9;

/** The windowed sinc from 0 to `half` input samples, RESOLUTION points a sample, scaled by the cut-off. */
function kernelTable(cutoff: number, half: number): Float64Array {
  const n = half * RESOLUTION + 2;
  const table = new Float64Array(n);
  const i0b = besselI0(BETA);
  for (let i = 0; i < n; i++) {
    const t = i / RESOLUTION;
    const x = t * cutoff;
    const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
    const r = t / half;
    const w = r >= 1 ? 0 : besselI0(BETA * Math.sqrt(1 - r * r)) / i0b;
    table[i] = sinc * w * cutoff;
  }
  return table;
}

/** Modified Bessel function of the first kind, order 0 (series). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 60; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}
