/// <reference lib="dom" />
// Helpers of the control page's browser tests: headless Chromium (skipped with a reason when it
// is missing, failing under CI), the page's WebSocket traffic as the browser sent and received
// it, the received audio decoded, and `omnisonic serve` as a child process.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page, WebSocket as PwSocket } from 'playwright-core';
import { CLI, requireComponent } from '../helpers/cli.js';

/** What the page shows of itself (`window.__omnisonic`, public/ui/app.js). */
export interface PageState {
  state: string;
  session: string | null;
  audioFrames: number;
  gaps: number;
  reconnects: number;
  player: string;
  playedMs: number;
  masterGain: number | null;
  muted?: boolean;
}

declare global {
  interface Window {
    __omnisonic: PageState;
  }
}

export const CHROMIUM = '/usr/bin/chromium';
/** Bound of one browser test: generous, since a loaded machine slows Chromium down many times. */
export const BROWSER_TEST_MS = 180_000;
/** Chromium is there; when it is not, the browser tests skip and say so (under CI=true: an error). */
export const haveChromium = requireComponent(
  `Chromium (${CHROMIUM}; apt-get install chromium)`,
  existsSync(CHROMIUM),
);

/** Launch headless Chromium with `extra` flags. */
export async function launch(extra: string[] = []): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--autoplay-policy=no-user-gesture-required',
      ...extra,
    ],
  });
}

/** A JSON message of the page's socket (either way). */
export type Msg = Record<string, unknown> & { type: string };

/** Everything the page's audio sockets carried, in order, across reconnects. */
export class Traffic {
  readonly sent: Msg[] = [];
  readonly received: Msg[] = [];
  /** Binary audio frames: first sample frame, frame count, interleaved stereo f32 samples. */
  readonly audio: { first: number; frames: number; samples: Float32Array; session: number }[] = [];
  sockets = 0;

  constructor(page: Page) {
    page.on('websocket', (ws: PwSocket) => {
      if (!ws.url().includes('/ws/audio-stream/')) return;
      const session = ++this.sockets;
      ws.on('framesent', (f) => {
        if (typeof f.payload === 'string') this.sent.push(JSON.parse(f.payload) as Msg);
      });
      ws.on('framereceived', (f) => {
        if (typeof f.payload === 'string') this.received.push(JSON.parse(f.payload) as Msg);
        else {
          const b = f.payload;
          const samples = new Float32Array((b.length - 16) / 4);
          for (let i = 0; i < samples.length; i++) samples[i] = b.readFloatLE(16 + 4 * i);
          this.audio.push({ first: b.readDoubleLE(4), frames: b.readUInt32LE(12), samples, session });
        }
      });
    });
  }

  sentOf(type: string): Msg[] {
    return this.sent.filter((m) => m.type === type);
  }

  /** Wait until `pred` holds (polling, bounded). */
  async until(pred: () => boolean, what: string, ms = 45_000): Promise<void> {
    const end = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Channel `ch` of the received audio of socket `session` from sample frame `from`, `n` frames. */
  channel(session: number, from: number, n: number, ch: 0 | 1 = 0): Float64Array | null {
    const out = new Float64Array(n);
    let filled = 0;
    for (const f of this.audio) {
      if (f.session !== session || f.first + f.frames <= from || f.first >= from + n) continue;
      for (let i = 0; i < f.frames; i++) {
        const at = f.first + i - from;
        if (at >= 0 && at < n) {
          out[at] = f.samples[2 * i + ch]!;
          filled++;
        }
      }
    }
    return filled === n ? out : null;
  }

  /** Frames received so far on socket `session`. */
  framesOf(session: number): number {
    let n = 0;
    for (const f of this.audio) if (f.session === session) n = Math.max(n, f.first + f.frames);
    return n;
  }
}

/** Whether `omnisonic serve` knows `flag` (it may come with another change). */
export function serveHasFlag(flag: string): boolean {
  const r = spawnSync(process.execPath, [CLI, 'serve', '--help'], { encoding: 'utf8' });
  return r.stdout.includes(flag);
}

/** `omnisonic serve` in a child process on 127.0.0.1. */
export interface ServeProcess {
  proc: ChildProcess;
  port: number;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Start `omnisonic serve` on `port` (0: a free one); resolves once it listens. */
export async function serve(port: number, extra: string[] = []): Promise<ServeProcess> {
  const home = mkdtempSync(join(tmpdir(), 'omni-serve-'));
  const proc = spawn(
    process.execPath,
    [CLI, 'serve', '--host', '127.0.0.1', '--port', String(port), '--log-level', 'silent', ...extra],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, XDG_CONFIG_HOME: home } },
  );
  let err = '';
  const bound = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${err}`)), 20_000);
    proc.stderr!.on('data', (d) => {
      err += String(d);
      const m = /serving on http:\/\/[\d.]+:(\d+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}: ${err}`));
    });
  });
  return {
    proc,
    port: bound,
    stop: async (signal = 'SIGTERM') => {
      if (proc.exitCode === null && proc.signalCode === null) {
        const gone = new Promise((r) => proc.once('exit', r));
        proc.kill(signal);
        await gone;
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}
