/**
 * The build identity a client and a daemon compare in Hello: a daemon of
 * another build is asked to stop and replaced (DESIGN.md section 6).
 *
 * `<package version>+<base-36 mtime of dist/main.js>`: the version alone
 * would let a daemon started before a rebuild keep serving stale code to a
 * rebuilt CLI. Costs one small file read and one stat, once per process.
 */
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** The absolute path of the daemon entry (dist/main.js), from dist or from src. */
export function daemonMainPath(): string {
  const sibling = fileURLToPath(new URL('./main.js', import.meta.url));
  try {
    statSync(sibling);
    return sibling;
  } catch {
    // Running from src/ (tests): the built entry is in dist/.
    return fileURLToPath(new URL('../dist/main.js', import.meta.url));
  }
}

/** This installation's build id. */
export function currentBuild(): string {
  if (cached !== undefined) return cached;
  let version = '0.0.0';
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    if (typeof pkg.version === 'string') version = pkg.version;
  } catch {
    // Keep the placeholder: the mtime still tells builds apart.
  }
  let stamp = 'unbuilt';
  try {
    stamp = Math.floor(statSync(daemonMainPath()).mtimeMs).toString(36);
  } catch {
    // No dist yet.
  }
  cached = `${version}+${stamp}`;
  return cached;
}
