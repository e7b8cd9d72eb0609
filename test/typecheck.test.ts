import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** Runs tsc in `cwd` with `args` and expects it to pass without a word. */
function expectTypeChecks(cwd: string, args: string[]): void {
  const r = spawnSync(process.execPath, [TSC, ...args, '--noEmit'], { cwd, encoding: 'utf8' });
  expect(r.stdout + r.stderr).toBe('');
  expect(r.status).toBe(0);
}

// The whole project, tests, benches and examples included, type-checks under `strict`.
describe('types', () => {
  it('type-checks src, test, bench and examples', () => {
    expectTypeChecks(ROOT, ['-p', 'tsconfig.json']);
  }, 180_000);
});

// An optional dependency whose native build fails (speaker without ALSA's headers, the MIDI
// binding) is left out by npm, and `npm install` then runs `prepare`, which builds the project.
// That build must not need them: a user without libasound2-dev still gets a working CLI.
describe('optional packages', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    optionalDependencies: Record<string, string>;
  };
  const optional = Object.keys(pkg.optionalDependencies);
  const work = mkdtempSync(join(tmpdir(), 'omni-noopt-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** The project beside a node_modules as npm leaves it when every optional package failed. */
  function withoutOptional(): string {
    const nm = join(work, 'node_modules');
    mkdirSync(nm);
    for (const entry of readdirSync(join(ROOT, 'node_modules'))) {
      if (entry.startsWith('.')) continue;
      if (entry.startsWith('@')) {
        mkdirSync(join(nm, entry));
        for (const sub of readdirSync(join(ROOT, 'node_modules', entry))) {
          if (optional.includes(`${entry}/${sub}`)) continue;
          symlinkSync(join(ROOT, 'node_modules', entry, sub), join(nm, entry, sub));
        }
      } else if (!optional.includes(entry)) {
        symlinkSync(join(ROOT, 'node_modules', entry), join(nm, entry));
      }
    }
    for (const f of ['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json']) {
      symlinkSync(join(ROOT, f), join(work, f));
    }
    return nm;
  }

  it('lists the native packages as optional', () => {
    expect(optional).toEqual(
      expect.arrayContaining(['speaker', '@julusian/midi', '@ffmpeg-installer/ffmpeg']),
    );
  });

  it('the build type-checks with none of the optional packages installed', () => {
    const nm = withoutOptional();
    expect(existsSync(join(nm, 'speaker'))).toBe(false);
    expect(existsSync(join(nm, '@julusian', 'midi'))).toBe(false);
    // resolved from the links, not from where they point (which has every package)
    expectTypeChecks(work, ['-p', 'tsconfig.build.json', '--preserveSymlinks']);
  }, 180_000);
});
