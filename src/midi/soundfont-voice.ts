// A faster voice renderer for spessasynth_core's engine. The engine keeps everything it does
// well (parsing banks, choosing zones, modulators, envelopes, MIDI and GS/XG semantics); this file
// only replaces the per-sample work of one voice for one block: the 4-point Hermite sample read,
// the resonant lowpass, the gain ramp, the pan and the reverb and chorus sends. The engine does
// these in six passes over a block (the read with wrap loops on every sample); here the read runs
// without wrap tests away from the loop end and the rest is one pass. The voice's state (cursor,
// filter memory, envelopes, smoothed pan and cutoff) is the engine's own, kept in the same form,
// so a voice can move between this path and the engine's at any block, and the two give the same
// samples to rounding (the engine rounds each product to Float32 and sums the filter in another
// order: within 1e-5 of the peak, test/midi/soundfont-voice.test.ts). The filter's sum ends with
// the feedback term, so that one sample waits on the last for a multiply and an add, not more.

/** The parts of an engine voice this renderer reads and writes. */
interface Oscillator {
  isLooping: boolean;
  sampleData: Float32Array;
  playbackStep: number;
  loopStart: number;
  loopEnd: number;
  loopLength: number;
  end: number;
  cursor: number;
}
interface Filter {
  initialized: boolean;
  currentInitialFc: number;
  lastTargetCutoff: number;
  resonanceCb: number;
  a0: number;
  a1: number;
  a2: number;
  a3: number;
  a4: number;
  x1: number;
  x2: number;
  y1: number;
  y2: number;
  calculateCoefficients(cutoffCents: number): void;
}
interface Voice {
  isActive: boolean;
  isInRelease: boolean;
  hasRendered: boolean;
  releaseStartTime: number;
  loopingMode: number;
  wavetable: Oscillator;
  oscillators: Oscillator[];
  volEnv: {
    outputGain: number;
    process(n: number, gainTarget: number): boolean;
    startRelease(v: Voice): void;
  };
  modEnv: { process(v: Voice, time: number): number; startRelease(v: Voice): void };
  filter: Filter;
  modulatedGenerators: Int16Array;
  targetKey: number;
  midiNote: number;
  rootKey: number;
  pitchOffset: number;
  portamentoFromKey: number;
  portamentoDuration: number;
  startTime: number;
  gainModifier: number;
  vibLfoStartTime: number;
  vibLfoPhase: number;
  modLfoStartTime: number;
  modLfoPhase: number;
  resonanceOffset: number;
  tuningCents: number;
  tuningRatio: number;
  overridePan: number;
  currentPan: number;
  reverbSend: number;
  chorusSend: number;
}
interface Core {
  sampleRate: number;
  reverbInput: Float32Array;
  chorusInput: Float32Array;
  tunings: ArrayLike<number>;
  delayActive: boolean;
  insertionActive: boolean;
  panSmoothingFactor: number;
  systemParameters: { effectsEnabled: boolean; reverbGain: number; chorusGain: number };
  midiChannels: Channel[];
}
/** An engine MIDI channel: its bound voice renderer is what gets replaced. */
interface Channel {
  synthCore: Core;
  renderVoice: VoiceRenderer;
  octaveTuning: Int8Array;
  currentTuning: number;
  currentGain: number;
  currentPan: number;
  preset: { program: number };
  _midiParameters: { efxAssign: unknown };
  _midiControllers: Int16Array;
}
type VoiceRenderer = (
  voice: Voice,
  timeNow: number,
  outL: Float32Array,
  outR: Float32Array,
  startIndex: number,
  frames: number,
) => void;

// SoundFont generator numbers (SF2.04 section 8.1.3)
const MOD_LFO_TO_PITCH = 5;
const VIB_LFO_TO_PITCH = 6;
const MOD_ENV_TO_PITCH = 7;
const INITIAL_FILTER_FC = 8;
const INITIAL_FILTER_Q = 9;
const MOD_LFO_TO_FILTER_FC = 10;
const MOD_ENV_TO_FILTER_FC = 11;
const MOD_LFO_TO_VOLUME = 13;
const CHORUS_SEND = 15;
const REVERB_SEND = 16;
const PAN = 17;
const FREQ_MOD_LFO = 22;
const FREQ_VIB_LFO = 24;
const INITIAL_ATTENUATION = 48;
const COARSE_TUNE = 51;
const FINE_TUNE = 52;
const SCALE_TUNING = 56;
// the engine's own generators beyond SF2: amplitude, LFO rates and depths (per mille, Hz/100)
const AMPLITUDE = 61;
const VIB_LFO_RATE = 62;
const VIB_LFO_AMPLITUDE_DEPTH = 63;
const VIB_LFO_TO_FILTER_FC = 64;
const MOD_LFO_RATE = 65;
const MOD_LFO_AMPLITUDE_DEPTH = 66;
/** Looping modes (sampleModes): 2 starts on release, 3 loops until release. */
const START_ON_RELEASE = 2;
const LOOP_UNTIL_RELEASE = 3;
/** Above this cutoff (absolute cents) with no resonance, the filter is left out. */
const FILTER_OPEN_CENTS = 13499;
/** The engine rounds centibels and cents down to whole steps in its tables: so do these. */
const MIN_CB = -16600;
const MAX_CB = 16000;
const MIN_ABS_CENTS = -20000;
const MAX_ABS_CENTS = 16500;

const cbGain = new Float32Array(MAX_CB - MIN_CB + 1);
for (let i = 0; i < cbGain.length; i++) cbGain[i] = 10 ** (-(MIN_CB + i) / 200);
const centsHz = new Float32Array(MAX_ABS_CENTS - MIN_ABS_CENTS + 1);
for (let i = 0; i < centsHz.length; i++) centsHz[i] = 440 * 2 ** ((MIN_ABS_CENTS + i - 6900) / 1200);
/** Equal-power pan law over -500..500 (per mille), as gains for left and right. */
const panL = new Float32Array(1001);
const panR = new Float32Array(1001);
for (let i = 0; i <= 1000; i++) {
  panL[i] = Math.cos((Math.PI / 2) * (i / 1000));
  panR[i] = Math.sin((Math.PI / 2) * (i / 1000));
}

/**
 * A released voice whose remaining sound can no longer exceed this (raw engine level, where the
 * output is 2x: -100 dB there, -94 dBFS out, under the 16-bit step) ends. The engine ends a voice
 * only when its envelope reaches -90 dB, whatever the note's level: a soft note's tail went on
 * far below hearing (three quarters of the voice blocks of the orchestral bench song were
 * releases). FluidSynth ends voices on the same principle (its noise floor, -90 dB).
 */
const INAUDIBLE = 1e-5;

/**
 * A voice's block between its read and its mix, in doubles: no conversion to Float32 and back on
 * the way (the engine's own buffer is Float32). One for all voices: a block is read and mixed
 * before the next voice starts.
 */
let voiceBuffer = new Float64Array(128);

const peaks = new WeakMap<Float32Array, number>();

/** Largest magnitude in a sample's data (computed once a sample). */
function samplePeak(data: Float32Array): number {
  let p = peaks.get(data);
  if (p === undefined) {
    p = 0;
    for (let i = 0; i < data.length; i++) p = Math.max(p, Math.abs(data[i]!));
    peaks.set(data, p);
  }
  return p;
}

/** Linear gain of an attenuation in centibels (whole centibels, as the engine's table). */
function attenuationGain(cb: number): number {
  return cbGain[(cb - MIN_CB) | 0]!;
}

/** Frequency of an absolute-cents value (whole cents in the engine's range). */
function absCentsHz(cents: number): number {
  if (cents < MIN_ABS_CENTS || cents > MAX_ABS_CENTS) return 440 * 2 ** ((cents - 6900) / 1200);
  return centsHz[(cents - MIN_ABS_CENTS) | 0]!;
}

/** Triangle LFO value in [-1, 1] at a phase in [0, 1) (0.25 is the peak). */
function triangle(phase: number): number {
  return 1 - 4 * Math.abs(phase - 0.5);
}

/**
 * Hermite-read `count` samples from cursor `cursor` at `step` into `out` from index `from`, with
 * no end or wrap test: the caller knows the four points of every read lie inside `data`. The
 * cursor is kept as a whole index and a fraction (the double-to-int conversion and the wrap test
 * of each sample cost more than the interpolation). Returns the cursor after the last read.
 */
function hermiteRun(
  data: Float32Array,
  cursor: number,
  step: number,
  out: Float64Array,
  from: number,
  count: number,
): number {
  let k = cursor | 0;
  let t = cursor - k;
  const whole = step | 0;
  const frac = step - whole;
  const to = from + count;
  for (let i = from; i < to; i++) {
    const xm1 = data[k]!;
    const x0 = data[k + 1]!;
    const x1 = data[k + 2]!;
    const x2 = data[k + 3]!;
    const c = (x1 - xm1) * 0.5;
    const v = x0 - x1;
    const w = c + v;
    const a = w + v + (x2 - x0) * 0.5;
    out[i] = ((a * t - (w + a)) * t + c) * t + x0;
    k += whole;
    t += frac;
    if (t >= 1) {
      t -= 1;
      k++;
    }
  }
  return k + t;
}

/**
 * How many reads from `cursor` at `step` stay below `limit` for certain: one fewer than the exact
 * count, so that rounding in the cursor's sums cannot carry a read past it.
 */
function readsBelow(cursor: number, step: number, limit: number): number {
  return cursor < limit ? Math.max(0, Math.ceil((limit - cursor) / step) - 1) : 0;
}

/**
 * Read `n` samples of a voice's sample at `step` per output sample into `out` with 4-point
 * Hermite interpolation, the engine's way (the point read at cursor c is the curve between
 * data[floor(c) + 1] and data[floor(c) + 2]). False when a sample without a loop has ended: the
 * rest of `out` is then zero. Runs of reads away from the loop's end or the sample's end go
 * without tests; the reads near them wrap or stop one by one.
 */
export function readHermite(osc: Oscillator, step: number, out: Float64Array, n: number): boolean {
  const data = osc.sampleData;
  let cursor = osc.cursor;
  let i = 0;
  if (osc.isLooping) {
    const loopEnd = osc.loopEnd;
    const loopLength = osc.loopLength;
    // below this cursor the four points are inside the loop and need no wrap
    const safe = loopEnd - 3;
    while (i < n) {
      const run = Math.min(n - i, readsBelow(cursor, step, safe));
      if (run > 0) {
        cursor = hermiteRun(data, cursor, step, out, i, run);
        i += run;
        if (i === n) break;
      }
      while (cursor >= loopEnd) cursor -= loopLength;
      const k = cursor | 0;
      const t = cursor - k;
      let k1 = k + 1;
      let k2 = k + 2;
      let k3 = k + 3;
      while (k1 >= loopEnd) k1 -= loopLength;
      while (k2 >= loopEnd) k2 -= loopLength;
      while (k3 >= loopEnd) k3 -= loopLength;
      const xm1 = data[k]!;
      const x0 = data[k1]!;
      const x1 = data[k2]!;
      const x2 = data[k3]!;
      const c = (x1 - xm1) * 0.5;
      const v = x0 - x1;
      const w = c + v;
      const a = w + v + (x2 - x0) * 0.5;
      out[i++] = ((a * t - (w + a)) * t + c) * t + x0;
      cursor += step;
    }
    osc.cursor = cursor;
    return true;
  }
  const last = osc.end - 3;
  const run = Math.min(n, readsBelow(cursor, step, last));
  if (run > 0) {
    cursor = hermiteRun(data, cursor, step, out, 0, run);
    i = run;
  }
  for (; i < n; i++) {
    if (cursor >= last) {
      out.fill(0, i, n);
      return false;
    }
    hermiteRun(data, cursor, step, out, i, 1);
    cursor += step;
  }
  osc.cursor = cursor;
  return true;
}

/**
 * Mix a block of a voice: `buf` through the biquad lowpass `f` (when `filtered`), times a gain
 * ramp from `gain` by `inc` a sample, into `L`/`R` from `at` with the pan gains and into the
 * reverb and chorus sends from 0.
 */
function mixVoice(
  buf: Float64Array,
  n: number,
  f: Filter,
  filtered: boolean,
  gain: number,
  inc: number,
  L: Float32Array,
  R: Float32Array,
  at: number,
  gl: number,
  gr: number,
  rev: Float32Array,
  rg: number,
  cho: Float32Array,
  cg: number,
): void {
  // a loop for each case, so that none tests or writes what it does not use
  const send = rg > 0 ? rev : cho;
  const sg = rg > 0 ? rg : cg;
  if (filtered) {
    const { a0, a1, a2, a3, a4 } = f;
    let { x1, x2, y1, y2 } = f;
    if (rg > 0 && cg > 0) {
      for (let i = 0; i < n; i++) {
        const x = buf[i]!;
        const y = a0 * x + a1 * x1 + a2 * x2 - a4 * y2 - a3 * y1;
        x2 = x1;
        x1 = x;
        y2 = y1;
        y1 = y;
        const s = y * gain;
        gain += inc;
        L[at + i]! += gl * s;
        R[at + i]! += gr * s;
        rev[i]! += rg * s;
        cho[i]! += cg * s;
      }
    } else if (rg > 0 || cg > 0) {
      for (let i = 0; i < n; i++) {
        const x = buf[i]!;
        const y = a0 * x + a1 * x1 + a2 * x2 - a4 * y2 - a3 * y1;
        x2 = x1;
        x1 = x;
        y2 = y1;
        y1 = y;
        const s = y * gain;
        gain += inc;
        L[at + i]! += gl * s;
        R[at + i]! += gr * s;
        send[i]! += sg * s;
      }
    } else {
      for (let i = 0; i < n; i++) {
        const x = buf[i]!;
        const y = a0 * x + a1 * x1 + a2 * x2 - a4 * y2 - a3 * y1;
        x2 = x1;
        x1 = x;
        y2 = y1;
        y1 = y;
        const s = y * gain;
        gain += inc;
        L[at + i]! += gl * s;
        R[at + i]! += gr * s;
      }
    }
    f.x1 = x1;
    f.x2 = x2;
    f.y1 = y1;
    f.y2 = y2;
    return;
  }
  if (rg > 0 && cg > 0) {
    for (let i = 0; i < n; i++) {
      const s = buf[i]! * gain;
      gain += inc;
      L[at + i]! += gl * s;
      R[at + i]! += gr * s;
      rev[i]! += rg * s;
      cho[i]! += cg * s;
    }
  } else if (rg > 0 || cg > 0) {
    for (let i = 0; i < n; i++) {
      const s = buf[i]! * gain;
      gain += inc;
      L[at + i]! += gl * s;
      R[at + i]! += gr * s;
      send[i]! += sg * s;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const s = buf[i]! * gain;
      gain += inc;
      L[at + i]! += gl * s;
      R[at + i]! += gr * s;
    }
  }
}

/** Voice blocks rendered here and by the engine's own code (for tests and benchmarks). */
export const voiceStats = { fast: 0, engine: 0, ended: 0 };

/**
 * The fast renderer for channel `ch`, falling back to the engine's `engine` for what it does not
 * cover: interpolation other than Hermite, GS insertion effects, the XG variation (delay) send,
 * and samples without a usable loop.
 */
function fastRenderer(ch: Channel, engine: VoiceRenderer, endInaudible: boolean): VoiceRenderer {
  const core = ch.synthCore;
  return (voice, timeNow, outL, outR, startIndex, n) => {
    const osc = voice.wavetable;
    if (
      osc !== voice.oscillators[2] ||
      core.delayActive ||
      (core.insertionActive && ch._midiParameters.efxAssign && core.systemParameters.effectsEnabled) ||
      (osc.isLooping && !(osc.loopLength > 0))
    ) {
      voiceStats.engine++;
      engine(voice, timeNow, outL, outR, startIndex, n);
      return;
    }
    if (!voice.isInRelease && timeNow >= voice.releaseStartTime) {
      voice.isInRelease = true;
      voice.volEnv.startRelease(voice);
      voice.modEnv.startRelease(voice);
      if (voice.loopingMode === LOOP_UNTIL_RELEASE) osc.isLooping = false;
    }
    voice.hasRendered = true;
    if (!voice.isActive) return;
    const sampleRate = core.sampleRate;
    const gen = voice.modulatedGenerators;

    // pitch, in cents and semitones, with tuning tables, portamento, LFOs and the modulation envelope
    let key = voice.targetKey;
    let cents = voice.pitchOffset + gen[FINE_TUNE]! + ch.octaveTuning[key]! + ch.currentTuning;
    let semitones = gen[COARSE_TUNE]!;
    const tuned = core.tunings[ch.preset.program * 128 + voice.midiNote]!;
    if (tuned !== -1) {
      key = Math.trunc(tuned);
      semitones += tuned - key;
    }
    if (voice.portamentoFromKey > -1) {
      const done = Math.min((timeNow - voice.startTime) / voice.portamentoDuration, 1);
      semitones -= (key - voice.portamentoFromKey) * (1 - done);
    }
    cents += (key - voice.rootKey) * gen[SCALE_TUNING]!;
    let cutoffShift = 0;
    let volumeCb = 0;
    let voiceGain = voice.gainModifier * (1 + gen[AMPLITUDE]! / 1000);
    if (timeNow >= voice.vibLfoStartTime) {
      const toPitch = gen[VIB_LFO_TO_PITCH]!;
      const toFilter = gen[VIB_LFO_TO_FILTER_FC]!;
      const toAmp = gen[VIB_LFO_AMPLITUDE_DEPTH]!;
      if (toPitch !== 0 || toFilter !== 0 || toAmp !== 0) {
        const hz = Math.max(0, absCentsHz(gen[FREQ_VIB_LFO]!) + gen[VIB_LFO_RATE]! / 100);
        const lfo = triangle(voice.vibLfoPhase);
        voice.vibLfoPhase += (hz * n) / sampleRate;
        if (voice.vibLfoPhase >= 1) voice.vibLfoPhase -= 1;
        cents += lfo * toPitch;
        cutoffShift += lfo * toFilter;
        voiceGain *= 1 - ((lfo + 1) / 2) * (toAmp / 1000);
      }
    }
    if (timeNow >= voice.modLfoStartTime) {
      const toPitch = gen[MOD_LFO_TO_PITCH]!;
      const toVolume = gen[MOD_LFO_TO_VOLUME]!;
      const toFilter = gen[MOD_LFO_TO_FILTER_FC]!;
      const toAmp = gen[MOD_LFO_AMPLITUDE_DEPTH]!;
      if (toPitch !== 0 || toFilter !== 0 || toVolume !== 0 || toAmp !== 0) {
        const hz = Math.max(0, absCentsHz(gen[FREQ_MOD_LFO]!) + gen[MOD_LFO_RATE]! / 100);
        const lfo = triangle(voice.modLfoPhase);
        voice.modLfoPhase += (hz * n) / sampleRate;
        if (voice.modLfoPhase >= 1) voice.modLfoPhase -= 1;
        cents += lfo * toPitch;
        volumeCb -= lfo * toVolume;
        cutoffShift += lfo * toFilter;
        voiceGain *= 1 - ((lfo + 1) / 2) * (toAmp / 1000);
      }
    }
    const envToPitch = gen[MOD_ENV_TO_PITCH]!;
    const envToFilter = gen[MOD_ENV_TO_FILTER_FC]!;
    if (envToFilter !== 0 || envToPitch !== 0) {
      const env = voice.modEnv.process(voice, timeNow);
      cutoffShift += env * envToFilter;
      cents += env * envToPitch;
    }
    volumeCb -= voice.resonanceOffset;
    const totalCents = cents + semitones * 100;
    if ((totalCents | 0) !== voice.tuningCents) {
      voice.tuningCents = totalCents | 0;
      voice.tuningRatio = 2 ** (totalCents / 1200);
    }
    const gainTarget = attenuationGain(gen[INITIAL_ATTENUATION]!) * attenuationGain(volumeCb);
    if (voice.loopingMode === START_ON_RELEASE && !voice.isInRelease) {
      voice.isActive = voice.volEnv.process(n, gainTarget);
      return;
    }

    // the volume envelope's ramp over the block, the filter's cutoff
    const gain = voice.volEnv.outputGain;
    const envActive = voice.volEnv.process(n, gainTarget);
    const inc = (voice.volEnv.outputGain - gain) / n;
    const f = voice.filter;
    const fc = gen[INITIAL_FILTER_FC]!;
    // the engine's smoothing of the cutoff, a static of its filter class set for its sample rate
    const smoothing = (f.constructor as unknown as { smoothingConstant: number }).smoothingConstant;
    if (f.initialized) f.currentInitialFc += (fc - f.currentInitialFc) * smoothing;
    else {
      f.initialized = true;
      f.currentInitialFc = fc;
    }
    const cutoff = f.currentInitialFc + cutoffShift;
    const q = gen[INITIAL_FILTER_Q]!;
    const open = f.currentInitialFc > FILTER_OPEN_CENTS && cutoff > FILTER_OPEN_CENTS && q === 0;
    if (open) f.currentInitialFc = 13500;
    else if (Math.abs(f.lastTargetCutoff - cutoff) > 1 || f.resonanceCb !== q) {
      f.lastTargetCutoff = cutoff;
      f.resonanceCb = q;
      f.calculateCoefficients(cutoff);
    }

    // pan (smoothed toward the generator) and the channel's gain, then the sends
    let pan: number;
    if (voice.overridePan) pan = voice.overridePan;
    else {
      voice.currentPan += (gen[PAN]! - voice.currentPan) * core.panSmoothingFactor;
      pan = voice.currentPan;
    }
    const level = ch.currentGain * voiceGain;
    const p = (Math.min(Math.max(-500, pan + ch.currentPan), 500) + 500) | 0;
    const gl = panL[p]! * level;
    const gr = panR[p]! * level;
    const sys = core.systemParameters;
    let rg = 0;
    let cg = 0;
    if (sys.effectsEnabled) {
      const reverb = gen[REVERB_SEND]! * voice.reverbSend;
      if (reverb > 0) rg = sys.reverbGain * level * (reverb / 1000);
      const chorus = gen[CHORUS_SEND]! * voice.chorusSend;
      if (chorus > 0) cg = sys.chorusGain * (chorus / 1000) * level;
    }

    // the sample, then through the filter into the outputs and sends
    voiceStats.fast++;
    if (voiceBuffer.length < n) voiceBuffer = new Float64Array(n);
    const buf = voiceBuffer;
    const alive = readHermite(osc, voice.tuningRatio * osc.playbackStep, buf, n);
    mixVoice(
      buf,
      n,
      f,
      !open,
      gain,
      inc,
      outL,
      outR,
      startIndex,
      gl,
      gr,
      core.reverbInput,
      rg,
      core.chorusInput,
      cg,
    );
    voice.isActive = alive && envActive;
    if (endInaudible && voice.isActive && voice.isInRelease) {
      // the most the rest of its release can add to any output or send, with the sample's peak,
      // the filter's resonance and the tremolo's swing: below the floor, the voice ends here
      const reach =
        voice.volEnv.outputGain *
        Math.max(Math.abs(gl), Math.abs(gr), rg, cg) *
        samplePeak(osc.sampleData) *
        (open ? 1 : attenuationGain(-q)) *
        attenuationGain(-Math.abs(gen[MOD_LFO_TO_VOLUME]!));
      if (reach < INAUDIBLE) {
        voice.isActive = false;
        voiceStats.ended++;
      }
    }
  };
}

const installed = new WeakSet<object>();

/**
 * Render the voices of every channel of the engine `core` (a SpessaSynthProcessor's synthCore)
 * with the fast path; call again after channels are added. Idempotent. `endInaudible: false`
 * keeps released voices until the engine's own end (-90 dB on the envelope), for tests.
 */
export function installFastVoices(core: unknown, opts: { endInaudible?: boolean } = {}): void {
  for (const ch of (core as Core).midiChannels) {
    if (installed.has(ch)) continue;
    installed.add(ch);
    ch.renderVoice = fastRenderer(ch, ch.renderVoice, opts.endInaudible ?? true);
  }
}
