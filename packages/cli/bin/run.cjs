#!/usr/bin/env node
// grite. Three entries, each passing on what it does not take:
// 1. the thin entry (dist/thin.cjs): a pure read, run by a daemon of this
//    build already running, in one round trip (GRITE_NO_THIN=1 skips it);
// 2. the fast entry (dist/fast.bundle.cjs: one bundled script, compiled with
//    a V8 code cache kept beside it): every command an op defines;
// 3. full oclif: help, --version, unknown input; it renders the same bytes
//    and exit codes as the other two. GRITE_NO_FAST=1 skips 1 and 2.
//
// CommonJS on purpose: an ES module entry starts Node's ESM loader (and
// fs/promises, readline and more under it), ~5 ms on every call.
'use strict';
const { readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } = require('node:fs');
const { basename, dirname, join } = require('node:path');
const vm = require('node:vm');

const argv = process.argv.slice(2);

/**
 * The pure reads a running daemon answers for the thin entry: the ops that
 * src/hot.ts's runsInDaemon accepts (test/cli-fast-entry.test.ts checks
 * this list against them). Any other command line skips loading the thin
 * entry at all; the daemon still decides for these (flags like --claim).
 */
const THIN_COMMANDS = new Set(['issue list', 'issue show', 'issue ready', 'issue dep list', 'issue dep topo', 'db stats', 'snapshot list']);

function thinMayTake(args) {
  if (process.env.GRITE_NO_FAST || process.env.GRITE_NO_THIN || process.env.GRITE_NO_DAEMON === '1' || args.includes('--no-daemon')) return false;
  for (let n = Math.min(3, args.length); n >= 1; n--) {
    if (THIN_COMMANDS.has(args.slice(0, n).join(' '))) return true;
  }
  return false;
}

/**
 * Compiles one of the bundles in dist/ with its code cache when that matches;
 * `saveCache`, after a run without a usable cache, writes a fresh one (best
 * effort, atomically), holding every function that run compiled.
 *
 * V8 rejects a cache of another V8 version or flags, but it compares the
 * source only by its length: a rebuilt bundle of the same length would run
 * the old bundle's bytecode. So the cache's name carries the bundle's mtime
 * and size (one stat), and writing a new cache removes the bundle's others
 * (of this Node version).
 */
function loadBundle(name) {
  const file = join(__dirname, '..', 'dist', name);
  const st = statSync(file);
  const prefix = `${name}.${process.version}-${process.arch}.`;
  const cacheFile = join(dirname(file), `${prefix}${Math.floor(st.mtimeMs).toString(36)}-${st.size.toString(36)}.v8cache`);
  // The bundles are ASCII (esbuild escapes the rest): latin1 skips UTF-8 decoding.
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
  const module = { exports: {} };
  script.runInThisContext()(module.exports, require, module, file, dirname(file));
  const saveCache = () => {
    if (cachedData !== undefined && !script.cachedDataRejected) return;
    try {
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, cacheFile);
      for (const other of readdirSync(dirname(file))) {
        // Only this Node's: another Node sharing the install keeps its own.
        if (other.startsWith(prefix) && other.endsWith('.v8cache') && other !== basename(cacheFile)) unlinkSync(join(dirname(file), other));
      }
    } catch {
      // A read-only install runs without a cache.
    }
  };
  return { exports: module.exports, saveCache };
}

async function main() {
  let handled = false;
  if (thinMayTake(argv)) {
    try {
      const thin = loadBundle('thin.cjs');
      handled = await thin.exports.thinMain(argv);
      if (handled) thin.saveCache();
    } catch (e) {
      // It throws only before printing anything.
      if (process.env.GRITE_DEBUG) console.error(e);
    }
  }
  if (!handled && !process.env.GRITE_NO_FAST) {
    try {
      // The bundle's external dynamic imports resolve from here.
      globalThis.__griteImport = (specifier) => import(specifier);
      const fast = loadBundle('fast.bundle.cjs');
      handled = await fast.exports.fastMain(argv);
      if (handled) fast.saveCache();
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

if (require.main === module) main();
else module.exports = { THIN_COMMANDS };
