#!/usr/bin/env node
// grite. Hot commands go through the fast entry (dist/fast.bundle.cjs: one
// bundled script, compiled with a V8 code cache kept beside it); everything
// else (help, --version, unknown input) goes to full oclif, which renders the
// same bytes and exit codes. GRITE_NO_FAST=1 skips the fast entry.
//
// CommonJS on purpose: an ES module entry starts Node's ESM loader (and
// fs/promises, readline and more under it), ~5 ms on every call.
'use strict';
const { readFileSync, renameSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const vm = require('node:vm');

const argv = process.argv.slice(2);

/**
 * Compiles the fast bundle with the code cache when it matches (V8 checks the
 * source and its own version and flags, and rejects a stale cache); after a
 * run without a usable cache, writes a fresh one (best effort, atomically).
 */
function loadFast() {
  const file = join(__dirname, '..', 'dist', 'fast.bundle.cjs');
  const cacheFile = `${file}.${process.version}-${process.arch}.v8cache`;
  // The bundle is ASCII (esbuild escapes the rest): latin1 skips UTF-8 decoding.
  const source = readFileSync(file, 'latin1');
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    cachedData,
  });
  // The bundle's external dynamic imports resolve from here.
  globalThis.__griteImport = (specifier) => import(specifier);
  const module = { exports: {} };
  script.runInThisContext()(module.exports, require, module, file, dirname(file));
  const saveCache = () => {
    if (cachedData !== undefined && !script.cachedDataRejected) return;
    try {
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, cacheFile);
    } catch {
      // A read-only install runs without a cache.
    }
  };
  return { fastMain: module.exports.fastMain, saveCache };
}

async function main() {
  let handled = false;
  if (!process.env.GRITE_NO_FAST) {
    try {
      const { fastMain, saveCache } = loadFast();
      handled = await fastMain(argv);
      if (handled) saveCache();
    } catch (e) {
      handled = false;
      if (process.env.GRITE_DEBUG) console.error(e);
    }
  }
  if (!handled) {
    const { execute } = await import('@oclif/core');
    await execute({ dir: __dirname, args: argv });
  }
}

main();
