/**
 * Admission control of heavy jobs: at most `maxJobs` at once (running or waiting for a thread),
 * and a memory budget for the whole process. Each job reserves an estimate of the memory it
 * needs; a job is refused (OVERLOADED, 503 with Retry-After) when the reservations would pass
 * the budget above the process's resident memory at start, or when the process's resident
 * memory is already over the budget. Refusing up front is what keeps a burst of large requests
 * from ending in an out-of-memory crash.
 */
import { OmniError } from '../../errors.js';

export interface AdmissionOptions {
  /** Heavy jobs at once (default 8). */
  maxJobs?: number;
  /** Resident memory budget of the process in bytes (default 384 MiB). */
  memoryBytes?: number;
  /** Seconds a refused client is told to wait (default 2). */
  retryAfterSec?: number;
  /** Resident memory now (default process.memoryUsage.rss). */
  rss?: () => number;
}

/** An admitted job: call release() once when it is over (extra calls are ignored). */
export interface Ticket {
  release(): void;
  /** Reserve `bytes` more for this job (an upload longer than first thought), or throw {@link OverloadedError}. */
  grow(bytes: number): void;
}

/** OVERLOADED with the seconds to wait (the Retry-After header). */
export class OverloadedError extends OmniError {
  readonly retryAfterSec: number;
  constructor(message: string, retryAfterSec: number) {
    super('OVERLOADED', message);
    this.retryAfterSec = retryAfterSec;
  }
}

export class Admission {
  readonly maxJobs: number;
  readonly memoryBytes: number;
  readonly retryAfterSec: number;
  private readonly rss: () => number;
  /** Resident memory when the server started: the reservations count above it. */
  private readonly baseline: number;
  private active = 0;
  private reserved = 0;
  /** Jobs refused so far, by reason. */
  readonly refused = { jobs: 0, memory: 0 };

  constructor(o: AdmissionOptions = {}) {
    this.maxJobs = o.maxJobs ?? 8;
    this.memoryBytes = o.memoryBytes ?? 384 * 1024 * 1024;
    this.retryAfterSec = o.retryAfterSec ?? 2;
    this.rss = o.rss ?? (() => process.memoryUsage.rss());
    this.baseline = this.rss();
  }

  /** Jobs admitted and not released. */
  get running(): number {
    return this.active;
  }

  /** Bytes reserved by admitted jobs. */
  get reservedBytes(): number {
    return this.reserved;
  }

  /**
   * Admit a job that needs about `bytes` of memory, or throw {@link OverloadedError}.
   * @example const ticket = admission.admit(8 << 20); try { ... } finally { ticket.release(); }
   */
  admit(bytes: number): Ticket {
    if (this.active >= this.maxJobs) {
      this.refused.jobs++;
      throw new OverloadedError(
        `the server is busy: ${this.maxJobs} heavy jobs are running (--max-jobs); retry later`,
        this.retryAfterSec,
      );
    }
    this.check(bytes);
    this.active++;
    this.reserved += bytes;
    let held = bytes;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.active--;
        this.reserved -= held;
      },
      grow: (more: number) => {
        if (released) return;
        this.check(more);
        held += more;
        this.reserved += more;
      },
    };
  }

  /** Throws OVERLOADED when `bytes` more would pass the memory budget. */
  private check(bytes: number): void {
    const mib = (n: number) => Math.round(n / 1048576);
    const rss = this.rss();
    if (rss > this.memoryBytes || this.baseline + this.reserved + bytes > this.memoryBytes) {
      this.refused.memory++;
      throw new OverloadedError(
        `the server is busy: this job needs about ${mib(bytes)} MiB and ${mib(Math.max(rss, this.baseline + this.reserved))} of the ${mib(this.memoryBytes)} MiB budget are in use (--memory-budget); retry later`,
        this.retryAfterSec,
      );
    }
  }
}
