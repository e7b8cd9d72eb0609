/**
 * Bad presets and the one line each must produce. `schema: true` marks the cases the JSON
 * Schema alone rejects (an editor shows them); the others need the render's sample rate, the
 * other layers or the file system, which only the loader knows.
 */

export interface BadCase {
  name: string;
  /** File text (a string), or a value written as JSON. */
  body: unknown;
  /** Expected message after `<file>: `. */
  line: string;
  /** True when presets/schema.json itself rejects the preset. */
  schema: boolean | 'not-json';
  /** Extra files to create next to the preset: name -> bytes. */
  files?: Record<string, Uint8Array>;
}

const ok = {
  $schema: './schema.json',
  name: 'case',
  description: 'a test preset',
  duration: 2,
  layers: [
    { type: 'tone', id: 'a', freq: 440, gain: 0.3 },
    { type: 'noise', id: 'n', color: 'pink', gain: '-20dB' },
  ],
};

function withLayer(i: number, patch: Record<string, unknown>, drop: string[] = []): unknown {
  const layers = ok.layers.map((l) => ({ ...l }) as Record<string, unknown>);
  layers[i] = { ...layers[i], ...patch };
  for (const k of drop) delete layers[i]![k];
  return { ...ok, layers };
}

/** A valid preset that every case below breaks in one way. */
export const VALID = ok;

export const BAD_CASES: BadCase[] = [
  {
    name: 'invalid JSON: missing comma',
    body: '{\n  "name": "case",\n  "duration": 2\n  "layers": []\n}\n',
    line: "line 4, column 3: invalid JSON: Expected ',' or '}' after property value",
    schema: 'not-json',
  },
  {
    name: 'invalid JSON: truncated',
    body: '{\n  "name": "case",\n  "layers": [\n',
    line: 'line 3, column 14: invalid JSON: unexpected end of the file (unclosed { or [ ?)',
    schema: 'not-json',
  },
  {
    name: 'unknown top-level field',
    body: { ...ok, durration: 3 },
    line: 'durration: unknown field (known: name, description, tags, duration, sampleRate, a4, seed, layers, timeline, master)',
    schema: true,
  },
  {
    name: 'unknown layer field',
    body: withLayer(0, { frequency: 440 }),
    line: 'layers[0].frequency: unknown field (known: type, id, freq, wave, duty, gain, pan, envelope, am, fm)',
    schema: true,
  },
  {
    name: 'missing required field',
    body: withLayer(0, {}, ['freq']),
    line: 'layers[0].freq: missing (required)',
    schema: true,
  },
  {
    name: 'wrong type: layers is an object',
    body: { ...ok, layers: { type: 'tone' } },
    line: 'layers: must be an array, got an object',
    schema: true,
  },
  {
    name: 'wrong type: pan is a string',
    body: withLayer(0, { pan: 'left' }),
    line: 'layers[0].pan: must be a number, got "left"',
    schema: true,
  },
  {
    name: 'wrong type: normalize is a number',
    body: { ...ok, master: { normalize: 1 } },
    line: 'master.normalize: must be true or false, got 1',
    schema: true,
  },
  {
    name: 'unknown layer type',
    body: withLayer(0, { type: 'sine' }),
    line: 'layers[0].type: must be one of tone, binaural, isochronic, noise, file, got "sine"',
    schema: true,
  },
  {
    name: 'unknown noise colour',
    body: withLayer(1, { color: 'purple' }),
    line: 'layers[1].color: must be one of white, pink, brown, blue, violet, got "purple"',
    schema: true,
  },
  {
    name: 'negative frequency',
    body: withLayer(1, { type: 'tone', freq: -5 }, ['color']),
    line: 'layers[1].freq: must be > 0 and < 24000 (Nyquist), got -5',
    schema: true,
  },
  {
    name: 'frequency above Nyquist',
    body: withLayer(0, { freq: 30000 }),
    line: 'layers[0].freq: must be > 0 and < 24000 (Nyquist), got 30000',
    schema: false,
  },
  {
    name: 'note name above Nyquist of the preset rate',
    body: { ...(withLayer(0, { freq: 'C9' }) as object), sampleRate: 8000 },
    line: 'layers[0].freq: must be > 0 and < 4000 (Nyquist), got "C9"',
    schema: false,
  },
  {
    name: 'not a note name',
    body: withLayer(0, { freq: 'H4' }),
    line: 'layers[0].freq: must be Hz or a note name such as A4, C#5, Bb3, A4+15c, got "H4"',
    schema: true,
  },
  {
    name: 'gain without dB unit',
    body: withLayer(0, { gain: '-6' }),
    line: 'layers[0].gain: must be a gain: linear from 0 to 16 (0.5) or decibels up to +24 ("-6dB"), got "-6"',
    schema: true,
  },
  {
    name: 'gain out of range',
    body: withLayer(0, { gain: 20 }),
    line: 'layers[0].gain: must be from 0 to 16, got 20',
    schema: true,
  },
  {
    name: 'negative duration',
    body: { ...ok, duration: -5 },
    line: 'duration: must be > 0, got -5',
    schema: true,
  },
  {
    name: 'duration that is not a time',
    body: { ...ok, duration: '5 minutes' },
    line: 'duration: must be a duration > 0: seconds (90) or a string ("90s", "2m", "1h", "1m30s", "500ms"), got "5 minutes"',
    schema: true,
  },
  {
    name: 'negative glide',
    body: { ...ok, timeline: [{ at: 1, glide: -1, set: { 'a.freq': 880 } }] },
    line: 'timeline[0].glide: must be >= 0, got -1',
    schema: true,
  },
  {
    name: 'timeline key without a parameter',
    body: { ...ok, timeline: [{ at: 1, set: { a: 880 } }] },
    line: 'timeline[0].set.a: not a valid key: must be "<layerId>.<param>": value, or "master.gain": value',
    schema: true,
  },
  {
    name: 'unknown layer id in the timeline',
    body: { ...ok, timeline: [{ at: 1, glide: 0.5, set: { 'b.freq': 880 } }] },
    line: 'timeline[0].set["b.freq"]: unknown layer id "b" (ids: a, n)',
    schema: false,
  },
  {
    name: 'parameter the layer does not have',
    body: { ...ok, timeline: [{ at: 1, set: { 'n.freq': 880 } }] },
    line: 'timeline[0].set["n.freq"]: a noise layer has no parameter "freq" (known: gain, pan, color)',
    schema: false,
  },
  {
    name: 'timeline frequency above Nyquist',
    body: { ...ok, timeline: [{ at: 1, glide: 0.5, set: { 'a.freq': 25000 } }] },
    line: 'timeline[0].set["a.freq"]: must be > 0 and < 24000 (Nyquist), got 25000',
    schema: false,
  },
  {
    name: 'step after the end',
    body: { ...ok, timeline: [{ at: '1m', set: { 'a.gain': 0 } }] },
    line: 'timeline[0].at: 60 s is after the end of the preset (duration 2 s)',
    schema: false,
  },
  {
    name: 'duplicate layer id',
    body: withLayer(1, { id: 'a' }),
    line: 'layers[1].id: "a" is already the id of layers[0]',
    schema: false,
  },
  {
    name: 'binaural beat wider than the carrier',
    body: { ...ok, layers: [{ type: 'binaural', carrier: 3, beat: 10 }] },
    line: 'layers[0].beat: the left ear would get -2 Hz: the carrier must exceed beat/2',
    schema: false,
  },
  {
    name: 'missing audio file',
    body: { ...ok, layers: [{ type: 'file', path: 'no-such.wav', loop: true }] },
    line: 'layers[0].path: no such file: {dir}/no-such.wav',
    schema: false,
  },
  {
    name: 'audio file that is not audio',
    body: { ...ok, layers: [{ type: 'file', path: 'junk.wav' }] },
    files: { 'junk.wav': new TextEncoder().encode('RIFF0000WAVEjunkjunkjunk') },
    line: 'layers[0].path: not a readable WAV file',
    schema: false,
  },
];
