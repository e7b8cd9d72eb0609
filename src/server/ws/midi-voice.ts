import { invalid } from '../../errors.js';
import { addToOutput, type Block, type Layer } from '../../render/layer.js';
import { midiToHz } from '../../render/values.js';

const VOICES = 16;
const ATTACK_SEC = 0.005;
const DECAY_SEC = 0.08;
const SUSTAIN = 0.6;
const RELEASE_SEC = 0.15;
const TWO_PI = 2 * Math.PI;

/** Stage of a voice's envelope. */
enum Stage {
  Off = 0,
  Attack = 1,
  Decay = 2,
  Sustain = 3,
  Release = 4,
}

/**
 * Makes the MIDI voice of a session: with `bank` (a session started with `midi`), a SoundFont
 * synthesizer with the named bank or the default one; without, the built-in synthesizer.
 */
export type MidiVoiceMaker = (sampleRate: number, bank?: { soundfont?: string }) => MidiLayer;

/**
 * The maker of sessions' MIDI voices. A session started with `midi` gets a SoundFont synthesizer
 * with the default General MIDI bank (or `OMNISONIC_SOUNDFONT`) when one is installed, or a
 * named bank of the optional bank package (`FluidR3Mono`, `TimGM6mb`, `MSBasic`); a session
 * whose first `midi` message comes later, or a server without a bank, gets the built-in
 * synthesizer of `src/midi/`, else {@link SineVoices}. Banks are read once, on first use.
 */
export async function midiVoiceMaker(): Promise<MidiVoiceMaker> {
  try {
    const [{ PolySynth }, bank, sf] = await Promise.all([
      import('../../midi/synth.js'),
      import('../../midi/bank.js'),
      import('../../midi/soundfont.js'),
    ]);
    const named = bank.packagedBanks();
    const fallback = process.env.OMNISONIC_SOUNDFONT || bank.defaultBankPath();
    await sf.soundFontReady();
    return (sr, want) => {
      const name = want?.soundfont;
      const path = want === undefined ? undefined : name === undefined ? fallback : named[name];
      if (name !== undefined && path === undefined) {
        const known = Object.keys(named).join(', ') || 'none installed';
        throw invalid(
          'BAD_VALUE',
          `midi.soundfont: unknown bank '${name}' (known: ${known})`,
          'midi.soundfont',
        );
      }
      if (path === undefined) return new PolySynth(sr, { id: 'midi' });
      return new sf.SoundFontSynth(sr, bank.loadBank(path), { id: 'midi' });
    };
  } catch {
    // the MIDI synthesizers are optional: the small sine voice plays notes meanwhile
    return (sr, name) => {
      if (name !== undefined)
        throw invalid('BAD_VALUE', 'midi.soundfont: no SoundFont support here', 'midi.soundfont');
      return new SineVoices(sr);
    };
  }
}

/** A layer that plays MIDI notes; `PolySynth` in `src/midi/` has the same method. */
export interface MidiLayer extends Layer {
  /** Handle one MIDI message (`[status, data1, data2]`) from the next rendered frame. */
  handleMidi(bytes: readonly number[], frame: number): void;
}

/**
 * A small polyphonic sine synthesizer for the live `midi` message: note on/off start and release
 * voices with a short linear ADSR (5 ms, 80 ms, 0.6, 150 ms); velocity sets the level; CC 120/123
 * silence everything. Sixteen voices; the oldest is stolen when all are busy. Renders
 * allocation-free into the engine's block.
 *
 * @example
 * const synth = new SineVoices(48000);
 * engine.attach(synth);
 * synth.handleMidi([0x90, 69, 100], engine.frame); // A4 on
 */
export class SineVoices implements MidiLayer {
  readonly id = 'midi';
  readonly params = ['gain'];
  private readonly sampleRate: number;
  private readonly note = new Int16Array(VOICES).fill(-1);
  private readonly stage = new Uint8Array(VOICES);
  private readonly level = new Float64Array(VOICES);
  private readonly velocity = new Float64Array(VOICES);
  private readonly phase = new Float64Array(VOICES);
  private readonly inc = new Float64Array(VOICES);
  private readonly age = new Float64Array(VOICES);
  private readonly releaseStep = new Float64Array(VOICES);
  private clock = 0;
  private gain = 0.3;

  constructor(sampleRate: number) {
    this.sampleRate = sampleRate;
  }

  /** Voices sounding now. */
  get active(): number {
    let n = 0;
    for (let v = 0; v < VOICES; v++) if (this.stage[v] !== Stage.Off) n++;
    return n;
  }

  handleMidi(bytes: readonly number[], _frame: number): void {
    const status = bytes[0]! & 0xf0;
    const d1 = bytes[1] ?? 0;
    const d2 = bytes[2] ?? 0;
    if (status === 0x90 && d2 > 0) this.noteOn(d1, d2);
    else if (status === 0x80 || status === 0x90) this.noteOff(d1);
    else if (status === 0xb0 && (d1 === 120 || d1 === 123)) {
      for (let v = 0; v < VOICES; v++) if (this.stage[v] !== Stage.Off) this.release(v);
    }
  }

  private noteOn(note: number, vel: number): void {
    let v = this.note.indexOf(note);
    if (v < 0 || this.stage[v] === Stage.Off) v = this.note.findIndex((_, i) => this.stage[i] === Stage.Off);
    if (v < 0) {
      v = 0;
      for (let i = 1; i < VOICES; i++) if (this.age[i]! < this.age[v]!) v = i;
    }
    if (this.stage[v] === Stage.Off) {
      this.phase[v] = 0;
      this.level[v] = 0;
    }
    this.note[v] = note;
    this.stage[v] = Stage.Attack;
    this.velocity[v] = (vel / 127) ** 2;
    this.inc[v] = midiToHz(note) / this.sampleRate;
    this.age[v] = ++this.clock;
  }

  private noteOff(note: number): void {
    for (let v = 0; v < VOICES; v++) {
      if (this.note[v] === note && this.stage[v] !== Stage.Off && this.stage[v] !== Stage.Release)
        this.release(v);
    }
  }

  private release(v: number): void {
    this.stage[v] = Stage.Release;
    this.releaseStep[v] = Math.max(this.level[v]!, 1e-6) / (RELEASE_SEC * this.sampleRate);
  }

  set(param: string, value: number | string): void {
    const g = Number(value);
    if (param !== 'gain')
      throw invalid('BAD_VALUE', `unknown parameter '${param}' of the MIDI voice (known: gain)`, param);
    if (!Number.isFinite(g) || g < 0 || g > 16)
      throw invalid('BAD_VALUE', `gain: must be 0 to 16, got ${value}`, param);
    this.gain = g;
  }

  peakGain(): number {
    return this.gain;
  }

  releaseAt(): void {
    for (let v = 0; v < VOICES; v++) if (this.stage[v] !== Stage.Off) this.release(v);
  }

  render(block: Block): void {
    const frames = block.frames;
    const sig = block.scratch[0]!;
    sig.fill(0, 0, frames);
    const sr = this.sampleRate;
    const attackStep = 1 / (ATTACK_SEC * sr);
    const decayStep = (1 - SUSTAIN) / (DECAY_SEC * sr);
    let any = false;
    for (let v = 0; v < VOICES; v++) {
      let stage = this.stage[v]!;
      if (stage === Stage.Off) continue;
      any = true;
      let level = this.level[v]!;
      let ph = this.phase[v]!;
      const inc = this.inc[v]!;
      const amp = this.velocity[v]!;
      const rel = this.releaseStep[v]!;
      for (let i = 0; i < frames; i++) {
        if (stage === Stage.Attack) {
          level += attackStep;
          if (level >= 1) {
            level = 1;
            stage = Stage.Decay;
          }
        } else if (stage === Stage.Decay) {
          level -= decayStep;
          if (level <= SUSTAIN) {
            level = SUSTAIN;
            stage = Stage.Sustain;
          }
        } else if (stage === Stage.Release) {
          level -= rel;
          if (level <= 0) {
            level = 0;
            stage = Stage.Off;
            break;
          }
        }
        sig[i]! += Math.sin(TWO_PI * ph) * level * amp;
        ph += inc;
        if (ph >= 1) ph -= 1;
      }
      this.stage[v] = stage;
      this.level[v] = level;
      this.phase[v] = ph;
      if (stage === Stage.Off) this.note[v] = -1;
    }
    if (any) addToOutput(block, sig, null, this.gain, 0);
  }
}
