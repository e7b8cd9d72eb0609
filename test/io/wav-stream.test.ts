import { describe, expect, it } from 'vitest';
import { type AnalysisResult, analyzeAudio } from '../../src/harmony/analysis/analyze.js';
import { AnalysisStream } from '../../src/harmony/analysis/stream.js';
import { assertAudible, refuseSilence, withOmniErrors } from '../../src/harmony-bridge.js';
import { decodeWav } from '../../src/io/audio-file.js';
import { WavStream } from '../../src/io/wav-stream.js';
import { badFiles, chord, noise, type WavSpec, wavFile } from './wav-fixtures.js';

/** Chunk sizes: 1 byte at a time through the first 200 bytes (every header split), then odd sizes. */
const SPLIT = (k: number): number => (k < 200 ? 1 : [4093, 7, 65537, 1, 30011][k % 5]!);
const WHOLE = (): number => Number.POSITIVE_INFINITY;

/** The bytes through WavStream, in chunks of `size(k)`: the blocks joined per channel, and the format. */
function decodeStreamed(bytes: Uint8Array, size: (k: number) => number, known = true) {
  const wav = new WavStream('x.wav', known ? { totalBytes: bytes.length } : {});
  const blocks: Float32Array[][] = [];
  for (let p = 0, k = 0; p < bytes.length; k++) {
    const n = Math.min(size(k), bytes.length - p);
    const block = wav.push(bytes.subarray(p, p + n));
    p += n;
    if (block) blocks.push(block);
  }
  wav.end();
  const channels = Array.from({ length: wav.format!.channels }, (_, c) => {
    const out = new Float32Array(wav.frames);
    let at = 0;
    for (const b of blocks) {
      out.set(b[c]!, at);
      at += b[c]!.length;
    }
    return out;
  });
  return { channels, format: wav.format! };
}

/** The streaming analysis of the bytes (errors as the server reports them). */
function analyseStreamed(bytes: Uint8Array, size: (k: number) => number, known = true): AnalysisResult {
  const wav = new WavStream('x.wav', known ? { totalBytes: bytes.length } : {});
  let a: AnalysisStream | null = null;
  for (let p = 0, k = 0; p < bytes.length; k++) {
    const n = Math.min(size(k), bytes.length - p);
    const block = wav.push(bytes.subarray(p, p + n));
    p += n;
    if (!a && wav.format) a = new AnalysisStream(wav.format);
    if (block && block.length > 0 && block[0]!.length > 0) a!.add(block);
  }
  wav.end();
  refuseSilence(a!.silenceReason(), 'x.wav');
  return withOmniErrors(() => a!.finish());
}

/** The whole-file analysis, as the server did it before: decodeWav, the silence floor, analyzeAudio. */
function analyseWhole(bytes: Uint8Array): AnalysisResult {
  const audio = decodeWav(bytes, 'x.wav');
  assertAudible(audio.channels, 'x.wav');
  return withOmniErrors(() => analyzeAudio(audio));
}

/** The error of `f` as `code: message`, or 'ok'. */
function outcome(f: () => unknown): string {
  try {
    f();
    return 'ok';
  } catch (e) {
    const err = e as { code?: string; message: string };
    return `${err.code}: ${err.message}`;
  }
}

const SR = 48000;
const CASES: [string, WavSpec][] = [
  [
    'a 16-bit stereo C major chord',
    { rate: SR, channels: 2, encoding: 'pcm16', frames: 2 * SR, sample: chord([261.63, 329.63, 392], SR) },
  ],
  [
    'an 8-bit mono A4',
    { rate: 22050, channels: 1, encoding: 'pcm8', frames: 22050, sample: chord([440], 22050) },
  ],
  [
    'a 24-bit 6-channel tone in noise',
    (() => {
      const r = noise(5);
      const tone = chord([196], 44100, 0.3);
      return {
        rate: 44100,
        channels: 6,
        encoding: 'pcm24',
        frames: 66150,
        sample: (c: number, i: number) => tone(c, i) + 0.05 * r(),
      } as WavSpec;
    })(),
  ],
  [
    'a 32-bit integer stereo tone',
    { rate: SR, channels: 2, encoding: 'pcm32', frames: 60000, sample: chord([330], SR, 0.9) },
  ],
  [
    'a 32-bit float mono D minor chord',
    { rate: SR, channels: 1, encoding: 'f32', frames: 70001, sample: chord([293.66, 349.23, 440], SR) },
  ],
  [
    'a 64-bit float stereo tone',
    { rate: 44100, channels: 2, encoding: 'f64', frames: 50000, sample: chord([523.25], 44100) },
  ],
  [
    'an extensible 24-bit stereo chord with a chunk before the data and one after',
    {
      rate: SR,
      channels: 2,
      encoding: 'pcm24',
      extensible: true,
      frames: 40000,
      sample: chord([220, 277.18, 329.63], SR),
      before: ['JUNK', new Uint8Array(29)],
      after: ['LIST', Buffer.from('INFOISFT\u0005\u0000\u0000\u0000test\u0000\u0000', 'latin1')],
    },
  ],
  [
    'a 96 kHz 16-bit mono tone (64k-sample frames)',
    { rate: 96000, channels: 1, encoding: 'pcm16', frames: 300000, sample: chord([110], 96000) },
  ],
  ['white noise, 16-bit stereo', { rate: SR, channels: 2, encoding: 'pcm16', frames: SR, sample: noise(11) }],
  [
    'a 0.1 s tone (shorter than a spectrum frame and a loudness block)',
    { rate: SR, channels: 2, encoding: 'pcm16', frames: 3000, sample: chord([880], SR) },
  ],
  [
    'a 150 s 8 kHz tone (more spectrum frames than are averaged)',
    { rate: 8000, channels: 1, encoding: 'pcm16', frames: 1_200_000, sample: chord([155.56], 8000) },
  ],
];

describe('WavStream decodes what decodeWav decodes', () => {
  it('an RF64 file (ds64 chunk, data size 0xFFFFFFFF)', () => {
    const bytes = wavFile({ ...CASES[0]![1], before: ['ds64', new Uint8Array(28)], dataSize: 0xffffffff });
    bytes.write('RF64', 0, 'latin1');
    const whole = decodeWav(bytes, 'x.wav');
    expect(whole.channels[0]!.length).toBe(2 * SR);
    expect(decodeStreamed(bytes, SPLIT).channels).toEqual(whole.channels);
    expect(decodeStreamed(bytes, SPLIT, false).channels).toEqual(whole.channels);
  });

  for (const [what, spec] of CASES.slice(0, 8)) {
    it(`${what}: the same samples in chunks of 1 byte and odd sizes`, () => {
      const bytes = wavFile(spec);
      const whole = decodeWav(bytes, 'x.wav');
      const { channels, format } = decodeStreamed(bytes, SPLIT);
      expect(format.sampleRate).toBe(whole.sampleRate);
      expect(format.frames).toBe(whole.channels[0]!.length);
      expect(channels).toEqual(whole.channels);
    });
  }
});

describe('the streaming analysis equals analyzeAudio', () => {
  for (const [what, spec] of CASES) {
    it(`${what}: the same JSON, whether the length is known or not`, () => {
      const bytes = wavFile(spec);
      const whole = analyseWhole(bytes);
      expect(whole.duration).toBeCloseTo(spec.frames / spec.rate, 9);
      const streamed = analyseStreamed(bytes, SPLIT);
      expect(streamed).toEqual(whole);
      expect(JSON.stringify(streamed)).toBe(JSON.stringify(whole));
      // the length unknown: the mono mix is kept and measured at the end
      expect(analyseStreamed(bytes, WHOLE, false)).toEqual(whole);
    });
  }

  it('finds the chord and the notes it is built from', () => {
    const r = analyseStreamed(wavFile(CASES[0]![1]), SPLIT);
    expect(r.chord?.symbol).toBe('C');
    expect(r.notes.map((n) => n.note.replace(/[+-]\d+c$/, ''))).toEqual(['C4', 'E4', 'G4']);
  });

  it('a truncated file: the samples that are there, as decodeWav reads them', () => {
    const full = wavFile(CASES[0]![1]);
    const bytes = full.subarray(0, Math.floor(full.length * 0.6) + 1);
    const whole = analyseWhole(bytes);
    expect(whole.duration).toBeLessThan(1.3);
    expect(analyseStreamed(bytes, SPLIT)).toEqual(whole);
    expect(analyseStreamed(bytes, SPLIT, false)).toEqual(whole);
  });

  it('a data size of 0xFFFFFFFF (a streamed WAV): to the end of the file', () => {
    const bytes = wavFile({ ...CASES[4]![1], dataSize: 0xffffffff });
    const whole = analyseWhole(bytes);
    expect(whole.duration).toBeCloseTo(70001 / SR, 9);
    expect(analyseStreamed(bytes, SPLIT)).toEqual(whole);
    expect(analyseStreamed(bytes, SPLIT, false)).toEqual(whole);
  });

  it('refuses silence, dither and non-finite samples with the same errors', () => {
    const r = noise(3);
    const dither = (bits: number) => (_c: number, _i: number) => Math.round(r() * 1.4) / 2 ** (bits - 1);
    const nan = (c: number, i: number) =>
      c === 1 && i === 500 ? Number.NaN : c === 0 && i === 9000 ? Number.POSITIVE_INFINITY : Math.sin(i / 9);
    const files: [string, Uint8Array][] = [
      ['zeros', wavFile({ rate: SR, channels: 2, encoding: 'pcm16', frames: SR, sample: () => 0 })],
      [
        '16-bit dither',
        wavFile({ rate: SR, channels: 2, encoding: 'pcm16', frames: SR, sample: dither(16) }),
      ],
      ['8-bit dither', wavFile({ rate: SR, channels: 1, encoding: 'pcm8', frames: SR, sample: dither(8) })],
      [
        '-110 dBFS',
        wavFile({ rate: SR, channels: 1, encoding: 'f32', frames: SR, sample: chord([440], SR, 3e-6) }),
      ],
      ['NaN and Infinity', wavFile({ rate: SR, channels: 2, encoding: 'f32', frames: SR, sample: nan })],
      [
        'NaN in the second channel only',
        wavFile({
          rate: SR,
          channels: 2,
          encoding: 'f64',
          frames: SR,
          sample: (c, i) => (c && i === 7 ? Number.NaN : 0.5),
        }),
      ],
      [
        'a rate of 500 Hz',
        wavFile({ rate: 500, channels: 1, encoding: 'pcm16', frames: 500, sample: noise(2) }),
      ],
    ];
    const seen = new Set<string>();
    for (const [what, bytes] of files) {
      const whole = outcome(() => analyseWhole(bytes));
      expect(whole, what).not.toBe('ok');
      expect(
        outcome(() => analyseStreamed(bytes, SPLIT)),
        what,
      ).toBe(whole);
      expect(
        outcome(() => analyseStreamed(bytes, WHOLE, false)),
        what,
      ).toBe(whole);
      seen.add(whole);
    }
    expect([...seen].join('\n')).toMatch(/digital zero/);
    expect([...seen].join('\n')).toMatch(/dither of 16-bit silence/);
    expect([...seen].join('\n')).toMatch(/dither of 8-bit silence/);
    expect([...seen].join('\n')).toMatch(/sample 9000 is not a finite number/);
    expect([...seen].join('\n')).toMatch(/sample 7 is not a finite number/);
    expect([...seen].join('\n')).toMatch(/sample rate must be/);
  });
});

describe('bad files: the errors of decodeWav', () => {
  for (const [what, bytes] of badFiles()) {
    it(`${what}`, () => {
      const whole = outcome(() => decodeWav(bytes, 'x.wav'));
      expect(whole).toMatch(/^BAD_AUDIO: x\.wav: /);
      const streamed = (known: boolean, size: (k: number) => number) =>
        outcome(() => decodeStreamed(bytes, size, known));
      expect(streamed(true, SPLIT)).toBe(whole);
      expect(streamed(false, SPLIT)).toBe(whole);
      expect(streamed(false, () => 1)).toBe(whole);
    });
  }
});
