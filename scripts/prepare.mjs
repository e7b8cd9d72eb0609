#!/usr/bin/env node
// npm's `prepare`: build the project (`npm run build`) unless the build is current.
//
// npm runs `prepare` after `npm install`, and again each time it installs this folder as a
// dependency. `npx omnisonic` in a clone does that (into npx's cache), so the quick start
// (`npm install && npx omnisonic ...`) built twice, the second time for nothing. The build is
// current when every output exists and is newer than every input; `npm run build` always builds.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * What the build reads (a folder counts by its newest file). The lock file counts too: the
 * bundle holds commander, so an update of it alone changes the build.
 */
export const INPUTS = [
  'src',
  'scripts/bundle.mjs',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.build.json',
];
/** What the build writes: the library's entry and the CLI bundle, the last thing it writes. */
export const OUTPUTS = ['dist/index.js', 'dist/bundle/cli.cjs'];

/** Modification time (ms) of a file, or of the newest file under a folder; -Infinity if absent. */
function newest(path) {
  let st;
  try {
    st = statSync(path);
  } catch {
    return Number.NEGATIVE_INFINITY;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let t = Number.NEGATIVE_INFINITY;
  for (const entry of readdirSync(path)) t = Math.max(t, newest(join(path, entry)));
  return t;
}

/** Is the build under `root` newer than everything it is made from? */
export function buildIsCurrent(root) {
  let oldestOutput = Number.POSITIVE_INFINITY;
  for (const out of OUTPUTS) {
    try {
      oldestOutput = Math.min(oldestOutput, statSync(join(root, out)).mtimeMs);
    } catch {
      return false;
    }
  }
  return INPUTS.every((input) => newest(join(root, input)) < oldestOutput);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  if (buildIsCurrent(root)) {
    console.log('omnisonic: the build is current (npm run build rebuilds it)');
  } else {
    // the npm that runs this script (npm_execpath), else the one on PATH
    const npm = process.env.npm_execpath;
    const r = npm
      ? spawnSync(process.execPath, [npm, 'run', 'build'], { cwd: root, stdio: 'inherit' })
      : spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
    process.exit(r.status ?? 1);
  }
}
