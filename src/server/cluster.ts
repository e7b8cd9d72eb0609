/**
 * `--workers <n>`: n processes serving one port through node:cluster (the primary accepts and
 * hands connections to the workers). With Redis, the workers share the cache and the rate-limit
 * counts. The primary forwards SIGTERM and SIGINT to the workers, restarts a worker that dies
 * unexpectedly, and exits when all have stopped.
 */
import cluster, { type Worker } from 'node:cluster';

export interface ClusterHooks {
  /** Runs in each worker: start the server. */
  startWorker: () => Promise<void>;
  /** Runs in the primary once every worker listens. */
  onReady?: (address: { address: string; port: number }) => void;
  /** Runs in the primary for notices (a worker died, restarts). */
  onNotice?: (message: string) => void;
}

/** True in a process forked by {@link runCluster}. */
export function isClusterWorker(): boolean {
  return cluster.isWorker;
}

/**
 * Run `workers` workers (the primary only supervises). In a worker, starts the server.
 * @example await runCluster(2, { startWorker: () => startAndServe(opts) });
 */
export async function runCluster(workers: number, hooks: ClusterHooks): Promise<void> {
  if (cluster.isWorker) {
    await hooks.startWorker();
    return;
  }
  let stopping = false;
  let listening = 0;
  const live = new Set<Worker>();
  const started = new WeakSet<Worker>();
  const fork = () => {
    const w = cluster.fork();
    live.add(w);
    w.once('listening', (addr) => {
      started.add(w);
      listening++;
      if (listening === workers) hooks.onReady?.({ address: addr.address ?? '', port: addr.port });
    });
  };
  cluster.on('exit', (w, code, signal) => {
    live.delete(w);
    if (stopping) {
      if (live.size === 0) process.exit(process.exitCode ?? 0);
      return;
    }
    if (!started.has(w)) {
      // it never listened (port in use, bad option): the others would fail the same way
      stopping = true;
      for (const other of live) other.process.kill('SIGTERM');
      process.exitCode = code || 1;
      if (live.size === 0) process.exit(process.exitCode);
      return;
    }
    hooks.onNotice?.(`worker ${w.process.pid} exited (${signal ?? code}); starting another`);
    if (code !== 0) setTimeout(fork, 500);
  });
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    for (const w of live) w.process.kill(signal);
    if (live.size === 0) process.exit(0);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGTERM'));
  for (let i = 0; i < workers; i++) fork();
}
