/**
 * The runner of jobs in this process: the server's worker-thread pool (`src/server/pool`), which
 * runs `executeJob` off the event loop, so requests keep being served and queue locks renewed.
 */
import { JobPool } from '../server/pool/pool.js';
import type { JobRunner } from './local-store.js';

/** A pool of `threads` worker threads and its runner; close the pool when done. */
export function poolRunner(o: { threads: number; presetDirs?: string[] | undefined }): {
  run: JobRunner;
  close: () => Promise<void>;
} {
  const pool = new JobPool({ threads: o.threads, maxQueue: o.threads * 4, presetDirs: o.presetDirs });
  return { run: (kind, request, opts) => pool.runJob(kind, request, opts), close: () => pool.close() };
}
