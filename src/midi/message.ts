import { invalid } from '../errors.js';

/**
 * A live channel message checked and packed as status | data1 << 8 | data2 << 16, or undefined
 * for a system message (ignored by the synthesizers). Throws BAD_VALUE for malformed bytes.
 * @example packMidi([0x90, 60, 100]) // 0x643c90
 */
export function packMidi(bytes: ArrayLike<number>): number | undefined {
  const s = bytes[0];
  if (s === undefined || !Number.isInteger(s) || s < 0x80 || s > 0xff) {
    throw invalid('BAD_VALUE', `midi: the first byte must be a status byte 128-255, got ${s}`, 'data');
  }
  if (s >= 0xf0) return;
  const need = s >> 4 === 0xc || s >> 4 === 0xd ? 1 : 2;
  for (let i = 1; i <= need; i++) {
    const d = bytes[i];
    if (d === undefined || !Number.isInteger(d) || d < 0 || d > 127) {
      throw invalid('BAD_VALUE', `midi: data byte ${i} must be 0-127, got ${d}`, 'data');
    }
  }
  return s | (bytes[1]! << 8) | ((need === 2 ? bytes[2]! : 0) << 16);
}
