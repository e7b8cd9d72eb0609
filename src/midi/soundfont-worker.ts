import { workerData } from 'node:worker_threads';
import { loadBank } from './bank.js';
import { MidiSequencer } from './scene.js';
import { parseMidi } from './smf.js';
import { type EffectProcessors, SoundFontSynth, soundFontReady } from './soundfont.js';
import { CTRL, SPLIT_CHUNK, SPLIT_SIGNALS, SPLIT_SLOTS, type SplitWorkerData } from './soundfont-split.js';

// A worker thread of a split SoundFont render (soundfont-split.ts): it plays the notes of its
// channels, every other message of the song, and hands the main thread chunks of its dry output
// and of its reverb, chorus and delay sends through shared memory.
const d = workerData as SplitWorkerData;
const ctrl = new Int32Array(d.ctrl);
const data = new Float32Array(d.data);
const sends = [0, 1, 2].map(() => new Float32Array(SPLIT_CHUNK));

/** An effect processor that keeps its input (a send bus) instead of processing it. */
function capture(bus: Float32Array, startArg: number) {
  return {
    level: 0,
    preLowpass: 0,
    process(...args: unknown[]) {
      const input = args[0] as Float32Array;
      bus.set(input.subarray(0, args[startArg + 1] as number), args[startArg] as number);
    },
    getSnapshot() {
      return { level: this.level, preLowpass: this.preLowpass };
    },
  };
}

async function run(): Promise<void> {
  const bank = loadBank(d.bankPath);
  const song = parseMidi(new Uint8Array(d.smf), d.name);
  const effects = {
    reverbProcessor: capture(sends[0]!, 3),
    chorusProcessor: capture(sends[1]!, 5),
    delayProcessor: capture(sends[2]!, 4),
  } as unknown as EffectProcessors;
  const synth = new SoundFontSynth(d.sampleRate, bank, { noteChannels: d.noteChannels, effects });
  await Promise.all([synth.ready, soundFontReady()]);
  const seq = new MidiSequencer(song.stream(), synth, d.sampleRate);
  for (let chunk = 0; ; chunk++) {
    for (;;) {
      if (Atomics.load(ctrl, CTRL.stop)) return;
      const consumed = Atomics.load(ctrl, CTRL.consumed);
      if (chunk - consumed < SPLIT_SLOTS) break;
      Atomics.wait(ctrl, CTRL.consumed, consumed, 1000);
    }
    const start = chunk * SPLIT_CHUNK;
    for (const s of sends) s.fill(0);
    seq.feed(start + SPLIT_CHUNK);
    synth.renderRaw(start, SPLIT_CHUNK);
    const base = (chunk % SPLIT_SLOTS) * SPLIT_SIGNALS * SPLIT_CHUNK;
    data.set(synth.L.subarray(0, SPLIT_CHUNK), base);
    data.set(synth.R.subarray(0, SPLIT_CHUNK), base + SPLIT_CHUNK);
    for (let s = 0; s < 3; s++) data.set(sends[s]!, base + (2 + s) * SPLIT_CHUNK);
    Atomics.store(ctrl, CTRL.produced, chunk + 1);
    Atomics.notify(ctrl, CTRL.produced);
  }
}

run().catch((e) => {
  Atomics.store(ctrl, CTRL.failed, 1);
  Atomics.notify(ctrl, CTRL.produced);
  throw e;
});
