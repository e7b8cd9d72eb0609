import type { WebSocket } from 'ws';
import type { SessionStats } from './session.js';

const BINARY = { binary: true };

/** What the outbox needs to know of its session. */
export interface OutboxOptions {
  socket: WebSocket;
  stats: SessionStats;
  /** Bytes a second of the session's audio frames (sets the thresholds). */
  bytesPerSec: number;
  /** Called once when the client has fallen too far behind: the session closes with 1008. */
  onSlow(reason: string): void;
}

/**
 * The way out of one session (SPEC section 5, slow consumers). Audio frames go to the socket
 * while its own buffer stays under a small low-water mark (a few blocks); beyond it they wait in
 * this queue, so that what the client must read before any message from the server stays small.
 * As the client falls behind (queue plus socket buffer):
 *
 * 1. past a quarter second of audio, viz frames are dropped (counted in `vizDropped`);
 * 2. past one second, `{ "type": "warning", "code": "SLOW_CONSUMER" }` goes to the socket
 *    directly, ahead of the queued audio (again after the backlog has fallen under half a second);
 * 3. past three seconds, the queue is discarded and the session closes with 1008 and a reason:
 *    the close frame too waits only behind the socket's small buffer.
 *
 * So a session holds at most about three seconds of audio, whatever the client does.
 */
export class Outbox {
  private readonly socket: WebSocket;
  private readonly stats: SessionStats;
  private readonly onSlow: (reason: string) => void;
  private readonly lowWater: number;
  /** Backlog beyond which viz frames are dropped, bytes. */
  readonly vizDropBytes: number;
  private readonly warnBytes: number;
  private readonly closeBytes: number;
  private readonly queue: Buffer[] = [];
  private head = 0;
  private queued = 0;
  private warned = false;
  private gaveUp = false;

  constructor(o: OutboxOptions) {
    this.socket = o.socket;
    this.stats = o.stats;
    this.onSlow = o.onSlow;
    this.lowWater = Math.max(32 * 1024, o.bytesPerSec / 16);
    this.vizDropBytes = Math.max(16 * 1024, o.bytesPerSec / 4);
    this.warnBytes = Math.max(64 * 1024, o.bytesPerSec);
    this.closeBytes = Math.max(256 * 1024, o.bytesPerSec * 3);
  }

  /** Bytes waiting for the client: this queue plus the socket's own buffer. */
  get backlog(): number {
    return this.queued + this.socket.bufferedAmount;
  }

  /** True once the session was closed for reading too slowly. */
  get closed(): boolean {
    return this.gaveUp;
  }

  /** Send (or queue) one binary audio frame; false when the session had to close. */
  audio(frame: Buffer): boolean {
    if (this.gaveUp) return false;
    this.drain();
    if (this.queued === 0 && this.socket.bufferedAmount < this.lowWater) {
      this.socket.send(frame, BINARY);
    } else {
      this.queue.push(frame);
      this.queued += frame.length;
    }
    return this.watch();
  }

  /** Send a viz frame unless the client is behind (then it is dropped and counted). */
  viz(text: string): void {
    if (this.gaveUp) return;
    if (this.backlog > this.vizDropBytes) {
      this.stats.vizDropped++;
      return;
    }
    this.stats.vizSent++;
    this.socket.send(text);
  }

  /** Move queued frames to the socket while its buffer is under the low-water mark. */
  drain(): void {
    const socket = this.socket;
    while (this.head < this.queue.length && socket.bufferedAmount < this.lowWater) {
      const frame = this.queue[this.head]!;
      this.queue[this.head++] = EMPTY;
      this.queued -= frame.length;
      socket.send(frame, BINARY);
    }
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head > 1024) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }

  private watch(): boolean {
    const backlog = this.backlog;
    if (backlog > this.stats.maxBuffered) this.stats.maxBuffered = backlog;
    if (backlog > this.closeBytes) {
      this.gaveUp = true;
      this.queue.length = 0;
      this.head = 0;
      this.queued = 0;
      this.onSlow(`slow consumer: ${Math.round(backlog / 1024)} KiB of audio unread`);
      return false;
    }
    if (backlog > this.warnBytes && !this.warned) {
      this.warned = true;
      this.stats.warnings++;
      this.socket.send(
        JSON.stringify({
          type: 'warning',
          code: 'SLOW_CONSUMER',
          message: `the client reads slower than real time (${Math.round(backlog / 1024)} KiB unread); the session closes at ${Math.round(this.closeBytes / 1024)} KiB`,
        }),
      );
    } else if (backlog < this.warnBytes / 2) {
      this.warned = false;
    }
    return true;
  }
}

const EMPTY = Buffer.alloc(0);
