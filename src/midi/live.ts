import { invalid, OmniError } from '../errors.js';
import type { Engine } from '../render/engine.js';
import type { Scene } from '../render/scene.js';
import { chooseSynth, loadBank } from './bank.js';
import { listMidiPorts, openMidiInput } from './input.js';
import { loadVoiceMap } from './render.js';
import type { MidiSink } from './scene.js';
import { SoundFontSynth, soundFontReady } from './soundfont.js';
import { PolySynth } from './synth.js';

/** Seconds a live input read from a pipe keeps sounding after the pipe ends (releases, reverb). */
export const LIVE_END_TAIL_SEC = 2;

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

/** Options of {@link startMidiInput}. */
export interface LiveMidiOptions {
  /** Voice map of the built-in synthesizer (implies `synth: 'builtin'`). */
  voices?: string;
  /** `builtin`, `soundfont` or undefined (a bank when one is found, else built-in). */
  synth?: string;
  /** A bank file; default `OMNISONIC_SOUNDFONT`, then the default bank. */
  soundfont?: string;
  a4?: number;
}

/** A live MIDI input playing into an engine. */
export interface LiveMidi {
  /** The port's name (`stdin` for `-`). */
  name: string;
  synth: MidiSink & { handleMidi(bytes: ArrayLike<number>): void };
  /** The bank played, or undefined for the built-in synthesizer. */
  bank: string | undefined;
  /** Why the built-in synthesizer plays when no bank was asked for but none was found. */
  fallback: string | undefined;
  close(): void;
}

/**
 * `omnisonic play --midi-in <port>`: attach a synthesizer to `engine` (the SoundFont bank of
 * `--soundfont`, `OMNISONIC_SOUNDFONT` or the default bank; the built-in voices with
 * `--synth builtin`, `--voices`, or when no bank is installed) and feed it from a MIDI input
 * port, or from raw MIDI bytes on stdin with port `-` (the end of stdin releases every note and
 * stops the engine {@link LIVE_END_TAIL_SEC} later). Each message sounds from the next rendered
 * block. Throws MIDI_UNAVAILABLE / BAD_VALUE / BAD_SOUNDFONT before anything sounds.
 * @example
 * const engine = new Engine(liveMidiScene(48000));
 * const midi = await startMidiInput(engine, 'KeyStep', { soundfont: 'my.sf2' });
 */
export async function startMidiInput(
  engine: Engine,
  port: string | number,
  opts: LiveMidiOptions = {},
): Promise<LiveMidi> {
  if (opts.voices !== undefined && (opts.soundfont !== undefined || (opts.synth ?? 'builtin') !== 'builtin'))
    throw invalid(
      'BAD_USAGE',
      '--voices maps the built-in voices: it does not go with a SoundFont',
      'voices',
    );
  const choice = chooseSynth(opts.voices !== undefined ? 'builtin' : opts.synth, opts.soundfont);
  let synth: LiveMidi['synth'];
  if (choice.kind === 'soundfont') {
    const sf = new SoundFontSynth(engine.sampleRate, loadBank(choice.path));
    await Promise.all([sf.ready, soundFontReady()]);
    synth = sf;
  } else {
    const voiceMap = opts.voices !== undefined ? await loadVoiceMap(opts.voices) : {};
    synth = new PolySynth(engine.sampleRate, { voiceMap, a4: opts.a4 ?? 440 });
  }
  const handle = await openMidiInput(
    port,
    (bytes) => {
      try {
        synth.handleMidi(bytes);
      } catch {
        // a malformed message from a device is dropped, never fatal
      }
    },
    () => {
      synth.releaseAt(engine.frame);
      engine.stop(LIVE_END_TAIL_SEC);
    },
  );
  engine.attach(synth);
  return {
    name: handle.name,
    synth,
    bank: choice.kind === 'soundfont' ? choice.path : undefined,
    fallback: choice.kind === 'builtin' ? choice.reason : undefined,
    close: () => handle.close(),
  };
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
