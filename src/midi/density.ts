import { OmniError } from '../errors.js';
import { MAX_BLOCK } from '../render/engine.js';
import type { MidiSong } from './smf.js';

/**
 * Most MIDI events a SoundFont render takes within one engine block ({@link MAX_BLOCK} frames):
 * they wait in the synthesizer's queue together (about 20 bytes each). Denser songs stop with
 * TOO_LARGE before anything is written.
 */
export const MAX_EVENTS_PER_BLOCK = 1_000_000;

/**
 * The most events of `song` within any `seconds` (two cursors over the song's stream: constant
 * memory, time proportional to the events).
 */
export function densestEvents(song: MidiSong, seconds: number): number {
  const lead = song.stream();
  const lag = song.stream();
  let lagOk = lag.next();
  let inWindow = 0;
  let most = 0;
  while (lead.next()) {
    inWindow++;
    while (lagOk && lag.time <= lead.time - seconds) {
      inWindow--;
      lagOk = lag.next();
    }
    if (inWindow > most) most = inWindow;
  }
  return most;
}

/** Throw TOO_LARGE when `song` is denser than {@link MAX_EVENTS_PER_BLOCK} at `sampleRate`. */
export function checkDensity(song: MidiSong, sampleRate: number, name: string): void {
  if (song.eventCount <= MAX_EVENTS_PER_BLOCK) return;
  const ms = (1000 * MAX_BLOCK) / sampleRate;
  const most = densestEvents(song, MAX_BLOCK / sampleRate);
  if (most > MAX_EVENTS_PER_BLOCK) {
    throw new OmniError(
      'TOO_LARGE',
      `${name}: ${most} MIDI events within ${ms.toFixed(1)} ms, more than the ${MAX_EVENTS_PER_BLOCK} the SoundFont synthesizer takes; render it with --synth builtin`,
    );
  }
}
