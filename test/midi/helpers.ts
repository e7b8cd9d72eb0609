import { type MidiSceneOptions, midiScene } from '../../src/midi/render.js';
import { parseMidi } from '../../src/midi/smf.js';
import { type MidiFileSpec, writeMidi } from '../../src/midi/write.js';
import { Engine } from '../../src/render/engine.js';

export const SR = 48000;

/** Write a song with {@link writeMidi}, parse it back, and render it with the built-in voices. */
export function renderSong(
  spec: MidiFileSpec,
  o: MidiSceneOptions = {},
  block = 4096,
): { out: Float64Array[]; engine: Engine } {
  const song = parseMidi(writeMidi(spec));
  const { scene, layer } = midiScene(song, { sampleRate: SR, ...o });
  const engine = new Engine(scene);
  engine.attach(layer);
  const total = engine.totalFrames;
  const out = Array.from({ length: engine.channels }, () => new Float64Array(total));
  const tmp = Array.from({ length: engine.channels }, () => new Float64Array(block));
  let pos = 0;
  for (let n = engine.render(tmp, block); n > 0; n = engine.render(tmp, block)) {
    for (let c = 0; c < engine.channels; c++) out[c]!.set(tmp[c]!.subarray(0, n), pos);
    pos += n;
  }
  return { out, engine };
}

/** Note on and note off events on `ch` (0-based) at ticks. */
export function note(ch: number, key: number, on: number, off: number, vel = 100) {
  return [
    { tick: on, bytes: [0x90 | ch, key, vel] },
    { tick: off, bytes: [0x80 | ch, key, 0] },
  ];
}

/** Onsets: first frames where |x| rises above `threshold` after at least `gap` frames below it. */
export function onsets(x: Float64Array, threshold = 1e-4, gap = 2400): number[] {
  const found: number[] = [];
  let quiet = gap;
  for (let i = 0; i < x.length; i++) {
    if (Math.abs(x[i]!) > threshold) {
      if (quiet >= gap) found.push(i);
      quiet = 0;
    } else quiet++;
  }
  return found;
}
