/** Attack, decay and release times in seconds, sustain level in [0, 1]. */
export interface Adsr {
  attackSec: number;
  decaySec: number;
  sustain: number;
  releaseSec: number;
}

/**
 * An ADSR envelope over a known span: attack from the start, decay to the sustain level, and a
 * release that ends exactly at `endFrame` (or never, when the span is endless, until
 * {@link AdsrEnvelope.releaseAt} is called). Segments are linear; each starts where the last
 * ended, so the gain is continuous.
 */
export class AdsrEnvelope {
  private readonly a: number;
  private readonly d: number;
  private readonly s: number;
  private readonly r: number;
  private releaseStart: number;
  private releaseLevel = -1;

  constructor(env: Adsr, sampleRate: number, endFrame: number) {
    this.a = Math.max(0, Math.round(env.attackSec * sampleRate));
    this.d = Math.max(0, Math.round(env.decaySec * sampleRate));
    this.s = env.sustain;
    this.r = Math.max(1, Math.round(env.releaseSec * sampleRate));
    this.releaseStart = Number.isFinite(endFrame) ? Math.max(0, endFrame - this.r) : Number.POSITIVE_INFINITY;
  }

  /** Start the release at `frame` (for endless renders stopped live). */
  releaseAt(frame: number): void {
    this.releaseStart = Math.min(this.releaseStart, frame);
  }

  /** Level before release at `frame`. */
  private held(frame: number): number {
    if (frame < this.a) return frame / this.a;
    const t = frame - this.a;
    if (t < this.d) return 1 + (this.s - 1) * (t / this.d);
    return this.s;
  }

  /** Multiply `buf[offset..offset+frames)` by the envelope, starting at absolute frame `start`. */
  apply(buf: Float64Array, offset: number, frames: number, start: number): void {
    for (let i = 0; i < frames; i++) buf[offset + i]! *= this.at(start + i);
  }

  /** True when the envelope is at its sustain level over the whole span (fast path). */
  isFlat(start: number, frames: number): boolean {
    return start >= this.a + this.d && start + frames <= this.releaseStart;
  }

  /** The sustain level. */
  get sustainLevel(): number {
    return this.s;
  }

  /** Envelope value at an absolute frame. */
  at(frame: number): number {
    if (frame < this.releaseStart) return this.held(frame);
    if (this.releaseLevel < 0) this.releaseLevel = this.held(this.releaseStart);
    const t = frame - this.releaseStart;
    return t >= this.r ? 0 : this.releaseLevel * (1 - t / this.r);
  }
}

/**
 * Raised-cosine fade gain for sample `i` of a fade of `n` samples: 0 at i = 0, rising to 1.
 * Used for fade-in (i counted from the start) and fade-out (i counted back from the last sample).
 */
export function fadeGain(i: number, n: number): number {
  if (i >= n) return 1;
  if (i <= 0) return 0;
  const s = Math.sin((Math.PI / 2) * (i / n));
  return s * s;
}
