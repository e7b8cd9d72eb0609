import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasCommand } from './cli.js';

/** True when tmux is installed (the pseudo-terminal tests need it). */
export const HAVE_TMUX = hasCommand('tmux');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Quote one word for sh. */
export const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * A command run in a tmux window of a real size (120 x 40 by default), on a private tmux server
 * (its own socket in `dir`) that `close` stops by its PID. The command waits for `start()`, so the
 * test can log the raw terminal output (`pipe-pane`) from the first byte.
 */
export class TmuxRun {
  private readonly socket: string;
  private readonly rcFile: string;
  private readonly goFile: string;
  readonly logFile: string;
  private serverPid: number | null = null;

  constructor(
    dir: string,
    private readonly name: string,
    command: string,
    size: { x: number; y: number } = { x: 120, y: 40 },
  ) {
    this.socket = join(dir, `tmux-${name}.sock`);
    this.rcFile = join(dir, `${name}.rc`);
    this.goFile = join(dir, `${name}.go`);
    this.logFile = join(dir, `${name}.log`);
    const conf = join(dir, `${name}.tmux.conf`);
    writeFileSync(conf, 'set -g remain-on-exit on\nset -g history-limit 2000\n');
    writeFileSync(this.logFile, '');
    const script = `while [ ! -e ${sq(this.goFile)} ]; do sleep 0.05; done; cd ${sq(dir)}; ${command}; echo $? > ${sq(this.rcFile)}`;
    this.tmux(
      '-f',
      conf,
      'new-session',
      '-d',
      '-x',
      String(size.x),
      '-y',
      String(size.y),
      '-s',
      name,
      `sh -c ${sq(script)}`,
    );
    const pid = this.tmux('display-message', '-p', '-t', name, '#{pid}').trim();
    this.serverPid = Number(pid) || null;
    this.tmux('pipe-pane', '-t', name, `cat >> ${sq(this.logFile)}`);
  }

  private tmux(...args: string[]): string {
    const r = spawnSync('tmux', ['-S', this.socket, ...args], { encoding: 'utf8', timeout: 10_000 });
    if (r.status !== 0) throw new Error(`tmux ${args[0]} failed: ${r.stderr}`);
    return r.stdout;
  }

  /** Let the command run. */
  start(): void {
    writeFileSync(this.goFile, '');
  }

  /** Keys as tmux names them (`Up`, `Space`, `q`). */
  keys(...keys: string[]): void {
    this.tmux('send-keys', '-t', this.name, ...keys);
  }

  /** What the window shows now, with the lines scrolled above it. */
  screen(): string {
    return this.tmux('capture-pane', '-p', '-S', '-', '-t', this.name);
  }

  /** Everything the command wrote to the terminal (escape sequences included). */
  log(): string {
    return readFileSync(this.logFile, 'latin1');
  }

  /** The exit status, once the command ended (null if it did not within `ms`). */
  async exitCode(ms = 60_000): Promise<number | null> {
    for (let t = 0; t < ms && !existsSync(this.rcFile); t += 50) await sleep(50);
    return existsSync(this.rcFile) ? Number(readFileSync(this.rcFile, 'utf8').trim()) : null;
  }

  /** Wait until `test` holds for the screen (or `ms` passed). */
  async waitFor(test: (screen: string) => boolean, ms = 20_000): Promise<boolean> {
    for (let t = 0; t < ms; t += 50) {
      if (test(this.screen())) return true;
      await sleep(50);
    }
    return false;
  }

  /** Stop the private tmux server (by its PID) and everything in it. */
  close(): void {
    if (this.serverPid !== null) {
      try {
        process.kill(this.serverPid, 'SIGTERM');
      } catch {}
      this.serverPid = null;
    }
  }
}
