/** The job runner of this process: the job functions of `execute-fallback.ts`, run here. */
import { executeJob } from './execute-fallback.js';
import type { JobRunner } from './local-store.js';

/** A runner for the local store and for queue workers. */
export function localRunner(): JobRunner {
  return (kind, request, opts) => executeJob(kind, request, opts);
}
