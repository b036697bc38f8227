#!/usr/bin/env node
// grite. Hot commands go through the fast entry (dist/fast.bundle.cjs: one
// bundled script, compiled with a V8 code cache kept beside it); everything
// else (help, --version, unknown input) goes to full oclif, which renders the
// same bytes and exit codes. GRITE_NO_FAST=1 skips the fast entry.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const argv = process.argv.slice(2);

/**
 * Compiles the fast bundle with the code cache when it matches (V8 checks the
 * source and its own version and flags, and rejects a stale cache); after a
 * run without a usable cache, writes a fresh one (best effort, atomically).
 */
function loadFast() {
  const file = fileURLToPath(new URL('../dist/fast.bundle.cjs', import.meta.url));
  const cacheFile = `${file}.${process.version}-${process.arch}.v8cache`;
  const source = readFileSync(file, 'utf8');
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
  // The bundle's external dynamic imports resolve from here, as ESM.
  globalThis.__griteImport = (specifier) => import(specifier);
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
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
  await execute({ dir: import.meta.url, args: argv });
}
