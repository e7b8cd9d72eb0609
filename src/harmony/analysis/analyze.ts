/**
 * Audio analysis of decoded samples: duration, f0 (YIN), partials, notes (multi-pitch), chord,
 * key, consonance and loudness. The CLI and the server decode files and call
 * {@link analyzeAudio}; this module does no I/O.
 */
import { nameChordHz, pitchClassOf } from '../chords.js';
import { type ConsonanceResult, consonance } from '../consonance.js';
import { HarmonyError } from '../errors.js';
import { DEFAULT_A4, nearestNote } from '../notes.js';
import { estimateKey, type KeyEstimate } from './key.js';
import { type Loudness, measureLoudness } from './loudness.js';
import { detectNotes } from './multipitch.js';
import { averagedSpectrum, findPeaks, powerOfTwoAtMost } from './spectrum.js';
import { yinPitch } from './yin.js';

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
  }[];
  readonly chord: { readonly symbol: string; readonly name: string } | null;
  readonly key: KeyEstimate | null;
  readonly consonance: Pick<ConsonanceResult, 'consonance' | 'roughness' | 'harmonicity'> | null;
  readonly loudness: Loudness;
}

/** Samples below this peak level count as silence (-100 dBFS). */
export const SILENCE_PEAK = 1e-5;

function validate(input: AudioInput): void {
  const { channels, sampleRate } = input;
  if (!Number.isFinite(sampleRate) || sampleRate < 1000 || sampleRate > 768000) {
    throw new HarmonyError('BAD_AUDIO', `sample rate must be 1000..768000 Hz, got ${sampleRate}`);
  }
  if (!channels || channels.length === 0) throw new HarmonyError('BAD_AUDIO', 'audio has no channels');
  const n = channels[0]!.length;
  if (n === 0) throw new HarmonyError('BAD_AUDIO', 'audio has no samples');
  let peak = 0;
  for (const ch of channels) {
    if (ch.length !== n) throw new HarmonyError('BAD_AUDIO', 'channels have different lengths');
    for (let i = 0; i < n; i++) {
      const v = ch[i]!;
      if (!Number.isFinite(v)) throw new HarmonyError('BAD_AUDIO', `sample ${i} is not a finite number`);
      const a = v < 0 ? -v : v;
      if (a > peak) peak = a;
    }
  }
  if (peak < SILENCE_PEAK)
    throw new HarmonyError('SILENT_AUDIO', 'the audio is silent (peak below -100 dBFS)');
}

const round = (v: number, d: number): number => Math.round(v * 10 ** d) / 10 ** d;

/** Mono mix (channel average) of the input. */
export function monoMix(input: AudioInput): Float64Array {
  const n = input.channels[0]!.length;
  const out = new Float64Array(n);
  for (const ch of input.channels) for (let i = 0; i < n; i++) out[i] = out[i]! + ch[i]!;
  const g = 1 / input.channels.length;
  for (let i = 0; i < n; i++) out[i] = out[i]! * g;
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
  const a4 = options.a4 ?? DEFAULT_A4;
  const { sampleRate } = input;
  const mono = monoMix(input);
  const size = powerOfTwoAtMost(Math.max(mono.length, 4096), 4096, sampleRate > 60000 ? 65536 : 32768);
  const spec = averagedSpectrum(mono, sampleRate, size);
  const peaks = findPeaks(spec, -60, 20, Math.min(sampleRate * 0.45, 12000));
  const detected = detectNotes(peaks, { maxNotes: options.maxNotes ?? 8 });
  const notes = detected.map((d) => {
    const near = nearestNote(d.frequency, a4);
    return {
      frequency: round(d.frequency, 3),
      note: near.label,
      cents: round(near.cents, 1),
      midi: round(69 + 12 * Math.log2(d.frequency / a4), 3),
      salience: round(d.salience, 3),
    };
  });
  const pitch = yinPitch(mono, sampleRate);
  const weights = new Array<number>(12).fill(0);
  for (const d of detected) weights[pitchClassOf(d.frequency, a4)]! += d.salience;
  const chordName =
    detected.length > 0
      ? nameChordHz(
          detected.map((d) => d.frequency),
          a4,
        )
      : null;
  const cons = detected.length > 0 ? consonance(detected.map((d) => d.frequency)) : null;
  const partials = [...peaks]
    .sort((p, q) => q.amplitude - p.amplitude)
    .slice(0, options.maxPartials ?? 24)
    .sort((p, q) => p.frequency - q.frequency)
    .map((p) => ({
      frequency: round(p.frequency, 2),
      amplitudeDb: round(20 * Math.log10(p.amplitude), 1),
      note: nearestNote(p.frequency, a4).label,
    }));
  return {
    duration: mono.length / sampleRate,
    sampleRate,
    channels: input.channels.length,
    f0: pitch
      ? {
          frequency: round(pitch.frequency, 3),
          note: nearestNote(pitch.frequency, a4).label,
          confidence: round(pitch.confidence, 3),
        }
      : null,
    partials,
    notes,
    chord: chordName ? { symbol: chordName.symbol, name: chordName.name } : null,
    key: detected.length > 0 ? estimateKey(weights) : null,
    consonance: cons
      ? {
          consonance: round(cons.consonance, 4),
          roughness: round(cons.roughness, 6),
          harmonicity: round(cons.harmonicity, 6),
        }
      : null,
    loudness: measureLoudness(input.channels, sampleRate),
  };
}
