// Start `omnisonic serve` (the built bin/omnisonic.cjs) on a free loopback port for a bench and
// wait until it serves. Resolves with the child process and its base URL.
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../bin/omnisonic.cjs', import.meta.url));

/**
 * @param {string[]} args further flags of `serve`
 * BENCH_NODE_ARGS (environment): flags for the server's node, e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`.
 * BENCH_SERVER_OUT (environment): a file that receives the server's standard output (e.g. `--trace-gc`).
 */
export async function startServer(args = []) {
  const port = await new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
  const server = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
      cli,
      'serve',
      '--port',
      String(port),
      '--log-level',
      'warn',
      ...args,
    ],
    {
      stdio: [
        'ignore',
        process.env.BENCH_SERVER_OUT ? openSync(process.env.BENCH_SERVER_OUT, 'w') : 'ignore',
        'pipe',
      ],
    },
  );
  await new Promise((resolve, reject) => {
    let err = '';
    server.stderr.on('data', (c) => {
      err += c;
      if (err.includes('serving on')) resolve();
    });
    server.once('exit', (code) => reject(new Error(`server exited ${code}: ${err}`)));
  });
  return { server, port, base: `http://127.0.0.1:${port}` };
}
