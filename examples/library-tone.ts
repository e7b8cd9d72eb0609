// Using OmniSonic as a library: render a tone into memory, check its level, and stream a long
// mix to a WAV file in constant memory.
//
//   npx tsc -p tsconfig.json && node dist/examples/library-tone.js   (or run with any TS runner)
import { renderTone, toneScene, writeScene } from '../src/index.js';

const { channels, sampleRate } = renderTone({ freq: 440, duration: 1, wave: 'triangle' });
let peak = 0;
for (const v of channels[0]!) peak = Math.max(peak, Math.abs(v));
console.log(
  `rendered ${channels[0]!.length} samples at ${sampleRate} Hz, peak ${(20 * Math.log10(peak)).toFixed(2)} dBFS`,
);

// ten minutes of a binaural alpha beat, streamed to disk block by block
const scene = toneScene({ freq: 200, binaural: 10, duration: 600 });
const result = await writeScene(scene, { target: 'alpha-10min.wav' });
console.log(`wrote ${result.bytes} bytes (${result.frames} frames)`);
