/**
 * Milliseconds from an arbitrary start, monotonic, with sub-millisecond resolution. The CLI's
 * render path uses this instead of the global `performance`, whose first use loads perf_hooks
 * and its timing modules: about 2 ms of every start-up.
 */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
