/**
 * The synthesized percussion kit of channel 10: every GM drum note is a sine with a falling
 * pitch (kick, toms), filtered noise (hats, cymbals), or both (snare).
 */
export interface DrumSound {
  /** Tone part: start and end frequency of an exponential pitch sweep (0 = no tone). */
  toneHz: number;
  toneEndHz: number;
  /** Time constant of the pitch sweep, seconds. */
  sweepSec: number;
  /** Tone level and its decay time to -60 dB. */
  toneGain: number;
  toneDecaySec: number;
  /** Noise part: level, decay to -60 dB, filter. */
  noiseGain: number;
  noiseDecaySec: number;
  noiseFilter: 'highpass' | 'bandpass';
  noiseHz: number;
  /** Notes this one silences when it starts (a closed hat chokes the open hat). */
  chokes?: number[];
}

const tone = (
  hz: number,
  endHz: number,
  sweepSec: number,
  decaySec: number,
  gain = 1,
): Partial<DrumSound> => ({
  toneHz: hz,
  toneEndHz: endHz,
  sweepSec,
  toneGain: gain,
  toneDecaySec: decaySec,
});
const noise = (
  filter: 'highpass' | 'bandpass',
  hz: number,
  decaySec: number,
  gain = 1,
): Partial<DrumSound> => ({ noiseFilter: filter, noiseHz: hz, noiseDecaySec: decaySec, noiseGain: gain });

const silent: DrumSound = {
  toneHz: 0,
  toneEndHz: 0,
  sweepSec: 0.01,
  toneGain: 0,
  toneDecaySec: 0.1,
  noiseGain: 0,
  noiseDecaySec: 0.1,
  noiseFilter: 'highpass',
  noiseHz: 1000,
};
const drum = (...parts: Partial<DrumSound>[]): DrumSound => Object.assign({ ...silent }, ...parts);

const KICK = drum(tone(160, 45, 0.025, 0.45), noise('highpass', 3000, 0.008, 0.15));
const SNARE = drum(tone(200, 170, 0.02, 0.12, 0.6), noise('highpass', 1500, 0.2, 0.9));
const CLOSED_HAT = drum(noise('highpass', 7000, 0.07, 0.7), { chokes: [46] });
const OPEN_HAT = drum(noise('highpass', 7000, 0.45, 0.6));
const CRASH = drum(noise('highpass', 4500, 1.5, 0.7));
const RIDE = drum(tone(3200, 3200, 1, 0.8, 0.08), noise('highpass', 6000, 1.1, 0.45));
const tom = (hz: number) => drum(tone(hz * 1.5, hz, 0.04, 0.5), noise('bandpass', hz * 4, 0.05, 0.2));

/** GM percussion key map (notes 35-81), synthesized. */
const KIT: Record<number, DrumSound> = {
  35: KICK,
  36: KICK,
  37: drum(tone(900, 700, 0.005, 0.04, 0.5), noise('bandpass', 2500, 0.03, 0.5)), // side stick
  38: SNARE,
  39: drum(noise('bandpass', 1200, 0.22, 1)), // clap
  40: SNARE,
  41: tom(80),
  42: CLOSED_HAT,
  43: tom(95),
  44: drum(noise('highpass', 6500, 0.05, 0.5), { chokes: [46] }), // pedal hat
  45: tom(115),
  46: OPEN_HAT,
  47: tom(135),
  48: tom(160),
  49: CRASH,
  50: tom(185),
  51: RIDE,
  52: drum(noise('highpass', 3500, 1.0, 0.7)), // china
  53: drum(tone(2400, 2400, 1, 0.7, 0.4), noise('highpass', 6000, 0.4, 0.3)), // ride bell
  54: drum(noise('highpass', 8000, 0.15, 0.6)), // tambourine
  55: drum(noise('highpass', 5000, 0.6, 0.6)), // splash
  56: drum(tone(700, 700, 1, 0.25, 0.6), noise('bandpass', 845, 0.2, 0.2)), // cowbell
  57: CRASH,
  59: RIDE,
};

/** A generic hit for percussion notes the kit does not name. */
const OTHER = drum(tone(400, 300, 0.02, 0.12, 0.5), noise('bandpass', 2500, 0.1, 0.5));

/** The sound of a percussion note. */
export function drumSound(note: number): DrumSound {
  return KIT[note] ?? OTHER;
}

/** Longest decay of the kit, seconds (the render's tail after the last hit). */
export const DRUM_TAIL_SEC = 1.6;

/**
 * Biquad coefficients (normalised, a0 = 1) of a high-pass or band-pass at `hz`, Q 0.707 / 1.
 * Returned as [b0, b1, b2, a1, a2].
 */
export function biquad(
  kind: 'highpass' | 'bandpass',
  hz: number,
  sampleRate: number,
): [number, number, number, number, number] {
  const f = Math.min(hz, sampleRate * 0.45);
  const w = (2 * Math.PI * f) / sampleRate;
  const q = kind === 'highpass' ? Math.SQRT1_2 : 1;
  const alpha = Math.sin(w) / (2 * q);
  const cos = Math.cos(w);
  const a0 = 1 + alpha;
  if (kind === 'highpass') {
    const k = (1 + cos) / 2;
    return [k / a0, (-2 * k) / a0, k / a0, (-2 * cos) / a0, (1 - alpha) / a0];
  }
  return [alpha / a0, 0, -alpha / a0, (-2 * cos) / a0, (1 - alpha) / a0];
}
