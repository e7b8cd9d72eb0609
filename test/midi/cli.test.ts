/**
 * `omnisonic render song.mid` through the built CLI, as a user runs it: a good file renders with
 * the right length and notes; every bad file exits 2 with one clear error, writes nothing and
 * leaves an existing output untouched.
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import wavefile from 'wavefile';
import { tempoEvent, writeMidi } from '../../src/midi/write.js';
import { midiToHz } from '../../src/render/values.js';
import { run, tempDir } from '../helpers/cli.js';
import { peakFrequency, spectrumDb } from '../helpers/signal.js';
import { note } from './helpers.js';

const { WaveFile } = wavefile;
const dir = tempDir('omni-midi-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const good = () =>
  writeMidi({
    format: 1,
    tracks: [
      [tempoEvent(0, 120)],
      [{ tick: 0, bytes: [0xc0, 0] }, ...note(0, 69, 0, 960)],
      [{ tick: 0, bytes: [0xc1, 33] }, ...note(1, 45, 960, 1920)],
      [...note(9, 36, 0, 10), ...note(9, 42, 480, 490)],
    ],
  });

function badCases(): [string, Uint8Array, RegExp][] {
  const g = good();
  const zero = g.slice(0, 14);
  zero[11] = 0;
  const tempo = writeMidi({ tracks: [[{ tick: 0, meta: 0x51, data: [0, 0, 10] }, ...note(0, 60, 0, 10)]] });
  const chunk = g.slice();
  new DataView(chunk.buffer).setUint32(18, 0x7fffffff);
  const corrupt = g.slice();
  corrupt.set([0x3c, 0x3c, 0x3c], 14 + 8 + 11 + 8 + 1); // the first status byte of track 1
  return [
    ['truncated', g.subarray(0, g.length - 7), /truncated/],
    ['zero tracks', zero, /zero tracks/],
    ['absurd tempo', tempo, /absurd tempo/],
    ['bad chunk length', chunk, /claims 2147483647 bytes/],
    ['not MIDI', new TextEncoder().encode('just some text, not a MIDI file at all'), /not a MIDI file/],
    ['corrupt events', corrupt, /track 1: /],
  ];
}

describe('omnisonic render song.mid', () => {
  it('renders a multi-track file: length, pitch of each part, exit 0', () => {
    writeFileSync(join(dir, 'song.mid'), good());
    const r = run([
      'render',
      join(dir, 'song.mid'),
      '--synth',
      'builtin',
      '-o',
      join(dir, 'song.wav'),
      '-b',
      '32f',
    ]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const wav = new WaveFile(readFileSync(join(dir, 'song.wav')));
    const x = Float64Array.from(wav.getSamples(false, Float64Array) as unknown as Float64Array);
    const secs = x.length / 48000;
    expect(secs).toBeGreaterThan(2.0); // 2 s of song plus the drums' tail
    expect(secs).toBeLessThan(3.8);
    const at = (t: number) => peakFrequency(spectrumDb(x, 16384, Math.round(t * 48000)), 48000);
    expect(Math.abs(1200 * Math.log2(at(0.6) / midiToHz(69)))).toBeLessThan(5);
    expect(Math.abs(1200 * Math.log2(at(1.3) / midiToHz(45)))).toBeLessThan(5);
  });

  it('takes a voice map with --voices and refuses a bad one', () => {
    writeFileSync(join(dir, 'v.mid'), good());
    writeFileSync(
      join(dir, 'voices.json'),
      JSON.stringify({ channels: { '1': { wave: 'square' } }, polyphony: 8 }),
    );
    const ok = run([
      'render',
      join(dir, 'v.mid'),
      '--voices',
      join(dir, 'voices.json'),
      '-o',
      join(dir, 'v.wav'),
    ]);
    expect(ok.status, ok.stderr).toBe(0);
    writeFileSync(join(dir, 'bad-voices.json'), JSON.stringify({ channels: { '1': { wave: 'kazoo' } } }));
    const bad = run([
      'render',
      join(dir, 'v.mid'),
      '--voices',
      join(dir, 'bad-voices.json'),
      '-o',
      join(dir, 'v2.wav'),
    ]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/bad-voices.json: channels.1.wave: unknown waveform 'kazoo'/);
    expect(existsSync(join(dir, 'v2.wav'))).toBe(false);
  });

  for (const [name, bytes, message] of badCases()) {
    it(`refuses a bad file (${name}): exit 2, one error line, nothing written`, () => {
      const file = `bad-${name.replace(/ /g, '-')}.mid`;
      writeFileSync(join(dir, file), bytes);
      const fresh = join(dir, `${file}.wav`);
      const r = run(['render', join(dir, file), '-o', fresh]);
      expect(r.status).toBe(2);
      const first = r.stderr.split('\n')[0]!;
      expect(first).toMatch(new RegExp(`^omnisonic: error: ${file}: `));
      expect(first).toMatch(message);
      expect(existsSync(fresh)).toBe(false);
      // an existing output stays as it was
      const old = join(dir, 'old.wav');
      writeFileSync(old, 'previous');
      expect(run(['render', join(dir, file), '-o', old]).status).toBe(2);
      expect(readFileSync(old, 'utf8')).toBe('previous');
      expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    });
  }

  it('reports a missing file with exit 2', () => {
    const r = run(['render', join(dir, 'nope.mid'), '-o', join(dir, 'nope.wav')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/does not exist/);
  });
});

describe('omnisonic play --list-midi / --midi-in', () => {
  it('says clearly when there is no MIDI system or port: exit 1, one error line and a hint', () => {
    for (const args of [
      ['play', '--list-midi'],
      ['play', '--midi-in', '0', '--device', 'null'],
    ]) {
      const r = run(args);
      if (r.status === 0) {
        expect(args).toContain('--list-midi'); // MIDI works here and ports exist: a list on stdout
        expect(r.stdout.toString()).toMatch(/^0: /);
        continue;
      }
      expect(r.status).toBe(1);
      const lines = r.stderr.split('\n').filter((l) => l !== '');
      expect(lines[0]).toMatch(/^omnisonic: error: .*MIDI/);
      expect(lines[1]).toMatch(/^hint: /);
      expect(lines).toHaveLength(2);
    }
  });

  it('asks for something to play when given nothing', () => {
    const r = run(['play']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/give a frequency.*--midi-in/);
  });
});
