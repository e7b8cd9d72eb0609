/**
 * Binaural-beat suggestions: a carrier (an input note moved by octaves, so it stays in the
 * chord's harmony) and a beat frequency in one of the conventional EEG bands. Each ear gets
 * `carrier ∓ beat / 2` (the `tone --binaural` convention).
 *
 * Scoring follows the psychoacoustics of binaural beats: they are heard most clearly with
 * carriers of a few hundred hertz and fade above about 1 kHz (Licklider et al. 1950; Perrott &
 * Nelson 1969), and beats above about 30 Hz are heard less as beats. Claims about the effect
 * of the bands on the brain are contested, and the reasons say so.
 */
import { intervalName, justRatio } from './intervals.js';
import { nearestNote } from './notes.js';
import { encodeSuggestionId, explainProfile, type Profile, profileShift } from './profile.js';
import { formatRatio } from './ratio.js';
import type { Suggestion } from './recommend.js';

/** An EEG band used for binaural beats. */
export interface BeatBand {
  readonly name: 'delta' | 'theta' | 'alpha' | 'beta' | 'gamma';
  readonly loHz: number;
  readonly hiHz: number;
  /** The beat suggested for this band. */
  readonly beatHz: number;
  /** What the band is conventionally associated with. */
  readonly about: string;
}

/** The five conventional bands, with a typical beat in each. */
export const BEAT_BANDS: readonly BeatBand[] = [
  { name: 'delta', loHz: 0.5, hiHz: 4, beatHz: 2, about: 'deep sleep' },
  { name: 'theta', loHz: 4, hiHz: 8, beatHz: 6, about: 'drowsiness and meditation' },
  { name: 'alpha', loHz: 8, hiHz: 13, beatHz: 10, about: 'relaxed, eyes-closed wakefulness' },
  { name: 'beta', loHz: 13, hiHz: 30, beatHz: 18, about: 'alert, focused attention' },
  { name: 'gamma', loHz: 30, hiHz: 50, beatHz: 40, about: 'the 40 Hz rhythm of high-level processing' },
];

const round = (v: number, d: number): number => Math.round(v * 10 ** d) / 10 ** d;

/** How clearly a binaural beat is heard on a carrier: 1 near 400 Hz, falling off by octaves. */
export function carrierQuality(carrierHz: number): number {
  return Math.exp(-(Math.log2(carrierHz / 400) ** 2) / 2);
}

/** How clearly a beat of this rate is heard as a beat on this carrier (0..1). */
export function beatQuality(beatHz: number, carrierHz: number): number {
  const rate = beatHz <= 30 ? 1 : Math.exp(-(((beatHz - 30) / 20) ** 2));
  const spread = beatHz / carrierHz <= 0.1 ? 1 : Math.exp(-(((beatHz / carrierHz - 0.1) / 0.1) ** 2));
  return rate * spread;
}

/** Suggests carriers and beats, one band per suggestion first, then further carriers. */
export function suggestBinaural(
  freqs: readonly number[],
  count: number,
  range: readonly [number, number],
  a4: number,
  profile?: Profile,
): Suggestion[] {
  const root = Math.min(...freqs);
  const lo = Math.max(range[0], 40);
  const hi = Math.min(range[1], 1500);
  const carriers: { hz: number; from: number; octaves: number }[] = [];
  for (const f of freqs) {
    for (let k = -6; k <= 6; k++) {
      const hz = f * 2 ** k;
      if (hz >= lo && hz <= hi && !carriers.some((c) => Math.abs(c.hz / hz - 1) < 1e-6))
        carriers.push({ hz, from: f, octaves: k });
    }
  }
  if (carriers.length === 0) {
    // No octave of the inputs fits: fall back to the range's point nearest 400 Hz.
    carriers.push({ hz: Math.min(Math.max(400, lo), hi), from: root, octaves: 0 });
  }
  const items = [];
  for (const band of BEAT_BANDS) {
    for (const c of carriers) {
      const features = [`band:${band.name}`, c.hz < 130 ? 'reg:bass' : c.hz < 400 ? 'reg:low' : 'reg:mid'];
      const base = carrierQuality(c.hz) * beatQuality(band.beatHz, c.hz);
      const score = Math.max(0, Math.min(1, base + profileShift(profile, features)));
      items.push({ band, c, features, score });
    }
  }
  items.sort((a, b) => b.score - a.score);
  const picked: typeof items = [];
  for (const pass of [0, 1]) {
    for (const it of items) {
      if (picked.length >= count) break;
      if (picked.includes(it)) continue;
      if (pass === 0 && picked.some((p) => p.band === it.band)) continue;
      if (picked.some((p) => p.band === it.band && p.c === it.c)) continue;
      picked.push(it);
    }
  }
  return picked.map(({ band, c, features, score }) => {
    const near = nearestNote(c.hz, a4);
    const from = nearestNote(c.from, a4).label;
    const j = justRatio(c.hz / root);
    const semis = 12 * Math.log2(c.hz / root);
    const left = c.hz - band.beatHz / 2;
    const right = c.hz + band.beatHz / 2;
    const moved =
      c.octaves === 0
        ? `the carrier is ${from} itself`
        : `the carrier is ${from} moved ${Math.abs(c.octaves)} octave${Math.abs(c.octaves) > 1 ? 's' : ''} ${c.octaves > 0 ? 'up' : 'down'}, so it stays in your chord's harmony`;
    return {
      id: encodeSuggestionId({ goal: 'binaural', frequency: c.hz + band.beatHz / 1000, features }),
      frequency: round(c.hz, 3),
      note: near.label,
      cents: round(near.cents, 1),
      ratio: semis >= 0 ? formatRatio(j.ratio) : `${j.ratio.den}/${j.ratio.num}`,
      interval: Math.round(semis) < 0 ? `${intervalName(semis)} below` : intervalName(semis),
      score: round(score, 4),
      reasons: [
        `${band.name} band (${band.loHz}-${band.hiHz} Hz): a ${band.beatHz} Hz beat, conventionally linked with ${band.about} (evidence that beats entrain the brain is mixed)`,
        `left ear ${round(left, 2)} Hz, right ear ${round(right, 2)} Hz: listen on headphones`,
        moved,
        c.hz <= 600
          ? 'binaural beats are heard most clearly on carriers of a few hundred hertz'
          : 'carriers above about 600 Hz give fainter binaural beats',
        ...(band.beatHz > 30
          ? ['beats faster than about 30 Hz are heard less as beats and more as roughness']
          : []),
        ...explainProfile(profile, features),
      ],
      features,
      source: 'binaural',
      beat: band.beatHz,
      band: band.name,
      left: round(left, 3),
      right: round(right, 3),
    };
  });
}
