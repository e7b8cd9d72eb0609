/**
 * Audio analysis of decoded samples: duration, f0 (YIN), partials, notes (multi-pitch), chord,
 * key, consonance and loudness. The CLI and the server decode files and call
 * {@link analyzeAudio}; this module does no I/O.
 */
import { nameStrongChord, pitchClassesByInterval } from '../chords.js';
import { type ConsonanceResult, consonance } from '../consonance.js';
import { HarmonyError } from '../errors.js';
import { DEFAULT_A4, nearestNote } from '../notes.js';
import { estimateKey, type KeyEstimate, spellingForKey } from './key.js';
import { type Loudness, measureLoudness } from './loudness.js';
import { detectNotes } from './multipitch.js';
import {
  averagedSpectrum,
  findPeaks,
  mergeSplitPartials,
  type PowerSpectrum,
  partialSpread,
  powerOfTwoAtMost,
  spectralBackground,
} from './spectrum.js';
import { type PitchEstimate, yinPitch } from './yin.js';

/** Decoded audio: one array per channel, all the same length. */
export interface AudioInput {
  readonly channels: ReadonlyArray<Float32Array | Float64Array>;
  readonly sampleRate: number;
}

/** Options of {@link analyzeAudio}. */
export interface AnalyzeOptions {
  readonly a4?: number;
  /** Most notes to report (default 8). */
  readonly maxNotes?: number;
  /** Most partials to report (default 24). */
  readonly maxPartials?: number;
}

/** The result of {@link analyzeAudio} (the JSON of `omnisonic analyze --json`). */
export interface AnalysisResult {
  readonly duration: number;
  readonly sampleRate: number;
  readonly channels: number;
  readonly f0: { readonly frequency: number; readonly note: string; readonly confidence: number } | null;
  readonly partials: { readonly frequency: number; readonly amplitudeDb: number; readonly note: string }[];
  readonly notes: {
    readonly frequency: number;
    readonly note: string;
    readonly cents: number;
    readonly midi: number;
    readonly salience: number;
    /** 0..1: how sure the analysis is that this is a note (see multipitch.ts). */
    readonly confidence: number;
  }[];
  readonly chord: { readonly symbol: string; readonly name: string } | null;
  readonly key: KeyEstimate | null;
  readonly consonance: Pick<ConsonanceResult, 'consonance' | 'roughness' | 'harmonicity'> | null;
  readonly loudness: Loudness;
}

/** The silence threshold: audio whose sample peak is below -100 dBFS is silent. */
export const SILENCE_PEAK_DBFS = -100;
/** {@link SILENCE_PEAK_DBFS} as a linear peak. */
export const SILENCE_PEAK = 10 ** (SILENCE_PEAK_DBFS / 20);

/**
 * Why some audio counts as silence, or null when it does not: its sample peak is below
 * {@link SILENCE_PEAK_DBFS}, or it is nothing but dither of digital silence — every sample 0 or
 * one step of an 8- or 16-bit grid (what TPDF dither of zero produces; 24-bit dither is far
 * below -100 dBFS already). A -90 dBFS tone in a 24-bit file is not silent.
 *
 * @example silenceReason([new Float32Array(10)]) // 'digital zero'
 */
export function silenceReason(channels: ReadonlyArray<ArrayLike<number>>): string | null {
  let peak = 0;
  for (const ch of channels) {
    for (let i = 0; i < ch.length; i++) {
      const v = Math.abs(ch[i]!);
      if (v > peak) peak = v;
    }
  }
  return describeSilence(peak, (steps) =>
    channels.every((ch) => {
      for (let i = 0; i < ch.length; i++) {
        const q = ch[i]! * steps;
        if (Math.abs(q - Math.round(q)) > 1e-6) return false;
      }
      return true;
    }),
  );
}

/**
 * {@link silenceReason} from the sample peak of some audio and whether all its samples lie on the
 * grid of `steps` steps per unit (asked for 32768 and 128), however they were gathered.
 */
export function describeSilence(peak: number, onGridOf: (steps: number) => boolean): string | null {
  if (peak === 0) return 'digital zero';
  const db = 20 * Math.log10(peak);
  if (peak < SILENCE_PEAK) return `peak ${db.toFixed(1)} dBFS, below ${SILENCE_PEAK_DBFS} dBFS`;
  for (const steps of [32768, 128]) {
    if (peak * steps > 1 + 1e-6) continue;
    const onGrid = onGridOf(steps);
    if (onGrid)
      return `nothing but one-step dither of ${steps === 128 ? 8 : 16}-bit silence, peak ${db.toFixed(1)} dBFS`;
  }
  return null;
}

function validate(input: AudioInput): void {
  const { channels, sampleRate } = input;
  if (!Number.isFinite(sampleRate) || sampleRate < 1000 || sampleRate > 768000) {
    throw new HarmonyError('BAD_AUDIO', `sample rate must be 1000..768000 Hz, got ${sampleRate}`);
  }
  if (!channels || channels.length === 0) throw new HarmonyError('BAD_AUDIO', 'audio has no channels');
  const n = channels[0]!.length;
  if (n === 0) throw new HarmonyError('BAD_AUDIO', 'audio has no samples');
  for (const ch of channels) {
    if (ch.length !== n) throw new HarmonyError('BAD_AUDIO', 'channels have different lengths');
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(ch[i]!)) throw new HarmonyError('BAD_AUDIO', `sample ${i} is not a finite number`);
    }
  }
  const silent = silenceReason(channels);
  if (silent) throw new HarmonyError('SILENT_AUDIO', `the audio is silent (${silent})`);
}

const round = (v: number, d: number): number => Math.round(v * 10 ** d) / 10 ** d;

/** Mono mix (channel average) of the input. */
export function monoMix(input: AudioInput): Float32Array | Float64Array {
  // one channel is its own mix; more are averaged into 32-bit floats (a long file's mix is as
  // large as one of its channels, not twice that)
  if (input.channels.length === 1) return input.channels[0]!;
  const n = input.channels[0]!.length;
  const out = new Float32Array(n);
  const g = 1 / input.channels.length;
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (const ch of input.channels) sum += ch[i]!;
    out[i] = sum * g;
  }
  return out;
}

/**
 * Analyses decoded audio.
 *
 * @throws HarmonyError `BAD_AUDIO` (no samples, bad rate, non-finite samples) or `SILENT_AUDIO`
 * @example analyzeAudio({ channels: [samples], sampleRate: 48000 }).notes.map((n) => n.note)
 */
export function analyzeAudio(input: AudioInput, options: AnalyzeOptions = {}): AnalysisResult {
  validate(input);
  const { sampleRate } = input;
  const mono = monoMix(input);
  const size = spectrumSize(mono.length, sampleRate);
  return interpretMeasurements(
    {
      spec: averagedSpectrum(mono, sampleRate, size),
      pitch: yinPitch(mono, sampleRate),
      loudness: measureLoudness(input.channels, sampleRate),
      frames: mono.length,
      sampleRate,
      channels: input.channels.length,
    },
    options,
  );
}

/** The frame size of the averaged spectrum of `frames` samples (a power of two, 4096 to 32768 or 65536). */
export function spectrumSize(frames: number, sampleRate: number): number {
  return powerOfTwoAtMost(Math.max(frames, 4096), 4096, sampleRate > 60000 ? 65536 : 32768);
}

/** What {@link interpretMeasurements} reads: the measurements of validated audio. */
export interface Measurements {
  /** The averaged spectrum of the mono mix ({@link spectrumSize} frames). */
  readonly spec: PowerSpectrum;
  /** YIN of the mono mix. */
  readonly pitch: PitchEstimate | null;
  readonly loudness: Loudness;
  /** Samples per channel. */
  readonly frames: number;
  readonly sampleRate: number;
  readonly channels: number;
}

/**
 * The analysis of some audio from its measurements: partials, notes, chord, key, consonance.
 * {@link analyzeAudio} measures audio held whole; a stream's analysis (`stream.ts`) measures it
 * as it arrives; both end here.
 */
export function interpretMeasurements(m: Measurements, options: AnalyzeOptions = {}): AnalysisResult {
  const { spec, pitch, sampleRate } = m;
  const a4 = options.a4 ?? DEFAULT_A4;
  const peaks = mergeSplitPartials(findPeaks(spec, -60, 20, Math.min(sampleRate * 0.45, 12000)), 40, spec);
  const detected = detectNotes(peaks, {
    maxNotes: options.maxNotes ?? 8,
    background: spectralBackground(spec),
    spread: partialSpread(spec),
  });
  const pcs = pitchClassesByInterval(
    detected.map((d) => d.frequency),
    a4,
    detected.map((d) => d.salience),
  );
  const weights = new Array<number>(12).fill(0);
  detected.forEach((d, i) => {
    weights[pcs[i]!]! += d.salience;
  });
  const key = detected.length > 0 ? estimateKey(weights) : null;
  const spelling = key ? spellingForKey(key.tonic, key.mode, pcs) : 'sharps';
  const flats = spelling === 'flats';
  const notes = detected.map((d) => {
    const near = nearestNote(d.frequency, a4, flats);
    return {
      frequency: round(d.frequency, 3),
      note: near.label,
      cents: round(near.cents, 1),
      midi: round(69 + 12 * Math.log2(d.frequency / a4), 3),
      salience: round(d.salience, 3),
      confidence: round(d.confidence, 3),
    };
  });
  const chordName = nameStrongChord(
    detected.map((d) => ({ frequency: d.frequency, weight: d.salience })),
    a4,
    spelling,
  );
  const cons = detected.length > 0 ? consonance(detected.map((d) => d.frequency)) : null;
  const partials = [...peaks]
    .sort((p, q) => q.amplitude - p.amplitude)
    .slice(0, options.maxPartials ?? 24)
    .sort((p, q) => p.frequency - q.frequency)
    .map((p) => ({
      frequency: round(p.frequency, 2),
      amplitudeDb: round(20 * Math.log10(p.amplitude), 1),
      note: nearestNote(p.frequency, a4, flats).label,
    }));
  return {
    duration: m.frames / sampleRate,
    sampleRate,
    channels: m.channels,
    f0: pitch
      ? {
          frequency: round(pitch.frequency, 3),
          note: nearestNote(pitch.frequency, a4, flats).label,
          confidence: round(pitch.confidence, 3),
        }
      : null,
    partials,
    notes,
    chord: chordName ? { symbol: chordName.symbol, name: chordName.name } : null,
    key,
    consonance: cons
      ? {
          consonance: round(cons.consonance, 4),
          roughness: round(cons.roughness, 6),
          harmonicity: round(cons.harmonicity, 6),
        }
      : null,
    loudness: m.loudness,
  };
}
