import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import wavefilePkg from 'wavefile';
import { decodeWav } from '../src/io/audio-file.js';
import { CLI, hasCommand, requireComponent, run, tempDir } from './helpers/cli.js';
import { peak, peakFrequency, spectrumDb } from './helpers/signal.js';

const { WaveFile } = wavefilePkg;

describe('omnisonic tone', () => {
  it('writes a 3 s A4 WAV that an independent reader sees as 440 Hz at -6 dBFS', () => {
    const dir = tempDir();
    const out = join(dir, 'a4.wav');
    const r = run(['tone', 'A4', '-d', '3', '-o', out]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const wav = new WaveFile(readFileSync(out));
    const fmt = wav.fmt as { sampleRate: number; numChannels: number; bitsPerSample: number };
    expect(fmt.sampleRate).toBe(48000);
    expect(fmt.numChannels).toBe(1);
    expect(fmt.bitsPerSample).toBe(16);
    const samples = Float64Array.from(
      wav.getSamples(false, Float64Array) as unknown as Float64Array,
      (v) => v / 32767,
    );
    expect(samples.length).toBe(144000);
    expect(peakFrequency(spectrumDb(samples, 65536, 40000), 48000)).toBeCloseTo(440, 1);
    expect(peak(samples)).toBeCloseTo(0.5012, 3);
    // the default 10 ms fades: silent first and last samples
    expect(Math.abs(samples[0]!)).toBeLessThan(2 / 32767);
    expect(Math.abs(samples[samples.length - 1]!)).toBeLessThan(2 / 32767);
    // nothing but the file is left in the folder
    expect(readdirSync(dir)).toEqual(['a4.wav']);
  });

  it('agrees with sox and ffprobe on the format and length', ({ skip }) => {
    if (!requireComponent('sox or ffprobe', hasCommand('sox') && hasCommand('ffprobe'))) return skip();
    const dir = tempDir();
    for (const [bits, codec, soxBits] of [
      ['16', 'pcm_s16le', '16'],
      ['24', 'pcm_s24le', '24'],
      ['32', 'pcm_s32le', '32'],
      ['32f', 'pcm_f32le', '32'],
    ]) {
      const out = join(dir, `t${bits}.wav`);
      expect(
        run(['tone', '1000', '-d', '1.5', '-b', bits!, '-r', '44100', '--binaural', '4', '-o', out]).status,
      ).toBe(0);
      const probe = spawnSync('ffprobe', ['-v', 'error', '-show_streams', '-of', 'json', out]);
      const s = JSON.parse(probe.stdout.toString()).streams[0];
      expect(s.codec_name).toBe(codec);
      expect(Number(s.sample_rate)).toBe(44100);
      expect(s.channels).toBe(2);
      expect(Number(s.duration_ts)).toBe(66150);
      const soxi = spawnSync('soxi', ['-b', out]).stdout.toString().trim();
      expect(soxi).toBe(soxBits);
    }
  });

  it('writes exact RIFF and data sizes to stdout when the length is known', () => {
    const r = run(['tone', '440', '-d', '0.5', '-o', '-']);
    expect(r.status).toBe(0);
    const b = r.stdout;
    expect(b.toString('latin1', 0, 4)).toBe('RIFF');
    expect(b.readUInt32LE(4)).toBe(b.length - 8);
    expect(b.toString('latin1', 36, 40)).toBe('data');
    expect(b.readUInt32LE(40)).toBe(24000 * 2);
    expect(b.length).toBe(44 + 48000);
  });

  it('writes 0xFFFFFFFF sizes for an endless stream and ends quietly when the reader closes the pipe', () => {
    const r = spawnSync(
      'sh',
      ['-c', `node ${CLI} tone A4 -d inf -o - | head -c 1000000 > /dev/null; echo "status=\${PIPESTATUS:-}"`],
      {
        env: { ...process.env },
      },
    );
    expect(r.stderr.toString()).toBe('');
    const p = spawnSync('bash', [
      '-c',
      `set -o pipefail; node ${CLI} tone A4 -d inf -o - | head -c 1000000 | wc -c`,
    ]);
    expect(p.status).toBe(0);
    expect(p.stdout.toString().trim()).toBe('1000000');
    expect(p.stderr.toString()).toBe('');
    const head = spawnSync('bash', ['-c', `node ${CLI} tone A4 -d inf -o - | head -c 44`]).stdout;
    expect(head.readUInt32LE(4)).toBe(0xffffffff);
    expect(head.readUInt32LE(40)).toBe(0xffffffff);
  });

  it.each([['presets', 'list'], ['--help'], ['suggest', 'C4', 'E4', '--json']])(
    'ends text output quietly when the reader closes the pipe: %s',
    (...args) => {
      // the reader is gone before the CLI writes (it starts in far less time than node does)
      const p = spawnSync('bash', [
        '-c',
        `node ${CLI} ${args.join(' ')} | true; echo "cli=\${PIPESTATUS[0]}"`,
      ]);
      expect(p.stdout.toString().trim()).toBe('cli=0');
      expect(p.stderr.toString()).toBe('');
    },
  );

  it('writes headerless PCM with -t raw', () => {
    const r = run(['tone', '440', '-d', '0.25', '-t', 'raw', '-o', '-']);
    expect(r.status).toBe(0);
    expect(r.stdout.length).toBe(12000 * 2);
    expect(r.stdout.toString('latin1', 0, 4)).not.toBe('RIFF');
  });

  it('renders the same bytes for the same seed', () => {
    const a = run(['mix', 'noise:pink', '440', '-d', '0.3', '--seed', '42', '-o', '-']).stdout;
    const b = run(['mix', 'noise:pink', '440', '-d', '0.3', '--seed', '42', '-o', '-']).stdout;
    const c = run(['mix', 'noise:pink', '440', '-d', '0.3', '--seed', '43', '-o', '-']).stdout;
    expect(a.equals(b)).toBe(true);
    expect(a.equals(c)).toBe(false);
  });

  it('splits a binaural beat into two ears', () => {
    const r = run(['tone', '200', '--binaural', '10', '-d', '3', '-b', '32f', '-o', '-']);
    const { channels } = decodeWav(r.stdout, 'stdout');
    expect(channels.length).toBe(2);
    expect(peakFrequency(spectrumDb(channels[0]!, 131072), 48000)).toBeCloseTo(195, 1);
    expect(peakFrequency(spectrumDb(channels[1]!, 131072), 48000)).toBeCloseTo(205, 1);
  });

  it('prints help with examples, and the version', () => {
    const h = run(['tone', '--help']);
    expect(h.status).toBe(0);
    expect(h.stdout.toString()).toContain('Examples:');
    expect(h.stdout.toString()).toContain('--binaural');
    const v = run(['--version']);
    expect(v.status).toBe(0);
    expect(v.stdout.toString().trim()).toBe(
      JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version,
    );
  });
});

describe('omnisonic mix', () => {
  it('sums C4-E4-G4 without clipping, peaking at or below -1 dBFS', () => {
    const r = run(['mix', 'C4', 'E4', 'G4', '-d', '2', '-b', '32f', '-o', '-']);
    expect(r.status).toBe(0);
    const { channels } = decodeWav(r.stdout, 'stdout');
    expect(peak(channels[0]!)).toBeLessThanOrEqual(10 ** (-1 / 20) + 1e-6);
    const db = spectrumDb(channels[0]!, 65536, 10000);
    for (const f of [261.63, 329.63, 392.0]) {
      const k = Math.round((f / 48000) * 65536);
      expect(Math.max(...db.subarray(k - 2, k + 3))).toBeGreaterThan(-7);
    }
  });

  it('resolves ratios to the first layer, dB gains and pan', () => {
    const r = run(['mix', '200', '3/2@-6dB~1', '-d', '2', '-b', '32f', '-o', '-']);
    expect(r.status).toBe(0);
    const { channels } = decodeWav(r.stdout, 'stdout');
    expect(channels.length).toBe(2);
    // the right channel holds both; the left only the 200 Hz layer
    const left = spectrumDb(channels[0]!, 65536, 10000);
    const k300 = Math.round((300 / 48000) * 65536);
    expect(Math.max(...left.subarray(k300 - 2, k300 + 3))).toBeLessThan(-100);
    const right = spectrumDb(channels[1]!, 65536, 10000);
    expect(Math.max(...right.subarray(k300 - 2, k300 + 3))).toBeGreaterThan(-10);
  });

  it('mixes in a WAV file layer (resampled to the output rate)', () => {
    const dir = tempDir();
    const src = join(dir, 'src.wav');
    expect(run(['tone', '1000', '-d', '1', '-r', '44100', '-o', src]).status).toBe(0);
    const r = run(['mix', `file:${src}@0.5`, '-b', '32f', '-o', '-']);
    expect(r.status).toBe(0);
    const { channels, sampleRate } = decodeWav(r.stdout, 'stdout');
    expect(sampleRate).toBe(48000);
    expect(channels[0]!.length).toBe(48000);
    expect(peakFrequency(spectrumDb(channels[0]!, 16384, 10000), 48000)).toBeCloseTo(1000, 0);
  });

  it('keeps raw gains with --no-normalize and reports clipped samples', () => {
    const r = run(['mix', '100@1', '150@1', '-d', '0.5', '--no-normalize', '-o', '-']);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/warning: \d+ samples clipped/);
  });
});

describe('bad input', () => {
  const cases: [string, string[], RegExp][] = [
    ['negative frequency', ['tone', '-5'], /error: .*(must be > 0|unknown option)/],
    ['negative frequency (after --)', ['tone', '-o', '-', '--', '-5'], /frequency: must be > 0/],
    ['above Nyquist', ['tone', '30000'], /must be > 0 and < 24000 \(Nyquist\), got 30000/],
    ['above Nyquist at a lower rate', ['tone', '5000', '-r', '8000'], /< 4000 \(Nyquist\)/],
    ['unknown note', ['tone', 'H4'], /'H4' is neither a frequency in Hz nor a note name/],
    ['bad duration', ['tone', '440', '-d', 'forever'], /duration: 'forever' is not a duration/],
    ['zero duration', ['tone', '440', '-d', '0'], /duration: must be > 0/],
    ['bad gain', ['tone', '440', '-a', 'loud'], /'loud' is not a gain/],
    ['gain above 0 dBFS', ['tone', '440', '-a', '2'], /at most 1/],
    ['bad waveform', ['tone', '440', '-w', 'sawtooth'], /unknown waveform 'sawtooth'/],
    ['bad envelope', ['tone', '440', '--envelope', '1,2'], /needs A,D,S,R/],
    ['bad pan', ['tone', '440', '--pan', '3'], /--pan: must be a number from -1 to 1/],
    ['sweep above Nyquist', ['tone', '440', '--sweep', '40000'], /sweep.*Nyquist/],
    ['binaural below zero', ['tone', '3', '--binaural', '10'], /left ear would get/],
    ['bad bits', ['tone', '440', '-b', '12'], /must be 16, 24, 32 or 32f/],
    ['bad rate', ['tone', '440', '-r', 'fast'], /--rate: must be a number/],
    ['bad type', ['tone', '440', '-t', 'aiff', '-o', 'x'], /unknown type 'aiff'/],
    ['bad layer syntax', ['mix', '440:saw@@'], /layer 1 '440:saw@@'/],
    ['bad layer wave', ['mix', '440:sawtooth'], /unknown waveform 'sawtooth'/],
    ['bad layer note', ['mix', '440', 'X9'], /layer 2 'X9'/],
    ['ratio first', ['mix', '3/2'], /a ratio needs a tone layer/],
    ['bad noise colour', ['mix', 'noise:green'], /unknown noise colour 'green'/],
    ['missing file layer', ['mix', 'file:/nonexistent.wav'], /nonexistent.wav: no such file/],
    ['inf to a file', ['tone', '440', '-d', 'inf', '-o', '/tmp/x-inf.wav'], /'inf' needs -o -/],
    ['unknown option', ['tone', '440', '--frobnicate'], /unknown option '--frobnicate'/],
    ['missing argument', ['tone'], /missing required argument 'freq'/],
  ];
  it.each(cases)('%s: exit 2 with one clear line', (_name, args, pattern) => {
    const r = run([...args, ...(args.includes('-o') ? [] : ['-o', '-'])]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).toMatch(/^omnisonic: error: /);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stdout.length).toBe(0);
  });

  it('fails with exit 1 on an unwritable path and writes nothing', () => {
    const r = run(['tone', '440', '-d', '1', '-o', '/nonexistent-dir/x.wav']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^omnisonic: error: cannot write \/nonexistent-dir\/x.wav: no such folder/);
  });

  it('never damages the file that was there before a failed run', () => {
    const dir = tempDir();
    const out = join(dir, 'keep.wav');
    writeFileSync(out, 'precious');
    const r = run(['tone', '99999', '-o', out]);
    expect(r.status).toBe(2);
    expect(readFileSync(out, 'utf8')).toBe('precious');
    expect(readdirSync(dir)).toEqual(['keep.wav']);
  });

  it('leaves no partial file when interrupted', async () => {
    const dir = tempDir();
    const out = join(dir, 'long.wav');
    const { spawn } = await import('node:child_process');
    const p = spawn(process.execPath, [CLI, 'mix', 'noise:pink', '200', '-d', '3h', '-o', out]);
    // interrupt once the render is under way (its temporary file exists)
    for (let i = 0; i < 300 && !readdirSync(dir).some((f) => f.endsWith('.tmp')); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(readdirSync(dir).some((f) => f.endsWith('.tmp'))).toBe(true);
    p.kill('SIGINT');
    const code = await new Promise<number | null>((r) => p.on('close', r));
    expect(code).toBe(130);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses to write audio to a terminal', ({ skip }) => {
    // simulate a terminal on stdout with `script` (util-linux)
    if (!requireComponent('script (util-linux)', hasCommand('script'))) return skip();
    const r = spawnSync('script', ['-qec', `node ${CLI} tone 440 -d 1`, '/dev/null']);
    expect(r.stdout.toString()).toMatch(/no output given and stdout is a terminal/);
  });
});
