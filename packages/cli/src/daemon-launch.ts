/**
 * How the CLI starts and recognises its daemon.
 *
 * - The build id compared in Hello is the CLI's: scripts/bundle.mjs writes
 *   a fresh one to dist/build-id on every build (and bakes the same into
 *   the thin entry). A daemon runs the CLI's own rendering for CliRun
 *   (serve.ts), so a daemon started by an earlier build of the CLI must be
 *   replaced, even when the daemon package did not change.
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

/** The CLI's build id; `fallback` (the daemon package's) before the first bundle. */
export function cliBuild(fallback: () => string): string {
  if (build === undefined) {
    try {
      build = readFileSync(distFile('build-id'), 'utf8').trim() || fallback();
    } catch {
      build = fallback();
    }
  }
  return build;
}

/** The options every daemon start of the CLI passes: its build id and its CliRun runner. */
export function daemonLaunch(fallbackBuild: () => string): { build: string; cliModule: string } {
  return { build: cliBuild(fallbackBuild), cliModule: distFile('serve.js') };
}
