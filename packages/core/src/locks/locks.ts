/**
 * Lease locks (DESIGN.md sections 2 and 9): acquire, renew, release, status,
 * gc, and the lock check made before writes.
 *
 * Where the truth lives:
 * - With a remote (the `remote` option, or by default the repository's
 *   default remote when it has one), every change is a compare-and-swap ON
 *   THE REMOTE: fetch its lock refs, decide, build the new lock commit on the
 *   version read, push it with --force-with-lease expecting that version.
 *   Exactly one writer wins each version; the others read again and decide
 *   again (usually: conflict). After a win, the remote's copy
 *   (refs/grite-remotes/<remote>/locks/<h>) and the local ref
 *   (refs/grite/locks/<h>) are set to the new commit too, so local readers
 *   see it without fetching.
 * - Without a remote (`remote: null`, or none configured), the local ref is
 *   swapped with core's casRef.
 *
 * Decisions (each on one version of one ref):
 * - acquire: free when absent, expired, released (expires 0) or deleted ->
 *   a new lease (new nonce; parent: the version read). Held by the same owner
 *   -> renewed (same nonce, expiry now + ttl). Held by another -> GriteError
 *   ('conflict') naming the holder and expiry. Before that, locks of other
 *   owners on conflicting resources (namespace rules, resource.ts) refuse it
 *   too: a check over the refs as read, not atomic across refs.
 * - renew: only the owner (held, or expired and not taken since).
 * - release: only the owner; writes an expiry-0 commit. Releasing what is
 *   already free writes nothing.
 *
 * Lock refs move only through these functions: sync fetches remotes' lock
 * refs into refs/grite-remotes/ and never pushes or moves refs/grite/locks/.
 */
import { randomUUID } from 'node:crypto';
import { GriteError } from '../errors.js';
import { toHex } from '../codec/hex.js';
import { casRef, readRef } from '../git/refs.js';
import { runGit } from '../git/run-git.js';
import type { LockPolicy } from '../repo/config.js';
import { listRemotes, resolveRemote, trackingRef, TRACKING_PREFIX, type RemoteInfo } from '../sync/remote-git.js';
import { listRefs } from './list-refs.js';
import { lockState, readLocks, writeLockCommit, type LockRecord, type LockState } from './lock-file.js';
import { fetchRemoteLocks, pushLockCas } from './remote-cas.js';
import { checkResource, lockRefName, LOCK_REF_PREFIX, resourcesConflict } from './resource.js';

/** A lock as read from one ref. */
export interface LockInfo {
  resource: string;
  /** Hex of the owning actor. */
  owner: string;
  nonce: string;
  /** Unix ms; 0 when released. */
  expiresUnixMs: number;
  state: LockState;
  /** The lock ref, refs/grite/locks/<hash>. */
  ref: string;
  /** The lock commit; null when there is no lock commit (nothing was ever written, or the ref was deleted). */
  commit: string | null;
  /** The remote the lock was read from or written to; null for the local ref. */
  remote: string | null;
}

/** The answer to acquire, renew and release. */
export interface LockResult extends LockInfo {
  /** False when nothing was written (release of a lock that was already free). */
  changed: boolean;
}

export interface LockCallOptions {
  /**
   * The remote whose lock refs are the truth. A name: that remote. null: the
   * local refs. Undefined: the default remote (origin, else the only one)
   * when the repository has a remote, else the local refs.
   */
  remote?: string | null;
  /** The clock (unix ms) used for decisions and expiries. Default Date.now() at each attempt. */
  now?: number;
  /** Keep retrying lost races for this long, then GriteError('conflict'). Default 10 000 ms. */
  deadlineMs?: number;
  /** Time limit of each fetch or push. Default 30 000 ms. */
  timeoutMs?: number;
}

export interface LockAcquireOptions extends LockCallOptions {
  /** A normalised resource (see normalizeResource). */
  resource: string;
  /** The acting actor: 32 hex characters or 16 bytes. */
  owner: string | Uint8Array;
  /** Lease length in ms (a positive integer). */
  ttlMs: number;
}

export type LockRenewOptions = LockAcquireOptions;

export interface LockReleaseOptions extends LockCallOptions {
  resource: string;
  owner: string | Uint8Array;
}

function actorHex(actor: string | Uint8Array, what = 'owner'): string {
  const hex = typeof actor === 'string' ? actor.toLowerCase() : actor instanceof Uint8Array ? toHex(actor) : '';
  if (!/^[0-9a-f]{32}$/.test(hex)) {
    throw new GriteError('invalid_args', `the lock ${what} must be an actor id (32 hex characters or 16 bytes)`, {
      details: { [what]: typeof actor === 'string' ? actor : null },
    });
  }
  return hex;
}

function checkTtl(ttlMs: number): void {
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
    throw new GriteError('invalid_args', `the lock TTL must be a positive number of milliseconds, got ${String(ttlMs)}`, {
      hint: 'Use a TTL like 90s, 15m or 2h.',
      details: { ttl_ms: ttlMs },
    });
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function info(resource: string, ref: string, commit: string | null, lock: LockRecord | null, now: number, remote: string | null): LockInfo {
  if (lock === null) {
    return { resource, owner: '', nonce: '', expiresUnixMs: 0, state: 'released', ref, commit, remote };
  }
  return {
    resource: lock.resource,
    owner: lock.owner,
    nonce: lock.nonce,
    expiresUnixMs: lock.expiresUnixMs,
    state: lockState(lock, now),
    ref,
    commit,
    remote,
  };
}

function conflictError(resource: string, held: LockInfo, now: number): GriteError {
  const until = new Date(held.expiresUnixMs).toISOString();
  const secs = Math.max(0, Math.ceil((held.expiresUnixMs - now) / 1000));
  const same = held.resource === resource;
  return new GriteError(
    'conflict',
    same
      ? `${resource} is locked by actor ${held.owner} until ${until} (${secs}s left)`
      : `${resource} conflicts with ${held.resource}, locked by actor ${held.owner} until ${until} (${secs}s left)`,
    {
      hint: 'Wait for the lock to expire, or ask its holder to release it.',
      details: {
        resource,
        held_resource: held.resource,
        owner: held.owner,
        nonce: held.nonce,
        expires_unix_ms: held.expiresUnixMs,
        remote: held.remote,
      },
    },
  );
}

// ---------------------------------------------------------------------------
// Reading lock refs

interface RefLock {
  ref: string;
  commit: string;
  lock: LockRecord;
  /** null: a local ref; else the remote whose copy it is. */
  remote: string | null;
}

/** The locks under refs/grite/locks/. */
async function localLocks(commonGitDir: string): Promise<RefLock[]> {
  const refs = await listRefs(commonGitDir, LOCK_REF_PREFIX);
  const names = [...refs.keys()].filter((n) => /^[0-9a-f]{16}$/.test(n.slice(LOCK_REF_PREFIX.length)));
  const locks = await readLocks(commonGitDir, names.map((n) => refs.get(n)!));
  return names.map((ref, i) => ({ ref, commit: refs.get(ref)!, lock: locks[i]!, remote: null }));
}

/** The copies of remotes' locks under refs/grite-remotes/<remote>/locks/ (one remote, or all). */
async function trackedLocks(commonGitDir: string, remote?: string): Promise<RefLock[]> {
  const prefix = remote === undefined ? TRACKING_PREFIX : trackingRef(remote, 'locks/');
  const refs = await listRefs(commonGitDir, prefix);
  const picked: Array<{ name: string; remote: string; ref: string }> = [];
  for (const name of refs.keys()) {
    const m = /^refs\/grite-remotes\/(.+)\/locks\/([0-9a-f]{16})$/.exec(name);
    if (!m || (remote !== undefined && m[1] !== remote)) continue;
    picked.push({ name, remote: m[1]!, ref: `${LOCK_REF_PREFIX}${m[2]!}` });
  }
  const locks = await readLocks(commonGitDir, picked.map((p) => refs.get(p.name)!));
  return picked.map((p, i) => ({ ref: p.ref, commit: refs.get(p.name)!, lock: locks[i]!, remote: p.remote }));
}

/** The remote named by the options, or null for local refs. */
async function pickRemote(commonGitDir: string, remote: string | null | undefined): Promise<RemoteInfo | null> {
  if (remote === null) return null;
  if (remote === undefined && (await listRemotes(commonGitDir)).length === 0) return null;
  return resolveRemote(commonGitDir, remote);
}

/** The authoritative lock refs: the remote's (fetched now) or the local ones. */
async function authoritativeLocks(commonGitDir: string, remote: RemoteInfo | null, timeoutMs: number): Promise<RefLock[]> {
  if (remote === null) return localLocks(commonGitDir);
  await fetchRemoteLocks(commonGitDir, remote, timeoutMs);
  return trackedLocks(commonGitDir, remote.name);
}

/** Point `ref` at `oid` locally, whatever it held (a mirror of what the remote now holds). */
async function mirrorRef(commonGitDir: string, ref: string, oid: string): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const cur = await readRef(commonGitDir, ref);
    if (cur === oid) return;
    if (await casRef(commonGitDir, ref, oid, cur)) return;
    await sleep(5 + Math.random() * 20);
  }
  // A mirror that could not be set is refreshed by the next fetch; the lock
  // itself is on the remote already.
}

// ---------------------------------------------------------------------------
// The compare-and-swap loop

type Decision =
  | { kind: 'write'; record: LockRecord }
  | { kind: 'done'; result: LockResult }
  | { kind: 'fail'; error: GriteError };

/**
 * Read the lock refs, let `decide` choose on the current version of `ref`,
 * and swap it in (remote or local) until one swap lands, a decision ends the
 * loop, or the deadline passes.
 */
async function casLoop(
  commonGitDir: string,
  resource: string,
  opts: LockCallOptions,
  decide: (current: LockInfo | null, all: RefLock[], now: number) => Decision,
): Promise<LockResult> {
  const ref = lockRefName(resource);
  const remote = await pickRemote(commonGitDir, opts.remote);
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const deadlineMs = opts.deadlineMs ?? 10_000;
  const deadline = Date.now() + deadlineMs;
  for (let attempt = 0; ; attempt++) {
    const all = await authoritativeLocks(commonGitDir, remote, timeoutMs);
    const now = opts.now ?? Date.now();
    const mine = all.find((l) => l.ref === ref) ?? null;
    const current = mine ? info(resource, ref, mine.commit, mine.lock, now, remote?.name ?? null) : null;
    const d = decide(current, all, now);
    if (d.kind === 'fail') throw d.error;
    if (d.kind === 'done') return d.result;
    const expected = mine?.commit ?? null;
    const commit = await writeLockCommit(commonGitDir, d.record, expected, now);
    let won: boolean;
    if (remote) {
      won = await pushLockCas(commonGitDir, remote, ref, commit, expected, timeoutMs);
      if (won) {
        await mirrorRef(commonGitDir, trackingRef(remote.name, ref.slice('refs/grite/'.length)), commit);
        await mirrorRef(commonGitDir, ref, commit);
      }
    } else {
      won = await casRef(commonGitDir, ref, commit, expected);
    }
    if (won) return { ...info(resource, ref, commit, d.record, now, remote?.name ?? null), changed: true };
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new GriteError('conflict', `could not update the lock on ${resource}: it kept changing for ${deadlineMs} ms`, {
        hint: 'Other actors are taking this lock right now; retry.',
        details: { resource, ref, attempts: attempt + 1, remote: remote?.name ?? null },
      });
    }
    await sleep(Math.min(left, Math.random() * Math.min(200, 10 * 2 ** Math.min(attempt, 5))));
  }
}

/** The conflict with a held lock of another owner on another resource that excludes `resource` (namespace rules), if any. */
function blockingError(all: RefLock[], resource: string, owner: string, now: number): GriteError | null {
  const ref = lockRefName(resource);
  const l = all.find(
    (x) => x.ref !== ref && x.lock.owner !== owner && lockState(x.lock, now) === 'held' && resourcesConflict(x.lock.resource, resource),
  );
  return l ? conflictError(resource, info(l.lock.resource, l.ref, l.commit, l.lock, now, l.remote), now) : null;
}

// ---------------------------------------------------------------------------
// Public calls

/**
 * Take (or renew, when already held by `owner`) the lease on `resource` for
 * `ttlMs`. GriteError('conflict') when another actor holds it or a
 * conflicting resource; ('invalid_args') for a resource that is not
 * normalised, a bad owner or TTL; ('not_found') for a named remote that does
 * not exist; ('git_error') when the remote cannot be reached.
 */
export async function acquireLock(commonGitDir: string, opts: LockAcquireOptions): Promise<LockResult> {
  const resource = checkResource(opts.resource);
  const owner = actorHex(opts.owner);
  checkTtl(opts.ttlMs);
  return casLoop(commonGitDir, resource, opts, (current, all, now) => {
    if (current && current.state === 'held' && current.owner !== owner) return { kind: 'fail', error: conflictError(resource, current, now) };
    const other = blockingError(all, resource, owner, now);
    if (other) return { kind: 'fail', error: other };
    if (current && current.state === 'held') {
      return { kind: 'write', record: { owner, nonce: current.nonce, expiresUnixMs: now + opts.ttlMs, resource } };
    }
    return { kind: 'write', record: { owner, nonce: randomUUID(), expiresUnixMs: now + opts.ttlMs, resource } };
  });
}

/**
 * Extend `owner`'s lease on `resource` to now + ttlMs. GriteError('not_found')
 * when `owner` holds no lease on it (never taken, released, or expired and
 * taken by nobody else is still renewable), ('conflict') when another actor
 * holds it.
 */
export async function renewLock(commonGitDir: string, opts: LockRenewOptions): Promise<LockResult> {
  const resource = checkResource(opts.resource);
  const owner = actorHex(opts.owner);
  checkTtl(opts.ttlMs);
  return casLoop(commonGitDir, resource, opts, (current, all, now) => {
    if (current && current.owner !== owner && current.state === 'held') return { kind: 'fail', error: conflictError(resource, current, now) };
    if (!current || current.owner !== owner || current.state === 'released') {
      return {
        kind: 'fail',
        error: new GriteError('not_found', `actor ${owner} holds no lock on ${resource}`, {
          hint: 'Acquire it first.',
          details: { resource, owner },
        }),
      };
    }
    // An expired lease nobody took is renewable, unless a conflicting resource was taken meanwhile.
    const other = current.state === 'expired' ? blockingError(all, resource, owner, now) : null;
    if (other) return { kind: 'fail', error: other };
    return { kind: 'write', record: { owner, nonce: current.nonce, expiresUnixMs: now + opts.ttlMs, resource } };
  });
}

/**
 * Release `owner`'s lease on `resource` with an expiry-0 commit. A lock that
 * is already free (absent, released, or expired under another owner) is left
 * as it is (`changed: false`). GriteError('conflict') when another actor
 * holds it.
 */
export async function releaseLock(commonGitDir: string, opts: LockReleaseOptions): Promise<LockResult> {
  const resource = checkResource(opts.resource);
  const owner = actorHex(opts.owner);
  return casLoop(commonGitDir, resource, opts, (current, _all, now) => {
    if (current && current.owner !== owner && current.state === 'held') return { kind: 'fail', error: conflictError(resource, current, now) };
    if (!current || current.owner !== owner || current.state === 'released') {
      const free = current ?? info(resource, lockRefName(resource), null, null, now, null);
      return { kind: 'done', result: { ...free, owner: free.owner === '' ? owner : free.owner, changed: false } };
    }
    return { kind: 'write', record: { owner, nonce: randomUUID(), expiresUnixMs: 0, resource } };
  });
}

export interface LockStatusOptions {
  /** The actor whose conflicts are reported (32 hex or 16 bytes); none: no conflicts. */
  actor?: string | Uint8Array;
  /** Only locks whose resource starts with this. */
  prefix?: string;
  /** As for acquire: where the truth lives. */
  remote?: string | null;
  now?: number;
  timeoutMs?: number;
}

/** A lock of another actor that conflicts with `resource`, a lock the current actor holds. */
export interface LockConflict {
  resource: string;
  held: LockInfo;
}

export interface LockStatusResult {
  /** Sorted by resource. Released locks are listed too (state 'released'). */
  locks: LockInfo[];
  conflicts: LockConflict[];
  /** The remote read, or null for local refs. */
  remote: string | null;
}

/**
 * Every lock (from the remote when one is used, fetched now; else the local
 * refs), and for `actor` the held locks of other actors that conflict with
 * locks `actor` holds (namespace rules) - which only a race between
 * conflicting resources, or stale copies, can produce.
 */
export async function lockStatus(commonGitDir: string, opts: LockStatusOptions = {}): Promise<LockStatusResult> {
  const actor = opts.actor === undefined ? null : actorHex(opts.actor, 'actor');
  const remote = await pickRemote(commonGitDir, opts.remote);
  const all = await authoritativeLocks(commonGitDir, remote, opts.timeoutMs ?? 30_000);
  const now = opts.now ?? Date.now();
  const prefix = opts.prefix ?? '';
  const locks = all
    .filter((l) => l.lock.resource.startsWith(prefix))
    .map((l) => info(l.lock.resource, l.ref, l.commit, l.lock, now, l.remote))
    .sort((a, b) => (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0));
  const conflicts: LockConflict[] = [];
  if (actor !== null) {
    const held = locks.filter((l) => l.state === 'held');
    for (const m of held.filter((l) => l.owner === actor)) {
      for (const o of held) {
        if (o.owner !== actor && resourcesConflict(m.resource, o.resource)) conflicts.push({ resource: m.resource, held: o });
      }
    }
  }
  return { locks, conflicts, remote: remote?.name ?? null };
}

/**
 * Delete the local lock refs (refs/grite/locks/*) whose lock is expired or
 * released, each by compare-and-swap on the value read (a lock renewed
 * meanwhile stays). The remote's refs are never touched.
 */
export async function gcLocks(commonGitDir: string, opts: { now?: number } = {}): Promise<{ expiredPruned: number }> {
  const now = opts.now ?? Date.now();
  const locks = await localLocks(commonGitDir);
  let expiredPruned = 0;
  for (const l of locks) {
    if (lockState(l.lock, now) === 'held') continue;
    const r = await runGit(commonGitDir, ['update-ref', '--no-deref', '-d', l.ref, l.commit], { allowFailure: true });
    if (r.code === 0) expiredPruned++;
  }
  return { expiredPruned };
}

export interface LockWriteCheckOptions {
  /** The issue about to be written: 32 hex or 16 bytes. */
  issueId: string | Uint8Array;
  /** The writing actor. */
  actor: string | Uint8Array;
  policy: LockPolicy;
  now?: number;
}

export interface LockWriteCheckResult {
  /** Unexpired locks of other actors on issue:<id> or repo:*. */
  conflicts: LockInfo[];
  /** One line per conflict under policy 'warn'. */
  warnings: string[];
}

/**
 * The lock check before a write to an issue (DESIGN.md section 9): the
 * unexpired `issue:<id>` and `repo:` locks of OTHER actors, read from the
 * local lock refs and the last fetched copies of every remote's (no network).
 * Policy 'off': nothing is read. 'warn': returns them with warnings.
 * 'require': GriteError('conflict') when there is any, so the caller checks
 * before writing and nothing is written.
 */
export async function checkWriteAllowed(commonGitDir: string, opts: LockWriteCheckOptions): Promise<LockWriteCheckResult> {
  if (opts.policy !== 'off' && opts.policy !== 'warn' && opts.policy !== 'require') {
    throw new GriteError('invalid_args', `unknown lock policy ${JSON.stringify(opts.policy)}`, { hint: 'Use off, warn or require.' });
  }
  const issue = actorHex(opts.issueId, 'issueId');
  const actor = actorHex(opts.actor, 'actor');
  if (opts.policy === 'off') return { conflicts: [], warnings: [] };
  const now = opts.now ?? Date.now();
  const target = `issue:${issue}`;
  const [local, tracked] = await Promise.all([localLocks(commonGitDir), trackedLocks(commonGitDir)]);
  const seen = new Set<string>();
  const conflicts: LockInfo[] = [];
  for (const l of [...local, ...tracked]) {
    if (l.lock.owner === actor || lockState(l.lock, now) !== 'held' || !resourcesConflict(l.lock.resource, target)) continue;
    const key = `${l.lock.resource}\0${l.lock.nonce}\0${l.lock.owner}`;
    if (seen.has(key)) continue;
    seen.add(key);
    conflicts.push(info(l.lock.resource, l.ref, l.commit, l.lock, now, l.remote));
  }
  if (conflicts.length === 0) return { conflicts, warnings: [] };
  if (opts.policy === 'require') {
    const first = conflicts[0]!;
    const err = conflictError(target, first, now);
    throw new GriteError('conflict', `cannot write to issue ${issue}: ${err.message}`, {
      hint: 'Wait for the lock to expire or ask its holder to release it (lock_policy is "require", so nothing was written).',
      details: { ...err.details, issue_id: issue, locks: conflicts.map((c) => ({ resource: c.resource, owner: c.owner, expires_unix_ms: c.expiresUnixMs })) },
    });
  }
  const warnings = conflicts.map(
    (c) => `${c.resource} is locked by actor ${c.owner} until ${new Date(c.expiresUnixMs).toISOString()}`,
  );
  return { conflicts, warnings };
}
