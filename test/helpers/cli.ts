import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Path of the built CLI, run as a user would (`npm test` builds first). */
export const CLI = fileURLToPath(new URL('../../bin/omnisonic.cjs', import.meta.url));

export interface RunResult {
  status: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Run `omnisonic <args>` synchronously; stdout as bytes, stderr as text. */
export function run(
  args: string[],
  opts: { input?: Buffer; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): RunResult {
  const r: SpawnSyncReturns<Buffer> = spawnSync(process.execPath, [CLI, ...args], {
    input: opts.input,
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    cwd: opts.cwd,
    maxBuffer: 512 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

/** A fresh temporary folder. */
export function tempDir(prefix = 'omnisonic-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** True when a command is on PATH. */
export function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

/**
 * Whether a test needing `what` can run: true when present; when missing, false with a visible
 * reason, except under CI=true, where a missing component is a failure (CI never skips silently).
 */
export function requireComponent(what: string, present: boolean): boolean {
  if (present) return true;
  if (process.env.CI === 'true') throw new Error(`${what} is required under CI but is missing`);
  console.warn(`skipping: ${what} is not installed`);
  return false;
}

/**
 * A runner of the built CLI inside folder `dir`, with text output and a private config home
 * (`dir/config`), so user presets and profiles of the machine never leak into a test.
 */
export function cliIn(dir: string) {
  return (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const r = spawnSync(process.execPath, [CLI, ...args], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', XDG_CONFIG_HOME: join(dir, 'config'), ...env },
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
}
