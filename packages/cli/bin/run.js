#!/usr/bin/env node
// grite: the fast entry runs hot commands without loading all of oclif;
// everything else (help, --version, unknown input) goes to oclif.
const argv = process.argv.slice(2);
let handled = false;
// GRITE_NO_FAST=1 skips the fast entry (tests compare both paths byte for byte).
if (!process.env.GRITE_NO_FAST) try {
  const { fastMain } = await import('../dist/fast.bundle.mjs');
  handled = await fastMain(argv);
} catch (e) {
  handled = false;
  if (process.env.GRITE_DEBUG) console.error(e);
}
if (!handled) {
  const { execute } = await import('@oclif/core');
  await execute({ dir: import.meta.url, args: argv });
}
