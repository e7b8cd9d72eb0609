import { bytesPerSample, type SampleFormat } from '../dsp/quantize.js';

/** Size written in the RIFF and data fields of a WAV whose length is unknown (endless stream). */
export const UNKNOWN_SIZE = 0xffffffff;
/** Largest data chunk a WAV file can describe. */
export const MAX_WAV_DATA = 0xffffffff - 36;

const KSDATAFORMAT_PCM = '0100000000001000800000aa00389b71';
const KSDATAFORMAT_FLOAT = '0300000000001000800000aa00389b71';

export interface WavHeaderOptions {
  sampleRate: number;
  channels: number;
  format: SampleFormat;
  /** Bytes of sample data, or null when endless (sizes are then 0xFFFFFFFF). */
  dataBytes: number | null;
}

/**
 * The header of a WAV file: a plain PCM / IEEE-float `fmt ` chunk for 1 or 2 channels, a
 * WAVE_FORMAT_EXTENSIBLE one for more, followed by the `data` chunk header. An odd `dataBytes`
 * is counted with its pad byte in the RIFF size: write {@link wavPadding} after the samples.
 * @example wavHeader({ sampleRate: 48000, channels: 1, format: 's16', dataBytes: 96000 }).length // 44
 */
export function wavHeader(opts: WavHeaderOptions): Buffer {
  const { sampleRate, channels, format } = opts;
  const extensible = channels > 2;
  const fmtSize = extensible ? 40 : 16;
  const headerBytes = 12 + 8 + fmtSize + 8;
  const bps = bytesPerSample(format);
  const buf = Buffer.alloc(headerBytes);
  const data = opts.dataBytes;
  const riffSize = data === null ? UNKNOWN_SIZE : Math.min(UNKNOWN_SIZE, headerBytes - 8 + data + (data % 2));
  buf.write('RIFF', 0, 'latin1');
  buf.writeUInt32LE(riffSize, 4);
  buf.write('WAVE', 8, 'latin1');
  buf.write('fmt ', 12, 'latin1');
  buf.writeUInt32LE(fmtSize, 16);
  const tag = extensible ? 0xfffe : format === 'f32' ? 3 : 1;
  buf.writeUInt16LE(tag, 20);
  buf.writeUInt16LE(channels, 22);
  buf.writeUInt32LE(sampleRate, 24);
  buf.writeUInt32LE(sampleRate * channels * bps, 28);
  buf.writeUInt16LE(channels * bps, 32);
  buf.writeUInt16LE(bps * 8, 34);
  let p = 36;
  if (extensible) {
    buf.writeUInt16LE(22, 36);
    buf.writeUInt16LE(bps * 8, 38);
    buf.writeUInt32LE(channelMask(channels), 40);
    Buffer.from(format === 'f32' ? KSDATAFORMAT_FLOAT : KSDATAFORMAT_PCM, 'hex').copy(buf, 44);
    p = 60;
  }
  buf.write('data', p, 'latin1');
  buf.writeUInt32LE(data === null ? UNKNOWN_SIZE : Math.min(UNKNOWN_SIZE, data), p + 4);
  return buf;
}

/**
 * What follows `dataBytes` bytes of samples in a WAV: one zero byte when the count is odd (RIFF
 * chunks are word-aligned, and {@link wavHeader} counts that byte in the RIFF size), else nothing.
 * Every writer of a WAV of known length writes it after the samples.
 * @example wavPadding(144003).length // 1
 */
export function wavPadding(dataBytes: number): Uint8Array {
  return new Uint8Array(dataBytes % 2);
}

function channelMask(channels: number): number {
  const masks = [0, 0x4, 0x3, 0x7, 0x33, 0x37, 0x3f, 0x13f, 0x63f];
  return masks[channels] ?? 0;
}
