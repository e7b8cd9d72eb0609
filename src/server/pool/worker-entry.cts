/**
 * The file piscina loads in each pool thread. piscina require()s its task file, and on Node 20
 * a require() of the worker's ES module graph (require(esm)) can abort the whole process with a
 * V8 fatal error ("IsGraphAsync must be used on an instantiated module") where an exception was
 * due; this CommonJS entry loads the worker with import() instead, as the thread starts.
 */
import type { PoolTask } from './protocol.js';

type Run = (task: PoolTask) => Promise<void>;

const loading: Promise<Run> = import('./worker.js').then((m) => m.default);
// a failed load fails each task that awaits it, and is no unhandled rejection before the first
loading.catch(() => {});

async function runTask(task: PoolTask): Promise<void> {
  return (await loading)(task);
}

export = runTask;
