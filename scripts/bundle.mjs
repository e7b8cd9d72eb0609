#!/usr/bin/env node
// Bundle the compiled CLI (dist/cli/main.js, from tsc) into one CommonJS file,
// dist/bundle/cli.cjs, and record V8's code cache for it (dist/bundle/cli.cjs.cache) from a short
// render. bin/omnisonic.cjs loads the bundle with that cache.
//
// Why CommonJS and one file: a CLI run then never starts Node's ES module loader, reads one file
// instead of a graph of modules, and can hand V8 its compiled code from the last build instead
// of parsing and compiling again. Together that takes the CLI's own share of a short render from
// about 55 ms to about 20 ms. Packages from node_modules stay outside the bundle, except
// commander, which every run needs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const external = Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })
  .filter((name) => name !== 'commander')
  .flatMap((name) => [name, `${name}/*`]);

/**
 * commander requires child_process at load time, for subcommands that are separate executables,
 * which OmniSonic does not use. child_process pulls in net, dgram and the stream stack: several
 * ms of every start-up. This hands commander a stand-in that loads it on first use.
 */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      args.importer.includes(`node_modules${'/'}commander`) ? { path: 'child_process', namespace: 'lazy' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, () => ({
      contents: "module.exports = new Proxy({}, { get: (_, key) => require('node:child_process')[key] });",
      loader: 'js',
    }));
  },
};

rmSync(join(root, 'dist/bundle'), { recursive: true, force: true });
await build({
  entryPoints: [join(root, 'dist/cli/main.js')],
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  outfile: join(root, 'dist/bundle/cli.cjs'),
  external,
  // the sources find package files from import.meta.url (src/package-root.ts); CommonJS has none
  define: { 'import.meta.url': '__omniModuleUrl' },
  banner: { js: "const __omniModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  // import() inside code compiled by vm.Script needs a loader callback that V8's code cache
  // drops (and Node 20 calls experimental): load packages with require, which takes ES modules
  // without top-level await from Node 20.19 on
  supported: { 'dynamic-import': false },
  // names stay, so stack traces remain readable; a smaller file is faster to read and hash
  minifyWhitespace: true,
  plugins: [lazyChildProcess],
  logLevel: 'warning',
});

// The code cache: short renders compile what renders need, and the loader writes V8's cache of
// it on exit. The second run starts from the first one's cache and adds what it compiled, so the
// cache covers both commands. Without a cache (or with one from another Node) the CLI works the
// same, slower.
const work = mkdtempSync(join(tmpdir(), 'omnisonic-cache-'));
try {
  for (const args of [
    ['tone', 'A4', '-d', '0.2'],
    ['mix', 'A4', 'C5:saw@-6dB', 'noise:pink@-20dB', '-d', '0.2'],
  ]) {
    const run = spawnSync(process.execPath, [join(root, 'bin/omnisonic.cjs'), ...args, '-o', join(work, 'warm.wav')], {
      env: { ...process.env, OMNISONIC_WRITE_CODE_CACHE: '1' },
      encoding: 'utf8',
    });
    if (run.status !== 0) {
      console.error(`bundle: the warm-up render (${args.join(' ')}) failed, exit ${run.status}: ${run.stderr}`);
      process.exitCode = 1;
      break;
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
