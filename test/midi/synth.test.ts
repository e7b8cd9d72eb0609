import { describe, expect, it } from 'vitest';
import { PolySynth } from '../../src/midi/synth.js';
import { tempoEvent, type WriteEvent } from '../../src/midi/write.js';
import { Engine } from '../../src/render/engine.js';
import { MIX_CEILING } from '../../src/render/scene.js';
import { midiToHz } from '../../src/render/values.js';
import { peak, peakFrequency, rms, spectrumDb } from '../helpers/signal.js';
import { note, onsets, renderSong, SR } from './helpers.js';

const SINE = { channels: { '1': { wave: 'sine' as const, gain2: 0, cutoff: 0, sustain: 1, release: 0.05 } } };
const at = (sec: number) => Math.round(sec * SR);
const slice = (x: Float64Array, from: number, to: number) => x.subarray(at(from), at(to));

/** Largest magnitude in dB of the spectrum within ±`hz` of `f`, relative to the spectrum's peak. */
function levelNear(db: Float64Array, f: number, n: number, hz = 6): number {
  const bin = SR / n;
  let best = -Infinity;
  for (let k = Math.floor((f - hz) / bin); k <= Math.ceil((f + hz) / bin); k++) best = Math.max(best, db[k]!);
  return best;
}

describe('MIDI render: zero-length notes', () => {
  it('sounds a note whose note-off is on the same tick as its note-on, at its pitch', () => {
    const { out } = renderSong(
      { tracks: [[{ tick: 0, bytes: [0xc0, 73] }, ...note(0, 69, 0, 0, 100)]] },
      { voiceMap: SINE },
    );
    const x = out[0]!;
    expect(rms(x, 0, at(0.05))).toBeGreaterThan(0.02);
    expect(peakFrequency(spectrumDb(x, 2048, 0), SR)).toBeCloseTo(440, -1);
  });
});

describe('MIDI render: timing', () => {
  it('starts every note within 1 ms of its time, through tempo changes', () => {
    // 480 ticks a quarter; 120 BPM, then 90 BPM from tick 1920, then 200 BPM from tick 3840
    const tempo = [tempoEvent(0, 120), tempoEvent(1920, 90), tempoEvent(3840, 200)];
    const ticks = [0, 960, 1900, 2880, 3840, 4800, 5400];
    const notes = ticks.flatMap((t, i) => note(0, 60 + i, t, t + 240));
    const expected = ticks.map((t) => {
      if (t <= 1920) return t / 960;
      if (t <= 3840) return 2 + ((t - 1920) / 480) * (60 / 90);
      return 2 + 4 * (60 / 90) + ((t - 3840) / 480) * (60 / 200);
    });
    const { out } = renderSong({ format: 1, tracks: [tempo, notes] }, { voiceMap: SINE });
    const found = onsets(out[0]!, 1e-4, 1200).map((f) => f / SR);
    expect(found).toHaveLength(expected.length);
    for (let i = 0; i < expected.length; i++) expect(Math.abs(found[i]! - expected[i]!)).toBeLessThan(0.001);
  });

  it('renders the same samples whatever the block size (sample-accurate events)', () => {
    const song = {
      tracks: [
        [
          ...note(0, 60, 0, 200),
          ...note(0, 67, 101, 333),
          ...note(9, 38, 250, 260),
          { tick: 150, bytes: [0xe0, 0, 80] },
        ],
      ],
    };
    const a = renderSong(song, {}, 4096).out[0]!;
    const b = renderSong(song, {}, 67).out[0]!;
    expect(b.length).toBe(a.length);
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    expect(diff).toBeLessThan(1e-12);
  });

  it('lasts the song plus the release tail, then ends', () => {
    const { out } = renderSong({ tracks: [note(0, 60, 0, 960)] }, { voiceMap: SINE });
    const secs = out[0]!.length / SR;
    expect(secs).toBeGreaterThan(1.05);
    expect(secs).toBeLessThan(1.2);
    expect(peak(slice(out[0]!, 1.06, secs))).toBeLessThan(1e-6);
  });
});

describe('MIDI render: pitch', () => {
  it('plays each note at its equal-tempered frequency', () => {
    const keys = [36, 48, 57, 69, 76, 88, 100];
    const notes = keys.flatMap((k, i) => note(0, k, i * 480, i * 480 + 400));
    const { out } = renderSong({ tracks: [notes] });
    keys.forEach((k, i) => {
      const db = spectrumDb(out[0]!, 16384, at(i * 0.5 + 0.02));
      const f = peakFrequency(db, SR);
      expect(Math.abs(1200 * Math.log2(f / midiToHz(k)))).toBeLessThan(3); // cents
    });
  });

  it('plays all the notes of a chord', () => {
    const chord = [60, 64, 67, 72];
    const { out } = renderSong({ tracks: [chord.flatMap((k) => note(0, k, 0, 960))] }, { voiceMap: SINE });
    const n = 32768;
    const db = spectrumDb(out[0]!, n, at(0.1));
    for (const k of chord) expect(levelNear(db, midiToHz(k), n)).toBeGreaterThan(-3);
    for (const k of [62, 65, 69]) expect(levelNear(db, midiToHz(k), n)).toBeLessThan(-100);
  });

  it('bends the pitch by ±2 semitones, or by the range set with RPN 0', () => {
    const events: WriteEvent[] = [
      ...note(0, 69, 0, 1920),
      { tick: 480, bytes: [0xe0, 0x7f, 0x7f] }, // full up: +2 semitones
      { tick: 960, bytes: [0xb0, 101, 0] },
      { tick: 960, bytes: [0xb0, 100, 0] },
      { tick: 960, bytes: [0xb0, 6, 12] }, // range 12 semitones
      { tick: 960, bytes: [0xe0, 0, 0x20] }, // -0.5 of the range: -6 semitones
    ];
    const { out } = renderSong({ tracks: [events] }, { voiceMap: SINE });
    const f = (t: number) => peakFrequency(spectrumDb(out[0]!, 16384, at(t)), SR);
    expect(f(0.1)).toBeCloseTo(440, 0);
    expect(f(0.55)).toBeCloseTo(440 * 2 ** ((2 * 8191) / 8192 / 12), 0);
    expect(f(1.1)).toBeCloseTo(440 * 2 ** (-6 / 12), 0);
  });
});

describe('MIDI render: controllers', () => {
  it('keeps notes sounding while the sustain pedal is down', () => {
    const plain = renderSong({ tracks: [note(0, 69, 0, 240)] }, { voiceMap: SINE, duration: 2 }).out[0]!;
    const pedal = renderSong(
      {
        tracks: [
          [{ tick: 0, bytes: [0xb0, 64, 127] }, ...note(0, 69, 0, 240), { tick: 1440, bytes: [0xb0, 64, 0] }],
        ],
      },
      { voiceMap: SINE, duration: 2 },
    ).out[0]!;
    expect(rms(slice(plain, 0.6, 1.4))).toBeLessThan(1e-6);
    expect(rms(slice(pedal, 0.6, 1.4))).toBeGreaterThan(0.1 * rms(slice(pedal, 0.05, 0.2)));
    expect(rms(slice(pedal, 1.6, 2))).toBeLessThan(1e-6); // released with the pedal
  });

  it('follows volume (CC7) and pan (CC10) without clicks', () => {
    const events: WriteEvent[] = [
      { tick: 0, bytes: [0xb0, 10, 0] }, // hard left
      ...note(0, 69, 0, 1920),
      { tick: 960, bytes: [0xb0, 10, 127] }, // hard right
      { tick: 960, bytes: [0xb0, 7, 50] },
    ];
    const { out, engine } = renderSong({ tracks: [events] }, { voiceMap: SINE });
    expect(engine.channels).toBe(2);
    const [l, r] = out as [Float64Array, Float64Array];
    expect(rms(slice(r, 0.2, 0.9))).toBeLessThan(1e-9);
    expect(rms(slice(l, 1.2, 1.9))).toBeLessThan(1e-9);
    const ratio = rms(slice(r, 1.2, 1.9)) / rms(slice(l, 0.2, 0.9));
    expect(ratio).toBeCloseTo((50 / 100) ** 2, 2);
    // no jump larger than a 440 Hz sine at that level can make in one sample
    let jump = 0;
    for (let i = 1; i < l.length; i++)
      jump = Math.max(jump, Math.abs(l[i]! - l[i - 1]!), Math.abs(r[i]! - r[i - 1]!));
    expect(jump).toBeLessThan(peak(l) * 2 * Math.sin((Math.PI * 440) / SR) * 1.05);
  });

  it('starts and ends notes without clicks (attack and release ramps)', () => {
    const { out } = renderSong(
      { tracks: [note(0, 69, 0, 333)] },
      { voiceMap: { channels: { '1': { wave: 'sine', gain2: 0, cutoff: 0, attack: 0, release: 0 } } } },
    );
    const x = out[0]!;
    const step = 2 * Math.sin((Math.PI * 440) / SR) * peak(x);
    for (let i = 1; i < x.length; i++) expect(Math.abs(x[i]! - x[i - 1]!)).toBeLessThanOrEqual(step * 1.05);
  });
});

describe('MIDI render: percussion and limits', () => {
  it('plays channel 10 as broadband drums: hats high, kick low', () => {
    const { out } = renderSong({ tracks: [[...note(9, 42, 0, 10), ...note(9, 36, 960, 970)]] });
    const x = out[0]!;
    const n = 2048;
    const hat = spectrumDb(x, n, 0);
    const kick = spectrumDb(x, n, at(1));
    const bin = (hz: number) => Math.round((hz * n) / SR);
    const band = (db: Float64Array, lo: number, hi: number) => {
      let e = 0;
      for (let k = bin(lo); k < bin(hi); k++) e += 10 ** (db[k]! / 10);
      return e;
    };
    // the hat is noise: its energy spreads over 8-16 kHz, with many bins within 10 dB of its peak
    expect(band(hat, 8000, 16000)).toBeGreaterThan(100 * band(hat, 20, 1000));
    let near = 0;
    for (let k = bin(7000); k < bin(20000); k++) if (hat[k]! > -10) near++;
    expect(near).toBeGreaterThan(20);
    expect(band(kick, 30, 200)).toBeGreaterThan(100 * band(kick, 1000, 20000));
    expect(rms(slice(x, 0.9, 0.99))).toBeLessThan(1e-4); // the hat has died away
  });

  it('never passes -1 dBFS, however many loud notes', () => {
    const keys = Array.from({ length: 40 }, (_, i) => 40 + i);
    const { out } = renderSong({
      tracks: [
        [
          ...keys.flatMap((k) => note(0, k, 0, 960, 127)),
          ...note(9, 36, 0, 10, 127),
          ...note(9, 49, 0, 10, 127),
        ],
      ],
    });
    expect(peak(out[0]!)).toBeLessThanOrEqual(MIX_CEILING + 1e-12);
    expect(peak(out[0]!)).toBeGreaterThan(0.5);
  });

  it('steals voices beyond the polyphony limit with a fast fade', () => {
    const synth = new PolySynth(SR, { polyphony: 4 });
    const engine = new Engine({ sampleRate: SR, duration: 1, layers: [], master: { fadeIn: 0, fadeOut: 0 } });
    engine.attach(synth);
    for (let i = 0; i < 10; i++) synth.handleMidi([0x90, 60 + i, 100], i * 100);
    const buf = [new Float64Array(4096)];
    engine.render(buf, 2000);
    expect(synth.activeVoices).toBe(4);
    const x = buf[0]!.subarray(0, 2000);
    expect(x.every(Number.isFinite)).toBe(true);
  });

  it('refuses malformed live messages and ignores system ones', () => {
    const synth = new PolySynth(SR);
    expect(() => synth.handleMidi([60, 100])).toThrow(/status byte/);
    expect(() => synth.handleMidi([0x90, 200, 1])).toThrow(/data byte 1/);
    expect(() => synth.handleMidi([0x90, 60])).toThrow(/data byte 2/);
    expect(() => synth.handleMidi([0xf8])).not.toThrow();
  });
});
