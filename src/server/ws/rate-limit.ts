/**
 * A token bucket for one session's messages: `rate` a second sustained, `burst` at once.
 * Messages over the limit are refused; {@link MessageLimiter.report} says, at most once a
 * second, how many were refused since the last report, so a flood is answered by one error a
 * second instead of one per message.
 *
 * @example
 * const limit = new MessageLimiter(200, 200);
 * if (!limit.admit(performance.now())) { const n = limit.report(performance.now()); ... }
 */
export class MessageLimiter {
  readonly rate: number;
  private readonly burst: number;
  private tokens: number;
  private at = 0;
  private refused = 0;
  private reportedAt = Number.NEGATIVE_INFINITY;

  constructor(rate: number, burst: number) {
    this.rate = rate;
    this.burst = burst;
    this.tokens = burst;
  }

  /** Take a token at `now` (ms); false when the bucket is empty (the message is refused). */
  admit(now: number): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) * this.rate) / 1000);
    this.at = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    this.refused++;
    return false;
  }

  /** Messages refused since the last report, when a report is due (once a second); else 0. */
  report(now: number): number {
    if (this.refused === 0 || now - this.reportedAt < 1000) return 0;
    this.reportedAt = now;
    const n = this.refused;
    this.refused = 0;
    return n;
  }
}
