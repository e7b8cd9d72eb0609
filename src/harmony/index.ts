/**
 * The harmony engine's public API: notes and tunings, intervals and just ratios, consonance
 * models, suggestions with an adaptive profile, and audio analysis. Pure TypeScript: no Node
 * modules, no I/O.
 */
export {
  type AnalysisResult,
  type AnalyzeOptions,
  type AudioInput,
  analyzeAudio,
  monoMix,
} from './analysis/analyze.js';
export { estimateKey, type KeyEstimate } from './analysis/key.js';
export { type Loudness, measureLoudness, truePeak } from './analysis/loudness.js';
export { type DetectedNote, detectNotes } from './analysis/multipitch.js';
export { averagedSpectrum, findPeaks, type Partial } from './analysis/spectrum.js';
export { type PitchEstimate, yinPitch } from './analysis/yin.js';
export { BEAT_BANDS } from './binaural.js';
export { type ChordName, nameChord, nameChordHz } from './chords.js';
export { type ConsonanceResult, consonance, modelValues, mulberry32 } from './consonance.js';
export { HARMONY_ERROR_CODES, HarmonyError, type HarmonyErrorCode } from './errors.js';
export { intervalName, justRatio } from './intervals.js';
export { harrisonPearceHarmonicity } from './models/harmonicity.js';
export { hutchinsonRoughness } from './models/hutchinson.js';
export { stolzenburgPeriodicity } from './models/periodicity.js';
export { setharesDissonance } from './models/sethares.js';
export { pairwiseTenney } from './models/tenney.js';
export { johnsonLairdTonalDissonance } from './models/tonal.js';
export {
  DEFAULT_A4,
  hzToMidi,
  midiToHz,
  nearestNote,
  parseFrequency,
  parseNote,
  type Tuning,
  tunedFrequency,
  tuningTable,
} from './notes.js';
export {
  applyFeedback,
  decodeSuggestionId,
  emptyProfile,
  type Profile,
  resetProfile,
  validateProfile,
} from './profile.js';
export {
  type Goal,
  type Suggestion,
  type SuggestRequest,
  type SuggestResponse,
  suggest,
} from './recommend.js';
export { spearman } from './stats.js';
