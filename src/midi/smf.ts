import { OmniError } from '../errors.js';
import { MidiStream, type TrackSpan } from './smf-stream.js';

export { MidiStream } from './smf-stream.js';

/** A channel message of a MIDI file, placed in time. */
export interface MidiEvent {
  /** Absolute time in ticks from the start of its track. */
  tick: number;
  /** Absolute time in seconds, through the tempo map (or SMPTE division). */
  time: number;
  /** Index of the track chunk it came from. */
  track: number;
  /** Status byte and data bytes, running status expanded: `[0x90, 60, 100]`. */
  bytes: number[];
}

/** A tempo change: from `tick` on, a quarter note lasts `usPerQuarter` microseconds. */
export interface TempoChange {
  tick: number;
  time: number;
  usPerQuarter: number;
}

/** A parsed Standard MIDI File. */
export interface MidiSong {
  format: 0 | 1;
  /** Ticks per quarter note (metrical division), or undefined with SMPTE timing. */
  ticksPerQuarter: number | undefined;
  /** SMPTE timing: frames per second and ticks per frame. */
  smpte: { fps: number; ticksPerFrame: number } | undefined;
  trackCount: number;
  /** Track names (meta 0x03), '' when absent. */
  trackNames: string[];
  /**
   * Every channel message of every track, sorted by time (stable by track, then file order),
   * made on first access: a large file costs about 100 bytes an event this way, so renderers
   * read {@link MidiSong.stream} instead.
   */
  readonly events: MidiEvent[];
  tempos: TempoChange[];
  /** Seconds until the last event or End of Track. */
  duration: number;
  /** Note-ons with a velocity above 0. */
  noteCount: number;
  /** Channel messages and system exclusive messages. */
  eventCount: number;
  /** A cursor over the channel and system exclusive messages in time order (constant memory). */
  stream(): MidiStream;
  /** The Standard MIDI File's bytes (read in place by the streams). */
  readonly bytes: Uint8Array;
}

/** Quarter-note tempos allowed: 20 ms (3000 BPM) to 16.7 s (the 3-byte limit). */
export const MIN_US_PER_QUARTER = 20_000;
/** Longest song accepted, seconds (6 hours). */
export const MAX_SONG_SECONDS = 6 * 3600;
/** Largest MIDI file read, bytes (128 MiB, about 16 million notes): larger ones stop with TOO_LARGE. */
export const MAX_MIDI_FILE_BYTES = 128 * 1024 * 1024;
/** Most tempo changes kept for the tempo map; more stop with TOO_LARGE. */
export const MAX_TEMPO_CHANGES = 500_000;
const DEFAULT_US_PER_QUARTER = 500_000;
/** Data bytes of each channel message kind (status high nibble). */
const DATA_BYTES: Record<number, number> = { 8: 2, 9: 2, 10: 2, 11: 2, 12: 1, 13: 1, 14: 2 };

function bad(where: string, message: string): OmniError {
  return new OmniError('BAD_MIDI', `${where}: ${message}`, {
    hint: 'the file is not a valid Standard MIDI File (format 0 or 1)',
  });
}

/** A cursor over the bytes of one chunk, failing with BAD_MIDI when it would read past `end`. */
class Reader {
  pos: number;
  constructor(
    readonly bytes: Uint8Array,
    start: number,
    readonly end: number,
    readonly where: string,
  ) {
    this.pos = start;
  }

  u8(): number {
    if (this.pos >= this.end) throw bad(this.where, `unexpected end of data at byte ${this.pos}`);
    return this.bytes[this.pos++]!;
  }

  /** A variable-length quantity: 7 bits a byte, high bit set on all but the last, at most 4 bytes. */
  vlq(): number {
    let v = 0;
    for (let i = 0; i < 4; i++) {
      const b = this.u8();
      v = v * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) return v;
    }
    throw bad(this.where, `variable-length quantity longer than 4 bytes at byte ${this.pos - 4}`);
  }

  skip(n: number): void {
    if (this.pos + n > this.end) throw bad(this.where, `a ${n}-byte field runs past the end of its chunk`);
    this.pos += n;
  }
}

interface RawMeta {
  tick: number;
  type: number;
  data: Uint8Array;
}

/**
 * Parse a Standard MIDI File (format 0 or 1): several tracks and channels, running status, note
 * on with velocity 0, sysex skipped, tempo changes and SMPTE division converted to seconds.
 * Anything truncated, corrupt or absurd throws OmniError BAD_MIDI with the reason.
 * @example
 * const song = parseMidi(readFileSync('song.mid'));
 * song.events[0] // { tick: 0, time: 0, track: 1, bytes: [0x90, 60, 100] }
 */
export function parseMidi(bytes: Uint8Array, name = 'MIDI file'): MidiSong {
  if (bytes.length < 14) throw bad(name, `only ${bytes.length} bytes, too short for a MIDI header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (tag(bytes, 0) !== 'MThd') throw bad(name, "does not start with 'MThd' (not a MIDI file)");
  const headLen = view.getUint32(4);
  if (headLen < 6 || 8 + headLen > bytes.length) throw bad(name, `header chunk length ${headLen} is invalid`);
  const format = view.getUint16(8);
  const trackCount = view.getUint16(10);
  const division = view.getUint16(12);
  if (format === 2) throw bad(name, 'format 2 (independent sequences) is not supported; use format 0 or 1');
  if (format > 2) throw bad(name, `unknown format ${format}`);
  if (trackCount === 0) throw bad(name, 'the header announces zero tracks');
  if (format === 0 && trackCount !== 1)
    throw bad(name, `format 0 must have one track, header says ${trackCount}`);
  let ticksPerQuarter: number | undefined;
  let smpte: MidiSong['smpte'];
  if (division & 0x8000) {
    const code = 256 - (division >> 8);
    const fps = code === 29 ? 30000 / 1001 : code;
    if (![24, 25, 29, 30].includes(code)) throw bad(name, `SMPTE division with ${code} frames per second`);
    const ticksPerFrame = division & 0xff;
    if (ticksPerFrame === 0) throw bad(name, 'SMPTE division with 0 ticks per frame');
    smpte = { fps, ticksPerFrame };
  } else {
    if (division === 0) throw bad(name, 'division of 0 ticks per quarter note');
    ticksPerQuarter = division;
  }

  if (bytes.length > MAX_MIDI_FILE_BYTES) {
    throw new OmniError(
      'TOO_LARGE',
      `${name}: ${bytes.length} bytes, more than the ${MAX_MIDI_FILE_BYTES / 1048576} MiB a MIDI file may have`,
    );
  }
  const counts: TrackCounts = { notes: 0, events: 0 };
  const metas: RawMeta[] = [];
  const trackNames: string[] = [];
  const spans: TrackSpan[] = [];
  let endTick = 0;
  let pos = 8 + headLen;
  let track = 0;
  while (track < trackCount) {
    if (pos + 8 > bytes.length) {
      throw bad(name, `truncated: the header announces ${trackCount} tracks, found ${track}`);
    }
    const id = tag(bytes, pos);
    const len = view.getUint32(pos + 4);
    if (pos + 8 + len > bytes.length) {
      throw bad(
        name,
        `truncated: chunk '${printable(id)}' at byte ${pos} claims ${len} bytes, ${bytes.length - pos - 8} remain`,
      );
    }
    if (id !== 'MTrk') {
      if (!/^[\x20-\x7e]{4}$/.test(id)) throw bad(name, `corrupt chunk id at byte ${pos}`);
      pos += 8 + len; // unknown chunks are skipped, as the standard asks
      continue;
    }
    const r = new Reader(bytes, pos + 8, pos + 8 + len, `${name}: track ${track}`);
    trackNames.push('');
    const last = checkTrack(r, track, counts, metas, trackNames, name);
    spans.push({ start: pos + 8, end: pos + 8 + len });
    endTick = Math.max(endTick, last);
    pos += 8 + len;
    track++;
  }

  const tempos = tempoMap(metas, ticksPerQuarter, name);
  const toSeconds = secondsOf(tempos, ticksPerQuarter, smpte);
  const duration = toSeconds(endTick);
  if (!(duration <= MAX_SONG_SECONDS)) {
    throw bad(
      name,
      `lasts ${(duration / 3600).toFixed(1)} hours, more than ${MAX_SONG_SECONDS / 3600} (absurd timing)`,
    );
  }
  const tickRate = smpte ? smpte.fps * smpte.ticksPerFrame : undefined;
  const stream = () => new MidiStream(bytes, spans, tempos, ticksPerQuarter ?? 1, tickRate);
  let events: MidiEvent[] | undefined;
  return {
    format: format as 0 | 1,
    ticksPerQuarter,
    smpte,
    trackCount,
    trackNames,
    get events(): MidiEvent[] {
      events ??= materialize(stream());
      return events;
    },
    tempos,
    duration,
    noteCount: counts.notes,
    eventCount: counts.events,
    stream,
    bytes,
  };
}

function materialize(s: MidiStream): MidiEvent[] {
  const out: MidiEvent[] = [];
  while (s.next()) {
    if (s.sysex) continue;
    const m = s.msg;
    const bytes = [m & 0xff, (m >> 8) & 0x7f];
    if (DATA_BYTES[(m & 0xff) >> 4] === 2) bytes.push((m >> 16) & 0x7f);
    out.push({ tick: s.tick, time: s.time, track: s.track, bytes });
  }
  return out;
}

interface TrackCounts {
  notes: number;
  events: number;
}

/** Check one track's events and count them; returns the tick of its last event (End of Track included). */
function checkTrack(
  r: Reader,
  track: number,
  counts: TrackCounts,
  metas: RawMeta[],
  names: string[],
  name: string,
): number {
  let tick = 0;
  let running = 0;
  while (r.pos < r.end) {
    tick += r.vlq();
    if (r.pos >= r.end) throw bad(r.where, 'the track ends after a delta time, in the middle of an event');
    let status = r.bytes[r.pos]!;
    if (status & 0x80) {
      r.pos++;
    } else {
      if (running === 0)
        throw bad(r.where, `data byte 0x${hex(status)} at byte ${r.pos} with no running status`);
      status = running;
    }
    if (status === 0xff) {
      const type = r.u8();
      if (type & 0x80) throw bad(r.where, `meta event type 0x${hex(type)} is not 0-127`);
      const len = r.vlq();
      const start = r.pos;
      r.skip(len);
      const data = r.bytes.subarray(start, start + len);
      if (type === 0x2f) {
        if (r.pos !== r.end)
          throw bad(r.where, `End of Track at byte ${start} is followed by ${r.end - r.pos} more bytes`);
        return tick;
      }
      if (type === 0x03 && names[track] === '') names[track] = new TextDecoder('latin1').decode(data);
      if (type === 0x51) {
        if (metas.length >= MAX_TEMPO_CHANGES)
          throw new OmniError('TOO_LARGE', `${name}: more than ${MAX_TEMPO_CHANGES} tempo changes`);
        metas.push({ tick, type, data });
      }
      running = 0; // meta and sysex events cancel running status
      continue;
    }
    if (status === 0xf0 || status === 0xf7) {
      r.skip(r.vlq()); // system exclusive: played by the stream
      counts.events++;
      running = 0;
      continue;
    }
    if (status >= 0xf0)
      throw bad(r.where, `status 0x${hex(status)} at byte ${r.pos - 1} is not allowed in a MIDI file`);
    running = status;
    const n = DATA_BYTES[status >> 4]!;
    let last = 0;
    for (let i = 0; i < n; i++) {
      last = r.u8();
      if (last & 0x80) throw bad(r.where, `data byte 0x${hex(last)} at byte ${r.pos - 1} is above 127`);
    }
    counts.events++;
    if (status >> 4 === 9 && last > 0) counts.notes++;
  }
  return tick; // a track without End of Track ending exactly at its chunk's end is accepted
}

/** Tempo changes of all tracks, in order, with their times; checked for absurd values. */
function tempoMap(metas: RawMeta[], tpq: number | undefined, name: string): TempoChange[] {
  const changes = metas
    .filter((m) => m.type === 0x51)
    .map((m) => {
      if (m.data.length !== 3)
        throw bad(name, `tempo event at tick ${m.tick} has ${m.data.length} bytes, not 3`);
      const us = (m.data[0]! << 16) | (m.data[1]! << 8) | m.data[2]!;
      if (us < MIN_US_PER_QUARTER) {
        const bpm = us === 0 ? 'infinite' : (60e6 / us).toFixed(0);
        throw bad(
          name,
          `absurd tempo at tick ${m.tick}: ${us} µs per quarter note (${bpm} BPM; at most 3000 BPM)`,
        );
      }
      return { tick: m.tick, usPerQuarter: us };
    })
    .sort((a, b) => a.tick - b.tick);
  const map: TempoChange[] = [{ tick: 0, time: 0, usPerQuarter: DEFAULT_US_PER_QUARTER }];
  if (tpq === undefined) return map; // SMPTE timing ignores tempo
  for (const c of changes) {
    const prev = map[map.length - 1]!;
    const time = prev.time + ((c.tick - prev.tick) * prev.usPerQuarter) / (tpq * 1e6);
    if (c.tick === prev.tick) prev.usPerQuarter = c.usPerQuarter;
    else map.push({ tick: c.tick, time, usPerQuarter: c.usPerQuarter });
  }
  return map;
}

/** Tick to seconds through the tempo map (binary search), or the SMPTE rate. */
function secondsOf(
  map: TempoChange[],
  tpq: number | undefined,
  smpte: MidiSong['smpte'],
): (tick: number) => number {
  if (smpte) return (tick) => tick / (smpte.fps * smpte.ticksPerFrame);
  const q = tpq!;
  return (tick) => {
    let lo = 0;
    let hi = map.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (map[mid]!.tick <= tick) lo = mid;
      else hi = mid - 1;
    }
    const seg = map[lo]!;
    return seg.time + ((tick - seg.tick) * seg.usPerQuarter) / (q * 1e6);
  };
}

function tag(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
}

function printable(id: string): string {
  return id.replace(/[^\x20-\x7e]/g, '?');
}

function hex(b: number): string {
  return b.toString(16).padStart(2, '0');
}
