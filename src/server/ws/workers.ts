import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { packagePath } from '../../package-root.js';
import { midiVoiceMaker } from './midi-voice.js';
import type { SynthControl, SynthOutput, SynthSpec } from './synth.js';
import { type HostReply, type HostRequest, SynthHost, type WireError } from './synth-host.js';

/** The built worker entry (tsc output; the CLI bundle runs it from the package too). */
export const WORKER_FILE = packagePath('dist/server/ws/render-worker.js');

/** What a session hears back from its synthesis. */
export interface SynthClient {
  onOpened(info: { channels: number; layers: number; fftSize: number | null }): void;
  /** The synthesis could not start, or it broke (its thread died): the session must end. */
  onFailed(error: WireError): void;
  /** A change was refused (the session goes on). */
  onError(error: WireError): void;
  onOutput(out: SynthOutput): void;
}

/** One rendering thread (a worker, or the main thread itself when workers are off). */
interface Lane {
  post(msg: HostRequest, transfer?: ArrayBuffer[]): void;
  sessions: number;
  jobs: number[];
  worker: Worker | null;
}

/**
 * The threads that render live sessions: one long-lived worker thread per core (node:worker_threads),
 * each hosting many sessions; the main thread keeps the sockets and the pacing. A session is
 * placed on the lane with the fewest sessions when it starts and stays there. Changes are posted
 * at once (a port keeps their order, so a change applies exactly from the first block requested
 * after it); render requests are gathered during a scheduler tick and go out in one message a
 * lane ({@link flush}); each lane answers with one message holding every session's blocks,
 * whose buffers are transferred, not copied.
 *
 * With `threads` 0, or when the built worker file is missing (the TypeScript sources run
 * directly), the same host runs in the main thread.
 *
 * @example
 * const pool = await SynthPool.create(2);
 * const sid = pool.open(spec, client);
 * pool.request(sid, 2, true); pool.flush();
 */
export class SynthPool {
  private readonly lanes: Lane[] = [];
  private readonly clients = new Map<number, { lane: Lane; client: SynthClient }>();
  private nextSid = 1;
  private closing = false;
  private readonly log: (msg: string, err?: unknown) => void;

  private constructor(log: (msg: string, err?: unknown) => void) {
    this.log = log;
  }

  /** Worker threads in use (0: sessions render in the main thread). */
  get threads(): number {
    return this.lanes.filter((l) => l.worker !== null).length;
  }

  /** Sessions per lane (tests, bench). */
  get load(): number[] {
    return this.lanes.map((l) => l.sessions);
  }

  /** A pool of `threads` workers (default: one per core; 0: render in the main thread). */
  static async create(
    threads = availableParallelism(),
    log: (msg: string, err?: unknown) => void = () => {},
  ): Promise<SynthPool> {
    const pool = new SynthPool(log);
    const n = Math.max(0, Math.floor(threads));
    if (n > 0 && !existsSync(WORKER_FILE)) {
      log(`live sessions render in the main thread: ${WORKER_FILE} is missing (run npm run build)`);
    } else {
      for (let i = 0; i < n; i++) pool.lanes.push(pool.spawn());
    }
    if (pool.lanes.length === 0) {
      const lane: Lane = { post: () => {}, sessions: 0, jobs: [], worker: null };
      const host = new SynthHost((msg) => setImmediate(() => pool.receive(msg)), await midiVoiceMaker());
      lane.post = (msg) => host.handle(msg);
      pool.lanes.push(lane);
    }
    return pool;
  }

  private spawn(): Lane {
    const worker = new Worker(WORKER_FILE);
    const lane: Lane = {
      post: (msg, transfer) => worker.postMessage(msg, transfer ?? []),
      sessions: 0,
      jobs: [],
      worker,
    };
    worker.on('message', (msg: HostReply) => this.receive(msg));
    worker.on('error', (err) => this.log('live synthesis worker failed', err));
    worker.on('exit', () => {
      if (this.closing) return;
      // its sessions are lost: end them, and put a fresh worker in its place
      for (const [sid, c] of this.clients) {
        if (c.lane !== lane) continue;
        this.clients.delete(sid);
        c.client.onFailed({
          code: 'INTERNAL',
          message: 'the synthesis thread of this session stopped',
          known: true,
        });
      }
      const i = this.lanes.indexOf(lane);
      if (i >= 0) this.lanes[i] = this.spawn();
    });
    return lane;
  }

  private receive(msg: HostReply): void {
    if (msg.op === 'out') {
      for (let i = 0; i < msg.sids.length; i++) this.clients.get(msg.sids[i]!)?.client.onOutput(msg.outs[i]!);
      return;
    }
    const entry = this.clients.get(msg.sid);
    if (!entry) return;
    if (msg.op === 'opened') entry.client.onOpened(msg);
    else if (msg.op === 'error') entry.client.onError(msg.error);
    else {
      this.forget(msg.sid);
      entry.client.onFailed(msg.error);
    }
  }

  /** Start a session's synthesis on the least busy lane; returns its id. */
  open(spec: SynthSpec, client: SynthClient): number {
    const sid = this.nextSid++;
    let lane = this.lanes[0]!;
    for (const l of this.lanes) if (l.sessions < lane.sessions) lane = l;
    lane.sessions++;
    this.clients.set(sid, { lane, client });
    lane.post({ op: 'open', sid, spec });
    return sid;
  }

  /** Send a change; it applies from the first block requested after it. */
  control(sid: number, c: SynthControl): void {
    this.clients.get(sid)?.lane.post({ op: 'ctl', sid, c });
  }

  /** Ask for `blocks` more blocks (sent with the next {@link flush}). */
  request(sid: number, blocks: number, withViz: boolean): void {
    const entry = this.clients.get(sid);
    if (entry) entry.lane.jobs.push(sid, blocks, withViz ? 1 : 0);
  }

  /** Send the render requests gathered since the last flush: one message a lane. */
  flush(): void {
    for (const lane of this.lanes) {
      if (lane.jobs.length === 0) continue;
      const jobs = lane.jobs;
      lane.jobs = [];
      lane.post({ op: 'render', jobs });
    }
  }

  /** End a session's synthesis. */
  close(sid: number): void {
    const entry = this.clients.get(sid);
    if (!entry) return;
    this.forget(sid);
    entry.lane.post({ op: 'close', sid });
  }

  private forget(sid: number): void {
    const entry = this.clients.get(sid);
    if (!entry) return;
    this.clients.delete(sid);
    entry.lane.sessions--;
  }

  /** Stop the worker threads. */
  async destroy(): Promise<void> {
    this.closing = true;
    this.clients.clear();
    await Promise.all(this.lanes.map((l) => l.worker?.terminate()));
  }
}
