/**
 * How the CLI starts and recognises its daemon.
 *
 * - The build id compared in Hello is the daemon package's (its version and
 *   its dist/main.js's mtime) followed by the CLI's stamp, which
 *   scripts/bundle.mjs writes to dist/build-id on every build (and bakes
 *   the whole id into the thin entry). A daemon runs the CLI's own
 *   rendering for CliRun (serve.ts), so a daemon started by an earlier
 *   build of either package is replaced. A daemon rebuilt without the
 *   bundle step no longer matches the thin entry's id, which then passes
 *   every read on: slower, never stale.
 * - The daemons the CLI starts load dist/serve.js (`--cli`) to answer CliRun.
 */
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** `name` in dist/ (this module's own directory once built; ../dist from src/, under tests). */
function distFile(name: string): string {
  const sibling = fileURLToPath(new URL(`./${name}`, import.meta.url));
  try {
    statSync(sibling);
    return sibling;
  } catch {
    return fileURLToPath(new URL(`../dist/${name}`, import.meta.url));
  }
}

let build: string | undefined;

/** The CLI's build id: `daemonBuild` (the daemon package's) and this build's stamp, when there is one. */
export function cliBuild(daemonBuild: () => string): string {
  if (build === undefined) {
    let stamp = '';
    try {
      stamp = readFileSync(distFile('build-id'), 'utf8').trim();
    } catch {
      // Not bundled yet (tests from src/ before a build): the daemon's id alone.
    }
    build = stamp === '' ? daemonBuild() : `${daemonBuild()}~${stamp}`;
  }
  return build;
}

/** The options every daemon start of the CLI passes: its build id and its CliRun runner. */
export function daemonLaunch(daemonBuild: () => string): { build: string; cliModule: string } {
  return { build: cliBuild(daemonBuild), cliModule: distFile('serve.js') };
}
