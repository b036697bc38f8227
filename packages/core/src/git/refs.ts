/**
 * Refs, read and moved in process with git's "files" backend protocol
 * (gitrepository-layout(5), git-update-ref(1)):
 *
 *   loose ref     <common dir>/<refname> holding "<oid>\n" (or "ref: <target>\n")
 *   packed-refs   "# pack-refs with: ..." then "<oid> <refname>" lines, each
 *                 optionally followed by a "^<peeled oid>" line; a loose ref
 *                 overrides a packed one
 *   update        create "<refname>.lock" exclusively (O_CREAT|O_EXCL); while
 *                 holding it, check the current value; write "<new oid>\n" to the
 *                 lock, fsync, rename it over the ref. Anyone else holding the
 *                 lock means someone else is moving the ref right now.
 *
 * Repositories with `extensions.refStorage = reftable` are served by spawning
 * `git rev-parse` / `git update-ref <ref> <new> <old>` instead.
 * Reflogs are not written (git does not keep them for refs outside
 * refs/heads, refs/remotes and refs/notes by default either).
 */
import { closeSync, linkSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GriteError } from '../errors.js';
import { createExclusive, fsyncFd } from './objects.js';
import { isOid, oidHexLength, repoFormat } from './repo-format.js';
import { runGit } from './run-git.js';

/**
 * Throws GriteError('invalid_args') unless `ref` is a well-formed full ref
 * name under refs/ (git-check-ref-format(1) rules).
 */
export function checkRefName(ref: string): void {
  const ok =
    typeof ref === 'string' &&
    ref.startsWith('refs/') &&
    !ref.endsWith('/') &&
    !ref.endsWith('.') &&
    !ref.includes('..') &&
    !ref.includes('//') &&
    !ref.includes('@{') &&
    // eslint-disable-next-line no-control-regex
    !/[\x00-\x20\x7f~^:?*[\\]/.test(ref) &&
    ref.split('/').every((c) => c !== '' && !c.startsWith('.') && !c.endsWith('.lock'));
  if (!ok) throw new GriteError('invalid_args', `not a valid ref name: ${JSON.stringify(ref)}`);
}

interface PackedRefs {
  key: string;
  refs: Map<string, string>;
}

const packedCache = new Map<string, PackedRefs>();

function readPackedRefs(commonGitDir: string): Map<string, string> {
  const path = join(commonGitDir, 'packed-refs');
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw ioError(`cannot stat ${path}`, e);
  }
  const key = `${st.ino}:${st.size}:${st.mtimeMs}`;
  const hit = packedCache.get(commonGitDir);
  if (hit && hit.key === key) return hit.refs;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw ioError(`cannot read ${path}`, e);
  }
  const refs = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#') || line.startsWith('^')) continue;
    const sp = line.indexOf(' ');
    if (sp > 0) refs.set(line.slice(sp + 1), line.slice(0, sp));
  }
  packedCache.set(commonGitDir, { key, refs });
  return refs;
}

function ioError(message: string, cause: unknown): GriteError {
  return new GriteError('io_error', `${message}: ${(cause as Error).message}`, { cause });
}

/** The loose ref's content: an oid, a symbolic target ("ref: x"), or null when there is no loose ref. */
function readLoose(commonGitDir: string, ref: string): string | null {
  const path = join(commonGitDir, ref);
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return null;
    throw ioError(`cannot read ref ${ref}`, e);
  }
}

// Ref files are tiny and in the page cache: read synchronously (microseconds).
function resolveFiles(commonGitDir: string, ref: string, depth: number): string | null {
  const loose = readLoose(commonGitDir, ref);
  const value = loose ?? readPackedRefs(commonGitDir).get(ref) ?? null;
  if (value === null) return null;
  if (value.startsWith('ref: ')) {
    const target = value.slice(5).trim();
    if (depth >= 5) throw new GriteError('git_error', `symbolic ref ${ref} nests too deeply`);
    checkRefName(target);
    return resolveFiles(commonGitDir, target, depth + 1);
  }
  if (!isOid(value, repoFormat(commonGitDir).objectFormat)) {
    throw new GriteError('git_error', `ref ${ref} holds something that is not an object id: ${JSON.stringify(value.slice(0, 80))}`, {
      details: { ref },
    });
  }
  return value;
}

/** The object id `ref` points to, or null when the ref does not exist. */
export async function readRef(commonGitDir: string, ref: string): Promise<string | null> {
  checkRefName(ref);
  if (repoFormat(commonGitDir).refStorage === 'reftable') {
    const r = await runGit(commonGitDir, ['rev-parse', '--verify', '--quiet', '--end-of-options', ref], { allowFailure: true });
    if (r.code !== 0) return null;
    return r.stdout.toString('utf8').trim();
  }
  return resolveFiles(commonGitDir, ref, 0);
}

export interface CasOptions {
  /** fsync the new ref value before it replaces the old one (default true). */
  fsync?: boolean;
}

/**
 * Move `ref` to `newOid` if and only if it currently points to `expectedOld`
 * (null: the ref must not exist). True when moved; false when the ref holds
 * something else or another process holds its lock right now. The caller
 * re-reads and retries.
 */
export async function casRef(
  commonGitDir: string,
  ref: string,
  newOid: string,
  expectedOld: string | null,
  opts: CasOptions = {},
): Promise<boolean> {
  checkRefName(ref);
  const format = repoFormat(commonGitDir);
  if (!isOid(newOid, format.objectFormat) || (expectedOld !== null && !isOid(expectedOld, format.objectFormat))) {
    throw new GriteError('invalid_args', `casRef needs ${format.objectFormat} object ids`, { details: { newOid, expectedOld } });
  }
  if (format.refStorage === 'reftable') return casReftable(commonGitDir, ref, newOid, expectedOld, oidHexLength(format.objectFormat));

  const refPath = join(commonGitDir, ref);
  const lockPath = `${refPath}.lock`;
  let fd = createExclusive(lockPath, 0o644);
  if (fd === null && breakStaleLock(lockPath)) fd = createExclusive(lockPath, 0o644);
  if (fd === null) return false; // someone else is moving it right now
  let open = true;
  let moved = false;
  try {
    if (resolveFiles(commonGitDir, ref, 0) !== expectedOld) return false;
    writeFileSync(fd, `${newOid}\n`);
    if (opts.fsync ?? true) await fsyncFd(fd);
    closeSync(fd);
    open = false;
    renameSync(lockPath, refPath);
    moved = true;
    return true;
  } catch (e) {
    if (e instanceof GriteError) throw e;
    throw ioError(`cannot update ref ${ref}`, e);
  } finally {
    if (open) {
      try {
        closeSync(fd);
      } catch {
        // nothing more to do
      }
    }
    if (!moved) rmSync(lockPath, { force: true });
  }
}

async function casReftable(commonGitDir: string, ref: string, newOid: string, expectedOld: string | null, hexLen: number): Promise<boolean> {
  const old = expectedOld ?? '0'.repeat(hexLen);
  const r = await runGit(commonGitDir, ['update-ref', '--no-deref', ref, newOid, old], { allowFailure: true });
  if (r.code === 0) return true;
  // Lost the race (the ref moved, or someone holds the table lock) or a real failure?
  const now = await readRef(commonGitDir, ref);
  if (now !== expectedOld || /cannot lock|unable to lock|is at|reference already exists|lock/i.test(r.stderr)) return false;
  throw new GriteError('git_error', `git update-ref ${ref} failed: ${r.stderr}`, { details: { ref, stderr: r.stderr } });
}

/**
 * A ref lock is held for one write, one fsync and one rename: milliseconds.
 * One older than this was left by a writer that died holding it (`kill -9`
 * mid-append); git would wait for a human to delete it, which would stall
 * every later append until its deadline.
 */
export const STALE_REF_LOCK_MS = 5_000;

/**
 * Removes `lockPath` when it is older than STALE_REF_LOCK_MS; true when it
 * did. The lock is first renamed aside (atomic: of several breakers only one
 * gets it), and if what was renamed turns out to be a fresh lock taken
 * between the age check and the rename, it is put back with an exclusive
 * link, so a live writer's lock is never lost.
 */
function breakStaleLock(lockPath: string, now = Date.now()): boolean {
  let before;
  try {
    before = statSync(lockPath);
  } catch {
    return true; // gone meanwhile: try again
  }
  if (now - before.mtimeMs < STALE_REF_LOCK_MS) return false;
  const aside = `${lockPath}.stale-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    renameSync(lockPath, aside);
  } catch {
    return true; // another breaker took it, or its owner finished
  }
  try {
    if (statSync(aside).ino !== before.ino) {
      linkSync(aside, lockPath); // not the stale one: give it back
      return false;
    }
    return true;
  } catch {
    return false;
  } finally {
    try {
      unlinkSync(aside);
    } catch {
      // already gone
    }
  }
}

/** The lock file a stuck `casRef` would be waiting on (for hints and doctor). */
export function refLockPath(commonGitDir: string, ref: string): string {
  return `${join(commonGitDir, ref)}.lock`;
}

