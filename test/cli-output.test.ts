import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, cliIn, hasCommand, requireComponent, run, tempDir } from './helpers/cli.js';

// Where the output goes and what the CLI refuses: devices, FIFOs, links, inputs, signals,
// lengths, WAV padding, and the messages of bad options.
const dir = tempDir('omni-out-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cli = cliIn(dir);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tmpLeft = () => readdirSync(dir).filter((f) => f.endsWith('.tmp'));

describe('output targets that are not regular files', () => {
  /**
   * A device node to write to. As root, a private node in the test folder (the same device as
   * /dev/null or /dev/full), so a writer that replaced its target would never touch /dev; as
   * another user, /dev itself (which cannot be replaced without root).
   */
  function device(name: 'null' | 'full'): string {
    if (process.getuid?.() !== 0) return `/dev/${name}`;
    const node = join(dir, `dev-${name}`);
    if (!existsSync(node)) {
      const r = spawnSync('mknod', ['-m', '666', node, 'c', '1', name === 'null' ? '3' : '7']);
      expect(r.status, r.stderr.toString()).toBe(0);
    }
    return node;
  }

  it('-o /dev/null writes into the device and leaves it a device', () => {
    const dev = device('null');
    const r = cli(['tone', '440', '-d', '1', '-o', dev]);
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(dev).isCharacterDevice()).toBe(true);
    expect(tmpLeft()).toEqual([]);
  });

  it('-o /dev/full fails with one IO error line, exit 1', () => {
    const dev = device('full');
    const r = cli(['tone', '440', '-d', '1', '-o', dev]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`omnisonic: error: cannot write ${dev}: no space left on device\n`);
    expect(statSync(dev).isCharacterDevice()).toBe(true);
  });

  it('-o /dev/stdout and -o /proc/self/fd/1 write the same bytes as -o -', () => {
    const ref = run(['tone', '440', '-d', '0.5', '-o', '-']).stdout;
    for (const name of ['/dev/stdout', '/proc/self/fd/1']) {
      const r = run(['tone', '440', '-d', '0.5', '-o', name]);
      expect(r.status, r.stderr).toBe(0);
      expect(Buffer.compare(r.stdout, ref)).toBe(0);
    }
  });

  it('a FIFO is written into (its reader gets the whole WAV), not replaced', async ({ skip }) => {
    if (!requireComponent('mkfifo', hasCommand('mkfifo'))) return skip();
    const fifo = join(dir, 'pipe.wav');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const reader = spawn('cat', [fifo]);
    const got: Buffer[] = [];
    reader.stdout.on('data', (d: Buffer) => got.push(d));
    const readerDone = new Promise((r) => reader.on('close', r));
    const r = cli(['tone', '440', '-d', '1', '-o', 'pipe.wav']);
    await readerDone;
    expect(r.code, r.stderr).toBe(0);
    expect(Buffer.concat(got).length).toBe(44 + 96000);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('a symbolic link is written through: the link stays, its target gets the render', () => {
    writeFileSync(join(dir, 'target.wav'), 'old');
    symlinkSync('target.wav', join(dir, 'link.wav'));
    const r = cli(['tone', '440', '-d', '1', '-o', 'link.wav']);
    expect(r.code, r.stderr).toBe(0);
    expect(lstatSync(join(dir, 'link.wav')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, 'link.wav'))).toBe('target.wav');
    expect(statSync(join(dir, 'target.wav')).size).toBe(44 + 96000);
    // a link to a file not made yet: the file is made, the link kept
    symlinkSync('later.wav', join(dir, 'dangling.wav'));
    expect(cli(['tone', '440', '-d', '1', '-o', 'dangling.wav']).code).toBe(0);
    expect(lstatSync(join(dir, 'dangling.wav')).isSymbolicLink()).toBe(true);
    expect(statSync(join(dir, 'later.wav')).size).toBe(44 + 96000);
    expect(tmpLeft()).toEqual([]);
  });
});

describe('refusals and lengths', () => {
  it('mix refuses to write over one of its input files (exit 2), by any name', () => {
    expect(cli(['tone', '440', '-d', '1', '-o', 'in.wav']).code).toBe(0);
    const before = readFileSync(join(dir, 'in.wav'));
    symlinkSync('in.wav', join(dir, 'in-link.wav'));
    for (const out of ['in.wav', './in.wav', 'in-link.wav']) {
      const r = cli(['mix', '440', 'file:in.wav', '-d', '2', '-o', out]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('the output is the input file in.wav');
    }
    expect(Buffer.compare(readFileSync(join(dir, 'in.wav')), before)).toBe(0);
    // a preset's audio file, and the preset itself, are inputs of render
    writeFileSync(
      join(dir, 'uses.json'),
      '{"name":"uses","duration":1,"layers":[{"type":"file","path":"in.wav"}]}',
    );
    for (const out of ['in.wav', 'uses.json']) {
      const r = cli(['render', 'uses.json', '-t', 'wav', '-o', out]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('the output is the input file');
    }
    expect(Buffer.compare(readFileSync(join(dir, 'in.wav')), before)).toBe(0);
  });

  it('mix -d 5 is honoured with a file layer (5 is not mistaken for the default)', () => {
    expect(cli(['tone', '300', '-d', '2', '-o', 'two.wav']).code).toBe(0);
    for (const [d, frames] of [
      ['5', 5 * 48000],
      ['4', 4 * 48000],
    ] as const) {
      const r = cli(['mix', '440', 'file:two.wav@-10dB', '-d', d, '-o', `m${d}.wav`]);
      expect(r.code, r.stderr).toBe(0);
      expect(readFileSync(join(dir, `m${d}.wav`)).readUInt32LE(40)).toBe(frames * 2);
    }
    // without -d: the file's length
    expect(cli(['mix', '440', 'file:two.wav', '-o', 'mf.wav']).code).toBe(0);
    expect(readFileSync(join(dir, 'mf.wav')).readUInt32LE(40)).toBe(2 * 48000 * 2);
    // and the help says so
    expect(cli(['mix', '--help']).stdout).not.toMatch(/--duration <time>.*\(default: "5"\)/);
  });

  it('a duration shorter than one sample is an error (exit 2), for wav and mp3 alike', () => {
    for (const out of ['z.wav', 'z.mp3']) {
      const r = cli(['tone', '440', '-d', '0.00001', '-o', out]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('shorter than one sample');
      expect(existsSync(join(dir, out))).toBe(false);
    }
  });

  it('tone -a reaches the level asked, up to 0 dBFS, without a clipping warning', () => {
    for (const [a, peak] of [
      ['0dB', 1],
      ['1', 1],
      ['0.95', 0.95],
      ['-0.5dB', 10 ** (-0.5 / 20)],
    ] as const) {
      const r = cli(['tone', '440', '-d', '1', '-a', a, '-b', '24', '--dither', 'none', '-o', 'a.wav']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe('');
      const b = readFileSync(join(dir, 'a.wav'));
      let max = 0;
      for (let p = 44; p + 3 <= b.length; p += 3) max = Math.max(max, Math.abs(b.readIntLE(p, 3)));
      expect(20 * Math.log10(max / 8388607)).toBeCloseTo(20 * Math.log10(peak), 2);
    }
  });
});

describe('WAV pad byte', () => {
  it('24-bit mono of 48,001 samples ends with the pad byte its RIFF size counts (file and stdout)', () => {
    const r = cli(['tone', '440', '-d', '1.0000208', '-b', '24', '-o', 'odd.wav']);
    expect(r.code, r.stderr).toBe(0);
    const b = readFileSync(join(dir, 'odd.wav'));
    expect(b.readUInt32LE(40)).toBe(48001 * 3);
    expect(b.length).toBe(44 + 48001 * 3 + 1);
    expect(b.readUInt32LE(4)).toBe(b.length - 8);
    expect(b[b.length - 1]).toBe(0);
    const s = run(['tone', '440', '-d', '1.0000208', '-b', '24', '-o', '-']).stdout;
    expect(Buffer.compare(s, b)).toBe(0);
  });
});

describe('signals', () => {
  it('SIGHUP (a closed terminal) discards the output as Ctrl-C does: exit 130, no temporary file', async () => {
    const child = spawn(process.execPath, [CLI, 'tone', '440', '-d', '20m', '-o', 'big.wav'], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    for (let i = 0; i < 400 && tmpLeft().length === 0; i++) await sleep(25);
    expect(tmpLeft().length).toBe(1);
    child.kill('SIGHUP');
    expect(await exited).toBe(130);
    expect(stderr).toContain('interrupted: nothing was written');
    expect(tmpLeft()).toEqual([]);
    expect(existsSync(join(dir, 'big.wav'))).toBe(false);
  });
});

describe('messages', () => {
  it('file: without a path, a device as a file layer, -d 1e3, --quality ranges', () => {
    let r = cli(['mix', '440', 'file:', '-o', 'x.wav']);
    expect(r.stderr.split('\n')[0]).toBe(
      "omnisonic: error: layer 2 'file:': file needs a path, as in file:rain.wav",
    );
    r = cli(['mix', '440', 'noise:', '-o', 'x.wav']);
    expect(r.stderr).toContain('noise needs a colour, one of noise:white|pink|brown|blue|violet');
    r = cli(['mix', '440', 'file:/dev/zero', '-o', 'x.wav']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('/dev/zero: not a regular file');
    r = cli(['tone', '440', '-d', '1e-1', '-o', 'e.wav']);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'e.wav')).readUInt32LE(40)).toBe(4800 * 2);
    r = cli(['tone', '440', '-d', '1e9', '-o', 'e.wav']);
    expect(r.stderr).not.toContain('not a duration');
    expect(r.code).toBe(2); // a WAV of 31 years is too long
    for (const q of ['99', '11']) {
      r = cli(['tone', '440', '-d', '1', '--quality', q, '-o', 'q.ogg']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`--quality: ogg takes 0 to 10, got ${q}`);
    }
    for (const out of ['q.wav', 'q.raw', 'q.m4a']) {
      r = cli(['tone', '440', '-d', '1', '--quality', '3', '-o', out]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('--quality does not apply to');
    }
  });
});
