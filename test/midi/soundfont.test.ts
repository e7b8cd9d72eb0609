/**
 * SoundFont synthesis with the default bank (FluidR3 Mono GM, optional dependency): distinct
 * General MIDI programs, pan (CC10), expression (CC11), reverb send (CC91), drums, zero-length
 * notes, MIDI Tuning Standard. Facts measured on the spectrum and the channels' energy.
 */
import { describe, expect, it } from 'vitest';
import { peakFrequency, spectrumDb } from '../helpers/signal.js';
import { note } from './helpers.js';
import {
  centroid,
  energy,
  harmonicProfile,
  haveDefaultBank,
  profileDistance,
  renderWith,
  SR,
} from './sf-helpers.js';

const have = haveDefaultBank();
const A4 = 440;

/** One channel playing A4 for 1.5 s on `program`, with optional controllers first. */
function solo(program: number, ccs: [number, number][] = [], ch = 0) {
  return {
    ticksPerQuarter: 480,
    tracks: [
      [
        ...ccs.map(([cc, v]) => ({ tick: 0, bytes: [0xb0 | ch, cc, v] })),
        { tick: 0, bytes: [0xc0 | ch, program] },
        ...note(ch, 69, 0, 1440, 100),
      ],
    ],
  };
}

describe.skipIf(!have)('SoundFont synthesis (default bank)', () => {
  it('gives piano, nylon guitar, flute and strings distinct spectra', async () => {
    const programs = { piano: 0, guitar: 24, flute: 73, strings: 48 };
    const profiles: Record<string, number[]> = {};
    const centroids: Record<string, number> = {};
    for (const [name, p] of Object.entries(programs)) {
      const [l] = await renderWith(solo(p));
      profiles[name] = harmonicProfile(l, A4, Math.round(0.3 * SR));
      centroids[name] = centroid(l, Math.round(0.3 * SR));
    }
    const names = Object.keys(programs);
    for (let i = 0; i < names.length; i++)
      for (let j = i + 1; j < names.length; j++) {
        const d = profileDistance(profiles[names[i]!]!, profiles[names[j]!]!);
        expect(d, `${names[i]} vs ${names[j]}`).toBeGreaterThan(6);
      }
  });

  it('pans by CC10: hard left and hard right', async () => {
    const [l0, r0] = await renderWith(
      solo(73, [
        [10, 0],
        [91, 0],
        [93, 0],
      ]),
    );
    const [l1, r1] = await renderWith(
      solo(73, [
        [10, 127],
        [91, 0],
        [93, 0],
      ]),
    );
    const [lc, rc] = await renderWith(
      solo(73, [
        [10, 64],
        [91, 0],
        [93, 0],
      ]),
    );
    const db = (a: number, b: number) => 10 * Math.log10(a / b);
    expect(db(energy(l0, 0, 1.5), energy(r0, 0, 1.5))).toBeGreaterThan(20);
    expect(db(energy(r1, 0, 1.5), energy(l1, 0, 1.5))).toBeGreaterThan(20);
    expect(Math.abs(db(energy(lc, 0, 1.5), energy(rc, 0, 1.5)))).toBeLessThan(1);
  });

  it('follows expression (CC11) and sends to reverb (CC91)', async () => {
    const [full] = await renderWith(
      solo(73, [
        [11, 127],
        [91, 0],
      ]),
    );
    const [soft] = await renderWith(
      solo(73, [
        [11, 40],
        [91, 0],
      ]),
    );
    const ratio = 10 * Math.log10(energy(full, 0.2, 1.4) / energy(soft, 0.2, 1.4));
    const [dry] = await renderWith(
      solo(73, [
        [91, 0],
        [93, 0],
      ]),
    );
    const [wet] = await renderWith(
      solo(73, [
        [91, 127],
        [93, 0],
      ]),
    );
    const tail = 10 * Math.log10(energy(wet, 1.9, 2.5) / energy(dry, 1.9, 2.5));
    expect(ratio).toBeGreaterThan(10);
    expect(tail).toBeGreaterThan(10);
  });

  it('plays the GM drum map on channel 10: kick low, hi-hat high', async () => {
    const drum = (key: number) => ({ tracks: [[...note(9, key, 0, 240, 120)]] });
    const [kick] = await renderWith(drum(36));
    const [hat] = await renderWith(drum(42));
    const ck = centroid(kick, 0, 8192);
    const ch = centroid(hat, 0, 8192);
    expect(ck).toBeLessThan(1000);
    expect(ch).toBeGreaterThan(4000);
  });

  it('sounds a zero-length note (note-on and note-off on the same tick)', async () => {
    const [l] = await renderWith({ tracks: [[{ tick: 0, bytes: [0xc0, 0] }, ...note(0, 69, 0, 0, 100)]] });
    expect(energy(l, 0, 0.5)).toBeGreaterThan(1);
    expect(peakFrequency(spectrumDb(l, 8192, 0), SR)).toBeCloseTo(A4, -1);
  });

  it('retunes by a MIDI Tuning Standard octave tuning sysex: A4 moves up 50 cents', async () => {
    // F0 7E 7F 08 08 ff gg hh ss*12 F7: scale/octave tuning, 1-byte form, all 16 channels, +50 cents
    const mts = [0x7e, 0x7f, 0x08, 0x08, 0x03, 0x7f, 0x7f, ...Array(12).fill(64 + 50), 0xf7];
    const [plain] = await renderWith(solo(73, [[91, 0]]));
    const [tuned] = await renderWith({
      tracks: [[{ tick: 0, sysex: mts }, ...solo(73, [[91, 0]]).tracks[0]!]],
    });
    const f0 = peakFrequency(spectrumDb(plain, 32768, Math.round(0.3 * SR)), SR);
    const f1 = peakFrequency(spectrumDb(tuned, 32768, Math.round(0.3 * SR)), SR);
    expect(Math.abs(1200 * Math.log2(f0 / A4))).toBeLessThan(5);
    expect(Math.abs(1200 * Math.log2(f1 / A4) - 50)).toBeLessThan(5);
  });
});
