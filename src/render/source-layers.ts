import { NOISE_COLORS, type NoiseColor, NoiseSource } from '../dsp/noise.js';
import { Param } from '../dsp/param.js';
import type { Rng } from '../dsp/rng.js';
import { invalid } from '../errors.js';
import { addToOutput, type Block, type Layer } from './layer.js';
import { DEFAULT_GAIN, type FileLayerSpec, type NoiseLayerSpec } from './scene.js';

const MIN_SMOOTH_SEC = 0.005;

/** Shared gain and pan handling of the layers that play a ready signal (noise, files). */
abstract class SignalLayer implements Layer {
  readonly id: string | undefined;
  readonly params: readonly string[] = ['gain', 'pan'];
  protected readonly sampleRate: number;
  protected readonly gain: Param;
  protected readonly pan: Param;
  private maxGain: number;

  constructor(id: string | undefined, gain: number | undefined, pan: number | undefined, sampleRate: number) {
    this.id = id;
    this.sampleRate = sampleRate;
    this.gain = new Param(gain ?? DEFAULT_GAIN);
    this.pan = new Param(pan ?? 0);
    this.maxGain = this.gain.value;
  }

  peakGain(): number {
    return this.maxGain;
  }

  releaseAt(): void {}

  set(param: string, value: number | string, glideFrames: number): void {
    const frames = Math.max(glideFrames, Math.round(MIN_SMOOTH_SEC * this.sampleRate));
    const v = typeof value === 'number' ? value : Number(value);
    if (param === 'gain') {
      if (!Number.isFinite(v) || v < 0 || v > 16)
        throw invalid('BAD_VALUE', `gain: must be 0 to 16, got ${value}`, param);
      this.gain.set(v, frames);
      this.maxGain = Math.max(this.maxGain, v);
    } else if (param === 'pan') {
      if (!Number.isFinite(v) || v < -1 || v > 1)
        throw invalid('BAD_VALUE', `pan: must be -1 to 1, got ${value}`, param);
      this.pan.set(v, frames);
    } else {
      this.setOther(param, value);
    }
  }

  protected setOther(param: string, _value: number | string): void {
    throw invalid('BAD_VALUE', `unknown parameter '${param}' (known: ${this.params.join(', ')})`, param);
  }

  /** Add the signal in `srcL` (and `srcR`) with this layer's gain and pan. */
  protected output(block: Block, srcL: Float64Array, srcR: Float64Array | null): void {
    const [, , , amp, pans] = block.scratch as Float64Array[];
    let gain: number | Float64Array = this.gain.value;
    if (!this.gain.isConstant()) {
      this.gain.fill(amp!, 0, block.frames);
      gain = amp!;
    }
    let pan: number | Float64Array = this.pan.value;
    if (!this.pan.isConstant()) {
      this.pan.fill(pans!, 0, block.frames);
      pan = pans!;
    }
    addToOutput(block, srcL, srcR, gain, pan);
  }

  abstract render(block: Block): void;
}

/** Coloured noise from a seeded generator. */
export class NoiseLayer extends SignalLayer {
  override readonly params = ['gain', 'pan', 'color'];
  private source: NoiseSource;
  private readonly rng: Rng;

  constructor(spec: NoiseLayerSpec, sampleRate: number, rng: Rng) {
    super(spec.id, spec.gain, spec.pan, sampleRate);
    this.rng = rng;
    this.source = new NoiseSource(spec.color, sampleRate, rng);
  }

  protected override setOther(param: string, value: number | string): void {
    if (param !== 'color') {
      super.setOther(param, value);
      return;
    }
    if (!NOISE_COLORS.includes(value as NoiseColor)) {
      throw invalid(
        'BAD_WAVEFORM',
        `color: must be one of ${NOISE_COLORS.join(', ')}, got ${value}`,
        'color',
      );
    }
    if (value !== this.source.color)
      this.source = new NoiseSource(value as NoiseColor, this.sampleRate, this.rng);
  }

  render(block: Block): void {
    if (block.right === null && this.gain.isConstant()) {
      // mono at a steady gain: the generator adds into the output in one pass
      this.source.addTo(block.left, block.frames, this.gain.value);
      return;
    }
    const sig = block.scratch[0]!;
    this.source.process(sig, 0, block.frames);
    this.output(block, sig, null);
  }
}

/** Decoded audio, played once or looped. */
export class FileLayer extends SignalLayer {
  private readonly audio: Float32Array[];
  private readonly loop: boolean;
  private pos = 0;

  constructor(spec: FileLayerSpec, sampleRate: number) {
    super(spec.id, spec.gain, spec.pan, sampleRate);
    if (!spec.audio || spec.audio.length === 0 || spec.audio[0]!.length === 0) {
      throw invalid('BAD_AUDIO', `${spec.path}: no audio to play`, 'path');
    }
    this.audio = spec.audio;
    this.loop = spec.loop ?? false;
  }

  /** Length of the file in frames. */
  get frames(): number {
    return this.audio[0]!.length;
  }

  render(block: Block): void {
    const [sigL, sigR] = block.scratch as [Float64Array, Float64Array];
    const stereo = this.audio.length > 1;
    const a0 = this.audio[0]!;
    const a1 = stereo ? this.audio[1]! : a0;
    const len = a0.length;
    let pos = this.pos;
    for (let i = 0; i < block.frames; i++) {
      if (pos >= len) {
        if (this.loop) pos = 0;
        else {
          sigL[i] = 0;
          sigR[i] = 0;
          continue;
        }
      }
      sigL[i] = a0[pos]!;
      sigR[i] = a1[pos]!;
      pos++;
    }
    this.pos = pos;
    this.output(block, sigL, stereo ? sigR : null);
  }
}
