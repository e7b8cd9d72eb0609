/** WAV files built byte by byte for the decoder tests: every encoding, odd headers, broken files. */

export type Encoding = 'pcm8' | 'pcm16' | 'pcm24' | 'pcm32' | 'f32' | 'f64';

export interface WavSpec {
  readonly rate: number;
  readonly channels: number;
  readonly encoding: Encoding;
  readonly frames: number;
  /** Sample of channel `c` at frame `i`, in [-1, 1] (clipped for integer encodings). */
  readonly sample: (c: number, i: number) => number;
  /** WAVE_FORMAT_EXTENSIBLE header (subformat PCM or float). */
  readonly extensible?: boolean;
  /** The data chunk's size field (default: the bytes written). */
  readonly dataSize?: number;
  /** A chunk between `fmt ` and `data` (id, bytes). */
  readonly before?: readonly [string, Uint8Array];
  /** A chunk after `data` (id, bytes). */
  readonly after?: readonly [string, Uint8Array];
}

const WIDTH: Record<Encoding, number> = { pcm8: 1, pcm16: 2, pcm24: 3, pcm32: 4, f32: 4, f64: 8 };

function chunk(id: string, body: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.write(id, 0, 'latin1');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body, Buffer.alloc(body.length % 2)]);
}

/** A WAV file of `spec`. */
export function wavFile(spec: WavSpec): Buffer {
  const { rate, channels, encoding, frames, sample } = spec;
  const width = WIDTH[encoding];
  const float = encoding === 'f32' || encoding === 'f64';
  const fmt = Buffer.alloc(spec.extensible ? 40 : 16);
  fmt.writeUInt16LE(spec.extensible ? 0xfffe : float ? 3 : 1, 0);
  fmt.writeUInt16LE(channels, 2);
  fmt.writeUInt32LE(rate, 4);
  fmt.writeUInt32LE(rate * channels * width, 8);
  fmt.writeUInt16LE(channels * width, 12);
  fmt.writeUInt16LE(width * 8, 14);
  if (spec.extensible) {
    fmt.writeUInt16LE(22, 16);
    fmt.writeUInt16LE(width * 8, 18);
    fmt.writeUInt32LE(0, 20);
    // the subformat GUID: its first field is the format tag
    fmt.writeUInt32LE(float ? 3 : 1, 24);
    Buffer.from('000000001000800000aa00389b71', 'hex').copy(fmt, 28);
  }
  const data = Buffer.alloc(frames * channels * width);
  let p = 0;
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < channels; c++, p += width) {
      const v = sample(c, i);
      const clip = (s: number) => Math.max(-1, Math.min(1 - 1 / s, v));
      if (encoding === 'f32') data.writeFloatLE(v, p);
      else if (encoding === 'f64') data.writeDoubleLE(v, p);
      else if (encoding === 'pcm8') data.writeUInt8(Math.round(clip(128) * 128) + 128, p);
      else if (encoding === 'pcm16') data.writeInt16LE(Math.round(clip(32768) * 32768), p);
      else if (encoding === 'pcm24') data.writeIntLE(Math.round(clip(8388608) * 8388608), p, 3);
      else data.writeInt32LE(Math.round(clip(2147483648) * 2147483648), p);
    }
  }
  const parts = [chunk('fmt ', fmt)];
  if (spec.before) parts.push(chunk(spec.before[0], spec.before[1]));
  const dataChunk = chunk('data', data);
  if (spec.dataSize !== undefined) dataChunk.writeUInt32LE(spec.dataSize, 4);
  parts.push(dataChunk);
  if (spec.after) parts.push(chunk(spec.after[0], spec.after[1]));
  const body = Buffer.concat(parts);
  const riff = Buffer.alloc(12);
  riff.write('RIFF', 0, 'latin1');
  riff.writeUInt32LE(4 + body.length, 4);
  riff.write('WAVE', 8, 'latin1');
  return Buffer.concat([riff, body]);
}

/** Deterministic white noise in [-1, 1) (mulberry32). */
export function noise(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  };
}

/** Sum of sines with harmonics at `freqs` (Hz), peak about `gain`. */
export function chord(freqs: readonly number[], rate: number, gain = 0.5): (c: number, i: number) => number {
  return (c, i) => {
    const t = i / rate;
    let s = 0;
    for (const f of freqs) for (let h = 1; h <= 4; h++) s += Math.sin(2 * Math.PI * f * h * t + c) / h;
    return (gain * s) / (freqs.length * 2.1);
  };
}

/** Broken and unsupported files, each with what decodeWav says of it. */
export function badFiles(): [string, Uint8Array][] {
  const SR = 48000;
  const good = wavFile({ rate: SR, channels: 1, encoding: 'pcm16', frames: 100, sample: () => 0.5 });
  const withFmt = (edit: (fmt: Buffer) => void, frames = 100) => {
    const b = Buffer.from(wavFile({ rate: SR, channels: 1, encoding: 'pcm16', frames, sample: () => 0.5 }));
    edit(b.subarray(20, 36));
    return b;
  };
  const ext = (subformat: number) => {
    const b = Buffer.from(
      wavFile({ rate: SR, channels: 1, encoding: 'pcm16', extensible: true, frames: 10, sample: () => 0.5 }),
    );
    b.writeUInt32LE(subformat, 20 + 24);
    return b;
  };
  return [
    ['empty', new Uint8Array(0)],
    ['text', Buffer.from('hello, this is not audio at all')],
    ['RIFF but not WAVE', Buffer.concat([Buffer.from('RIFF\u0010\u0000\u0000\u0000AVI '), Buffer.alloc(40)])],
    ['RF64', Buffer.concat([Buffer.from('RF64'), good.subarray(4)])],
    [
      'no fmt chunk',
      Buffer.concat([
        Buffer.from('RIFF\u0014\u0000\u0000\u0000WAVEdata\u0004\u0000\u0000\u0000'),
        Buffer.alloc(4),
      ]),
    ],
    ['no data chunk', good.subarray(0, 36)],
    ['cut inside the fmt chunk', good.subarray(0, 27)],
    ['cut inside the data chunk header', good.subarray(0, 41)],
    ['an MP3 format tag', withFmt((f) => f.writeUInt16LE(0x55, 0))],
    ['A-law', withFmt((f) => f.writeUInt16LE(6, 0))],
    ['extensible ADPCM', ext(2)],
    ['12-bit PCM', withFmt((f) => f.writeUInt16LE(12, 14))],
    ['16-bit float', withFmt((f) => f.writeUInt16LE(3, 0))],
    ['no channels', withFmt((f) => f.writeUInt16LE(0, 2))],
    ['no rate', withFmt((f) => f.writeUInt32LE(0, 4))],
    [
      'a data size of 0',
      wavFile({ rate: SR, channels: 1, encoding: 'pcm16', frames: 100, sample: () => 0.5, dataSize: 0 }),
    ],
    ['one byte of a 2-byte frame', good.subarray(0, 45)],
    ['12-bit PCM with no samples', withFmt((f) => f.writeUInt16LE(12, 14), 0)],
  ];
}
