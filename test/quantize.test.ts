import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Quantizer, type SampleFormat } from '../src/dsp/quantize.js';
import { decodeWav } from '../src/io/audio-file.js';
import { wavHeader } from '../src/io/wav.js';
import { parseDuration, parseFrequency, parseGain } from '../src/render/values.js';

function encode(format: SampleFormat, samples: Float64Array[], channels: number, dither = false): Buffer {
  const q = new Quantizer({ format, channels, dither, seed: 1 });
  const buf = new Uint8Array(new ArrayBuffer(samples[0]!.length * q.frameBytes));
  q.encode(samples, samples[0]!.length, buf);
  const header = wavHeader({ sampleRate: 48000, channels, format, dataBytes: buf.length });
  return Buffer.concat([header, buf]);
}

describe('quantisation and WAV', () => {
  const ramp = Float64Array.from({ length: 1000 }, (_, i) => Math.sin(i / 10) * 0.9);

  it.each(['s16', 's24', 's32', 'f32'] as SampleFormat[])(
    'round-trips %s through an independent reader',
    (format) => {
      const wav = encode(format, [ramp], 1);
      const { channels } = decodeWav(wav, 'test');
      const lsb =
        format === 's16'
          ? 1 / 32767
          : format === 's24'
            ? 1 / 8388607
            : format === 's32'
              ? 1e-7 /* read back as float32 */
              : 1e-7;
      // the writer scales by 2^(n-1) - 1, readers by 2^(n-1): within 1.5 LSB at 0.9 of full scale
      for (let i = 0; i < ramp.length; i++)
        expect(Math.abs(channels[0]![i]! - ramp[i]!)).toBeLessThanOrEqual(1.5 * lsb);
    },
  );

  it('maps mono to every channel and writes an extensible header for more than two', () => {
    const wav = encode('s16', [ramp], 4);
    expect(wav.readUInt16LE(20)).toBe(0xfffe);
    const { channels } = decodeWav(wav, 'test');
    expect(channels.length).toBe(4);
    for (const ch of channels) expect(ch[10]).toBeCloseTo(channels[0]![10]!, 6);
  });

  it('reads back float and 24-bit samples from an extensible (4-channel) header', () => {
    for (const format of ['f32', 's24'] as SampleFormat[]) {
      const { channels } = decodeWav(encode(format, [ramp], 4), 'test');
      expect(channels.length).toBe(4);
      for (const ch of channels)
        for (let i = 0; i < ramp.length; i += 97) expect(ch[i]).toBeCloseTo(ramp[i]!, 5);
    }
  });

  it('dithers with a triangular distribution of +-1 LSB, zero mean', () => {
    const n = 200000;
    const zeros = new Float64Array(n).fill(0.25 / 32767); // a quarter LSB: without dither always 0
    const q = new Quantizer({ format: 's16', channels: 1, dither: true, seed: 9 });
    const buf = new Uint8Array(new ArrayBuffer(n * 2));
    q.encode([zeros], n, buf);
    const out = new Int16Array(buf.buffer);
    let sum = 0;
    const counts = new Map<number, number>();
    for (const v of out) {
      sum += v;
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    // the mean keeps the sub-LSB level: dither linearises the quantiser
    expect(sum / n).toBeCloseTo(0.25, 1);
    expect([...counts.keys()].every((v) => v >= -1 && v <= 2)).toBe(true);
    // triangular pdf on (-1, 1) LSB around 0.25: P(0) = 1 - (0.75^2 + 0.25^2)/2 ... check the middle value dominates
    expect((counts.get(0) ?? 0) / n).toBeGreaterThan(0.6);
  });

  it('counts clipped samples', () => {
    const q = new Quantizer({ format: 's16', channels: 1, dither: false });
    const buf = new Uint8Array(new ArrayBuffer(8));
    q.encode([Float64Array.from([1.5, -1.5, 0.5, 1])], 4, buf);
    expect(q.clipped).toBe(2);
    expect(Array.from(new Int16Array(buf.buffer))).toEqual([32767, -32768, 16384, 32767]);
  });
});

describe('value parsers (properties)', () => {
  it('parses any positive Hz below Nyquist back to itself', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.001, max: 23999, noNaN: true }), (hz) => {
        expect(parseFrequency(`${hz}`, { sampleRate: 48000 })).toBeCloseTo(hz, 6);
        expect(parseFrequency(`${hz}hz`, { sampleRate: 48000 })).toBeCloseTo(hz, 6);
      }),
    );
  });
  it('parses notes with the A4 reference and cents', () => {
    expect(parseFrequency('A4')).toBe(440);
    expect(parseFrequency('A4', { a4: 432 })).toBe(432);
    expect(parseFrequency('C4')).toBeCloseTo(261.6256, 3);
    expect(parseFrequency('Bb3')).toBeCloseTo(233.0819, 3);
    expect(parseFrequency('A4+100c')).toBeCloseTo(parseFrequency('A#4'), 9);
  });
  it('parses durations and gains, and rejects garbage', () => {
    expect(parseDuration('1m30s')).toBe(90);
    expect(parseDuration('2m')).toBe(120);
    expect(parseDuration('1h')).toBe(3600);
    expect(parseDuration('500ms')).toBe(0.5);
    expect(parseDuration('inf')).toBe(Number.POSITIVE_INFINITY);
    expect(parseGain('-6dB')).toBeCloseTo(0.501187, 5);
    fc.assert(
      fc.property(fc.string(), (s) => {
        for (const f of [() => parseDuration(s), () => parseGain(s), () => parseFrequency(s)]) {
          try {
            const v = f();
            expect(Number.isFinite(v) || v === Number.POSITIVE_INFINITY).toBe(true);
            expect(v).toBeGreaterThanOrEqual(0);
          } catch (e) {
            expect((e as { code?: string }).code).toMatch(/^BAD_/);
          }
        }
      }),
    );
  });
});
