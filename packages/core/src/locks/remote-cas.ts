/**
 * Compare-and-swap of lock refs on a remote (DESIGN.md section 9).
 *
 * Reading: `git fetch --prune <remote> +refs/grite/locks/*:refs/grite-remotes/<remote>/locks/*`
 * copies the remote's lock refs (and their commits) beside ours; a lock the
 * remote no longer has is pruned from the copy.
 *
 * Swapping: `git push --force-with-lease=<ref>:<expected> <remote> <new>:<ref>`,
 * where an empty <expected> means "the ref must not exist". The client
 * compares the remote's advertised value with <expected> before sending, and
 * the remote's receive-pack updates the ref inside a ref transaction that
 * checks the old value under the ref's lock, so of any number of pushes made
 * on one version of the ref exactly one lands; the others are refused
 * ("stale info", "failed to update ref", "cannot lock ref") and must read
 * again. `git push --porcelain` reports each ref as
 * "<flag>\t<src>:<dst>\t<summary>" (flag " ", "+", "*", "=" done; "!" refused).
 */
import { GriteError } from '../errors.js';
import { classifyRemoteFailure, fetchWithRetry, redactUrl, remoteError, runRemoteGit, trackingRef, type RemoteInfo } from '../sync/remote-git.js';
import { LOCK_REF_PREFIX } from './resource.js';

/** Fetch every lock ref of `remote` into refs/grite-remotes/<remote>/locks/. */
export async function fetchRemoteLocks(commonGitDir: string, remote: RemoteInfo, timeoutMs: number): Promise<void> {
  await fetchWithRetry(commonGitDir, remote, [`+${LOCK_REF_PREFIX}*:${trackingRef(remote.name, 'locks/')}*`], { timeoutMs });
}

/** Refusals that mean "someone else moved the ref first": read again and retry. */
const LOST_RACE = /stale info|fetch first|non-fast-forward|failed to update ref|cannot lock ref|incorrect old value|failed to lock|reference already exists/i;

/**
 * Move `ref` on the remote from `expected` (null: absent) to `newOid`. True
 * when it moved (or already held `newOid`); false when another writer got
 * there first. GriteError('git_error') for any other failure.
 */
export async function pushLockCas(
  commonGitDir: string,
  remote: RemoteInfo,
  ref: string,
  newOid: string,
  expected: string | null,
  timeoutMs: number,
): Promise<boolean> {
  const args = [
    'push',
    '--porcelain',
    '--no-verify',
    '--no-follow-tags',
    '--recurse-submodules=no',
    `--force-with-lease=${ref}:${expected ?? ''}`,
    remote.name,
    `${newOid}:${ref}`,
  ];
  const r = await runRemoteGit(commonGitDir, args, { timeoutMs, remote, allowFailure: true });
  const line = r.stdout.split('\n').find((l) => l.includes(`:${ref}\t`));
  if (line !== undefined) {
    const flag = line[0];
    if (flag === ' ' || flag === '+' || flag === '*' || flag === '=') return true;
    if (flag === '!') {
      if (LOST_RACE.test(line) || LOST_RACE.test(r.stderr)) return false;
      throw new GriteError('git_error', `remote ${remote.name} refused the lock update: ${line.split('\t').slice(2).join(' ')}`, {
        hint: 'The remote must accept pushes to refs/grite/locks/* (no hook or protection refusing them).',
        details: { reason: 'rejected', remote: remote.name, url: redactUrl(remote.url), ref, stdout: r.stdout, stderr: r.stderr },
      });
    }
  }
  if (r.code === 0) return true;
  // No line for our ref: git failed before it got to the refs (connection,
  // authentication).
  throw remoteError(args, r, remote, classifyRemoteFailure(r.stderr), timeoutMs);
}
