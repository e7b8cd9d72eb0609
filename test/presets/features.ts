/**
 * Compact features of a render for golden comparisons: RMS per channel per second, and a
 * coarse log-spaced spectrum per channel (Welch average power in bands), in dB.
 */
import FFT from 'fft.js';
import { welch } from '../helpers/signal.js';

export interface Features {
  sampleRate: number;
  seconds: number;
  /** rmsDb[channel][second] */
  rmsDb: number[][];
  /** Band edges in Hz (bands + 1 values). */
  bandEdges: number[];
  /** bandDb[channel][band]: mean power per bin in dB. */
  bandDb: number[][];
}

const FLOOR_DB = -140;
const BANDS = 24;

function db(power: number): number {
  return power > 0 ? Math.max(FLOOR_DB, 10 * Math.log10(power)) : FLOOR_DB;
}

const round = (x: number) => Math.round(x * 100) / 100;

/** Features of planar channels at `sampleRate`. */
export function featuresOf(channels: Float64Array[], sampleRate: number): Features {
  const seconds = Math.floor(channels[0]!.length / sampleRate);
  const rmsDb = channels.map((ch) =>
    Array.from({ length: seconds }, (_, s) => {
      let sum = 0;
      for (let i = s * sampleRate; i < (s + 1) * sampleRate; i++) sum += ch[i]! ** 2;
      return round(db(sum / sampleRate));
    }),
  );
  const n = 4096;
  const lo = 20;
  const hi = sampleRate * 0.45;
  const bandEdges = Array.from({ length: BANDS + 1 }, (_, i) => round(lo * (hi / lo) ** (i / BANDS)));
  const binHz = sampleRate / n;
  const bandDb = channels.map((ch) => {
    const p = welch(ch, n);
    return bandEdges.slice(0, -1).map((f0, b) => {
      const f1 = bandEdges[b + 1]!;
      let sum = 0;
      let count = 0;
      for (let k = Math.ceil(f0 / binHz); k * binHz < f1 && k < p.length; k++) {
        sum += p[k]!;
        count++;
      }
      return round(db(count ? sum / count : 0));
    });
  });
  return { sampleRate, seconds, rmsDb, bandEdges, bandDb };
}

/** Differences between features beyond the tolerances; empty when they match. */
export function compareFeatures(got: Features, want: Features, rmsTolDb = 0.5, bandTolDb = 2): string[] {
  const out: string[] = [];
  if (
    got.sampleRate !== want.sampleRate ||
    got.seconds !== want.seconds ||
    got.rmsDb.length !== want.rmsDb.length
  ) {
    return [
      `shape: got ${got.rmsDb.length} ch x ${got.seconds} s @ ${got.sampleRate}, want ${want.rmsDb.length} x ${want.seconds} @ ${want.sampleRate}`,
    ];
  }
  for (let c = 0; c < want.rmsDb.length; c++) {
    for (let s = 0; s < want.seconds; s++) {
      const g = got.rmsDb[c]![s]!;
      const w = want.rmsDb[c]![s]!;
      if (Math.max(g, w) > -60 && Math.abs(g - w) > rmsTolDb)
        out.push(`rms ch${c} ${s}s: ${g} dB, want ${w} dB`);
    }
    const top = Math.max(...want.bandDb[c]!);
    for (let b = 0; b < want.bandDb[c]!.length; b++) {
      const g = got.bandDb[c]![b]!;
      const w = want.bandDb[c]![b]!;
      if (Math.max(g, w) > top - 60 && Math.abs(g - w) > bandTolDb) {
        out.push(`band ch${c} ${want.bandEdges[b]}-${want.bandEdges[b + 1]} Hz: ${g} dB, want ${w} dB`);
      }
    }
  }
  return out;
}

/** A whole session seen coarsely: RMS and the strongest frequency per channel per segment. */
export interface SessionFeatures {
  sampleRate: number;
  segmentSec: number;
  /** rmsDb[channel][segment] */
  rmsDb: number[][];
  /** peakHz[channel][segment], or null when the preset has no tonal layer. */
  peakHz: number[][] | null;
}

/** Session features of planar channels, `segments` equal segments. */
export function sessionFeaturesOf(
  channels: Float64Array[],
  sampleRate: number,
  segments: number,
  tonal: boolean,
  peakOf: (x: Float64Array, n: number, offset: number) => number,
): SessionFeatures {
  const len = channels[0]!.length;
  const seg = Math.floor(len / segments);
  const fft = 2 ** Math.min(13, Math.floor(Math.log2(seg)));
  const rmsDb = channels.map((ch) =>
    Array.from({ length: segments }, (_, s) => {
      let sum = 0;
      for (let i = s * seg; i < (s + 1) * seg; i++) sum += ch[i]! ** 2;
      return round(db(sum / seg));
    }),
  );
  const peakHz = tonal
    ? channels.map((ch) =>
        Array.from({ length: segments }, (_, s) =>
          round(peakOf(ch, fft, s * seg + Math.floor((seg - fft) / 2))),
        ),
      )
    : null;
  return { sampleRate, segmentSec: seg / sampleRate, rmsDb, peakHz };
}

/** Differences between session features beyond the tolerances; empty when they match. */
export function compareSessions(
  got: SessionFeatures,
  want: SessionFeatures,
  rmsTolDb = 0.5,
  hzTol = 0.1,
): string[] {
  const out: string[] = [];
  if (got.rmsDb.length !== want.rmsDb.length || got.rmsDb[0]!.length !== want.rmsDb[0]!.length)
    return ['shape differs'];
  for (let c = 0; c < want.rmsDb.length; c++) {
    for (let s = 0; s < want.rmsDb[c]!.length; s++) {
      const t = `${(s * want.segmentSec).toFixed(0)}s`;
      const g = got.rmsDb[c]![s]!;
      const w = want.rmsDb[c]![s]!;
      if (Math.max(g, w) > -60 && Math.abs(g - w) > rmsTolDb)
        out.push(`rms ch${c} @${t}: ${g} dB, want ${w} dB`);
      const gh = got.peakHz?.[c]?.[s];
      const wh = want.peakHz?.[c]?.[s];
      if (w > -60 && wh !== undefined && (gh === undefined || Math.abs(gh - wh) > hzTol)) {
        out.push(`peak ch${c} @${t}: ${gh} Hz, want ${wh} Hz`);
      }
    }
  }
  return out;
}

const ffts = new Map<number, { fft: FFT; win: Float64Array; input: number[]; out: number[] }>();

/** Strongest frequency of `n` samples from `offset` (Hann window, parabolic interpolation on dB). */
export function quickPeakHz(x: Float64Array, n: number, offset: number, sampleRate: number): number {
  let f = ffts.get(n);
  if (!f) {
    const fft = new FFT(n);
    const win = Float64Array.from({ length: n }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n));
    f = { fft, win, input: new Array<number>(n).fill(0), out: fft.createComplexArray() as number[] };
    ffts.set(n, f);
  }
  for (let i = 0; i < n; i++) f.input[i] = x[offset + i]! * f.win[i]!;
  f.fft.realTransform(f.out, f.input);
  const mag = (k: number) => 10 * Math.log10(f.out[2 * k]! ** 2 + f.out[2 * k + 1]! ** 2 + 1e-300);
  let best = 1;
  let bestDb = mag(1);
  for (let k = 2; k < n / 2 - 1; k++) {
    const m = mag(k);
    if (m > bestDb) {
      best = k;
      bestDb = m;
    }
  }
  const a = mag(best - 1);
  const c = mag(best + 1);
  const delta = (0.5 * (a - c)) / (a - 2 * bestDb + c);
  return ((best + delta) * sampleRate) / n;
}
