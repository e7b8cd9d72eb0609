import { type MidiLayer, SineVoices } from './midi-voice.js';

/**
 * The maker of a session's MIDI layer: the MIDI synthesizer of `src/midi/` when it loads, else
 * the small {@link SineVoices}. Each thread that renders sessions calls this once.
 */
export async function midiLayerMaker(): Promise<(sampleRate: number) => MidiLayer> {
  try {
    const mod = (await import('../../midi/synth.js')) as {
      PolySynth?: new (sr: number, o: { id?: string }) => MidiLayer;
    };
    const PolySynth = mod.PolySynth;
    if (PolySynth) return (sr) => new PolySynth(sr, { id: 'midi' });
  } catch {
    // the full synth is optional: the small sine voice plays notes meanwhile
  }
  return (sr) => new SineVoices(sr);
}
