/**
 * OmniSonic's voice renderer (src/midi/soundfont-voice.ts) against spessasynth_core's own, on
 * the same notes with the same bank: the same samples to rounding, so the same spectral peaks
 * and RMS. Covers looped and one-shot samples, the lowpass (with a moving cutoff), pan,
 * pitch bend, vibrato (mod wheel), portamento, reverb and chorus sends and drums.
 */
import { describe, expect, it } from 'vitest';
import { defaultBankPath, loadBank } from '../../src/midi/bank.js';
import { MidiSequencer } from '../../src/midi/scene.js';
import { parseMidi } from '../../src/midi/smf.js';
import { SoundFontSynth, soundFontReady } from '../../src/midi/soundfont.js';
import { readHermite, voiceStats } from '../../src/midi/soundfont-voice.js';
import { type MidiFileSpec, writeMidi } from '../../src/midi/write.js';
import { peakFrequency, spectrumDb } from '../helpers/signal.js';
import { note } from './helpers.js';
import { haveDefaultBank } from './sf-helpers.js';

const have = haveDefaultBank();
const SR = 48000;
const BLOCK = 1024;

/** Render `spec` raw (before gain and limiter) with OmniSonic's or the engine's voices. */
async function raw(
  spec: MidiFileSpec,
  engineVoices: boolean,
  keepInaudibleVoices = true,
): Promise<[Float64Array, Float64Array]> {
  const song = parseMidi(writeMidi(spec));
  const synth = new SoundFontSynth(SR, loadBank(defaultBankPath()!), { engineVoices, keepInaudibleVoices });
  await Promise.all([synth.ready, soundFontReady()]);
  const seq = new MidiSequencer(song.stream(), synth, SR);
  const total = Math.ceil(((song.duration + 1.5) * SR) / BLOCK) * BLOCK;
  const l = new Float64Array(total);
  const r = new Float64Array(total);
  for (let start = 0; start < total; start += BLOCK) {
    seq.feed(start + BLOCK);
    synth.renderRaw(start, BLOCK);
    for (let i = 0; i < BLOCK; i++) {
      l[start + i] = synth.L[i]!;
      r[start + i] = synth.R[i]!;
    }
  }
  return [l, r];
}

function rms(x: Float64Array): number {
  let s = 0;
  for (const v of x) s += v * v;
  return Math.sqrt(s / x.length);
}

function maxAbs(x: Float64Array): number {
  let m = 0;
  for (const v of x) m = Math.max(m, Math.abs(v));
  return m;
}

function maxDiff(a: Float64Array, b: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Strongest spectral peaks (bin indices) of 16384 samples from `at`. */
function peaks(x: Float64Array, at: number, count = 5): number[] {
  const db = spectrumDb(x, 16384, at);
  const local: [number, number][] = [];
  for (let k = 2; k < db.length - 2; k++)
    if (db[k]! > db[k - 1]! && db[k]! >= db[k + 1]!) local.push([k, db[k]!]);
  return local
    .sort((p, q) => q[1] - p[1])
    .slice(0, count)
    .map(([k]) => k)
    .sort((p, q) => p - q);
}

/**
 * OmniSonic's render of `spec` (voices and reverb; released voices kept as long as the engine
 * keeps them) against the engine's own: samples within 1e-5 of the peak (the filter's sum runs
 * in another order and products are not rounded to Float32), equal RMS, spectral peaks and pitch.
 */
async function expectSame(spec: MidiFileSpec, at = 0.3): Promise<void> {
  const before = voiceStats.fast;
  const [fl, fr] = await raw(spec, false);
  expect(voiceStats.fast).toBeGreaterThan(before);
  const [el, er] = await raw(spec, true);
  compare(fl, fr, el, er, at);
}

function compare(fl: Float64Array, fr: Float64Array, el: Float64Array, er: Float64Array, at: number): void {
  const peak = Math.max(maxAbs(el), maxAbs(er));
  expect(peak).toBeGreaterThan(1e-3);
  expect(maxDiff(fl, el) / peak).toBeLessThan(1e-5);
  expect(maxDiff(fr, er) / peak).toBeLessThan(1e-5);
  expect(Math.abs(rms(fl) / rms(el) - 1)).toBeLessThan(1e-4);
  expect(Math.abs(rms(fr) / rms(er) - 1)).toBeLessThan(1e-4);
  const from = Math.round(at * SR);
  expect(peaks(fl, from)).toEqual(peaks(el, from));
  expect(peakFrequency(spectrumDb(fr, 16384, from), SR)).toBeCloseTo(
    peakFrequency(spectrumDb(er, 16384, from), SR),
    6,
  );
}

describe.skipIf(!have)('fast SoundFont voices against the engine', () => {
  it('reads a sample like the engine: Hermite between points 1 and 2, loops wrapped, at any step', () => {
    const data = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i * 0.7) + 0.1 * i);
    // a step under one, exactly one and over two samples: runs between wraps and the wraps
    for (const [step, looping] of [0.37, 1, 2.71].flatMap((st) => [
      [st, true] as const,
      [st, false] as const,
    ])) {
      const osc = {
        isLooping: looping,
        sampleData: data,
        playbackStep: 1,
        loopStart: 20,
        loopEnd: 40,
        loopLength: 20,
        end: 64,
        cursor: 3.2,
      };
      const out = new Float64Array(256);
      const alive = readHermite(osc, step, out, 256);
      // naive reference: the cubic through 4 points, indices wrapped into the loop
      let c = 3.2;
      for (let i = 0; i < 256; i++) {
        if (looping) while (c >= 40) c -= 20;
        const k = Math.floor(c);
        const idx = [k, k + 1, k + 2, k + 3].map((j) => (looping ? (j >= 40 ? j - 20 : j) : j));
        if (!looping && idx[3]! >= 64) {
          expect(alive).toBe(false);
          expect(out[i]).toBe(0);
          break;
        }
        const [p0, p1, p2, p3] = idx.map((j) => data[j]!) as [number, number, number, number];
        const t = c - k;
        const want =
          p1 + 0.5 * t * (p2 - p0 + t * (2 * p0 - 5 * p1 + 4 * p2 - p3 + t * (3 * (p1 - p2) + p3 - p0)));
        expect(out[i]).toBeCloseTo(want, 5);
        c += step;
      }
    }
  });

  it('plays sustained, looped notes with pan, sends and chorus the same way', async () => {
    await expectSame({
      ticksPerQuarter: 480,
      tracks: [
        [
          { tick: 0, bytes: [0xc0, 48] },
          { tick: 0, bytes: [0xb0, 10, 20] },
          { tick: 0, bytes: [0xb0, 91, 80] },
          { tick: 0, bytes: [0xb0, 93, 60] },
          { tick: 0, bytes: [0xc1, 19] },
          { tick: 0, bytes: [0xb1, 10, 110] },
          ...note(0, 60, 0, 1920, 90),
          ...note(0, 64, 0, 1920, 90),
          ...note(1, 45, 0, 1920, 100),
        ],
      ],
    });
  });

  it('plays one-shot samples, drums and a piano (filter by velocity) the same way', async () => {
    await expectSame({
      ticksPerQuarter: 480,
      tracks: [
        [
          { tick: 0, bytes: [0xc0, 0] },
          ...note(0, 69, 0, 960, 30),
          ...note(0, 76, 240, 960, 127),
          ...note(9, 36, 0, 120, 110),
          ...note(9, 38, 480, 600, 100),
          ...note(9, 42, 0, 60, 90),
          ...note(9, 46, 240, 300, 90),
        ],
      ],
    });
  });

  it('follows pitch bend, the mod wheel (vibrato), a moving filter and portamento', async () => {
    await expectSame({
      ticksPerQuarter: 480,
      tracks: [
        [
          { tick: 0, bytes: [0xc0, 81] },
          { tick: 0, bytes: [0xb0, 1, 100] },
          { tick: 0, bytes: [0xb0, 74, 20] },
          { tick: 0, bytes: [0xb0, 71, 100] },
          ...note(0, 57, 0, 1920, 100),
          { tick: 480, bytes: [0xe0, 0, 96] },
          { tick: 720, bytes: [0xb0, 74, 110] },
          { tick: 960, bytes: [0xe0, 0, 32] },
          { tick: 0, bytes: [0xc1, 73] },
          { tick: 0, bytes: [0xb1, 65, 127] },
          { tick: 0, bytes: [0xb1, 5, 40] },
          ...note(1, 72, 0, 480, 100),
          ...note(1, 79, 480, 1440, 100),
        ],
      ],
    });
  });

  it('ends released voices once inaudible: changes under -90 dBFS, fewer voice blocks', async () => {
    // soft, short notes of strings and piano, with long releases, and one loud note
    const spec: MidiFileSpec = {
      ticksPerQuarter: 480,
      tracks: [
        [
          { tick: 0, bytes: [0xc0, 48] },
          { tick: 0, bytes: [0xb0, 7, 40] },
          { tick: 0, bytes: [0xc1, 0] },
          ...Array.from({ length: 12 }, (_, i) => note(0, 55 + i, i * 120, i * 120 + 60, 20)).flat(),
          ...Array.from({ length: 12 }, (_, i) => note(1, 60 + i, i * 120, i * 120 + 60, 25)).flat(),
          ...note(1, 48, 0, 480, 127),
        ],
      ],
    };
    const before = { ...voiceStats };
    const [kl, kr] = await raw(spec, false, true);
    const kept = voiceStats.fast - before.fast;
    const mid = { ...voiceStats };
    const [fl, fr] = await raw(spec, false, false);
    expect(voiceStats.ended).toBeGreaterThan(mid.ended);
    expect(voiceStats.fast - mid.fast).toBeLessThan(kept * 0.95);
    const peak = Math.max(maxAbs(kl), maxAbs(kr));
    expect(peak).toBeGreaterThan(1e-3);
    const diff = Math.max(maxDiff(fl, kl), maxDiff(fr, kr));
    // the output is twice the engine's raw level: under -90 dBFS, less than a 16-bit step
    expect(20 * Math.log10(2 * diff)).toBeLessThan(-90);
    expect(Math.abs(rms(fl) / rms(kl) - 1)).toBeLessThan(1e-4);
  });
});
