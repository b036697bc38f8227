#!/usr/bin/env node
// grite: the fast entry runs hot commands without loading all of oclif;
// everything else (help, --version, unknown input) goes to oclif.
const argv = process.argv.slice(2);
let handled = false;
try {
  const { fastMain } = await import('../dist/fast.js');
  handled = await fastMain(argv);
} catch (e) {
  handled = false;
  if (process.env.GRITE_DEBUG) console.error(e);
}
if (!handled) {
  const { execute } = await import('@oclif/core');
  await execute({ dir: import.meta.url, args: argv });
}
