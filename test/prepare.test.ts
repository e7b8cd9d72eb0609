import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// npm runs `prepare` after `npm install` and again whenever it installs this folder as a
// dependency: `npx omnisonic` in a clone does, into npx's cache, so the README's first command
// built the project twice (13 s more on the first run). The build is skipped when every output
// is newer than every input.
// @ts-expect-error: a plain JavaScript build script
const { buildIsCurrent, INPUTS, OUTPUTS } = (await import('../scripts/prepare.mjs')) as {
  buildIsCurrent(root: string): boolean;
  INPUTS: string[];
  OUTPUTS: string[];
};

const work = mkdtempSync(join(tmpdir(), 'omni-prepare-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let n = 0;
/** A project tree whose sources date from `inputAt` and outputs from `outputAt` (seconds). */
function tree(inputAt: number, outputAt: number | null, extra: [string, number][] = []): string {
  const root = join(work, String(n++));
  const put = (rel: string, at: number) => {
    const file = join(root, rel);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, rel);
    utimesSync(file, at, at);
  };
  put('src/cli/main.ts', inputAt);
  put('src/dsp/deep/nested/kernel.ts', inputAt);
  for (const rel of INPUTS.filter((p) => p !== 'src')) put(rel, inputAt);
  if (outputAt !== null) for (const rel of OUTPUTS) put(rel, outputAt);
  for (const [rel, at] of extra) put(rel, at);
  return root;
}

describe('prepare: build only what is out of date', () => {
  it('the outputs are the library entry and the CLI bundle; the inputs include the sources and the bundler', () => {
    expect(OUTPUTS).toEqual(expect.arrayContaining(['dist/index.js', 'dist/bundle/cli.cjs']));
    expect(INPUTS).toEqual(
      expect.arrayContaining(['src', 'scripts/bundle.mjs', 'package.json', 'tsconfig.json']),
    );
  });

  it('is current when every output is newer than every input', () => {
    expect(buildIsCurrent(tree(1_000_000, 2_000_000))).toBe(true);
  });

  it('is out of date with no build at all, or with one output missing', () => {
    expect(buildIsCurrent(tree(1_000_000, null))).toBe(false);
    const root = tree(1_000_000, 2_000_000);
    rmSync(join(root, 'dist', 'bundle', 'cli.cjs'));
    expect(buildIsCurrent(root)).toBe(false);
  });

  it('is out of date when one source file deep in src is newer than the build', () => {
    expect(buildIsCurrent(tree(1_000_000, 2_000_000, [['src/dsp/deep/nested/kernel.ts', 3_000_000]]))).toBe(
      false,
    );
  });

  it('is out of date when package.json, the lock file, a tsconfig or the bundler changed after the build', () => {
    for (const rel of ['package.json', 'package-lock.json', 'tsconfig.build.json', 'scripts/bundle.mjs']) {
      expect(buildIsCurrent(tree(1_000_000, 2_000_000, [[rel, 3_000_000]]))).toBe(false);
    }
  });

  it('is out of date when one output is older than a source, though the others are newer', () => {
    expect(buildIsCurrent(tree(2_000_000, 3_000_000, [['dist/index.js', 1_000_000]]))).toBe(false);
  });
});
