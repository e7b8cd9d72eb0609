/** How a parameter moves from its value to a new target. */
export type Curve = 'lin' | 'exp';

/**
 * A parameter that glides to new targets sample by sample: linearly, or exponentially (equal
 * ratios per sample, the natural glide for frequencies). It is constant between glides, so the
 * block loops can take a fast path.
 */
export class Param {
  value: number;
  private target: number;
  private step = 0;
  private remaining = 0;
  private curve: Curve = 'lin';

  constructor(value: number) {
    this.value = value;
    this.target = value;
  }

  /** True when the parameter does not change in the next `frames` samples. */
  isConstant(): boolean {
    return this.remaining === 0;
  }

  /** The value the parameter is heading to (its value when constant). */
  get goal(): number {
    return this.target;
  }

  /** Samples left in the current glide. */
  get framesLeft(): number {
    return this.remaining;
  }

  /**
   * Glide to `target` over `frames` samples (0 = jump). An exponential glide needs both ends
   * of the same sign and not zero; otherwise it falls back to linear.
   */
  set(target: number, frames: number, curve: Curve = 'lin'): void {
    const n = Math.max(0, Math.round(frames));
    if (n === 0 || target === this.value) {
      this.value = target;
      this.target = target;
      this.remaining = 0;
      return;
    }
    this.target = target;
    this.remaining = n;
    this.curve = curve === 'exp' && this.value * target > 0 ? 'exp' : 'lin';
    this.step = this.curve === 'exp' ? (target / this.value) ** (1 / n) : (target - this.value) / n;
  }

  /** Write the next `frames` values into `out` from `offset`, advancing the parameter. */
  fill(out: Float64Array, offset: number, frames: number): void {
    let v = this.value;
    let left = this.remaining;
    const step = this.step;
    const end = offset + frames;
    let i = offset;
    if (left > 0) {
      const glideEnd = Math.min(end, offset + left);
      if (this.curve === 'exp') {
        for (; i < glideEnd; i++) {
          out[i] = v;
          v *= step;
        }
      } else {
        for (; i < glideEnd; i++) {
          out[i] = v;
          v += step;
        }
      }
      left -= glideEnd - offset;
      if (left === 0) v = this.target;
    }
    for (; i < end; i++) out[i] = v;
    this.value = v;
    this.remaining = left;
  }

  /** Advance by `frames` samples without writing values. */
  advance(frames: number): void {
    if (this.remaining === 0) return;
    const n = Math.min(frames, this.remaining);
    if (n === this.remaining) {
      this.value = this.target;
      this.remaining = 0;
      return;
    }
    this.value = this.curve === 'exp' ? this.value * this.step ** n : this.value + this.step * n;
    this.remaining -= n;
  }

  /** Largest absolute value the parameter takes over the next `frames` samples. */
  maxAbs(frames: number): number {
    if (this.remaining === 0) return Math.abs(this.value);
    const n = Math.min(frames, this.remaining);
    const end = this.curve === 'exp' ? this.value * this.step ** n : this.value + this.step * n;
    return Math.max(Math.abs(this.value), Math.abs(end));
  }
}
