/**
 * Loading an SF2 bank with its sample bytes left in the file's buffer (src/midi/sf2-load.ts)
 * and read from the file only when a sample is first decoded, against spessasynth_core's own
 * unmodified loader given the whole file, in the same process: the same decoded
 * samples and the same rendered audio, to the bit.
 */
import { existsSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBank, type SoundBank } from '../../src/midi/bank.js';
import { MidiSequencer } from '../../src/midi/scene.js';
import { parseMidi } from '../../src/midi/smf.js';
import { SoundFontSynth, soundFontReady, spessa } from '../../src/midi/soundfont.js';
import { type MidiFileSpec, writeMidi } from '../../src/midi/write.js';
import { requireComponent } from '../helpers/cli.js';
import { note } from './helpers.js';

const SF2 = '/usr/share/sounds/sf2/FluidR3_GM.sf2';
const have = requireComponent(`the SF2 bank ${SF2} (Debian package fluid-soundfont-gm)`, existsSync(SF2));
const SR = 44100;
const BLOCK = 1024;

/** The bank as spessasynth_core's loader reads it from a copy of the file, unchanged. */
function plainBank(): SoundBank {
  const buf = readFileSync(SF2);
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  return { path: SF2, bytes: buf.byteLength, bank: spessa().SoundBankLoader.fromArrayBuffer(ab) };
}

interface Sample {
  name: string;
  getAudioData(): Float32Array;
}

function samplesOf(b: SoundBank): Sample[] {
  return (b.bank as { samples: Sample[] }).samples;
}

/** Render `spec` raw (before gain and limiter), left then right. */
async function render(bank: SoundBank, spec: MidiFileSpec, engineVoices: boolean): Promise<Float32Array> {
  const song = parseMidi(writeMidi(spec));
  const synth = new SoundFontSynth(SR, bank, { engineVoices });
  await Promise.all([synth.ready, soundFontReady()]);
  const seq = new MidiSequencer(song.stream(), synth, SR);
  const total = Math.ceil(((song.duration + 1) * SR) / BLOCK) * BLOCK;
  const out = new Float32Array(2 * total);
  for (let start = 0; start < total; start += BLOCK) {
    seq.feed(start + BLOCK);
    synth.renderRaw(start, BLOCK);
    out.set(synth.L.subarray(0, BLOCK), start);
    out.set(synth.R.subarray(0, BLOCK), total + start);
  }
  return out;
}

// piano chord, a long string note (a looped sample), a low bass note and drums
const song: MidiFileSpec = {
  ticksPerQuarter: 480,
  tracks: [
    [
      { tick: 0, bytes: [0xc1, 48] },
      { tick: 0, bytes: [0xc2, 33] },
      ...note(0, 60, 0, 480),
      ...note(0, 64, 0, 480),
      ...note(0, 67, 0, 480),
      ...note(1, 72, 240, 1440, 90),
      ...note(2, 31, 480, 960),
      ...note(9, 36, 0, 120),
      ...note(9, 42, 240, 300),
      ...note(9, 38, 480, 600),
    ],
  ],
};

describe.skipIf(!have)('SF2 bank loaded with views of the file', () => {
  it('decodes every tenth sample exactly as spessasynth_core does', () => {
    const fast = samplesOf(loadBank(SF2));
    const plain = samplesOf(plainBank());
    expect(fast.length).toBe(plain.length);
    expect(fast.length).toBeGreaterThan(800);
    for (let i = 0; i < plain.length; i += 10) {
      const a = fast[i]!.getAudioData();
      const b = plain[i]!.getAudioData();
      expect(fast[i]!.name).toBe(plain[i]!.name);
      expect(a.length).toBe(b.length);
      expect(
        Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
          Buffer.from(b.buffer, b.byteOffset, b.byteLength),
        ),
      ).toBe(true);
    }
  });

  for (const engineVoices of [false, true]) {
    it(`renders a short song to the same samples as the unmodified loader (${engineVoices ? "the engine's" : "OmniSonic's"} voices)`, async () => {
      const fast = await render(loadBank(SF2), song, engineVoices);
      const plain = await render(plainBank(), song, engineVoices);
      let peak = 0;
      for (const v of plain) peak = Math.max(peak, Math.abs(v));
      expect(peak).toBeGreaterThan(0.01);
      expect(fast.length).toBe(plain.length);
      let differ = 0;
      for (let i = 0; i < plain.length; i++) if (!Object.is(fast[i], plain[i])) differ++;
      expect(differ).toBe(0);
    });
  }
});

describe('SF2 bank read from the file as its samples are played', () => {
  it('decodes a small bank like spessasynth_core, and refuses a file that changed since loading', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'omnisonic-sf2-')), 'saw.sf2');
    const bytes = new Uint8Array(spessa().BasicSoundBank.getSampleSoundBankFile() as ArrayBuffer);
    writeFileSync(file, bytes);
    const plain = samplesOf({
      path: file,
      bytes: bytes.length,
      bank: spessa().SoundBankLoader.fromArrayBuffer(bytes.slice().buffer),
    });
    const saw = samplesOf(loadBank(file))[0]!.getAudioData();
    expect(Array.from(saw)).toEqual(Array.from(plain[0]!.getAudioData()));
    expect(saw[0]).toBe(-1);

    // a second path to the same file: a new bank, whose samples are not read yet
    const again = file.replace(/saw\.sf2$/, './saw.sf2');
    const bank = loadBank(again);
    writeFileSync(
      file,
      bytes.map((b) => b ^ 1),
    );
    utimesSync(file, new Date(0), new Date(1000));
    expect(() => samplesOf(bank)[0]!.getAudioData()).toThrow(/changed on disk/);
  });
});
