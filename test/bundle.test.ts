import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import Module from 'node:module';
import { join } from 'node:path';
import vm from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, run, tempDir } from './helpers/cli.js';

const ROOT = join(import.meta.dirname, '..');
const BUNDLE = join(ROOT, 'dist', 'bundle', 'cli.cjs');

describe('the CLI bundle and its code cache', () => {
  const work = tempDir('omnisonic-bundle-');
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('the build leaves a code cache that this Node accepts', () => {
    const source = readFileSync(BUNDLE, 'utf8');
    const cachedData = readFileSync(`${BUNDLE}.cache`);
    expect(cachedData.length).toBeGreaterThan(10_000);
    const script = new vm.Script(Module.wrap(source), { filename: BUNDLE, cachedData });
    expect(script.cachedDataRejected).toBe(false);
  });

  /** A copy of the installed package with bin/ and the bundle (no cache), sharing node_modules. */
  function copyPackage(name: string): string {
    const pkg = join(work, name);
    mkdirSync(join(pkg, 'bin'), { recursive: true });
    mkdirSync(join(pkg, 'dist', 'bundle'), { recursive: true });
    copyFileSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
    copyFileSync(CLI, join(pkg, 'bin', 'omnisonic.cjs'));
    copyFileSync(BUNDLE, join(pkg, 'dist', 'bundle', 'cli.cjs'));
    symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'), 'dir');
    return pkg;
  }

  function renderWith(bin: string, out: string): Buffer {
    const r = spawnSync(process.execPath, [
      bin,
      'mix',
      'A4',
      'noise:pink@-12dB',
      '-d',
      '0.5',
      '--seed',
      '7',
      '-o',
      out,
    ]);
    expect(r.stderr.toString()).toBe('');
    expect(r.status).toBe(0);
    return readFileSync(out);
  }

  it('renders the same bytes without a cache and with a cache V8 turns down', () => {
    const reference = run(['mix', 'A4', 'noise:pink@-12dB', '-d', '0.5', '--seed', '7', '-o', '-']).stdout;
    expect(reference.length).toBe(44 + 0.5 * 48000 * 2);

    const bare = copyPackage('no-cache');
    expect(renderWith(join(bare, 'bin', 'omnisonic.cjs'), join(work, 'a.wav')).equals(reference)).toBe(true);

    // a damaged cache (as from another Node): V8 checks it, turns it down and compiles instead
    const damaged = copyPackage('damaged-cache');
    writeFileSync(join(damaged, 'dist', 'bundle', 'cli.cjs.cache'), randomBytes(200_000));
    expect(renderWith(join(damaged, 'bin', 'omnisonic.cjs'), join(work, 'b.wav')).equals(reference)).toBe(
      true,
    );
  });

  it('without a built bundle: one line saying to build, exit 1', () => {
    const pkg = join(work, 'unbuilt');
    mkdirSync(join(pkg, 'bin'), { recursive: true });
    copyFileSync(CLI, join(pkg, 'bin', 'omnisonic.cjs'));
    const r = spawnSync(process.execPath, [join(pkg, 'bin', 'omnisonic.cjs'), 'tone', 'A4']);
    expect(r.status).toBe(1);
    expect(r.stderr.toString()).toBe(
      'omnisonic: the CLI is not built (dist/bundle/cli.cjs is missing): run npm run build\n',
    );
    expect(existsSync(join(pkg, 'dist'))).toBe(false);
  });
});
