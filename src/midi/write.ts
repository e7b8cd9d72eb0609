/**
 * One event to write: a channel message (`bytes`), a meta event (`meta` type and `data`) or a
 * system exclusive message (`sysex`: the bytes after 0xF0, the closing 0xF7 included).
 */
export type WriteEvent =
  | { tick: number; bytes: number[] }
  | { tick: number; meta: number; data: number[] | Uint8Array }
  | { tick: number; sysex: number[] };

/** What {@link writeMidi} writes. */
export interface MidiFileSpec {
  /** 0 (one track) or 1 (several tracks played together). Default: 0 with one track, else 1. */
  format?: 0 | 1;
  /** Ticks per quarter note (default 480). */
  ticksPerQuarter?: number;
  /** One list of events a track, in any order (sorted stably by tick on writing). */
  tracks: WriteEvent[][];
  /** Omit repeated status bytes (running status), as most sequencers do (default true). */
  runningStatus?: boolean;
}

/** Microseconds per quarter note of a tempo in BPM, as the 3 bytes of a tempo meta event. */
export function tempoBytes(bpm: number): number[] {
  const us = Math.round(60e6 / bpm);
  return [(us >> 16) & 0xff, (us >> 8) & 0xff, us & 0xff];
}

/** A tempo meta event (0x51) at `tick`. */
export function tempoEvent(tick: number, bpm: number): WriteEvent {
  return { tick, meta: 0x51, data: tempoBytes(bpm) };
}

/** Bytes of a variable-length quantity (7 bits a byte, most significant first). */
export function vlq(value: number): number[] {
  if (!Number.isInteger(value) || value < 0 || value > 0x0fffffff) {
    throw new RangeError(`MIDI variable-length quantity out of range: ${value}`);
  }
  const out = [value & 0x7f];
  for (let v = value >>> 7; v > 0; v >>>= 7) out.unshift((v & 0x7f) | 0x80);
  return out;
}

/**
 * Encode a Standard MIDI File (format 0 or 1). End of Track is added to every track; events at
 * equal ticks keep their order.
 * @example
 * const smf = writeMidi({ tracks: [[
 *   { tick: 0, bytes: [0x90, 60, 100] },
 *   { tick: 480, bytes: [0x80, 60, 0] },
 * ]] });
 */
export function writeMidi(spec: MidiFileSpec): Uint8Array {
  const tpq = spec.ticksPerQuarter ?? 480;
  if (!Number.isInteger(tpq) || tpq < 1 || tpq > 0x7fff)
    throw new RangeError(`ticksPerQuarter out of range: ${tpq}`);
  const format = spec.format ?? (spec.tracks.length === 1 ? 0 : 1);
  if (format === 0 && spec.tracks.length !== 1) throw new RangeError('format 0 holds exactly one track');
  const chunks: number[][] = [
    [...ascii('MThd'), ...u32(6), ...u16(format), ...u16(spec.tracks.length), ...u16(tpq)],
  ];
  for (const events of spec.tracks) chunks.push(trackChunk(events, spec.runningStatus ?? true));
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(total);
  let pos = 0;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.length;
  }
  return out;
}

function trackChunk(events: WriteEvent[], running: boolean): number[] {
  const sorted = events.map((e, i) => ({ e, i })).sort((a, b) => a.e.tick - b.e.tick || a.i - b.i);
  const body: number[] = [];
  let tick = 0;
  let status = -1;
  for (const { e } of sorted) {
    if (!Number.isInteger(e.tick) || e.tick < 0)
      throw new RangeError(`MIDI event tick must be a whole number >= 0: ${e.tick}`);
    body.push(...vlq(e.tick - tick));
    tick = e.tick;
    if ('meta' in e) {
      body.push(0xff, e.meta & 0x7f, ...vlq(e.data.length), ...e.data);
      status = -1;
      continue;
    }
    if ('sysex' in e) {
      body.push(0xf0, ...vlq(e.sysex.length), ...e.sysex);
      status = -1;
      continue;
    }
    const [s, ...data] = e.bytes;
    if (s === undefined || s < 0x80 || s >= 0xf0) throw new RangeError(`not a channel message: ${e.bytes}`);
    if (!running || s !== status) body.push(s);
    body.push(...data.map((d) => d & 0x7f));
    status = s;
  }
  body.push(0x00, 0xff, 0x2f, 0x00);
  return [...ascii('MTrk'), ...u32(body.length), ...body];
}

function ascii(s: string): number[] {
  return Array.from(s, (c) => c.charCodeAt(0));
}

function u32(v: number): number[] {
  return [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
}

function u16(v: number): number[] {
  return [(v >> 8) & 0xff, v & 0xff];
}
