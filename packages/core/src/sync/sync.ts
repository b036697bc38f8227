/**
 * Sync of the grite refs with a git remote (DESIGN.md section 9).
 *
 * Pull: `git fetch --prune <remote> +refs/grite/*:refs/grite-remotes/<remote>/*`
 * copies the remote's refs beside ours (outside refs/grite/, so they are never
 * pushed or nested; outside refs/remotes/, so `git fetch --prune` leaves them
 * alone); local refs are never overwritten by the fetch. The remote's WAL head
 * is then merged into the local WAL (merge.ts) and the view catches up from
 * the new head back to the first commit it has applied (never a rebuild).
 *
 * Push: `git push <remote> refs/grite/wal:refs/grite/wal` plus the snapshot
 * refs the remote lacks, never forced. A push refused as not a fast-forward
 * (the remote moved since the fetch) fetches, merges and tries again until
 * the deadline. A remote without grite refs is simply pushed to. Lock refs
 * are never pushed or moved here (see locks/).
 *
 * Git never prompts and every remote call has a time limit (remote-git.ts).
 * Failures are GriteErrors: a missing remote 'not_found' (hint: git remote
 * add), an unreachable one 'git_error' ("cannot reach remote ..."), failed
 * authentication 'git_error' with details.reason 'auth'. Every failure leaves
 * the local WAL either as it was or merged (a superset): nothing local is lost.
 *
 * Syncs of one repository within a process run one at a time.
 */
import { GriteError } from '../errors.js';
import { casRef, readRef } from '../git/refs.js';
import { runGit } from '../git/run-git.js';
import { WAL_REF } from '../git/wal.js';
import { listRefs } from '../locks/list-refs.js';
import { Store } from '../store.js';
import { mergeRemoteHead, type MergeKind } from './merge.js';
import {
  classifyRemoteFailure,
  fetchWithRetry,
  redactUrl,
  remoteError,
  resolveRemote,
  runRemoteGit,
  trackingRef,
  type RemoteInfo,
} from './remote-git.js';

export type SyncPhase = 'fetch' | 'merge' | 'catch-up' | 'push';

export interface SyncProgress {
  phase: SyncPhase;
  remote: string;
  /** Push attempts so far (push phase). */
  attempt?: number;
  /** What the merge did (merge phase, after it). */
  merge?: MergeKind;
}

export interface SyncOptions {
  /** The remote's name (default: origin, else the only remote). */
  remote?: string | null;
  /** Fetch and merge the remote's log (default true). */
  pull?: boolean;
  /** Push the local log (default true). */
  push?: boolean;
  /** Retry refused pushes and lost local races until this long after the start (default 60 000 ms). */
  deadlineMs?: number;
  /** Time limit of each fetch or push (default 120 000 ms). */
  timeoutMs?: number;
  onProgress?: (p: SyncProgress) => void;
}

export interface SyncResult {
  /** True when the local log took in anything from the remote (set, fast-forwarded or merged). */
  pulled: boolean;
  /** True when the remote's WAL moved to the local head. */
  pushed: boolean;
  /** Events new to this replica. */
  eventsPulled: number;
  /** Events the remote did not have before the push. */
  eventsPushed: number;
  /** The local WAL head afterwards (null: no log on either side). */
  walHead: string | null;
  /** The remote's WAL head as last seen (after a push: the pushed head). */
  remoteWalHead: string | null;
  /** The remote used. */
  remote: string;
}

/** Something that can be synced: an open Store, or a common git dir (a Store is opened for the call). */
export type SyncTarget = Store | string;

const SNAPSHOT_PREFIX = 'refs/grite/snapshots/';

const running = new Map<string, Promise<unknown>>();

/** Run `fn` after every earlier sync of the same repository in this process. */
function serial<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const prev = running.get(key) ?? Promise.resolve();
  const run = prev.then(fn, fn);
  const tail = run.catch(() => {});
  running.set(key, tail);
  void tail.then(() => {
    if (running.get(key) === tail) running.delete(key);
  });
  return run;
}

/** Fetch the remote's refs/grite/* into refs/grite-remotes/<remote>/*. */
async function fetchGriteRefs(commonGitDir: string, remote: RemoteInfo, timeoutMs: number): Promise<void> {
  // Automatic gc allowed: a sync is where fetched objects pile up.
  await fetchWithRetry(commonGitDir, remote, [`+refs/grite/*:${trackingRef(remote.name, '*')}`], { timeoutMs, autoGc: true });
}

/** Point a tracking ref at `oid` (a mirror; a failure is repaired by the next fetch). */
async function setTracking(commonGitDir: string, ref: string, oid: string): Promise<void> {
  for (let i = 0; i < 10; i++) {
    const cur = await readRef(commonGitDir, ref);
    if (cur === oid || (await casRef(commonGitDir, ref, oid, cur))) return;
  }
}

/** Events in the commits after `from` up to `to`, counted from the WAL commit messages ("WAL: <n> events from ..."). */
async function countEvents(store: Store, from: string | null, to: string): Promise<number> {
  const range = from === null ? [to] : [to, `^${from}`];
  const r = await runGit(store.commonDir, ['log', '--first-parent', '--format=%H %s', ...range, '--']);
  let n = 0;
  for (const line of r.stdout.toString('utf8').split('\n')) {
    if (line === '') continue;
    const m = /^([0-9a-f]+) WAL: (\d+) events? from /.exec(line);
    if (m) n += Number(m[2]);
    else {
      // Not our message format: read the commit itself.
      const oid = line.slice(0, line.indexOf(' '));
      n += (await store.wal.readCommit(oid)).events.length;
    }
  }
  return n;
}

type PushOutcome =
  | { kind: 'pushed'; head: string; before: string | null }
  | { kind: 'nothing' }
  | { kind: 'rejected'; line: string };

/** The remote's previous head from a porcelain summary ("<old>..<new>", "[new reference]"); undefined when it does not say. */
async function previousHead(dir: string, summary: string): Promise<string | null | undefined> {
  if (summary.startsWith('[new reference]')) return null;
  const m = /^([0-9a-f]{4,})\.\.\.?[0-9a-f]{4,}/.exec(summary);
  if (!m) return undefined;
  const r = await runGit(dir, ['rev-parse', '--verify', '--quiet', `${m[1]!}^{commit}`], { allowFailure: true });
  return r.code === 0 ? r.stdout.toString('utf8').trim() : undefined;
}

/**
 * One push of the WAL (and the snapshots the remote lacks). `fresh`: the
 * remote's refs were fetched in this sync, so a WAL the remote already has
 * (by its copy) is not offered again.
 */
async function pushOnce(store: Store, remote: RemoteInfo, timeoutMs: number, fresh: boolean): Promise<PushOutcome> {
  const dir = store.commonDir;
  const local = await readRef(dir, store.wal.ref);
  const tracked = await readRef(dir, trackingRef(remote.name, 'wal'));
  const refspecs: string[] = [];
  if (local !== null && (local !== tracked || !fresh)) refspecs.push(`${store.wal.ref}:${WAL_REF}`);
  const [snaps, theirSnaps] = await Promise.all([
    listRefs(dir, SNAPSHOT_PREFIX),
    listRefs(dir, trackingRef(remote.name, 'snapshots/')),
  ]);
  const snapshotSpecs: string[] = [];
  for (const [ref, oid] of snaps) {
    if (theirSnaps.get(trackingRef(remote.name, ref.slice('refs/grite/'.length))) !== oid) snapshotSpecs.push(`${ref}:${ref}`);
  }
  if (refspecs.length === 0 && snapshotSpecs.length === 0) return { kind: 'nothing' };
  const args = ['push', '--porcelain', '--no-verify', '--no-follow-tags', '--recurse-submodules=no', remote.name, ...refspecs, ...snapshotSpecs];
  const r = await runRemoteGit(dir, args, { timeoutMs, remote, allowFailure: true });
  const lines = r.stdout.split('\n');
  const walLine = lines.find((l) => l.includes(`:${WAL_REF}\t`));
  // Snapshots the remote took: mirror them (a refused snapshot is left out: snapshots are a cache).
  for (const l of lines) {
    const m = /^[ +*=]\t[^:]*:(refs\/grite\/snapshots\/[^\t]+)\t/.exec(l);
    if (m) {
      const oid = snaps.get(m[1]!);
      if (oid) await setTracking(dir, trackingRef(remote.name, m[1]!.slice('refs/grite/'.length)), oid);
    }
  }
  if (refspecs.length === 0) return { kind: 'nothing' };
  if (walLine !== undefined) {
    const flag = walLine[0];
    if (flag === '=') {
      await setTracking(dir, trackingRef(remote.name, 'wal'), local!);
      return { kind: 'nothing' };
    }
    if (flag === ' ' || flag === '*' || flag === '+') {
      const before = await previousHead(dir, walLine.split('\t')[2] ?? '');
      await setTracking(dir, trackingRef(remote.name, 'wal'), local!);
      return { kind: 'pushed', head: local!, before: before === undefined ? tracked : before };
    }
    if (flag === '!') {
      if (/non-fast-forward|fetch first|rejected\] \(stale|failed to update ref|cannot lock ref|incorrect old value/i.test(walLine)) {
        return { kind: 'rejected', line: walLine };
      }
      throw new GriteError('git_error', `remote ${remote.name} refused ${WAL_REF}: ${walLine.split('\t').slice(2).join(' ')}`, {
        hint: 'The remote must accept pushes to refs/grite/* (no hook or branch protection refusing them).',
        details: { reason: 'rejected', remote: remote.name, url: redactUrl(remote.url), stdout: r.stdout, stderr: r.stderr },
      });
    }
  }
  if (r.code === 0) {
    await setTracking(dir, trackingRef(remote.name, 'wal'), local!);
    return { kind: 'pushed', head: local!, before: tracked };
  }
  throw remoteError(args, r, remote, classifyRemoteFailure(r.stderr), timeoutMs);
}

/**
 * Pull and/or push the grite refs with `opts.remote` (see the file comment).
 * Resolves with what moved; rejects with a GriteError (see above).
 */
export async function sync(target: SyncTarget, opts: SyncOptions = {}): Promise<SyncResult> {
  const ownStore = typeof target === 'string';
  const store = ownStore ? await Store.open({ commonDir: target }) : target;
  try {
    return await serial(store.commonDir, () => syncStore(store, opts));
  } finally {
    if (ownStore) await store.close();
  }
}

async function syncStore(store: Store, opts: SyncOptions): Promise<SyncResult> {
  const doPull = opts.pull ?? true;
  const doPush = opts.push ?? true;
  const deadlineMs = opts.deadlineMs ?? 60_000;
  const deadline = Date.now() + deadlineMs;
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const dir = store.commonDir;
  const remote = await resolveRemote(dir, opts.remote);
  const progress = (p: Omit<SyncProgress, 'remote'>): void => opts.onProgress?.({ ...p, remote: remote.name });
  const trackingWal = trackingRef(remote.name, 'wal');

  const result: SyncResult = {
    pulled: false,
    pushed: false,
    eventsPulled: 0,
    eventsPushed: 0,
    walHead: null,
    remoteWalHead: null,
    remote: remote.name,
  };
  // The view first reflects the local log as it is, so that what the
  // catch-up after a merge applies is exactly what came from the remote.
  await store.catchUp();

  const pullOnce = async (): Promise<void> => {
    progress({ phase: 'fetch' });
    await fetchGriteRefs(dir, remote, timeoutMs);
    const remoteHead = await readRef(dir, trackingWal);
    const merge = await mergeRemoteHead(store.wal, remoteHead, deadline);
    progress({ phase: 'merge', merge: merge.kind });
    if (merge.localAfter !== merge.localBefore) {
      progress({ phase: 'catch-up' });
      // Counted as the growth of the view (each event id once): a catch-up
      // that had to replace the view (histories without a common commit)
      // reports every event as applied.
      const before = store.view.stats().eventCount;
      await store.catchUp();
      result.pulled = true;
      result.eventsPulled += store.view.stats().eventCount - before;
    }
  };

  if (doPull) await pullOnce();
  if (doPush) {
    // Without a pull, the remote's head is learned from the first push's answer.
    let fresh = doPull;
    for (let attempt = 1; ; attempt++) {
      progress({ phase: 'push', attempt });
      const out = await pushOnce(store, remote, timeoutMs, fresh);
      if (out.kind === 'pushed') {
        result.pushed = true;
        result.eventsPushed = await countEvents(store, out.before, out.head);
        break;
      }
      if (out.kind === 'nothing') break;
      if (Date.now() >= deadline) {
        throw new GriteError('conflict', `remote ${remote.name} kept refusing ${WAL_REF} for ${deadlineMs} ms (others are pushing)`, {
          hint: 'Retry the sync; the local log holds everything, merged with what was fetched.',
          details: { remote: remote.name, attempts: attempt, last: out.line },
        });
      }
      await pullOnce();
      fresh = true;
    }
  }
  result.walHead = await readRef(dir, store.wal.ref);
  result.remoteWalHead = await readRef(dir, trackingWal);
  return result;
}

/** Fetch and merge only (`sync` with push: false). */
export function syncPull(target: SyncTarget, opts: Omit<SyncOptions, 'pull' | 'push'> = {}): Promise<SyncResult> {
  return sync(target, { ...opts, pull: true, push: false });
}

/** Push only, merging and retrying when refused (`sync` with pull: false). */
export function syncPush(target: SyncTarget, opts: Omit<SyncOptions, 'pull' | 'push'> = {}): Promise<SyncResult> {
  return sync(target, { ...opts, pull: false, push: true });
}
