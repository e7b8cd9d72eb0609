/** Test-signal synthesis: tones with harmonics, decaying envelopes and stiff-string partials. */

/** Deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ToneOptions {
  readonly sampleRate?: number;
  readonly durationSec?: number;
  readonly harmonics?: number;
  /** Partial n has amplitude 1 / n^rollOff (times a random ±20 % factor). */
  readonly rollOff?: number;
  /** Stiff-string inharmonicity: partial n at n f0 sqrt(1 + B n^2). */
  readonly inharmonicity?: number;
  /** Decay time constant of the fundamental, s (higher partials decay faster). */
  readonly decaySec?: number;
  /** White noise amplitude. */
  readonly noise?: number;
  readonly seed?: number;
  readonly gain?: number;
}

/** Renders a chord of plucked/struck-like tones into a mono Float64Array. */
export function renderChord(freqs: readonly number[], o: ToneOptions = {}): Float64Array {
  const sr = o.sampleRate ?? 48000;
  const n = Math.round((o.durationSec ?? 2) * sr);
  const out = new Float64Array(n);
  const rand = rng(o.seed ?? 7);
  const harmonics = o.harmonics ?? 10;
  const B = o.inharmonicity ?? 0;
  const decay = o.decaySec ?? 1.5;
  for (const f0 of freqs) {
    for (let h = 1; h <= harmonics; h++) {
      const f = h * f0 * Math.sqrt(1 + B * h * h);
      if (f >= sr / 2) break;
      const amp = (1 / h ** (o.rollOff ?? 1)) * (0.8 + 0.4 * rand());
      const phase = 2 * Math.PI * rand();
      const tau = decay / (1 + 0.3 * (h - 1));
      const w = (2 * Math.PI * f) / sr;
      const attack = Math.round(0.005 * sr);
      for (let i = 0; i < n; i++) {
        const env = Math.exp(-i / (tau * sr)) * (i < attack ? i / attack : 1);
        out[i] = out[i]! + amp * env * Math.sin(w * i + phase);
      }
    }
  }
  let peak = 0;
  for (const v of out) peak = Math.max(peak, Math.abs(v));
  const g = (o.gain ?? 0.5) / peak;
  for (let i = 0; i < n; i++) out[i] = out[i]! * g + (o.noise ?? 0) * (2 * rand() - 1);
  return out;
}

/** A pure sine of `amplitude` (peak) at `hz`. */
export function sine(
  hz: number,
  amplitude: number,
  sampleRate: number,
  seconds: number,
  phase = 0,
): Float64Array {
  const n = Math.round(seconds * sampleRate);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = amplitude * Math.sin((2 * Math.PI * hz * i) / sampleRate + phase);
  return out;
}

export interface BowedOptions {
  readonly sampleRate?: number;
  readonly durationSec?: number;
  /** Vibrato rate (Hz) and depth (cents, peak). */
  readonly vibratoHz?: number;
  readonly vibratoCents?: number;
  /** Chorus: detuned copies, each with its own slow pitch wobble (cents of detune, 0 = none). */
  readonly chorusCents?: number;
  /** Amplitude of harmonic n relative to 1/n (a jagged, formant-like envelope when omitted). */
  readonly shape?: readonly number[];
  readonly harmonics?: number;
  readonly noise?: number;
  readonly seed?: number;
}

/**
 * Sustained tones with vibrato (sinusoidal frequency modulation, the same in cents for every
 * harmonic), a jagged spectral envelope like a bowed string's body resonances, and optionally
 * a chorus (two copies detuned by ±`chorusCents`, each wobbling at its own slow rate): the
 * partials of such a tone spread into several spectral peaks.
 */
export function renderBowed(freqs: readonly number[], o: BowedOptions = {}): Float64Array {
  const sr = o.sampleRate ?? 44100;
  const n = Math.round((o.durationSec ?? 1.5) * sr);
  const out = new Float64Array(n);
  const rand = rng(o.seed ?? 11);
  const harmonics = o.harmonics ?? 16;
  const depth = 2 ** ((o.vibratoCents ?? 20) / 1200) - 1;
  const vib = o.vibratoHz ?? 6;
  const copies = o.chorusCents ? [0, o.chorusCents, -o.chorusCents] : [0];
  for (const f0 of freqs) {
    const shape = o.shape ?? Array.from({ length: harmonics }, () => 0.25 + 1.5 * rand());
    const vibPhase = 2 * Math.PI * rand();
    for (const [c, detune] of copies.entries()) {
      const wobble = 0.3 + 0.4 * rand();
      const g = c === 0 ? 1 : 0.6;
      for (let h = 1; h <= harmonics; h++) {
        const amp = (g * (shape[h - 1] ?? 1)) / h;
        let phase = 2 * Math.PI * rand();
        const base = h * f0 * 2 ** (detune / 1200);
        if (base * (1 + depth) >= sr / 2) break;
        for (let i = 0; i < n; i++) {
          const t = i / sr;
          const mod = 1 + depth * Math.sin(2 * Math.PI * vib * t + vibPhase);
          const chorus = detune ? 1 + 0.002 * Math.sin(2 * Math.PI * wobble * t) : 1;
          phase += (2 * Math.PI * base * mod * chorus) / sr;
          out[i] = out[i]! + amp * Math.sin(phase);
        }
      }
    }
  }
  let peak = 0;
  for (const v of out) peak = Math.max(peak, Math.abs(v));
  for (let i = 0; i < n; i++) out[i] = (0.5 * out[i]!) / peak + (o.noise ?? 0.001) * (2 * rand() - 1);
  return out;
}
