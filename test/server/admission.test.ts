import { describe, expect, it } from 'vitest';
import { Admission, OverloadedError } from '../../src/server/pool/admission.js';

const MiB = 1024 * 1024;

describe('admission control', () => {
  it('reserves memory per job, refuses past the budget, and frees it on release', () => {
    let rss = 100 * MiB;
    const a = new Admission({ memoryBytes: 400 * MiB, maxJobs: 4, rss: () => rss });
    const t1 = a.admit(200 * MiB);
    expect(a.reservedBytes).toBe(200 * MiB);
    expect(() => a.admit(150 * MiB)).toThrow(OverloadedError);
    expect(a.refused.memory).toBe(1);
    t1.release();
    t1.release();
    expect(a.reservedBytes).toBe(0);
    expect(a.running).toBe(0);
    // the process itself above the budget: nothing is admitted
    rss = 401 * MiB;
    expect(() => a.admit(1)).toThrow(/--memory-budget/);
  });

  it('a reservation grows while the budget allows it (an upload of unknown length)', () => {
    const a = new Admission({ memoryBytes: 400 * MiB, rss: () => 100 * MiB });
    const t = a.admit(40 * MiB);
    t.grow(160 * MiB);
    expect(a.reservedBytes).toBe(200 * MiB);
    let err: unknown;
    try {
      t.grow(200 * MiB);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OverloadedError);
    expect((err as OverloadedError).retryAfterSec).toBeGreaterThan(0);
    // a refused growth keeps what was held; release frees all of it
    expect(a.reservedBytes).toBe(200 * MiB);
    t.release();
    expect(a.reservedBytes).toBe(0);
  });

  it('at most maxJobs at once', () => {
    const a = new Admission({ maxJobs: 2, rss: () => 0 });
    const t = [a.admit(1), a.admit(1)];
    expect(() => a.admit(1)).toThrow(/--max-jobs/);
    expect(a.refused.jobs).toBe(1);
    t[0]!.release();
    expect(() => a.admit(1)).not.toThrow();
  });
});
