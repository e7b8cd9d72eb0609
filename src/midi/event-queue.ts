/**
 * Timed MIDI messages waiting for their frame: a binary min-heap ordered by frame, then by
 * arrival (messages of one frame keep their order), in growable typed arrays. Adding and taking
 * cost O(log n) whatever the order of arrival, so a song with millions of notes, or notes whose
 * release is moved later (zero-length notes), queues in time proportional to its events.
 * @example
 * const q = new EventQueue();
 * q.push(480, 0x643c90);
 * if (q.size > 0 && q.frame < end) { const msg = q.msg; const data = q.sysex; q.pop(); }
 */
export class EventQueue {
  private frames = new Float64Array(256);
  private seqs = new Float64Array(256);
  private msgs = new Int32Array(256);
  private readonly sysexes = new Map<number, Uint8Array>();
  private n = 0;
  private seq = 0;

  /** Messages waiting. */
  get size(): number {
    return this.n;
  }

  /** Frame of the first message (valid when size > 0). */
  get frame(): number {
    return this.frames[0]!;
  }

  /** The first message, packed (valid when size > 0). */
  get msg(): number {
    return this.msgs[0]!;
  }

  /** The first message's system exclusive bytes, when it is one. */
  get sysex(): Uint8Array | undefined {
    return this.sysexes.size > 0 ? this.sysexes.get(this.seqs[0]!) : undefined;
  }

  /** Add a message at `frame` (after those already queued at the same frame). */
  push(frame: number, msg: number, sysex?: Uint8Array): void {
    if (this.n === this.frames.length) this.grow();
    const seq = this.seq++;
    if (sysex) this.sysexes.set(seq, sysex);
    let i = this.n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.frames[p]! < frame || (this.frames[p] === frame && this.seqs[p]! < seq)) break;
      this.move(p, i);
      i = p;
    }
    this.frames[i] = frame;
    this.seqs[i] = seq;
    this.msgs[i] = msg;
  }

  /** Remove the first message. */
  pop(): void {
    if (this.n === 0) return;
    if (this.sysexes.size > 0) this.sysexes.delete(this.seqs[0]!);
    const last = --this.n;
    if (last === 0) return;
    const frame = this.frames[last]!;
    const seq = this.seqs[last]!;
    const msg = this.msgs[last]!;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= last) break;
      const r = l + 1;
      const c = r < last && this.before(r, l) ? r : l;
      if (frame < this.frames[c]! || (frame === this.frames[c] && seq < this.seqs[c]!)) break;
      this.move(c, i);
      i = c;
    }
    this.frames[i] = frame;
    this.seqs[i] = seq;
    this.msgs[i] = msg;
    if (last * 4 < this.frames.length && this.frames.length > 4096) this.shrink();
  }

  private before(a: number, b: number): boolean {
    const fa = this.frames[a]!;
    const fb = this.frames[b]!;
    return fa < fb || (fa === fb && this.seqs[a]! < this.seqs[b]!);
  }

  private move(from: number, to: number): void {
    this.frames[to] = this.frames[from]!;
    this.seqs[to] = this.seqs[from]!;
    this.msgs[to] = this.msgs[from]!;
  }

  private grow(): void {
    this.resize(this.frames.length * 2);
  }

  private shrink(): void {
    this.resize(this.frames.length >> 1);
  }

  private resize(cap: number): void {
    const f = new Float64Array(cap);
    const s = new Float64Array(cap);
    const m = new Int32Array(cap);
    f.set(this.frames.subarray(0, this.n));
    s.set(this.seqs.subarray(0, this.n));
    m.set(this.msgs.subarray(0, this.n));
    this.frames = f;
    this.seqs = s;
    this.msgs = m;
  }
}
