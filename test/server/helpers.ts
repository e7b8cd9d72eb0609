import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type AppOptions, buildApp } from '../../src/server/app.js';
import { CLI, hasCommand } from '../helpers/cli.js';

/** Run `fn` on an app built with `opts`, closed afterwards. */
export async function withApp(opts: AppOptions, fn: (a: FastifyInstance) => Promise<void>): Promise<void> {
  const a = await buildApp(opts);
  try {
    await fn(a);
  } finally {
    await a.close();
  }
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** PCM samples of a 16-bit mono/stereo WAV body (first channel), as floats. */
export function wavSamples(body: Buffer): {
  sampleRate: number;
  channels: number;
  bits: number;
  left: Float64Array;
} {
  if (body.toString('latin1', 0, 4) !== 'RIFF' || body.toString('latin1', 8, 12) !== 'WAVE')
    throw new Error('not a WAV');
  const channels = body.readUInt16LE(22);
  const sampleRate = body.readUInt32LE(24);
  const bits = body.readUInt16LE(34);
  const dataSize = body.readUInt32LE(40);
  const n = dataSize / (channels * (bits / 8));
  const left = new Float64Array(n);
  for (let i = 0; i < n; i++) left[i] = body.readInt16LE(44 + i * channels * 2) / 32768;
  return { sampleRate, channels, bits, left };
}

/** A running `omnisonic serve` process. */
export interface ServeProcess {
  proc: ChildProcess;
  url: string;
  stderr: () => string;
  /** SIGTERM, then wait for the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Start `node bin/omnisonic.cjs serve --port <free> ...args` and wait until it serves; `prefix`
 * runs it through a command that execs it (e.g. `prlimit --nofile=1024`), same PID.
 */
export async function startServe(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  prefix: string[] = [],
): Promise<ServeProcess> {
  const port = await freePort();
  const argv = [process.execPath, CLI, 'serve', '--port', String(port), '--log-level', 'warn', ...args];
  const [cmd, ...rest] = [...prefix, ...argv] as [string, ...string[]];
  const proc = spawn(cmd, rest, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr!.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      // a server that never came up is not left running (with its workers)
      proc.kill('SIGTERM');
      setTimeout(() => proc.kill('SIGKILL'), 2000).unref();
      reject(new Error(`server did not start:\n${err}`));
    }, 30_000);
    const check = () => {
      if (/serving on http/.test(err)) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stderr!.on('data', check);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${err}`));
    });
  });
  return {
    proc,
    url: `http://127.0.0.1:${port}`,
    stderr: () => err,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      return exited;
    },
  };
}

/**
 * True when process `pid` runs `command` (from /proc on Linux; elsewhere assumed). A PID read
 * from a file may name another process by now.
 */
function isCommand(pid: number, command: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0')[0]!.includes(command);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ENOENT' || !existsSync('/proc/self');
  }
}

/** A redis-server on a free loopback port, daemonized, stopped by its PID. */
export interface RedisServer {
  port: number;
  url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export const hasRedis = (): boolean => hasCommand('redis-server');

/** Make (not start) a redis-server on a free port; `start()` it, `stop()` it by PID. */
export async function makeRedis(dir: string): Promise<RedisServer> {
  const port = await freePort();
  const pidfile = join(dir, `redis-${port}.pid`);
  const pid = () => {
    try {
      return Number(readFileSync(pidfile, 'utf8').trim());
    } catch {
      return 0;
    }
  };
  const ping = () =>
    spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG';
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      const r = spawnSync(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--save',
          '',
          '--appendonly',
          'no',
          '--daemonize',
          'yes',
          '--pidfile',
          pidfile,
          '--dir',
          dir,
          '--logfile',
          join(dir, `redis-${port}.log`),
        ],
        { encoding: 'utf8' },
      );
      if (r.status !== 0) throw new Error(`redis-server failed: ${r.stderr}`);
      for (let i = 0; i < 100 && !ping(); i++) await new Promise((res) => setTimeout(res, 50));
      if (!ping()) throw new Error('redis-server did not answer');
    },
    async stop() {
      const p = pid();
      if (!p) return;
      // a killed redis leaves its pidfile: forget it, so that a second stop cannot signal
      // whatever process has since been given the number
      rmSync(pidfile, { force: true });
      if (!isCommand(p, 'redis-server')) return;
      try {
        process.kill(p, 'SIGKILL');
      } catch {}
      for (let i = 0; i < 100; i++) {
        try {
          process.kill(p, 0);
        } catch {
          break;
        }
        await new Promise((res) => setTimeout(res, 50));
      }
    },
  };
}
