/**
 * Compact features of a render for golden comparisons: RMS per channel per second, and a
 * coarse log-spaced spectrum per channel (Welch average power in bands), in dB.
 */
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
