import { AdsrEnvelope } from '../dsp/envelope.js';
import { Oscillator, WAVES, type Wave } from '../dsp/oscillator.js';
import { Param } from '../dsp/param.js';
import { invalid } from '../errors.js';
import { addToOutput, type Block, balanceGains, type Layer, panGains } from './layer.js';
import { DEFAULT_GAIN, type ToneLayerSpec } from './scene.js';

const TWO_PI = 2 * Math.PI;
/** Parameters of a tone layer that `set`, timeline steps and live messages may change. */
export const TONE_PARAMS: readonly string[] = [
  'freq',
  'gain',
  'pan',
  'wave',
  'beat',
  'duty',
  'amRate',
  'amDepth',
  'fmRate',
  'fmDev',
  'rate',
];

/** Shortest smoothing of a parameter jump, so that even a "set at once" never clicks. */
const MIN_SMOOTH_SEC = 0.005;
/** Crossfade of a waveform change: the old wave fades out as the new one fades in, phase-locked. */
const WAVE_FADE_SEC = 0.005;
/** Longest edge of an isochronic pulse. */
const ISO_EDGE_SEC = 0.004;

/**
 * A tone: one oscillator (two for a binaural beat) with glides on frequency, beat, gain and pan,
 * optional ADSR, AM, FM and isochronic gating. Everything is phase-continuous: frequency changes
 * move the phase increment, never the phase.
 */
export class ToneLayer implements Layer {
  readonly id: string | undefined;
  readonly params: readonly string[] = TONE_PARAMS;
  private readonly sampleRate: number;
  private readonly oscL: Oscillator;
  private readonly oscR: Oscillator;
  private readonly freq: Param;
  private readonly beat: Param;
  private readonly gain: Param;
  private readonly pan: Param;
  private readonly amDepth: Param;
  private readonly fmDev: Param;
  private amRate: number;
  private fmRate: number;
  private amPhase = 0;
  private fmPhase = 0;
  private isoRate: number;
  private isoDuty: number;
  private isoPhase = 0;
  private binaural: boolean;
  private readonly env: AdsrEnvelope | undefined;
  private maxGain: number;
  /** The previous waveform while a wave change crossfades (same phase as the live oscillators). */
  private fadeL: Oscillator | null = null;
  private fadeR: Oscillator | null = null;
  private fadeBufL: Float64Array | null = null;
  private fadeBufR: Float64Array | null = null;
  /** Frames of the crossfade still to render, and its length. */
  private fadeLeft = 0;
  private fadeLen = 1;
  /** A wave asked for during a crossfade: it starts its own when the running one ends. */
  private nextWave: Wave | null = null;

  constructor(spec: ToneLayerSpec, sampleRate: number, totalFrames: number) {
    this.id = spec.id;
    this.sampleRate = sampleRate;
    const wave = spec.wave ?? 'sine';
    const duty = spec.duty ?? 0.5;
    this.oscL = new Oscillator(sampleRate, wave, 0, duty);
    this.oscR = new Oscillator(sampleRate, wave, 0, duty);
    this.freq = new Param(spec.freq);
    if (spec.sweep && Number.isFinite(totalFrames))
      this.freq.set(spec.sweep.to, totalFrames, spec.sweep.curve);
    this.beat = new Param(spec.beat ?? 0);
    this.binaural = (spec.beat ?? 0) !== 0;
    this.gain = new Param(spec.gain ?? DEFAULT_GAIN);
    this.maxGain = this.gain.value;
    this.pan = new Param(spec.pan ?? 0);
    this.amRate = spec.am?.rate ?? 0;
    this.amDepth = new Param(spec.am?.depth ?? 0);
    this.fmRate = spec.fm?.rate ?? 0;
    this.fmDev = new Param(spec.fm?.dev ?? 0);
    this.isoRate = spec.isochronic?.rate ?? 0;
    this.isoDuty = spec.isochronic?.duty ?? 0.5;
    this.env = spec.envelope ? new AdsrEnvelope(spec.envelope, sampleRate, totalFrames) : undefined;
  }

  peakGain(): number {
    return Math.max(this.maxGain, this.gain.goal);
  }

  releaseAt(frame: number): void {
    this.env?.releaseAt(frame);
  }

  set(param: string, value: number | string, glideFrames: number): void {
    const smooth = Math.max(glideFrames, Math.round(MIN_SMOOTH_SEC * this.sampleRate));
    const num = (lo: number, hi: number): number => {
      const v = typeof value === 'number' ? value : Number(value);
      if (!Number.isFinite(v) || v < lo || v > hi) {
        throw invalid(
          'BAD_VALUE',
          `${param}: must be a number from ${lo} to ${hi}, got ${String(value)}`,
          param,
        );
      }
      return v;
    };
    const nyq = this.sampleRate / 2;
    switch (param) {
      case 'freq':
        this.freq.set(num(Number.MIN_VALUE, nyq - 1e-9), smooth, 'exp');
        return;
      case 'beat':
        this.beat.set(num(0, 100), smooth, 'lin');
        if (this.beat.goal !== 0 && !this.binaural) {
          this.oscR.phase = this.oscL.phase;
          this.binaural = true;
        }
        return;
      case 'gain':
        this.gain.set(num(0, 16), smooth, 'lin');
        this.maxGain = Math.max(this.maxGain, this.gain.goal);
        return;
      case 'pan':
        this.pan.set(num(-1, 1), smooth, 'lin');
        return;
      case 'wave':
        if (typeof value !== 'string' || !WAVES.includes(value as Wave)) {
          throw invalid(
            'BAD_WAVEFORM',
            `wave: must be one of ${WAVES.join(', ')}, got ${String(value)}`,
            'wave',
          );
        }
        this.changeWave(value as Wave);
        return;
      case 'duty':
        this.oscL.setWave(this.oscL.wave, num(0.01, 0.99));
        this.oscR.setWave(this.oscR.wave, num(0.01, 0.99));
        this.isoDuty = num(0.01, 0.99);
        return;
      case 'amRate':
        this.amRate = num(0, nyq);
        return;
      case 'amDepth':
        this.amDepth.set(num(0, 1), smooth, 'lin');
        return;
      case 'fmRate':
        this.fmRate = num(0, nyq);
        return;
      case 'fmDev':
        this.fmDev.set(num(0, nyq), smooth, 'lin');
        return;
      case 'rate':
        this.isoRate = num(0, 1000);
        return;
      default:
        throw invalid('BAD_VALUE', `unknown parameter '${param}' (known: ${this.params.join(', ')})`, param);
    }
  }

  /** Switch waveform with a short crossfade from the old one (a jump between shapes would click). */
  private changeWave(wave: Wave): void {
    if (this.fadeLeft > 0) {
      this.nextWave = wave;
      return;
    }
    if (wave === this.oscL.wave) return;
    const sr = this.sampleRate;
    this.fadeL = new Oscillator(sr, this.oscL.wave, this.oscL.phase, this.oscL.duty);
    this.fadeR = new Oscillator(sr, this.oscR.wave, this.oscR.phase, this.oscR.duty);
    this.fadeLen = Math.max(1, Math.round(WAVE_FADE_SEC * sr));
    this.fadeLeft = this.fadeLen;
    this.oscL.setWave(wave);
    this.oscR.setWave(wave);
  }

  render(block: Block): void {
    if (this.fadeLeft > 0) {
      this.renderFading(block);
      return;
    }
    this.renderBlock(block, null);
  }

  /** Render while a wave change crossfades: the crossfade's part of the block, then the rest. */
  private renderFading(block: Block): void {
    const frames = block.frames;
    if (!this.fadeBufL) {
      this.fadeBufL = new Float64Array(block.scratch[0]!.length);
      this.fadeBufR = new Float64Array(block.scratch[0]!.length);
    }
    const n = Math.min(frames, this.fadeLeft);
    if (n === frames) {
      this.renderBlock(block, this.fadeLen - this.fadeLeft);
    } else {
      // split the block: crossfade up to its end, then the plain render of the rest
      const { left, right, start } = block;
      block.frames = n;
      this.renderBlock(block, this.fadeLen - this.fadeLeft);
      block.left = left.subarray(n);
      block.right = right ? right.subarray(n) : null;
      block.frames = frames - n;
      block.start = start + n;
      this.fadeLeft = 0;
      this.renderBlock(block, null);
      block.left = left;
      block.right = right;
      block.frames = frames;
      block.start = start;
    }
    this.fadeLeft = Math.max(0, this.fadeLeft - n);
    if (this.fadeLeft === 0) {
      this.fadeL = null;
      this.fadeR = null;
      const next = this.nextWave;
      this.nextWave = null;
      if (next !== null) this.changeWave(next);
    }
  }

  /** Mix the old wave (rendered into the fade buffers) out and the new one in, from crossfade position `pos`. */
  private crossfade(sig: Float64Array, old: Float64Array, frames: number, pos: number): void {
    const len = this.fadeLen;
    for (let i = 0; i < frames; i++) {
      const w = Math.min(1, (pos + i + 1) / len);
      sig[i] = old[i]! + w * (sig[i]! - old[i]!);
    }
  }

  /** Render one block; `fadePos` is the position in a running wave crossfade, null when none runs. */
  private renderBlock(block: Block, fadePos: number | null): void {
    const { frames, start, scratch } = block;
    const [sigL, sigR, freqs, amp, pans] = scratch as [
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
    ];
    const binaural = this.binaural;
    const fading = fadePos !== null;
    if (!fading && !binaural && this.freq.isConstant() && this.fmRate === 0 && this.pan.isConstant()) {
      const amp0 = this.constantAmplitude(frames, start);
      if (amp0 !== undefined) {
        // steady tone: the oscillator adds into the output in one pass
        const [gl, gr] = block.right ? panGains(this.pan.value) : [1, 0];
        this.oscL.addConst(block.left, block.right, frames, this.freq.value, amp0 * gl, amp0 * gr);
        this.oscR.phase = this.oscL.phase;
        this.beat.advance(frames);
        return;
      }
    }
    if (
      !fading &&
      binaural &&
      block.right &&
      this.freq.isConstant() &&
      this.beat.isConstant() &&
      this.fmRate === 0 &&
      this.pan.isConstant()
    ) {
      const amp0 = this.constantAmplitude(frames, start);
      if (amp0 !== undefined) {
        // steady binaural tone: each ear's oscillator adds into its channel in one pass
        const [gl, gr] = balanceGains(this.pan.value);
        const half = this.beat.value / 2;
        this.oscL.addConst(block.left, null, frames, Math.max(1e-6, this.freq.value - half), amp0 * gl, 0);
        this.oscR.addConst(block.right, null, frames, this.freq.value + half, amp0 * gr, 0);
        return;
      }
    }
    const hasFm = this.fmRate > 0 && (this.fmDev.value > 0 || !this.fmDev.isConstant());
    if (this.freq.isConstant() && !hasFm && this.beat.isConstant()) {
      const f = this.freq.value;
      const half = binaural ? this.beat.value / 2 : 0;
      this.oscL.renderConst(sigL, 0, frames, Math.max(1e-6, f - half));
      if (binaural) this.oscR.renderConst(sigR, 0, frames, f + half);
      if (fading) {
        this.fadeL!.renderConst(this.fadeBufL!, 0, frames, Math.max(1e-6, f - half));
        if (binaural) this.fadeR!.renderConst(this.fadeBufR!, 0, frames, f + half);
      }
    } else {
      this.freq.fill(freqs, 0, frames);
      if (hasFm) this.applyFm(freqs, frames);
      if (binaural) {
        // amp is free until the amplitude stage: use it for the right ear's frequencies
        this.beat.fill(pans, 0, frames);
        for (let i = 0; i < frames; i++) {
          const half = pans[i]! / 2;
          amp[i] = freqs[i]! + half;
          freqs[i] = Math.max(1e-6, freqs[i]! - half);
        }
        this.oscR.renderVar(sigR, 0, frames, amp, start);
        if (fading) this.fadeR!.renderVar(this.fadeBufR!, 0, frames, amp, start);
      } else {
        this.beat.advance(frames);
      }
      this.oscL.renderVar(sigL, 0, frames, freqs, start);
      if (fading) this.fadeL!.renderVar(this.fadeBufL!, 0, frames, freqs, start);
    }
    if (fading) {
      this.crossfade(sigL, this.fadeBufL!, frames, fadePos);
      if (binaural) this.crossfade(sigR, this.fadeBufR!, frames, fadePos);
      else this.fadeR!.phase = this.fadeL!.phase;
    }
    const gainArr = this.amplitude(amp, frames, start);
    let pan: number | Float64Array = this.pan.value;
    if (!this.pan.isConstant()) {
      this.pan.fill(pans, 0, frames);
      pan = pans;
    }
    addToOutput(block, sigL, binaural ? sigR : null, gainArr, pan);
  }

  private applyFm(freqs: Float64Array, frames: number): void {
    const inc = this.fmRate / this.sampleRate;
    let ph = this.fmPhase;
    const dev = this.fmDev;
    const constDev = dev.isConstant();
    const d0 = dev.value;
    for (let i = 0; i < frames; i++) {
      freqs[i]! += (constDev ? d0 : dev.value) * Math.sin(TWO_PI * ph);
      if (!constDev) dev.advance(1);
      ph += inc;
      if (ph >= 1) ph -= 1;
    }
    this.fmPhase = ph;
  }

  /** The block's gain when it is constant (no glide, AM, pulses or envelope segment), else undefined. */
  private constantAmplitude(frames: number, start: number): number | undefined {
    const env = this.env;
    if (!this.gain.isConstant() || (this.amRate > 0 && this.amDepth.value > 0) || !this.amDepth.isConstant())
      return undefined;
    if (this.isoRate > 0 || (env !== undefined && !env.isFlat(start, frames))) return undefined;
    return this.gain.value * (env ? env.sustainLevel : 1);
  }

  /** The block's gain: a number when constant, else `amp` filled a sample at a time. */
  private amplitude(amp: Float64Array, frames: number, start: number): number | Float64Array {
    const env = this.env;
    const flatEnv = env === undefined || env.isFlat(start, frames);
    const hasAm = this.amRate > 0 && (this.amDepth.value > 0 || !this.amDepth.isConstant());
    const hasIso = this.isoRate > 0;
    if (this.gain.isConstant() && flatEnv && !hasAm && !hasIso) {
      this.amDepth.advance(frames);
      return this.gain.value * (env ? env.sustainLevel : 1);
    }
    this.gain.fill(amp, 0, frames);
    if (env && !flatEnv) env.apply(amp, 0, frames, start);
    else if (env) for (let i = 0; i < frames; i++) amp[i]! *= env.sustainLevel;
    if (hasAm) {
      const inc = this.amRate / this.sampleRate;
      let ph = this.amPhase;
      const depth = this.amDepth;
      for (let i = 0; i < frames; i++) {
        const d = depth.value;
        amp[i]! *= 1 - d * (0.5 - 0.5 * Math.cos(TWO_PI * ph));
        depth.advance(1);
        ph += inc;
        if (ph >= 1) ph -= 1;
      }
      this.amPhase = ph;
    } else {
      this.amDepth.advance(frames);
    }
    if (hasIso) this.applyIsochronic(amp, frames);
    return amp;
  }

  /** Gate `amp` with raised-cosine pulses: on for `duty` of each cycle, soft edges. */
  private applyIsochronic(amp: Float64Array, frames: number): void {
    const inc = this.isoRate / this.sampleRate;
    const duty = this.isoDuty;
    const edge = Math.min(ISO_EDGE_SEC * this.isoRate, duty / 4, (1 - duty) / 4);
    let ph = this.isoPhase;
    for (let i = 0; i < frames; i++) {
      let g: number;
      if (ph >= duty) g = 0;
      else if (ph < edge) {
        const s = Math.sin((Math.PI / 2) * (ph / edge));
        g = s * s;
      } else if (ph > duty - edge) {
        const s = Math.sin((Math.PI / 2) * ((duty - ph) / edge));
        g = s * s;
      } else g = 1;
      amp[i]! *= g;
      ph += inc;
      if (ph >= 1) ph -= 1;
    }
    this.isoPhase = ph;
  }
}
