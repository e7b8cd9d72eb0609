import type { ClientMessage, LayerRef } from './protocol.js';

/**
 * What happens to a message that arrives past the budget: `keep` (handled anyway: note-offs,
 * `stop`, `remove`), `coalesce` (held, and replaced by a later message of the same kind: the
 * last `set` of each layer and parameter, the last bend or controller value of each MIDI channel,
 * pings answered together) or `drop` (counted and reported).
 */
export type Overflow = 'keep' | 'coalesce' | 'drop';

/** True for a MIDI message that ends sound: note-off (0x80, or 0x90 with velocity 0), all sound/notes off, reset. */
export function endsSound(data: readonly number[]): boolean {
  const status = data[0]! & 0xf0;
  if (status === 0x80) return true;
  if (status === 0x90) return (data[2] ?? 0) === 0;
  if (status === 0xb0) return data[1] === 120 || data[1] === 123;
  return data[0] === 0xff;
}

/** MIDI messages whose last value is all that matters: poly pressure, controllers, channel pressure, bends. */
function coalescibleMidi(data: readonly number[]): boolean {
  const status = data[0]! & 0xf0;
  return status === 0xa0 || status === 0xb0 || status === 0xd0 || status === 0xe0;
}

/** How a message past the budget is treated (see {@link Overflow}). */
export function overflowOf(msg: ClientMessage): Overflow {
  switch (msg.type) {
    case 'stop':
    case 'remove':
      return 'keep';
    case 'midi':
      return endsSound(msg.data) ? 'keep' : coalescibleMidi(msg.data) ? 'coalesce' : 'drop';
    case 'set':
    case 'ping':
      return 'coalesce';
    default:
      return 'drop';
  }
}

/** One parameter of a held `set`. */
export interface HeldParam {
  layer: LayerRef;
  param: string;
  value: number | string;
  glide: number;
}

/** What {@link FlowControl.take} hands back: held values to apply now, in arrival order. */
export interface Held {
  params: HeldParam[];
  /** `seq` of every held `set` that still has a parameter to apply (to acknowledge). */
  acks: Array<number | string | null>;
  midi: number[][];
  /** The last held ping and how many pings its pong answers. */
  ping: { t: unknown; pings: number } | null;
}

interface SetRecord {
  seq: number | string | null;
  /** Parameters of this `set` not yet replaced by a later one. */
  live: number;
}

/**
 * The message budget of one session: a token bucket (`rate` a second, `burst` at once) and what
 * is held past it. Nothing that ends sound is ever refused; sets, bends and pings are coalesced
 * (bounded: one entry per layer and parameter, per MIDI channel and controller); everything
 * else past the budget is dropped. Every coalesced or dropped message is counted, and
 * {@link report} hands the counts out at most once a second, so each one is reported once.
 *
 * @example
 * const flow = new FlowControl(200, 200);
 * if (!flow.admit(performance.now())) flow.holdPing(msg.t);
 */
export class FlowControl {
  readonly rate: number;
  private readonly burst: number;
  private tokens: number;
  private at = 0;
  private readonly params = new Map<string, HeldParam & { record: SetRecord }>();
  private readonly records: SetRecord[] = [];
  private readonly midi = new Map<number, number[]>();
  private ping: { t: unknown; pings: number } | null = null;
  private dropped = 0;
  private coalesced = 0;
  private reportedAt = Number.NEGATIVE_INFINITY;

  constructor(rate: number, burst: number) {
    this.rate = rate;
    this.burst = burst;
    this.tokens = burst;
  }

  /** Take a token at `now` (ms); false when the budget is spent. */
  admit(now: number): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) * this.rate) / 1000);
    this.at = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }

  /** True when values are held (to apply with {@link take}). */
  get holding(): boolean {
    return this.params.size > 0 || this.midi.size > 0 || this.ping !== null;
  }

  /** Count a message dropped past the budget. */
  drop(): void {
    this.dropped++;
  }

  /** Hold a validated `set`: each parameter replaces the held value of the same layer and parameter. */
  holdSet(
    layer: LayerRef,
    params: Record<string, number | string>,
    glide: number,
    seq: number | string | null,
  ): void {
    const record: SetRecord = { seq, live: 0 };
    for (const [param, value] of Object.entries(params)) {
      const key = `${typeof layer}:${layer}\u0000${param}`;
      const old = this.params.get(key);
      if (old) {
        this.params.delete(key); // re-inserted last: held values apply in arrival order
        if (--old.record.live === 0) this.coalesced++;
      }
      this.params.set(key, { layer, param, value, glide, record });
      record.live++;
    }
    this.records.push(record);
  }

  /** Hold a MIDI controller, pressure or bend message: it replaces the held one of its channel (and controller). */
  holdMidi(data: number[]): void {
    const status = data[0]!;
    const key =
      (status & 0xf0) === 0xb0 || (status & 0xf0) === 0xa0 ? status * 128 + (data[1] ?? 0) : status * 128;
    if (this.midi.delete(key)) this.coalesced++;
    this.midi.set(key, data);
  }

  /** Hold a ping: one pong answers every held ping, with the last one's `t`. */
  holdPing(t: unknown): void {
    if (this.ping) {
      this.coalesced++;
      this.ping = { t, pings: this.ping.pings + 1 };
    } else {
      this.ping = { t, pings: 1 };
    }
  }

  /** Everything held, to apply now; the hold is empty afterwards. */
  take(): Held {
    const held: Held = {
      params: [...this.params.values()].map(({ layer, param, value, glide }) => ({
        layer,
        param,
        value,
        glide,
      })),
      acks: this.records.filter((r) => r.live > 0).map((r) => r.seq),
      midi: [...this.midi.values()],
      ping: this.ping,
    };
    this.params.clear();
    this.records.length = 0;
    this.midi.clear();
    this.ping = null;
    return held;
  }

  /** Counts not yet reported, when a report is due (at most once a second); else null. */
  report(now: number): { dropped: number; coalesced: number } | null {
    if ((this.dropped === 0 && this.coalesced === 0) || now - this.reportedAt < 1000) return null;
    this.reportedAt = now;
    const r = { dropped: this.dropped, coalesced: this.coalesced };
    this.dropped = 0;
    this.coalesced = 0;
    return r;
  }

  /** Time (ms) when the next report may go out, or null when nothing is left to report. */
  nextReportAt(): number | null {
    if (this.dropped === 0 && this.coalesced === 0) return null;
    return this.reportedAt + 1000;
  }
}
