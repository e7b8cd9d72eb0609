import { fstatSync, readSync } from 'node:fs';
import { OmniError } from '../errors.js';
import { spessa } from './soundfont.js';

// spessasynth_core's SF2 parser copies the bytes of every sample out of the file
// (`IndexedByteArray.slice` in the SoundFontSample constructor: 141 MB for FluidR3_GM, about
// half a second and as many page faults) though a sample is decoded to Float32 only when a voice
// first plays it (`getAudioData`). Here the parser is given views of the file instead of copies
// while it runs, and each uncompressed sample decodes from its view: the same Float32 values
// (each 16-bit value / 32768), only for the samples a song plays. Read from an open file
// (loadSf2File), the sample data chunk is not even read: the buffer mirrors the file, and a
// sample's bytes are read into their place the first time it is decoded.

/** The parts of spessasynth_core's SF2 sample this loader reads or replaces. */
interface Sf2Sample {
  audioData?: Float32Array;
  s16leData?: Uint8Array;
  compressedData?: Uint8Array;
  startByteOffset: number;
  endByteOffset: number;
  readonly isCompressed: boolean;
  dataOverridden: boolean;
  getAudioData(): Float32Array;
}

type Slice = (this: Uint8Array, start?: number, end?: number) => Uint8Array;

/**
 * Parse an SF2/SF3 bank held in `ab` with spessasynth_core, its 16-bit sample bytes left in `ab`
 * (views, not copies) and decoded on first use, as spessasynth_core decodes them. `ab` must not
 * change afterwards.
 */
export function parseSf2WithViews(ab: ArrayBuffer, fill?: (view: Uint8Array) => void): unknown {
  const core = spessa();
  const proto = core.IndexedByteArray.prototype as unknown as { slice: Slice };
  const copy = proto.slice;
  // views of the file for the parse's duration only (restored even when the parse throws)
  proto.slice = function (this: Uint8Array, start?: number, end?: number) {
    return this.buffer === ab ? this.subarray(start, end) : copy.call(this, start, end);
  };
  let bank: { samples: Sf2Sample[] };
  try {
    bank = core.SoundBankLoader.fromArrayBuffer(ab) as unknown as { samples: Sf2Sample[] };
  } finally {
    proto.slice = copy;
  }
  for (const s of bank.samples) {
    // compressed (SF3) samples: the Vorbis decoder gets its own copy, as before
    if (s.compressedData && s.compressedData.buffer === ab) {
      fill?.(s.compressedData);
      s.compressedData = copy.call(s.compressedData);
    }
    const raw = s.s16leData;
    if (!raw || raw.buffer !== ab) continue;
    // a sample at an odd byte offset cannot be read as 16-bit values in place
    if (raw.byteOffset % 2 !== 0) {
      fill?.(raw);
      s.s16leData = copy.call(raw);
    } else if (fill) {
      s.getAudioData = function (this: Sf2Sample) {
        if (!this.audioData && this.s16leData === raw) fill(raw);
        return decodeView.call(this);
      };
    } else s.getAudioData = decodeView;
  }
  return bank;
}

/** SoundFontSample.getAudioData for 16-bit data that is a view of the file (same values). */
function decodeView(this: Sf2Sample): Float32Array {
  const raw = this.s16leData;
  if (this.audioData || this.isCompressed || !raw) {
    return Object.getPrototypeOf(this).getAudioData.call(this) as Float32Array;
  }
  const byteLength = this.endByteOffset - this.startByteOffset;
  if (byteLength < 1) return new Float32Array(1);
  const audio = new Float32Array(byteLength / 2);
  const s16 = new Int16Array(raw.buffer, raw.byteOffset, raw.byteLength >> 1);
  const n = s16.length;
  for (let i = 0; i < n; i++) audio[i] = s16[i]! / 32768;
  this.audioData = audio;
  return audio;
}

/**
 * Parse the SF2/SF3 bank of open file `fd` (`size` bytes) with its sample data chunk left unread:
 * each sample's bytes are read from `fd` (kept open) when it is first decoded, so a song reads
 * only the samples it plays. IO_ERROR when the file changed since.
 */
export function loadSf2File(fd: number, size: number, name: string): unknown {
  const ab = new ArrayBuffer(size);
  const bytes = new Uint8Array(ab);
  const smpl = smplData(fd, size);
  const at = fstatSync(fd);
  const read = (view: Uint8Array) => {
    let done = 0;
    while (done < view.byteLength) {
      const n = readSync(fd, view, done, view.byteLength - done, view.byteOffset + done);
      if (n === 0) break;
      done += n;
    }
  };
  if (!smpl) {
    read(bytes);
    return parseSf2WithViews(ab);
  }
  read(bytes.subarray(0, smpl[0]));
  read(bytes.subarray(smpl[1]));
  // each sample is filled once, before its first decode (overlapping samples read the same bytes)
  return parseSf2WithViews(ab, (view) => {
    const now = fstatSync(fd);
    if (now.size !== at.size || now.mtimeMs !== at.mtimeMs) {
      throw new OmniError('IO_ERROR', `SoundFont '${name}' changed on disk since it was loaded`);
    }
    read(view);
  });
}

/** Start and end (bytes) of the sample data of the `smpl` chunk of an SF2 file, if found. */
function smplData(fd: number, size: number): [number, number] | undefined {
  const head = new Uint8Array(12);
  const text = (from: number) => String.fromCharCode(...head.subarray(from, from + 4));
  const size32 = () => new DataView(head.buffer).getUint32(4, true);
  let pos = 12;
  while (pos + 12 <= size) {
    readSync(fd, head, 0, 12, pos);
    const end = pos + 8 + size32();
    if (text(0) === 'LIST' && text(8) === 'sdta') {
      for (let sub = pos + 12; sub + 8 <= Math.min(end, size); ) {
        readSync(fd, head, 0, 8, sub);
        const len = size32();
        if (text(0) === 'smpl') return [sub + 8, Math.min(sub + 8 + len, size)];
        sub += 8 + len + (len % 2);
      }
      return undefined;
    }
    pos = end + ((end - pos) % 2);
  }
  return undefined;
}
