import { performance } from 'node:perf_hooks';

/** Something the scheduler drives: it does the work due at `now` and says when it is next due. */
export interface Paced {
  /** Do what is due at `now` (ms, monotonic); return the time of the next due work, Infinity when idle. */
  pump(now: number): number;
}

/** Shortest and longest sleep between ticks, ms. */
const MIN_SLEEP_MS = 1;
const MAX_SLEEP_MS = 50;

/**
 * One timer for every live session of a server: each tick calls {@link Paced.pump} on every
 * session with one monotonic clock reading, then sleeps until the earliest next due time.
 * Sessions schedule themselves by their audio clock (frames rendered against time elapsed
 * since they started), so late ticks never accumulate drift: a late tick just renders more.
 * The timer runs only while sessions exist.
 *
 * @example
 * const scheduler = new Scheduler();
 * scheduler.add(session); // session.pump(now) renders the blocks due by `now`
 * scheduler.delete(session);
 */
export class Scheduler {
  private readonly items = new Set<Paced>();
  private timer: NodeJS.Timeout | null = null;
  private nextAt = Number.POSITIVE_INFINITY;
  /** Ticks run so far (for tests and metrics). */
  ticks = 0;
  /** Longest tick, ms (work done for all sessions in one tick). */
  longestTickMs = 0;
  private readonly afterTick: () => void;

  /** `afterTick` runs at the end of every tick (to send what the tick gathered). */
  constructor(afterTick: () => void = () => {}) {
    this.afterTick = afterTick;
  }

  /** Number of paced items. */
  get size(): number {
    return this.items.size;
  }

  add(item: Paced): void {
    this.items.add(item);
    this.wake(performance.now());
  }

  delete(item: Paced): void {
    this.items.delete(item);
    if (this.items.size === 0) this.clear();
  }

  /** Ask for a tick at `at` (ms, monotonic) or earlier; an item calls it when it has new work. */
  wake(at: number): void {
    if (at >= this.nextAt - 0.5 && this.timer) return;
    this.clear();
    this.nextAt = at;
    const delay = Math.min(MAX_SLEEP_MS, Math.max(0, at - performance.now()));
    this.timer = setTimeout(this.tick, delay < MIN_SLEEP_MS ? 0 : delay);
  }

  /** Stop the timer (all sessions gone, or the server closing). */
  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.nextAt = Number.POSITIVE_INFINITY;
  }

  private readonly tick = (): void => {
    this.timer = null;
    this.nextAt = Number.POSITIVE_INFINITY;
    const now = performance.now();
    let next = Number.POSITIVE_INFINITY;
    for (const item of this.items) {
      const due = item.pump(now);
      if (due < next) next = due;
    }
    this.afterTick();
    this.ticks++;
    const end = performance.now();
    if (end - now > this.longestTickMs) this.longestTickMs = end - now;
    if (this.items.size === 0) return;
    this.wake(Math.min(next, end + MAX_SLEEP_MS));
  };
}
