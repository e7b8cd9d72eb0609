#!/usr/bin/env node
// Bundle the compiled CLI (dist/cli/main.js, from tsc) into dist/bundle/: one file for what
// every command loads at start-up, and shared chunks for what each command loads when it runs.
// Fewer modules to find and read take about a third off the CLI's start-up. Packages from
// node_modules stay outside the bundle except commander, which every run needs.
import { readFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const external = Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })
  .filter((name) => name !== 'commander')
  .flatMap((name) => [name, `${name}/*`]);

// chunk names carry content hashes: start from an empty folder so that no stale chunk stays
rmSync('dist/bundle', { recursive: true, force: true });
await build({
  entryPoints: { main: 'dist/cli/main.js' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir: 'dist/bundle',
  chunkNames: 'chunks/[name]-[hash]',
  external,
  // commander is CommonJS and requires Node's built-ins: give every output file a require
  banner: { js: "import { createRequire as __omniRequire } from 'node:module'; const require = __omniRequire(import.meta.url);" },
  logLevel: 'warning',
});
