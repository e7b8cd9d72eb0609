/**
 * A peak limiter: instant attack, exponential release. The gain follows a peak envelope that
 * jumps up to every louder sample and decays with the release time, so the output never exceeds
 * the ceiling; loud transients are turned down instead of clipped. Linked across channels, so
 * the stereo image does not move.
 */
export class PeakLimiter {
  private env = 0;
  private readonly ceiling: number;
  private readonly release: number;
  /** Smallest gain applied so far (1 when the limiter never acted). */
  minGain = 1;

  constructor(sampleRate: number, ceiling: number, releaseSec = 0.05) {
    this.ceiling = ceiling;
    this.release = Math.exp(-1 / (releaseSec * sampleRate));
  }

  /** Limit `frames` samples of the planar channels in place. */
  process(channels: Float64Array[], frames: number): void {
    const c = this.ceiling;
    const rel = this.release;
    let env = this.env;
    let minGain = this.minGain;
    const left = channels[0]!;
    const right = channels.length > 1 ? channels[1]! : null;
    for (let i = 0; i < frames; i++) {
      const l = Math.abs(left[i]!);
      const p = right ? Math.max(l, Math.abs(right[i]!)) : l;
      env = p > env ? p : env * rel + p * (1 - rel);
      if (env > c) {
        const g = c / env;
        left[i]! *= g;
        if (right) right[i]! *= g;
        if (g < minGain) minGain = g;
      }
    }
    this.env = env;
    this.minGain = minGain;
  }
}
