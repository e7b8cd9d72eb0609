/**
 * True when the first bytes are a Standard MIDI File (`MThd`) or an RIFF MIDI file
 * (`RIFF....RMID`), whatever the file's name (`.mid`, `.kar`, `.rmi`, none).
 * @example isMidiContent(new TextEncoder().encode('MThd')) // true
 */
export function isMidiContent(head: Uint8Array): boolean {
  const s = String.fromCharCode(...head.subarray(0, 12));
  return s.startsWith('MThd') || (s.startsWith('RIFF') && s.slice(8, 12) === 'RMID');
}
