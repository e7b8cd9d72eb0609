/**
 * The runner of jobs in this process: the server's worker-thread pool (`src/server/pool`), which
 * runs `executeJob` off the event loop, so requests keep being served and queue locks renewed.
 * The pool starts with the first job, so a server that runs none starts no threads for them.
 */
import { JobPool } from '../server/pool/pool.js';
import type { JobRunner } from './local-store.js';

/** A pool of `threads` worker threads (started on first use) and its runner. */
export function poolRunner(o: { threads: number; presetDirs?: string[] | undefined }): {
  run: JobRunner;
  close: () => Promise<void>;
} {
  let pool: JobPool | undefined;
  return {
    run: (kind, request, opts) => {
      pool ??= new JobPool({ threads: o.threads, maxQueue: o.threads * 4, presetDirs: o.presetDirs });
      return pool.runJob(kind, request, opts);
    },
    close: async () => {
      await pool?.close();
    },
  };
}
