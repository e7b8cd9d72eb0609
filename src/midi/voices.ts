import { WAVES, type Wave } from '../dsp/oscillator.js';
import { invalid } from '../errors.js';

/** How one melodic voice sounds: waveform, envelope, a second oscillator, a low-pass. */
export interface VoiceSettings {
  wave: Wave;
  /** Pulse width of `wave: 'pulse'`. */
  duty: number;
  attackSec: number;
  /** With sustain 0 the decay is a plucked or struck fade (time to -60 dB). */
  decaySec: number;
  sustain: number;
  releaseSec: number;
  /** Second oscillator: frequency ratio to the note (1.003 = a chorus detune, 2 = octave). */
  ratio2: number;
  /** Level of the second oscillator (0 = off). */
  gain2: number;
  /** Wave of the second oscillator. */
  wave2: Wave;
  /** One-pole low-pass cutoff as a multiple of the note's frequency (0 = no filter). */
  cutoff: number;
  /** Extra level of this voice, linear. */
  gain: number;
}

/** GM program families, by blocks of 8 programs. */
export type Family = 'piano' | 'bell' | 'organ' | 'strings' | 'pad' | 'bass' | 'lead' | 'brass';

/** Shortest attack and release, seconds: a voice never starts or stops with a click. */
export const MIN_ATTACK_SEC = 0.002;
export const MIN_RELEASE_SEC = 0.005;

const base: VoiceSettings = {
  wave: 'triangle',
  duty: 0.5,
  attackSec: 0.005,
  decaySec: 0.3,
  sustain: 0.7,
  releaseSec: 0.2,
  ratio2: 1,
  gain2: 0,
  wave2: 'sine',
  cutoff: 0,
  gain: 1,
};

/** The built-in voice of each family. */
export const FAMILY_VOICES: Record<Family, VoiceSettings> = {
  piano: {
    ...base,
    wave: 'saw',
    attackSec: 0.002,
    decaySec: 3,
    sustain: 0,
    releaseSec: 0.25,
    ratio2: 2,
    gain2: 0.3,
    wave2: 'sine',
    cutoff: 5,
  },
  bell: {
    ...base,
    wave: 'sine',
    attackSec: 0.002,
    decaySec: 2.5,
    sustain: 0,
    releaseSec: 0.6,
    ratio2: 2.76,
    gain2: 0.5,
    gain: 0.9,
  },
  organ: {
    ...base,
    wave: 'sine',
    attackSec: 0.006,
    decaySec: 0.05,
    sustain: 1,
    releaseSec: 0.06,
    ratio2: 2,
    gain2: 0.5,
    wave2: 'sine',
    gain: 0.8,
  },
  strings: {
    ...base,
    wave: 'saw',
    attackSec: 0.12,
    decaySec: 0.3,
    sustain: 0.9,
    releaseSec: 0.4,
    ratio2: 1.004,
    gain2: 1,
    wave2: 'saw',
    cutoff: 6,
    gain: 0.6,
  },
  pad: {
    ...base,
    wave: 'triangle',
    attackSec: 0.4,
    decaySec: 0.5,
    sustain: 0.85,
    releaseSec: 1,
    ratio2: 1.006,
    gain2: 1,
    wave2: 'saw',
    cutoff: 4,
    gain: 0.6,
  },
  bass: {
    ...base,
    wave: 'saw',
    attackSec: 0.003,
    decaySec: 0.5,
    sustain: 0.6,
    releaseSec: 0.08,
    ratio2: 0.5,
    gain2: 0.5,
    wave2: 'sine',
    cutoff: 8,
  },
  lead: {
    ...base,
    wave: 'square',
    attackSec: 0.005,
    decaySec: 0.2,
    sustain: 0.8,
    releaseSec: 0.12,
    cutoff: 10,
    gain: 0.7,
  },
  brass: {
    ...base,
    wave: 'saw',
    attackSec: 0.03,
    decaySec: 0.2,
    sustain: 0.8,
    releaseSec: 0.15,
    cutoff: 7,
    gain: 0.75,
  },
};

/** Family of each block of 8 GM programs (0-7 pianos, 8-15 chromatic percussion, ...). */
const GM_BLOCKS: Family[] = [
  'piano', // pianos
  'bell', // chromatic percussion
  'organ', // organs
  'piano', // guitars: plucked
  'bass', // basses
  'strings', // strings
  'strings', // ensembles
  'brass', // brass
  'lead', // reeds
  'lead', // pipes
  'lead', // synth leads
  'pad', // synth pads
  'pad', // synth effects
  'piano', // ethnic: plucked
  'bell', // percussive
  'lead', // sound effects
];

/** Family of a GM program number (0-127). */
export function familyOf(program: number): Family {
  return GM_BLOCKS[Math.max(0, Math.min(127, program)) >> 3]!;
}

/**
 * A voice map (preset-like JSON): overrides of the built-in voices by family, by GM program
 * (0-127) and by channel (1-16, as users count them; a channel entry wins over its program).
 * @example
 * { "channels": { "1": { "wave": "square", "release": 0.3 } },
 *   "programs": { "0": { "family": "organ" } }, "polyphony": 24 }
 */
export interface VoiceMap {
  families?: Partial<Record<Family, VoiceOverride>>;
  programs?: Record<string, VoiceOverride>;
  channels?: Record<string, VoiceOverride>;
  polyphony?: number;
  /** Channels (1-16) played as percussion; default [10]. */
  drums?: number[];
}

/** Fields of an override, in the JSON's own names (seconds, linear levels). */
export interface VoiceOverride {
  family?: Family;
  wave?: Wave;
  duty?: number;
  attack?: number;
  decay?: number;
  sustain?: number;
  release?: number;
  ratio2?: number;
  gain2?: number;
  wave2?: Wave;
  cutoff?: number;
  gain?: number;
}

const NUMERIC: Record<string, [keyof VoiceSettings, number, number]> = {
  duty: ['duty', 0.01, 0.99],
  attack: ['attackSec', 0, 30],
  decay: ['decaySec', 0, 60],
  sustain: ['sustain', 0, 1],
  release: ['releaseSec', 0, 30],
  ratio2: ['ratio2', 0.125, 16],
  gain2: ['gain2', 0, 2],
  cutoff: ['cutoff', 0, 64],
  gain: ['gain', 0, 4],
};

/** Apply an override to a voice, checked (`where` names the JSON path in errors). */
export function applyOverride(v: VoiceSettings, o: VoiceOverride, where: string): VoiceSettings {
  if (typeof o !== 'object' || o === null || Array.isArray(o))
    throw invalid('BAD_PRESET', `${where}: must be an object`, where);
  let out = { ...v };
  for (const [key, value] of Object.entries(o)) {
    const field = `${where}.${key}`;
    if (key === 'family') {
      if (!(value in FAMILY_VOICES)) {
        throw invalid(
          'BAD_PRESET',
          `${field}: unknown family '${value}' (known: ${Object.keys(FAMILY_VOICES).join(', ')})`,
          field,
        );
      }
      out = { ...FAMILY_VOICES[value as Family], ...pickSet(out, o) };
    } else if (key === 'wave' || key === 'wave2') {
      if (!WAVES.includes(value as Wave))
        throw invalid(
          'BAD_PRESET',
          `${field}: unknown waveform '${value}' (known: ${WAVES.join(', ')})`,
          field,
        );
      out[key] = value as Wave;
    } else if (key in NUMERIC) {
      const [name, lo, hi] = NUMERIC[key]!;
      if (typeof value !== 'number' || !Number.isFinite(value) || value < lo || value > hi) {
        throw invalid(
          'BAD_PRESET',
          `${field}: must be a number from ${lo} to ${hi}, got ${JSON.stringify(value)}`,
          field,
        );
      }
      (out as unknown as Record<string, number>)[name] = value;
    } else {
      throw invalid(
        'BAD_PRESET',
        `${field}: unknown field (known: family, wave, ${Object.keys(NUMERIC).join(', ')}, wave2)`,
        field,
      );
    }
  }
  return out;
}

/** The fields an override sets explicitly, so that a `family` does not undo them. */
function pickSet(v: VoiceSettings, o: VoiceOverride): Partial<VoiceSettings> {
  const keep: Partial<VoiceSettings> = {};
  for (const key of Object.keys(o)) {
    if (key === 'wave' || key === 'wave2') (keep as Record<string, unknown>)[key] = v[key];
    else if (key in NUMERIC) {
      const name = NUMERIC[key]![0];
      (keep as Record<string, unknown>)[name] = v[name];
    }
  }
  return keep;
}

/** Check a parsed voice-map JSON; throws BAD_PRESET with the JSON path of the first problem. */
export function checkVoiceMap(json: unknown, file = 'voice map'): VoiceMap {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw invalid('BAD_PRESET', `${file}: must be a JSON object`);
  const map = json as Record<string, unknown>;
  for (const key of Object.keys(map)) {
    if (
      !['$schema', 'name', 'description', 'families', 'programs', 'channels', 'polyphony', 'drums'].includes(
        key,
      )
    ) {
      throw invalid(
        'BAD_PRESET',
        `${file}: ${key}: unknown field (known: families, programs, channels, polyphony, drums)`,
        key,
      );
    }
  }
  const check = (group: string, keyOk: (k: string) => boolean, range: string) => {
    const g = map[group];
    if (g === undefined) return;
    if (typeof g !== 'object' || g === null || Array.isArray(g))
      throw invalid('BAD_PRESET', `${file}: ${group}: must be an object`, group);
    for (const [k, v] of Object.entries(g)) {
      if (!keyOk(k))
        throw invalid('BAD_PRESET', `${file}: ${group}.${k}: key must be ${range}`, `${group}.${k}`);
      applyOverride(base, v as VoiceOverride, `${file}: ${group}.${k}`);
    }
  };
  const intIn = (lo: number, hi: number) => (k: string) =>
    /^\d+$/.test(k) && Number(k) >= lo && Number(k) <= hi;
  check('families', (k) => k in FAMILY_VOICES, `a family (${Object.keys(FAMILY_VOICES).join(', ')})`);
  check('programs', intIn(0, 127), 'a program number 0-127');
  check('channels', intIn(1, 16), 'a channel number 1-16');
  const poly = map.polyphony;
  if (poly !== undefined && (typeof poly !== 'number' || !Number.isInteger(poly) || poly < 1 || poly > 256)) {
    throw invalid(
      'BAD_PRESET',
      `${file}: polyphony: must be a whole number from 1 to 256, got ${JSON.stringify(poly)}`,
      'polyphony',
    );
  }
  const drums = map.drums;
  if (drums !== undefined) {
    if (!Array.isArray(drums) || drums.some((c) => !Number.isInteger(c) || c < 1 || c > 16)) {
      throw invalid('BAD_PRESET', `${file}: drums: must be a list of channel numbers 1-16`, 'drums');
    }
  }
  return map as VoiceMap;
}

/** The voice for a channel (0-15) playing a program (0-127), through the voice map. */
export function voiceFor(map: VoiceMap, channel: number, program: number): VoiceSettings {
  const family = familyOf(program);
  let v = FAMILY_VOICES[family];
  const fam = map.families?.[family];
  if (fam) v = applyOverride(v, fam, `families.${family}`);
  const prog = map.programs?.[String(program)];
  if (prog) v = applyOverride(v, prog, `programs.${program}`);
  const chan = map.channels?.[String(channel + 1)];
  if (chan) v = applyOverride(v, chan, `channels.${channel + 1}`);
  return {
    ...v,
    attackSec: Math.max(MIN_ATTACK_SEC, v.attackSec),
    releaseSec: Math.max(MIN_RELEASE_SEC, v.releaseSec),
  };
}
