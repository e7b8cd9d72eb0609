/**
 * Scratch buffers and output of one block, owned by the engine and lent to every layer in turn.
 * Layers add into `left` (and `right` when the render is stereo) and may use the scratch arrays
 * freely during their `render` call.
 */
export interface Block {
  left: Float64Array;
  right: Float64Array | null;
  frames: number;
  /** Absolute index of the block's first sample frame. */
  start: number;
  scratch: Float64Array[];
}

/** A sound source in a scene: renders blocks, accepts parameter changes. */
export interface Layer {
  readonly id: string | undefined;
  /** Add this layer's next `block.frames` samples into the block's outputs. */
  render(block: Block): void;
  /**
   * Glide parameter `param` to `value` over `glideFrames` samples (0 = at once, but still
   * smoothed by the layer where a jump would click). Throws BAD_VALUE for an unknown parameter
   * or a value out of range.
   */
  set(param: string, value: number | string, glideFrames: number): void;
  /** Largest gain the layer can reach on one channel (for normalisation). */
  peakGain(): number;
  /** Begin the envelope's release at `frame` (live stop). */
  releaseAt(frame: number): void;
  /** Parameters this layer accepts in `set`. */
  readonly params: readonly string[];
}

/** Equal-power pan gains for a mono source: pan -1 (left) .. 1 (right), -3 dB each at centre. */
export function panGains(pan: number): [number, number] {
  const theta = ((Math.max(-1, Math.min(1, pan)) + 1) * Math.PI) / 4;
  return [Math.cos(theta), Math.sin(theta)];
}

/** Balance gains for a stereo source: 1, 1 at centre; the far side falls with equal power. */
export function balanceGains(pan: number): [number, number] {
  const [l, r] = panGains(pan);
  return [Math.min(1, l * Math.SQRT2), Math.min(1, r * Math.SQRT2)];
}

/**
 * Add `src * amp` into the block's outputs with pan `pan` (a number: constant; an array: one
 * value a sample). `srcR` is the right channel of a stereo source (binaural, stereo files).
 */
export function addToOutput(
  block: Block,
  srcL: Float64Array,
  srcR: Float64Array | null,
  amp: number | Float64Array,
  pan: number | Float64Array,
): void {
  const { left, right, frames } = block;
  if (right === null) {
    const src = srcL;
    if (typeof amp === 'number') {
      if (srcR) for (let i = 0; i < frames; i++) left[i]! += (src[i]! + srcR[i]!) * 0.5 * amp;
      else for (let i = 0; i < frames; i++) left[i]! += src[i]! * amp;
    } else if (srcR) {
      for (let i = 0; i < frames; i++) left[i]! += (src[i]! + srcR[i]!) * 0.5 * amp[i]!;
    } else {
      for (let i = 0; i < frames; i++) left[i]! += src[i]! * amp[i]!;
    }
    return;
  }
  const gains = srcR ? balanceGains : panGains;
  const rSrc = srcR ?? srcL;
  if (typeof pan === 'number') {
    const [gl, gr] = gains(pan);
    if (typeof amp === 'number') {
      const al = amp * gl;
      const ar = amp * gr;
      for (let i = 0; i < frames; i++) {
        left[i]! += srcL[i]! * al;
        right[i]! += rSrc[i]! * ar;
      }
    } else {
      for (let i = 0; i < frames; i++) {
        const a = amp[i]!;
        left[i]! += srcL[i]! * a * gl;
        right[i]! += rSrc[i]! * a * gr;
      }
    }
    return;
  }
  const boost = srcR ? Math.SQRT2 : 1;
  for (let i = 0; i < frames; i++) {
    const p = pan[i]!;
    const theta = (Math.max(-1, Math.min(1, p)) + 1) * (Math.PI / 4);
    const gl = Math.min(1, Math.cos(theta) * boost);
    const gr = Math.min(1, Math.sin(theta) * boost);
    const a = typeof amp === 'number' ? amp : amp[i]!;
    left[i]! += srcL[i]! * a * gl;
    right[i]! += rSrc[i]! * a * gr;
  }
}
