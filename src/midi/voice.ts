import { Oscillator } from '../dsp/oscillator.js';
import type { Rng } from '../dsp/rng.js';
import { biquad, type DrumSound } from './drums.js';
import type { VoiceSettings } from './voices.js';

enum Stage {
  Idle = 0,
  Attack = 1,
  Decay = 2,
  Sustain = 3,
  Release = 4,
}

/** Level under which a decaying voice is over (-80 dB). */
const SILENT = 1e-4;
/** Fade of a stolen voice, seconds: fast, yet without a click. */
export const STEAL_FADE_SEC = 0.005;
const LN_1000 = Math.log(1000);

/**
 * One sounding note: melodic (two band-limited oscillators, a one-pole low-pass, ADSR) or a
 * percussion hit (swept sine plus filtered seeded noise). Voices are allocated once by the
 * synthesizer and reused; rendering allocates nothing.
 */
export class Voice {
  stage = Stage.Idle;
  channel = 0;
  note = 0;
  drum = false;
  /** Key still down (a note off has not arrived). */
  held = false;
  /** Key up, but the sustain pedal keeps it sounding. */
  pedal = false;
  /** Being faded out fast after being stolen. */
  stolen = false;
  /** Frame the note started at (the oldest is stolen first). */
  startFrame = 0;
  /** Frame of a note-off that came too soon after the note-on and waits, or -1. */
  offAt = -1;
  /** Note frequency without pitch bend, Hz. */
  baseHz = 0;
  /** Velocity gain times the voice's own level. */
  velGain = 0;
  level = 0;
  private readonly sr: number;
  private readonly osc: Oscillator;
  private readonly osc2: Oscillator;
  private v: VoiceSettings | undefined;
  private attackInc = 0;
  private decayCoef = 0;
  private releaseDec = 0;
  private lp = 0;
  private gl = 0;
  private gr = 0;
  private readonly smooth: number;
  // percussion
  private d: DrumSound | undefined;
  private phase = 0;
  private sweep = 0;
  private sweepCoef = 0;
  private toneLevel = 0;
  private toneCoef = 0;
  private noiseLevel = 0;
  private noiseCoef = 0;
  private readonly bq = new Float64Array(5);
  private x1 = 0;
  private x2 = 0;
  private y1 = 0;
  private y2 = 0;

  constructor(sampleRate: number) {
    this.sr = sampleRate;
    this.osc = new Oscillator(sampleRate);
    this.osc2 = new Oscillator(sampleRate);
    this.smooth = 1 - Math.exp(-1 / (0.005 * sampleRate));
  }

  get active(): boolean {
    return this.stage !== Stage.Idle;
  }

  /** In its release (key up, pedal up) or being stolen. */
  get releasing(): boolean {
    return this.stage === Stage.Release;
  }

  /** Start a melodic note. `gl`/`gr` are its initial channel gains. */
  startNote(
    channel: number,
    note: number,
    hz: number,
    velGain: number,
    v: VoiceSettings,
    frame: number,
  ): void {
    this.begin(channel, note, velGain, frame);
    this.drum = false;
    this.v = v;
    this.baseHz = hz;
    this.osc.setWave(v.wave, v.duty);
    this.osc2.setWave(v.wave2, v.duty);
    this.osc.phase = 0;
    this.osc2.phase = 0.25; // the second oscillator starts off the first one's phase
    this.lp = 0;
    this.attackInc = 1 / Math.max(1, v.attackSec * this.sr);
    this.decayCoef =
      v.sustain > 0
        ? Math.exp(-5 / Math.max(1, v.decaySec * this.sr))
        : Math.exp(-LN_1000 / Math.max(1, v.decaySec * this.sr));
  }

  /** Start a percussion hit. */
  startDrum(channel: number, note: number, d: DrumSound, velGain: number, frame: number): void {
    this.begin(channel, note, velGain, frame);
    this.drum = true;
    this.d = d;
    this.phase = 0;
    this.sweep = 1;
    this.sweepCoef = Math.exp(-1 / Math.max(1, d.sweepSec * this.sr));
    this.toneLevel = d.toneGain;
    this.toneCoef = Math.exp(-LN_1000 / Math.max(1, d.toneDecaySec * this.sr));
    this.noiseLevel = d.noiseGain;
    this.noiseCoef = Math.exp(-LN_1000 / Math.max(1, d.noiseDecaySec * this.sr));
    this.bq.set(biquad(d.noiseFilter, d.noiseHz, this.sr));
    this.x1 = this.x2 = this.y1 = this.y2 = 0;
    this.attackInc = 1 / Math.max(1, 0.0005 * this.sr);
  }

  private begin(channel: number, note: number, velGain: number, frame: number): void {
    this.stage = Stage.Attack;
    this.channel = channel;
    this.note = note;
    this.velGain = velGain;
    this.startFrame = frame;
    this.offAt = -1;
    this.level = 0;
    this.held = true;
    this.pedal = false;
    this.stolen = false;
    this.gl = -1; // take the first target at once
  }

  /** Begin the release (key up with the pedal up). Percussion ignores it. */
  release(): void {
    this.held = false;
    this.pedal = false;
    if (this.drum || this.stage === Stage.Release || this.stage === Stage.Idle) return;
    this.stage = Stage.Release;
    this.releaseDec = this.level / Math.max(1, this.v!.releaseSec * this.sr);
  }

  /** Fade out within {@link STEAL_FADE_SEC} (stolen, choked, all sound off). */
  kill(): void {
    if (this.stage === Stage.Idle) return;
    this.stolen = true;
    this.held = false;
    this.pedal = false;
    this.stage = Stage.Release;
    const n = Math.max(1, STEAL_FADE_SEC * this.sr);
    this.releaseDec = Math.max(this.releaseDec, (this.drum ? 1 : this.level) / n);
  }

  /**
   * Add `n` frames from `off` into `mixL` (and `mixR`), at gains `tl`, `tr` (smoothed), with the
   * pitch-bend factor `bend`. `t1`, `t2` are scratch. Returns false once the voice is silent.
   */
  render(
    t1: Float64Array,
    t2: Float64Array,
    mixL: Float64Array,
    mixR: Float64Array | null,
    off: number,
    n: number,
    bend: number,
    tl: number,
    tr: number,
    rng: Rng,
  ): boolean {
    if (this.drum) this.renderDrum(t1, off, n, rng);
    else this.renderTone(t1, t2, off, n, bend);
    const alive = this.envelope(t1, off, n);
    let gl = this.gl < 0 ? tl : this.gl;
    let gr = this.gl < 0 ? tr : this.gr;
    const k = this.smooth;
    const end = off + n;
    const settled = Math.abs(tl - gl) < 1e-9 && Math.abs(tr - gr) < 1e-9;
    if (settled) {
      gl = tl;
      gr = tr;
      if (mixR === null) for (let i = off; i < end; i++) mixL[i]! += t1[i]! * gl;
      else {
        for (let i = off; i < end; i++) {
          const x = t1[i]!;
          mixL[i]! += x * gl;
          mixR[i]! += x * gr;
        }
      }
    } else if (mixR === null) {
      for (let i = off; i < end; i++) {
        gl += (tl - gl) * k;
        mixL[i]! += t1[i]! * gl;
      }
    } else {
      for (let i = off; i < end; i++) {
        gl += (tl - gl) * k;
        gr += (tr - gr) * k;
        const x = t1[i]!;
        mixL[i]! += x * gl;
        mixR[i]! += x * gr;
      }
    }
    this.gl = gl;
    this.gr = gr;
    if (!alive) this.stage = Stage.Idle;
    return alive;
  }

  private renderTone(t1: Float64Array, t2: Float64Array, off: number, n: number, bend: number): void {
    const v = this.v!;
    const nyq = this.sr * 0.49;
    const f = this.baseHz * bend;
    const end = off + n;
    if (f >= nyq) {
      t1.fill(0, off, end);
      return;
    }
    this.osc.renderConst(t1, off, n, f);
    const f2 = f * v.ratio2;
    if (v.gain2 > 0 && f2 < nyq) {
      this.osc2.renderConst(t2, off, n, f2);
      const g2 = v.gain2;
      const norm = 1 / (1 + g2);
      for (let i = off; i < end; i++) t1[i] = (t1[i]! + g2 * t2[i]!) * norm;
    }
    if (v.cutoff > 0) {
      const fc = Math.min(f * v.cutoff, this.sr * 0.45);
      const a = 1 - Math.exp((-2 * Math.PI * fc) / this.sr);
      let y = this.lp;
      for (let i = off; i < end; i++) {
        y += a * (t1[i]! - y);
        t1[i] = y;
      }
      this.lp = y;
    }
  }

  private renderDrum(t1: Float64Array, off: number, n: number, rng: Rng): void {
    const d = this.d!;
    const end = off + n;
    const twoPiOverSr = (2 * Math.PI) / this.sr;
    const bq = this.bq;
    const b0 = bq[0]!;
    const b1 = bq[1]!;
    const b2 = bq[2]!;
    const a1 = bq[3]!;
    const a2 = bq[4]!;
    let { phase, sweep, toneLevel, noiseLevel, x1, x2, y1, y2 } = this;
    const { sweepCoef, toneCoef, noiseCoef } = this;
    const span = d.toneHz - d.toneEndHz;
    for (let i = off; i < end; i++) {
      let s = 0;
      if (toneLevel > SILENT) {
        s += Math.sin(phase) * toneLevel;
        phase += (d.toneEndHz + span * sweep) * twoPiOverSr;
        if (phase > 2 * Math.PI) phase -= 2 * Math.PI;
        sweep *= sweepCoef;
        toneLevel *= toneCoef;
      }
      if (noiseLevel > SILENT) {
        const x = rng.bipolar();
        const y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
        x2 = x1;
        x1 = x;
        y2 = y1;
        y1 = y;
        s += y * noiseLevel;
        noiseLevel *= noiseCoef;
      }
      t1[i] = s;
    }
    this.phase = phase;
    this.sweep = sweep;
    this.toneLevel = toneLevel;
    this.noiseLevel = noiseLevel;
    this.x1 = x1;
    this.x2 = x2;
    this.y1 = y1;
    this.y2 = y2;
  }

  /** Multiply by the envelope and velocity; returns false when the voice has ended. */
  private envelope(t1: Float64Array, off: number, n: number): boolean {
    const end = off + n;
    let stage = this.stage;
    let level = this.level;
    const g = this.velGain;
    const sustain = this.drum ? 1 : this.v!.sustain;
    const { attackInc, decayCoef, releaseDec } = this;
    let i = off;
    // one tight loop a stage; a stage that ends moves on to the next within the span
    while (i < end) {
      if (stage === Stage.Attack) {
        for (; i < end && level < 1; i++) {
          level += attackInc;
          if (level > 1) level = 1;
          t1[i]! *= level * g;
        }
        if (level >= 1) stage = this.drum ? Stage.Sustain : Stage.Decay;
      } else if (stage === Stage.Decay && sustain > 0) {
        for (; i < end && level - sustain >= SILENT; i++) {
          level = sustain + (level - sustain) * decayCoef;
          t1[i]! *= level * g;
        }
        if (level - sustain < SILENT) {
          level = sustain;
          stage = Stage.Sustain;
        }
      } else if (stage === Stage.Decay) {
        for (; i < end; i++) {
          level *= decayCoef;
          t1[i]! *= level * g;
        }
      } else if (stage === Stage.Release) {
        for (; i < end; i++) {
          level -= releaseDec;
          if (level < 0) level = 0;
          t1[i]! *= level * g;
        }
      } else {
        const k = level * g;
        for (; i < end; i++) t1[i]! *= k;
      }
    }
    this.stage = stage;
    this.level = level;
    if (stage === Stage.Release) return level > 0;
    if (this.drum) return this.toneLevel > SILENT || this.noiseLevel > SILENT;
    return !(sustain === 0 && stage === Stage.Decay && level < SILENT);
  }
}
