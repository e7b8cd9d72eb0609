/**
 * `omnisonic suggest` and `omnisonic analyze` as a user runs them: the built binary, real files,
 * checked by decoding what was written and by facts about the sound.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { consonance } from '../src/harmony/consonance.js';
import { suggest } from '../src/harmony/recommend.js';
import { decodeWav } from '../src/io/audio-file.js';
import { hasCommand, requireComponent, run, tempDir } from './helpers/cli.js';
import { spectrumDb } from './helpers/signal.js';

interface SuggestJson {
  input: {
    frequencies: number[];
    notes: string[];
    consonance: number;
    roughness: number;
    harmonicity: number;
  };
  suggestions: {
    id: string;
    frequency: number;
    note: string;
    cents: number;
    ratio: string;
    interval: string;
    score: number;
    reasons: string[];
    features: string[];
    source: string;
    beat?: number;
    band?: string;
    left?: number;
    right?: number;
  }[];
}

/** Every run gets a private config folder, so no real profile is read or written. */
const config = tempDir('omnisonic-harmony-config-');
const env = { XDG_CONFIG_HOME: config, HOME: config };

function omni(args: string[]) {
  return run(args, { env });
}

function suggestJson(args: string[]): SuggestJson {
  const r = omni(['suggest', ...args, '--json']);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout.toString('utf8')) as SuggestJson;
}

/** Level in dB (relative to the strongest bin) of the strongest bin within ±3 Hz of `hz`. */
function levelAt(db: Float64Array, sampleRate: number, hz: number): number {
  const binHz = sampleRate / (2 * db.length);
  let best = -Infinity;
  for (let k = Math.floor((hz - 3) / binHz); k <= Math.ceil((hz + 3) / binHz); k++)
    best = Math.max(best, db[k]!);
  return best;
}

/** Level in dB of the component at exactly `hz` (Hann-windowed DFT of the whole signal). */
function toneDb(x: ArrayLike<number>, sampleRate: number, hz: number): number {
  let re = 0;
  let im = 0;
  const n = x.length;
  for (let i = 0; i < n; i++) {
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
    const ph = (2 * Math.PI * hz * i) / sampleRate;
    re += x[i]! * w * Math.cos(ph);
    im -= x[i]! * w * Math.sin(ph);
  }
  return 20 * Math.log10((4 * Math.hypot(re, im)) / n + 1e-12);
}

const pitchClass = (note: string): string => /^[A-G][#b]?/.exec(note)![0];

const dir = tempDir('omnisonic-harmony-');
const chordWav = join(dir, 'chord.wav');
const sawChordWav = join(dir, 'saw-chord.wav');

beforeAll(() => {
  expect(omni(['mix', 'C4', 'E4', 'G4', '-d', '3', '-o', chordWav]).status).toBe(0);
  expect(omni(['mix', 'C4:saw', 'E4:saw', 'G4:saw', '-d', '3', '-o', sawChordWav]).status).toBe(0);
});

describe('omnisonic suggest', () => {
  it('spells enharmonics one way in one answer (A3 C#4-14c, A and C#)', () => {
    const r = omni(['suggest', 'A3', 'C#4-14c']);
    expect(r.status).toBe(0);
    const head = r.stdout.toString('utf8').split('\n')[0]!;
    expect(head).toMatch(/A3 C#4-14c, A and C# \(major third\)/);
    expect(head).not.toMatch(/Db/);
  });

  it('--json has the shape of POST /ai/suggest-frequencies/ and equals the library result', () => {
    const r = suggestJson(['C4', 'E4']);
    expect(Object.keys(r).sort()).toEqual(['input', 'suggestions']);
    expect(r.input.notes).toEqual(['C4', 'E4']);
    expect(r.input.frequencies[0]).toBeCloseTo(261.626, 2);
    for (const k of ['consonance', 'roughness', 'harmonicity'] as const)
      expect(Number.isFinite(r.input[k])).toBe(true);
    expect(r.suggestions).toHaveLength(5);
    for (const s of r.suggestions) {
      expect(s.id).toMatch(/^s1\./);
      expect(s.frequency).toBeGreaterThan(0);
      expect(typeof s.note).toBe('string');
      expect(Number.isFinite(s.cents)).toBe(true);
      expect(s.ratio).toMatch(/^\d+\/\d+$/);
      expect(s.interval.length).toBeGreaterThan(0);
      expect(s.score).toBeGreaterThanOrEqual(0);
      expect(s.score).toBeLessThanOrEqual(1);
      expect(s.reasons.length).toBeGreaterThan(0);
    }
    expect(r).toEqual(JSON.parse(JSON.stringify(suggest({ frequencies: ['C4', 'E4'] }))));
  });

  it('completes C-E with a G: a G among the top two, G4 first within 200..600 Hz', () => {
    const r = suggestJson(['C4', 'E4']);
    expect(r.suggestions.slice(0, 2).map((s) => pitchClass(s.note))).toContain('G');
    const narrow = suggestJson(['C4', 'E4', '--range', '200..600']);
    expect(narrow.suggestions[0]!.note).toMatch(/^G4/);
    expect(Math.abs(narrow.suggestions[0]!.frequency - 392)).toBeLessThan(1); // 3/2 of C4 = 392.44
    expect(narrow.suggestions[0]!.ratio).toBe('3/2');
    // note names work as a range, and every suggestion stays inside it
    const notes = suggestJson(['C4', 'E4', '--range', 'C5..C6', '-n', '8']);
    expect(notes.suggestions).toHaveLength(8);
    for (const s of notes.suggestions) {
      expect(s.frequency).toBeGreaterThanOrEqual(523.2);
      expect(s.frequency).toBeLessThanOrEqual(1046.6);
    }
  });

  it('accepts Hz, kHz, notes with cents and --a4 like tone and mix', () => {
    const r = suggestJson(['440hz', '0.55kHz', 'C#5-20c', '--a4', '432']);
    expect(r.input.frequencies[0]).toBeCloseTo(440, 3);
    expect(r.input.frequencies[1]).toBeCloseTo(550, 3);
    expect(r.input.frequencies[2]).toBeCloseTo(432 * 2 ** (3.8 / 12), 2);
  });

  it('--tuning 12tet suggests tempered notes; pythagorean gives 3-smooth ratios', () => {
    for (const s of suggestJson(['C4', 'E4', '--tuning', '12tet']).suggestions)
      expect(Math.abs(s.cents)).toBeLessThan(0.5);
    for (const s of suggestJson(['C4', '--tuning', 'pythagorean']).suggestions) {
      const [p, q] = s.ratio.split('/').map(Number) as [number, number];
      for (const n of [p, q]) {
        let m = n;
        while (m % 2 === 0) m /= 2;
        while (m % 3 === 0) m /= 3;
        expect(m).toBe(1);
      }
    }
  });

  it('--goal tension picks notes that make the chord less consonant than the consonant picks', () => {
    const input = [261.626, 329.628, 391.995];
    const tense = suggestJson(['C4', 'E4', 'G4', '--goal', 'tension']).suggestions;
    const calm = suggestJson(['C4', 'E4', 'G4']).suggestions;
    const base = consonance(input).consonance;
    for (const s of tense.slice(0, 3))
      expect(consonance([...input, s.frequency]).consonance).toBeLessThan(base);
    expect(consonance([...input, tense[0]!.frequency]).consonance).toBeLessThan(
      consonance([...input, calm[0]!.frequency]).consonance - 0.1,
    );
    expect(tense.slice(0, 3).some((s) => /tritone|second|seventh/.test(s.interval))).toBe(true);
  });

  it('--goal binaural gives a beat in each band, left and right ears beat apart', () => {
    const r = suggestJson(['A3', '--goal', 'binaural']);
    expect(new Set(r.suggestions.map((s) => s.band))).toEqual(
      new Set(['delta', 'theta', 'alpha', 'beta', 'gamma']),
    );
    for (const s of r.suggestions) {
      expect(s.right! - s.left!).toBeCloseTo(s.beat!, 6);
      expect((s.left! + s.right!) / 2).toBeCloseTo(s.frequency, 3);
    }
  });

  it('prints a readable table: header with the notes and consonance, ranked rows, reasons, no colour when piped', () => {
    const r = run(['suggest', 'C4', 'E4', '-n', '3'], { env: { ...env, NO_COLOR: '' } });
    expect(r.status).toBe(0);
    const text = r.stdout.toString('utf8');
    expect(text.includes('\u001b[')).toBe(false); // stdout is not a terminal: no escape codes
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^C4 E4, C and E \(major third\) .*consonance 0\.\d{3}/);
    const head = lines.findIndex((l) => /^#\s+Hz\s+note\s+ratio\s+interval\s+score/.test(l));
    expect(head).toBeGreaterThan(0);
    const rows = lines.filter((l) => /^\d+\s+\d/.test(l));
    expect(rows.map((l) => l.split(/\s+/)[0])).toEqual(['1', '2', '3']);
    const json = suggestJson(['C4', 'E4', '-n', '3']);
    json.suggestions.forEach((s, i) => {
      expect(rows[i]).toContain(s.note);
      expect(rows[i]).toContain(s.ratio);
      expect(rows[i]).toContain(s.score.toFixed(3));
      expect(text).toContain(s.reasons[0]!);
    });
  });

  it('--render writes the input plus the top suggestion, both heard in the file', () => {
    const out = join(dir, 'audition.wav');
    const r = omni(['suggest', 'C4', '--render', out, '--json']);
    expect(r.status).toBe(0);
    const top = (JSON.parse(r.stdout.toString('utf8')) as SuggestJson).suggestions[0]!;
    const audio = decodeWav(readFileSync(out), out);
    expect(audio.channels).toHaveLength(1);
    expect(audio.channels[0]!.length).toBe(4 * 48000);
    const db = spectrumDb(audio.channels[0]!, 65536, 48000);
    expect(levelAt(db, 48000, 261.626)).toBeGreaterThan(-3);
    expect(levelAt(db, 48000, top.frequency)).toBeGreaterThan(-3);
    expect(levelAt(db, 48000, (261.626 + top.frequency) / 2)).toBeLessThan(-60);
  });

  it('--render of a binaural suggestion puts the left and right tones in their ears', () => {
    const out = join(dir, 'binaural.wav');
    const r = omni(['suggest', 'A3', '--goal', 'binaural', '-n', '1', '--render', out, '-d', '3', '--json']);
    expect(r.status).toBe(0);
    const top = (JSON.parse(r.stdout.toString('utf8')) as SuggestJson).suggestions[0]!;
    const audio = decodeWav(readFileSync(out), out);
    expect(audio.channels).toHaveLength(2);
    // beats of a few hertz: compare the two ear frequencies by a Hann-windowed DFT over the whole file
    const [l, r2] = [audio.channels[0]!, audio.channels[1]!];
    expect(toneDb(l, 48000, top.left!)).toBeGreaterThan(toneDb(l, 48000, top.right!) + 30);
    expect(toneDb(r2, 48000, top.right!)).toBeGreaterThan(toneDb(r2, 48000, top.left!) + 30);
    // the input note is heard in both ears
    expect(toneDb(l, 48000, 220)).toBeGreaterThan(toneDb(l, 48000, top.left!) - 6);
  });

  it('--from analyses a file and suggests from the notes found', () => {
    const r = suggestJson(['--from', chordWav]);
    expect(r.input.notes).toEqual(['C4', 'E4', 'G4']);
    expect(r.suggestions.length).toBe(5);
  });

  it('--midi writes a Standard MIDI File next to the suggestions', () => {
    const out = join(dir, 'suggest.mid');
    expect(omni(['suggest', 'C4', 'E4', '--midi', out]).status).toBe(0);
    expect(readFileSync(out).subarray(0, 4).toString('latin1')).toBe('MThd');
  });
});

describe('omnisonic suggest: adaptive profile', () => {
  it('--like and --dislike shift the ranking, saved atomically as valid JSON; --reset-profile forgets', () => {
    const pdir = tempDir('omnisonic-profile-');
    const profile = join(pdir, 'profile.json');
    const args = ['C4', 'E4', '-n', '5', '--profile', profile];
    const before = suggestJson(args);
    expect(existsSync(profile)).toBe(false); // reading never writes

    const third = before.suggestions[2]!;
    const liked = omni(['suggest', ...args, '--like', '3', '--json']);
    expect(liked.status).toBe(0);
    expect(liked.stderr).toMatch(/^liked #3 .*profile now favours/);
    const saved = JSON.parse(readFileSync(profile, 'utf8'));
    expect(saved.version).toBe(1);
    expect(saved.likes).toBe(1);
    for (const f of third.features) expect(saved.weights[f]).toBeGreaterThan(0);
    expect(readdirSync(pdir)).toEqual(['profile.json']); // no temporary file left

    // later runs are re-ranked by the profile, and say so
    const after = suggestJson(args);
    const again = after.suggestions.find((s) => s.id === third.id)!;
    expect(again.score).toBeGreaterThan(third.score);
    expect(after.suggestions.indexOf(again)).toBeLessThanOrEqual(2);
    expect(again.reasons.some((t) => t.startsWith('your profile: you liked'))).toBe(true);

    // disliking the top one repeatedly moves it down
    const top = before.suggestions[0]!;
    for (let i = 0; i < 3; i++) {
      const rank = suggestJson(args).suggestions.findIndex((s) => s.id === top.id) + 1;
      if (rank === 0) break;
      expect(omni(['suggest', ...args, '--dislike', String(rank)]).status).toBe(0);
    }
    const disliked = suggestJson(['C4', 'E4', '-n', '50', '--profile', profile]).suggestions.find(
      (s) => s.id === top.id,
    );
    expect(disliked === undefined || disliked.score < top.score).toBe(true);
    expect(JSON.parse(readFileSync(profile, 'utf8')).dislikes).toBeGreaterThan(0);

    const reset = omni(['suggest', '--reset-profile', '--profile', profile]);
    expect(reset.status).toBe(0);
    expect(JSON.parse(readFileSync(profile, 'utf8'))).toEqual({
      version: 1,
      weights: {},
      likes: 0,
      dislikes: 0,
    });
    expect(suggestJson(args)).toEqual(before);
  });

  it('the default profile lives in $XDG_CONFIG_HOME/omnisonic, else ~/.config/omnisonic', () => {
    const xdg = tempDir('omnisonic-xdg-');
    expect(
      run(['suggest', 'C4', '--like', '1'], { env: { XDG_CONFIG_HOME: xdg, HOME: config } }).status,
    ).toBe(0);
    expect(JSON.parse(readFileSync(join(xdg, 'omnisonic', 'profile.json'), 'utf8')).likes).toBe(1);
    const home = tempDir('omnisonic-home-');
    expect(
      run(['suggest', 'C4', '--dislike', '2'], { env: { XDG_CONFIG_HOME: '', HOME: home } }).status,
    ).toBe(0);
    expect(
      JSON.parse(readFileSync(join(home, '.config', 'omnisonic', 'profile.json'), 'utf8')).dislikes,
    ).toBe(1);
  });

  it('a corrupt profile is refused (exit 2) and left as it was', () => {
    const pdir = tempDir('omnisonic-profile-');
    const profile = join(pdir, 'profile.json');
    writeFileSync(profile, '{"version": 1, "weights": {"ic:P5": 7}}');
    const r = omni(['suggest', 'C4', '--like', '1', '--profile', profile]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^omnisonic: error: .*profile\.json/);
    expect(r.stderr).toContain('--reset-profile');
    expect(readFileSync(profile, 'utf8')).toBe('{"version": 1, "weights": {"ic:P5": 7}}');
  });
});

interface AnalysisJson {
  duration: number;
  channels: number;
  notes: { note: string; frequency: number; cents: number }[];
  chord: { symbol: string; name: string } | null;
  key: { name: string } | null;
  consonance: { consonance: number } | null;
  loudness: {
    integratedLufs: number;
    truePeakDbtp: number;
    samplePeakDbfs: number;
    rmsDbfs: number;
    rmsAes17Dbfs: number;
  };
  f0: { frequency: number } | null;
}

function analyzeJson(file: string): AnalysisJson {
  const r = omni(['analyze', file, '--json']);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout.toString('utf8')) as AnalysisJson;
}

describe('omnisonic analyze', () => {
  it('finds C4 E4 G4 in a rendered chord (sines and saws) and names it C major', () => {
    const expected = { C4: 261.626, E4: 329.628, G4: 391.995 };
    for (const file of [chordWav, sawChordWav]) {
      const r = analyzeJson(file);
      expect(Object.keys(r).sort()).toEqual(
        [
          'channels',
          'chord',
          'consonance',
          'duration',
          'f0',
          'key',
          'loudness',
          'notes',
          'partials',
          'sampleRate',
        ].sort(),
      );
      expect(r.notes.map((n) => n.note.replace(/[+-][\d.]+c$/, ''))).toEqual(['C4', 'E4', 'G4']);
      for (const n of r.notes) {
        const ref = expected[n.note.replace(/[+-][\d.]+c$/, '') as keyof typeof expected];
        expect(Math.abs(1200 * Math.log2(n.frequency / ref))).toBeLessThan(10);
      }
      expect(r.chord).toEqual({ symbol: 'C', name: 'C major' });
      expect(r.key?.name).toBe('C major');
      expect(r.duration).toBeCloseTo(3, 3);
      expect(r.consonance!.consonance).toBeGreaterThan(0.6);
    }
  });

  it('analyses other formats through FFmpeg (MP3)', ({ skip }) => {
    if (!requireComponent('ffmpeg', hasCommand('ffmpeg'))) return skip();
    const mp3 = join(dir, 'chord.mp3');
    expect(omni(['mix', 'A3', 'C#4', 'E4', '-d', '3', '-o', mp3]).status).toBe(0);
    const r = analyzeJson(mp3);
    expect(r.notes.map((n) => n.note.replace(/[+-][\d.]+c$/, ''))).toEqual(['A3', 'C#4', 'E4']);
    expect(r.chord?.symbol).toBe('A');
  });

  it('prints a readable report', () => {
    const r = omni(['analyze', chordWav]);
    expect(r.status).toBe(0);
    const text = r.stdout.toString('utf8');
    expect(text).toMatch(/^notes\s+C4 .*E4 .*G4/m);
    expect(text).toMatch(/^chord\s+C \(C major\)/m);
    expect(text).toMatch(/^key\s+C major/m);
    expect(text).toMatch(/^loudness\s+-\d+\.\d LUFS integrated/m);
    expect(text).toMatch(/^peak\s+.*dBTP true peak/m);
  });

  it('reads a stereo 1 kHz sine at -23 dBFS as -23.0 LUFS (EBU Tech 3341 case 1)', () => {
    const file = join(dir, 'k1000.wav');
    expect(omni(['tone', '1000', '-a', '-23dB', '-c', '2', '-d', '10', '-b', '24', '-o', file]).status).toBe(
      0,
    );
    const r = analyzeJson(file);
    expect(r.channels).toBe(2);
    expect(r.duration).toBeCloseTo(10, 3);
    expect(Math.abs(r.loudness.integratedLufs + 23)).toBeLessThan(0.1);
    expect(Math.abs(r.loudness.truePeakDbtp + 23)).toBeLessThan(0.2);
    expect(Math.abs(r.loudness.samplePeakDbfs + 23)).toBeLessThan(0.1);
    // plain RMS of a sine is 3.01 dB below its peak; the AES17 figure, labelled, reads as the peak
    expect(Math.abs(r.loudness.rmsDbfs + 26.01)).toBeLessThan(0.1);
    expect(Math.abs(r.loudness.rmsAes17Dbfs + 23)).toBeLessThan(0.1);
    expect(r.f0!.frequency).toBeCloseTo(1000, 0);
    const text = omni(['analyze', file]).stdout.toString('utf8');
    expect(text).toMatch(/RMS -26\.0 dBFS \(AES17 -23\.0 dBFS\)/);
  });

  it('analyses a clean -90 dBFS tone in a 24-bit file (silence is below -100 dBFS)', () => {
    const file = join(dir, 'quiet24.wav');
    const made = omni(['tone', '440', '-a', '-90dB', '--dither', 'none', '-b', '24', '-d', '2', '-o', file]);
    expect(made.status).toBe(0);
    const r = analyzeJson(file);
    expect(Math.abs(r.loudness.samplePeakDbfs + 90)).toBeLessThan(0.1);
    expect(r.notes.map((n) => n.note)).toEqual(['A4']);
  });

  it('--plot writes a PNG of each kind atomically', () => {
    const pdir = join(dir, 'plots');
    mkdirSync(pdir);
    for (const kind of ['spectrum', 'spectrogram', 'waveform']) {
      const png = join(pdir, `${kind}.png`);
      const r = omni(['analyze', chordWav, '--plot', png, '--plot-kind', kind, '--json']);
      expect(r.status).toBe(0);
      const bytes = readFileSync(png);
      expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      expect(bytes.subarray(12, 16).toString('latin1')).toBe('IHDR');
      expect(bytes.readUInt32BE(16)).toBe(1000);
      expect(bytes.readUInt32BE(20)).toBe(500);
      expect(bytes.length).toBeGreaterThan(5000);
    }
    expect(readdirSync(pdir).sort()).toEqual(['spectrogram.png', 'spectrum.png', 'waveform.png']);
  });
});

describe('bad input: one clear line, exit 2 (1 for unwritable paths), nothing written', () => {
  const bad = join(dir, 'bad');
  beforeAll(() => {
    mkdirSync(bad);
    writeFileSync(join(bad, 'empty.wav'), '');
    writeFileSync(join(bad, 'text.wav'), 'this is not audio at all\n');
    writeFileSync(
      join(bad, 'corrupt.wav'),
      Buffer.concat([Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt '), Buffer.alloc(20, 0xff)]),
    );
    expect(
      omni(['tone', '440', '-a', '0', '--dither', 'none', '-d', '1', '-o', join(bad, 'zero.wav')]).status,
    ).toBe(0);
    expect(omni(['tone', '440', '-a', '0', '-d', '1', '-o', join(bad, 'dithered.wav')]).status).toBe(0);
  });

  const cases: [string, string[], number, RegExp][] = [
    ['missing file', ['analyze', 'no-such.wav'], 2, /no-such\.wav: no such file/],
    ['empty file', ['analyze', 'empty.wav'], 2, /empty/],
    ['a folder', ['analyze', '.'], 2, /is a folder/],
    ['text file (decoded through FFmpeg)', ['analyze', 'text.wav'], 2, /text\.wav/],
    ['corrupt WAV', ['analyze', 'corrupt.wav'], 2, /corrupt\.wav/],
    ['digital silence', ['analyze', 'zero.wav'], 2, /silent/],
    ['dithered silence', ['analyze', 'dithered.wav'], 2, /silent/],
    ['silence for --from', ['suggest', '--from', 'zero.wav'], 2, /silent/],
    ['bad plot kind', ['analyze', chordWav, '--plot', 'x.png', '--plot-kind', 'pie'], 2, /--plot-kind/],
    ['note out of range', ['suggest', 'C12'], 2, /C12/],
    ['not a note', ['suggest', 'C4', 'H4'], 2, /note 2: .*H4/],
    ['above Nyquist', ['suggest', '30000'], 2, /24000 \(Nyquist\)/],
    ['zero Hz', ['suggest', '0'], 2, /> 0/],
    ['zero kHz', ['suggest', '0khz'], 2, /> 0 .*0khz/],
    ['range without ..', ['suggest', 'C4', '--range', '100'], 2, /--range: must be lo\.\.hi/],
    ['range reversed', ['suggest', 'C4', '--range', '500..100'], 2, /--range/],
    ['range bad note', ['suggest', 'C4', '--range', 'C3..X9'], 2, /--range: .*X9/],
    [
      'unknown tuning',
      ['suggest', 'C4', '--tuning', 'meantone'],
      2,
      /--tuning: must be just, 12tet, pythagorean/,
    ],
    ['unknown goal', ['suggest', 'C4', '--goal', 'calm'], 2, /--goal/],
    ['count 0', ['suggest', 'C4', '-n', '0'], 2, /--count/],
    [
      'rank above count',
      ['suggest', 'C4', '-n', '3', '--like', '4', '--profile', 'p.json'],
      2,
      /--like: .*1 to 3/,
    ],
    ['rank 0', ['suggest', 'C4', '--dislike', '0', '--profile', 'p.json'], 2, /--dislike/],
    ['no notes', ['suggest'], 2, /give one or more notes/],
    ['bad --render duration', ['suggest', 'C4', '--render', 'x.wav', '-d', 'soon'], 2, /--duration/],
    ['notes and --from', ['suggest', 'C4', '--from', chordWav], 2, /not both/],
    [
      'unwritable --profile',
      ['suggest', 'C4', '--like', '1', '--profile', '/nonexistent-dir/p.json'],
      1,
      /cannot write/,
    ],
    ['unwritable --plot', ['analyze', chordWav, '--plot', '/nonexistent-dir/x.png'], 1, /cannot write/],
    [
      'unwritable --render',
      ['suggest', 'C4', '--render', '/nonexistent-dir/x.wav', '--json'],
      1,
      /cannot write/,
    ],
  ];

  it.each(cases)('%s', (name, args, status, message) => {
    if (name.includes('FFmpeg') && !requireComponent('ffmpeg', hasCommand('ffmpeg'))) return;
    const before = readdirSync(bad).sort();
    const r = run(args, { env, cwd: bad });
    expect(r.status).toBe(status);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^omnisonic: error: /);
    expect(lines[0]).toMatch(message);
    expect(lines.length).toBeLessThanOrEqual(2); // the error, and maybe a hint
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    if (status === 2) expect(r.stdout.length).toBe(0);
    expect(readdirSync(bad).sort()).toEqual(before); // nothing half-written
  });
});
