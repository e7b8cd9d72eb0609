/** Where one checked track chunk lies in the file: its event bytes are `[start, end)`. */
export interface TrackSpan {
  start: number;
  end: number;
}

interface Tempo {
  tick: number;
  time: number;
  usPerQuarter: number;
}

const DATA_BYTES = [0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 1, 1, 2, 0];

/**
 * A cursor over the events of a checked Standard MIDI File in time order: every track is read
 * in place from the file's bytes and the tracks are merged by tick (ties by track, then file
 * order), so memory stays constant whatever the number of events. Each {@link next} moves to
 * the next channel message (`msg`: status | data1 << 8 | data2 << 16) or system exclusive
 * message (`sysex`: its bytes after 0xF0, the closing 0xF7 included).
 * @example
 * const s = song.stream();
 * while (s.next()) if (!s.sysex) synth.handleMidi(unpack(s.msg), Math.round(s.time * sr));
 */
export class MidiStream {
  tick = 0;
  time = 0;
  track = 0;
  msg = 0;
  sysex: Uint8Array | undefined;
  private readonly pos: Float64Array;
  private readonly ends: Float64Array;
  private readonly nextTick: Float64Array;
  private readonly running: Uint8Array;
  /** Binary heap of track indices, ordered by (next tick, track). */
  private readonly heap: Int32Array;
  private size = 0;
  private seg = 0;

  constructor(
    private readonly bytes: Uint8Array,
    spans: readonly TrackSpan[],
    private readonly tempos: readonly Tempo[],
    private readonly tpq: number,
    /** SMPTE ticks per second, or undefined for metrical timing. */
    private readonly tickRate: number | undefined,
  ) {
    const n = spans.length;
    this.pos = new Float64Array(n);
    this.ends = new Float64Array(n);
    this.nextTick = new Float64Array(n);
    this.running = new Uint8Array(n);
    this.heap = new Int32Array(n);
    for (let t = 0; t < n; t++) {
      this.pos[t] = spans[t]!.start;
      this.ends[t] = spans[t]!.end;
      if (this.advance(t, 0)) this.push(t);
    }
  }

  /** Move to the next event; false at the end. */
  next(): boolean {
    if (this.size === 0) return false;
    const t = this.heap[0]!;
    const tick = this.nextTick[t]!;
    this.read(t);
    if (this.advance(t, tick)) this.siftDown(0);
    else {
      this.size--;
      if (this.size > 0) {
        this.heap[0] = this.heap[this.size]!;
        this.siftDown(0);
      }
    }
    this.tick = tick;
    this.track = t;
    this.time = this.seconds(tick);
    return true;
  }

  private vlq(t: number): number {
    let v = 0;
    let p = this.pos[t]!;
    for (let i = 0; i < 4; i++) {
      const b = this.bytes[p++]!;
      v = v * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) break;
    }
    this.pos[t] = p;
    return v;
  }

  /** Skip meta events up to the next channel or sysex event of track `t`; false at its end. */
  private advance(t: number, tick: number): boolean {
    const b = this.bytes;
    while (this.pos[t]! < this.ends[t]!) {
      tick += this.vlq(t);
      const p = this.pos[t]!;
      const status = b[p]!;
      if (status === 0xff) {
        const type = b[p + 1]!;
        this.pos[t] = p + 2;
        const len = this.vlq(t);
        this.pos[t]! += len;
        this.running[t] = 0;
        if (type === 0x2f) return false;
        continue;
      }
      this.nextTick[t] = tick;
      return true;
    }
    return false;
  }

  /** Read the event at track `t`'s position (its delta time already read). */
  private read(t: number): void {
    const b = this.bytes;
    let p = this.pos[t]!;
    let status = b[p]!;
    if (status & 0x80) p++;
    else status = this.running[t]!;
    if (status === 0xf0 || status === 0xf7) {
      this.pos[t] = p;
      const len = this.vlq(t);
      const start = this.pos[t]!;
      this.sysex = b.subarray(start, start + len);
      this.pos[t] = start + len;
      this.running[t] = 0;
      return;
    }
    this.running[t] = status;
    const n = DATA_BYTES[status >> 4]!;
    let msg = status;
    if (n >= 1) msg |= b[p++]! << 8;
    if (n === 2) msg |= b[p++]! << 16;
    this.pos[t] = p;
    this.msg = msg;
    this.sysex = undefined;
  }

  private seconds(tick: number): number {
    if (this.tickRate !== undefined) return tick / this.tickRate;
    const map = this.tempos;
    while (this.seg + 1 < map.length && map[this.seg + 1]!.tick <= tick) this.seg++;
    const s = map[this.seg]!;
    return s.time + ((tick - s.tick) * s.usPerQuarter) / (this.tpq * 1e6);
  }

  private less(a: number, b: number): boolean {
    const ta = this.nextTick[a]!;
    const tb = this.nextTick[b]!;
    return ta < tb || (ta === tb && a < b);
  }

  private push(t: number): void {
    let i = this.size++;
    this.heap[i] = t;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(this.heap[i]!, this.heap[parent]!)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.size && this.less(this.heap[l]!, this.heap[m]!)) m = l;
      if (r < this.size && this.less(this.heap[r]!, this.heap[m]!)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }

  private swap(i: number, j: number): void {
    const x = this.heap[i]!;
    this.heap[i] = this.heap[j]!;
    this.heap[j] = x;
  }
}
