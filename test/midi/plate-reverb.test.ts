/**
 * OmniSonic's plate (src/midi/plate-reverb.ts) against spessasynth_core's reverb, which it takes
 * over: the same input (a noise burst, then silence) through both, for each of the GS reverb
 * characters that use the plate, gives the same tail.
 */
import { describe, expect, it } from 'vitest';
import { installPlate } from '../../src/midi/plate-reverb.js';
import { spessa } from '../../src/midi/soundfont.js';
import { rms } from '../helpers/signal.js';

const SR = 48000;
const BLOCK = 128;

interface Reverb {
  character: number;
  time: number;
  level: number;
  preDelayTime: number;
  process(input: Float32Array, l: Float32Array, r: Float32Array, at: number, n: number): void;
}

function engineReverb(): Reverb {
  const proc = new (spessa().SpessaSynthProcessor)(SR, { maxBufferSize: BLOCK });
  return (proc as unknown as { synthCore: { reverbProcessor: Reverb } }).synthCore.reverbProcessor;
}

/** 2 s of the reverb's answer to 50 ms of seeded noise, left and right. */
function tail(rev: Reverb, character: number): [Float64Array, Float64Array] {
  rev.character = character;
  rev.time = 90;
  rev.level = 100;
  rev.preDelayTime = 20;
  const frames = 2 * SR;
  const l = new Float64Array(frames);
  const r = new Float64Array(frames);
  const input = new Float32Array(BLOCK);
  const bl = new Float32Array(BLOCK + 7);
  const br = new Float32Array(BLOCK + 7);
  let seed = 12345;
  for (let start = 0; start < frames; start += BLOCK) {
    for (let i = 0; i < BLOCK; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      input[i] = start + i < 0.05 * SR ? seed / 2 ** 31 - 1 : 0;
    }
    bl.fill(0);
    br.fill(0);
    // written from an offset, as the engine does within its output
    rev.process(input, bl, br, 7, BLOCK);
    for (let i = 0; i < BLOCK; i++) {
      l[start + i] = bl[7 + i]!;
      r[start + i] = br[7 + i]!;
    }
  }
  return [l, r];
}

describe('plate reverb', () => {
  for (const character of [0, 1, 2, 3, 4, 5]) {
    it(`matches the engine's plate, character ${character}`, () => {
      const ours = engineReverb();
      installPlate(ours, SR);
      const [ol, or] = tail(ours, character);
      const [el, er] = tail(engineReverb(), character);
      // a real tail: sound half a second after the burst, in both channels, not the same in each
      expect(rms(el, SR / 2, 2 * SR)).toBeGreaterThan(1e-4);
      expect(rms(er, SR / 2, 2 * SR)).toBeGreaterThan(1e-4);
      let diff = 0;
      let peak = 0;
      let lr = 0;
      for (let i = 0; i < el.length; i++) {
        diff = Math.max(diff, Math.abs(ol[i]! - el[i]!), Math.abs(or[i]! - er[i]!));
        peak = Math.max(peak, Math.abs(el[i]!), Math.abs(er[i]!));
        lr = Math.max(lr, Math.abs(el[i]! - er[i]!));
      }
      expect(lr / peak).toBeGreaterThan(0.1);
      expect(diff / peak).toBeLessThan(1e-6);
      expect(Math.abs(rms(ol) / rms(el) - 1)).toBeLessThan(1e-6);
      expect(Math.abs(rms(or) / rms(er) - 1)).toBeLessThan(1e-6);
    });
  }

  it('leaves a reverb without the plate alone', () => {
    const capture = { process: () => {} };
    installPlate(capture, SR);
    expect(Object.keys(capture)).toEqual(['process']);
  });
});
