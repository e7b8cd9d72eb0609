#!/usr/bin/env node
// The omnisonic command. It runs the CLI bundle (dist/bundle/cli.cjs, made by `npm run build`)
// with V8's code cache from the build, when this Node can use it: compiled code is then read
// instead of made again, which is most of what the CLI costs to start. The cache is only a
// speed-up: without it, or when V8 turns it down (another Node version or other V8 flags), the
// bundle compiles as usual. OMNISONIC_WRITE_CODE_CACHE=1 (set by the build) writes the cache
// when the run ends.
'use strict';
const { readFileSync, statSync, writeFileSync, renameSync } = require('node:fs');
const { join } = require('node:path');
const Module = require('node:module');
const vm = require('node:vm');

const dir = join(__dirname, '..', 'dist', 'bundle');
const file = join(dir, 'cli.cjs');
const cacheFile = `${file}.cache`;

let source;
try {
  source = readFileSync(file, 'utf8');
} catch {
  process.stderr.write(
    'omnisonic: the CLI is not built (dist/bundle/cli.cjs is missing): run npm run build\n',
  );
  process.exit(1);
}

let cachedData;
try {
  // a cache older than the bundle belongs to another build
  if (statSync(cacheFile).mtimeMs >= statSync(file).mtimeMs) cachedData = readFileSync(cacheFile);
} catch {
  cachedData = undefined;
}

// the bundle has no import(): it loads packages with require (see scripts/bundle.mjs)
const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });

if (process.env.OMNISONIC_WRITE_CODE_CACHE === '1') {
  process.once('exit', () => {
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(tmp, script.createCachedData());
    renameSync(tmp, cacheFile);
  });
}

// the arguments Node gives a CommonJS module: exports, require, module, __filename, __dirname
const bundle = { exports: {} };
script.runInThisContext()(bundle.exports, Module.createRequire(file), bundle, file, dir);
