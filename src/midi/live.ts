import { OmniError } from '../errors.js';
import type { Engine } from '../render/engine.js';
import type { Scene } from '../render/scene.js';
import { listMidiPorts, openMidiInput } from './input.js';
import { loadVoiceMap } from './render.js';
import { PolySynth } from './synth.js';

/**
 * The scene of live MIDI playing: endless, stereo, no layers of its own (the synth is attached).
 * @example const engine = new Engine(liveMidiScene(48000));
 */
export function liveMidiScene(sampleRate: number): Scene {
  return {
    sampleRate,
    duration: Number.POSITIVE_INFINITY,
    layers: [],
    channels: 2,
    master: { fadeIn: 0, fadeOut: 0.01 },
  };
}

/**
 * `omnisonic play --midi-in <port>`: attach a {@link PolySynth} to `engine` and feed it from a
 * MIDI input port; each message sounds from the next rendered block. Returns the port's name and
 * a `close`. Throws MIDI_UNAVAILABLE / BAD_VALUE before anything sounds.
 * @example
 * const engine = new Engine(liveMidiScene(48000));
 * const midi = await startMidiInput(engine, 'KeyStep', { voices: 'my-voices.json' });
 */
export async function startMidiInput(
  engine: Engine,
  port: string | number,
  opts: { voices?: string; a4?: number } = {},
): Promise<{ name: string; synth: PolySynth; close(): void }> {
  const voiceMap = opts.voices !== undefined ? await loadVoiceMap(opts.voices) : {};
  const synth = new PolySynth(engine.sampleRate, { voiceMap, a4: opts.a4 ?? 440 });
  const handle = await openMidiInput(port, (bytes) => {
    try {
      synth.handleMidi(bytes);
    } catch {
      // a malformed message from a device is dropped, never fatal
    }
  });
  engine.attach(synth);
  return { name: handle.name, synth, close: () => handle.close() };
}

/** `omnisonic play --list-midi`: the input ports, one a line on stdout (`<index>: <name>`). */
export async function printMidiPorts(): Promise<void> {
  const ports = await listMidiPorts();
  if (ports.length === 0) {
    throw new OmniError('MIDI_UNAVAILABLE', 'no MIDI input port found', {
      hint: 'connect a MIDI device, or create a virtual port (modprobe snd-virmidi)',
    });
  }
  for (const [i, name] of ports.entries()) process.stdout.write(`${i}: ${name}\n`);
}
