/**
 * Multi-pitch detection from spectral peaks, by iterative harmonic tracing and subtraction
 * (in the spirit of Klapuri 2003). For each candidate fundamental (every peak), harmonics are
 * traced upward, predicting partial n at `n f0 sqrt(1 + B n^2)` — the stiff-string model, so
 * slightly sharp partials of real instruments are followed — and (f0, B) are refitted by least
 * squares as partials are found. The most salient candidate becomes a note; the amplitude its
 * smooth spectral envelope explains is removed from each of its partials (spectral smoothness:
 * an octave or fifth on top of a shared partial leaves a residue), and the search repeats.
 */
import type { Partial } from './spectrum.js';

/** A detected note. */
export interface DetectedNote {
  /** Fundamental frequency in Hz (fitted to the partials). */
  readonly frequency: number;
  /** Salience relative to the strongest note, 0..1. */
  readonly salience: number;
  /** Number of partials attributed to this note. */
  readonly partials: number;
  /** Fitted inharmonicity coefficient B (0 for a harmonic tone). */
  readonly inharmonicity: number;
}

/** Options of {@link detectNotes}. */
export interface MultiPitchOptions {
  readonly minHz?: number;
  readonly maxHz?: number;
  readonly maxNotes?: number;
  /** A note needs this fraction of the first note's salience (default 0.15). */
  readonly relativeThreshold?: number;
  /** Largest inharmonicity coefficient accepted (default 0.002). */
  readonly maxInharmonicity?: number;
}

interface Trace {
  f0: number;
  b: number;
  salience: number;
  matches: { h: number; p: number }[];
}

const MAX_HARMONICS = 24;

/** Index of the partial nearest to `hz` (partials sorted by frequency). */
function nearest(partials: readonly Partial[], hz: number): number {
  let lo = 0;
  let hi = partials.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (partials[mid]!.frequency < hz) lo = mid;
    else hi = mid;
  }
  return Math.abs(partials[lo]!.frequency - hz) <= Math.abs(partials[hi]!.frequency - hz) ? lo : hi;
}

/** Weighted least-squares fit of (f_h / h)^2 = f0^2 (1 + B h^2). */
function fitStiffString(
  partials: readonly Partial[],
  matches: Trace['matches'],
  amps: Float64Array,
  maxB: number,
): [number, number] {
  let sw = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (const { h, p } of matches) {
    const w = Math.max(amps[p]!, 1e-9) ** 2 + 1e-12;
    const x = h * h;
    const y = (partials[p]!.frequency / h) ** 2;
    sw += w;
    sx += w * x;
    sy += w * y;
    sxx += w * x * x;
    sxy += w * x * y;
  }
  const det = sw * sxx - sx * sx;
  if (matches.length >= 3 && det > 1e-9 * sw * sxx) {
    const slope = (sw * sxy - sx * sy) / det;
    const icpt = (sy - slope * sx) / sw;
    const b = icpt > 0 ? slope / icpt : 0;
    if (icpt > 0 && b >= 0 && b <= maxB) return [Math.sqrt(icpt), b];
  }
  return [Math.sqrt(sy / sw), 0];
}

function trace(partials: readonly Partial[], start: number, amps: Float64Array, maxB: number): Trace {
  const top = partials[partials.length - 1]!.frequency;
  let f0 = partials[start]!.frequency;
  let b = 0;
  const matches: Trace['matches'] = [{ h: 1, p: start }];
  let salience = amps[start]!;
  let misses = 0;
  for (let h = 2; h <= MAX_HARMONICS; h++) {
    const predicted = h * f0 * Math.sqrt(1 + b * h * h);
    if (predicted > top * 1.02) break;
    const p = nearest(partials, predicted);
    const cents = Math.abs(1200 * Math.log2(partials[p]!.frequency / predicted));
    if (cents < (h <= 3 ? 35 : 25) && amps[p]! > 0 && !matches.some((m) => m.p === p)) {
      matches.push({ h, p });
      salience += amps[p]! / Math.sqrt(h);
      [f0, b] = fitStiffString(partials, matches, amps, maxB);
      misses = 0;
    } else if (++misses >= 4) break;
  }
  return { f0, b, salience, matches };
}

/**
 * Detects the notes sounding in a set of partials (as from {@link findPeaks}). Returns notes
 * sorted by frequency.
 */
export function detectNotes(partialsIn: readonly Partial[], options: MultiPitchOptions = {}): DetectedNote[] {
  const minHz = options.minHz ?? 27;
  const maxHz = options.maxHz ?? 4200;
  const maxNotes = options.maxNotes ?? 8;
  const rel = options.relativeThreshold ?? 0.15;
  const maxB = options.maxInharmonicity ?? 0.002;
  const partials = [...partialsIn].sort((a, b) => a.frequency - b.frequency);
  if (partials.length === 0) return [];
  const amps = Float64Array.from(partials, (p) => p.amplitude);
  let peakAmp = 0;
  for (const a of amps) if (a > peakAmp) peakAmp = a;
  const found: Trace[] = [];
  let first = 0;
  for (let round = 0; round < maxNotes; round++) {
    let best: Trace | null = null;
    for (let i = 0; i < partials.length; i++) {
      const f = partials[i]!.frequency;
      if (f < minHz || f > maxHz || amps[i]! < 0.01 * peakAmp) continue;
      if (found.some((n) => Math.abs(1200 * Math.log2(f / n.f0)) < 50)) continue;
      const t = trace(partials, i, amps, maxB);
      if (!best || t.salience > best.salience) best = t;
    }
    if (!best) break;
    if (round === 0) first = best.salience;
    else if (best.salience < rel * first) break;
    found.push(best);
    // Remove what this note's smooth envelope explains from each of its partials.
    const byH = new Map(best.matches.map((m) => [m.h, amps[m.p]!] as const));
    const expected = best.matches.map(({ h, p }) => {
      if (h === 1) return amps[p]!;
      const below = byH.get(h - 1);
      const above = byH.get(h + 1);
      const n = (below !== undefined ? 1 : 0) + (above !== undefined ? 1 : 0);
      return n === 0 ? amps[p]! : ((below ?? 0) + (above ?? 0)) / n;
    });
    best.matches.forEach(({ p }, i) => {
      amps[p] = Math.max(0, amps[p]! - Math.min(amps[p]!, expected[i]!));
    });
  }
  return found
    .map((t) => ({
      frequency: t.f0,
      salience: t.salience / first,
      partials: t.matches.length,
      inharmonicity: t.b,
    }))
    .sort((a, b) => a.frequency - b.frequency);
}
