/**
 * The events of the log at a WAL head, read from the whole WAL or from a
 * snapshot plus what came after it.
 *
 * From a snapshot S (taken at WAL head L) for head H: S's events, plus the
 * events of every WAL commit reachable from H but not from L
 * (`git rev-list H ^L`). When L is an ancestor of H that is exactly the log
 * at H. After a diverged sync L is not an ancestor of H: the merge put the
 * local commits after the merge base B again on top of the remote's (same
 * event ids), so the commits of `L ^H` hold only events that `H ^L` holds
 * too. That is checked, not assumed: S is used only when every event of the
 * commits of `L ^H` is among those of `H ^L`. A snapshot of a history the log
 * no longer holds (a rewound or replaced WAL) fails that check and is
 * skipped, as is one that cannot be read or verified; the newest snapshot
 * that passes is used, else the whole WAL is read. So the events equal a
 * full read's, with one difference in the log's favour: a commit that became
 * unreadable after the snapshot was taken still has its events in S.
 */
import type { GriteError } from '../errors.js';
import type { Event } from '../event.js';
import { toHex } from '../codec/hex.js';
import { runGit } from '../git/run-git.js';
import type { Wal } from '../git/wal.js';
import { listSnapshots, readSnapshotEvents, type SnapshotInfo } from './snapshot.js';

export type LogLoadPhase = 'snapshot' | 'wal';

export interface LogLoadProgress {
  phase: LogLoadPhase;
  /** WAL commits read so far. */
  commits: number;
  /** Events read so far (snapshot events included). */
  events: number;
}

export interface LogLoadOptions {
  /** The head to read (default: the WAL's current head). */
  head?: string | null;
  /** Start from the newest snapshot that fits (default false: the whole WAL). */
  fromSnapshot?: boolean;
  onProgress?: (p: LogLoadProgress) => void;
}

export interface LogLoad {
  head: string | null;
  /** Snapshot events first (in snapshot order), then commits oldest first; an id may repeat. */
  events: Event[];
  /** Every commit of the log at `head` (readable or not), for the view's applied set. */
  commits: string[];
  /** WAL commits read. */
  commitsRead: number;
  /** Commits that could not be read (their events are missing unless a snapshot held them). */
  bad: Array<{ oid: string; error: GriteError }>;
  /** The snapshot used; null when the whole WAL was read. */
  snapshot: SnapshotInfo | null;
  /** Snapshots considered and not used, with the reason. */
  skipped: Array<{ ref: string; reason: string }>;
}

/** Whether `a` is an ancestor of (or equal to) `b`; null when git cannot tell (a missing object). */
export async function isAncestor(commonDir: string, a: string, b: string): Promise<boolean | null> {
  if (a === b) return true;
  const r = await runGit(commonDir, ['merge-base', '--is-ancestor', a, b], { allowFailure: true });
  if (r.code === 0) return true;
  if (r.code === 1) return false;
  return null;
}

/** `git rev-list --first-parent <include> [^exclude]`, newest first; null when git cannot list it. */
export async function revList(commonDir: string, include: string, exclude?: string): Promise<string[] | null> {
  const args = ['rev-list', '--first-parent', include];
  if (exclude !== undefined) args.push(`^${exclude}`);
  args.push('--');
  const r = await runGit(commonDir, args, { allowFailure: true });
  if (r.code !== 0) return null;
  return r.stdout.toString('utf8').split('\n').filter((l) => l !== '');
}

const PROGRESS_EVERY = 512;

interface WalRead {
  events: Event[][];
  oids: string[];
  bad: Array<{ oid: string; error: GriteError }>;
}

/** Reads the commits from `head` back while `keep(oid)` holds (all when keep is absent), newest first. */
async function readCommits(
  wal: Wal,
  head: string,
  keep: ((oid: string) => boolean) | undefined,
  progress: (commits: number, events: number) => void,
): Promise<WalRead> {
  const out: WalRead = { events: [], oids: [], bad: [] };
  let n = 0;
  const stopAt = keep === undefined ? undefined : (oid: string) => !keep(oid);
  for await (const step of wal.walk(head, stopAt === undefined ? {} : { stopAt })) {
    out.oids.push(step.oid);
    if (step.commit) {
      out.events.push(step.commit.events);
      n += step.commit.events.length;
    } else if (step.error) {
      out.bad.push({ oid: step.oid, error: step.error });
    }
    if (out.oids.length % PROGRESS_EVERY === 0) progress(out.oids.length, n);
  }
  return out;
}

function oldestFirst(r: WalRead): Event[] {
  const events: Event[] = [];
  for (let i = r.events.length - 1; i >= 0; i--) for (const e of r.events[i]!) events.push(e);
  return events;
}

/**
 * Tries snapshot `snap` for `head`: the events and commits to add, or the
 * reason it does not fit.
 */
async function trySnapshot(
  wal: Wal,
  head: string,
  snap: SnapshotInfo,
  progress: (phase: LogLoadPhase, commits: number, events: number) => void,
): Promise<{ events: Event[]; read: WalRead } | { reason: string }> {
  const dir = wal.commonGitDir;
  if (snap.meta === null) return { reason: snap.error ?? 'snapshot.json cannot be read' };
  const base = snap.walHead;
  const ancestor = await isAncestor(dir, base, head);
  if (ancestor === null) return { reason: `its wal_head ${base} is not in this repository` };
  let newer: WalRead;
  if (ancestor) {
    newer = base === head ? { events: [], oids: [], bad: [] } : await readCommits(wal, head, (oid) => oid !== base, (c, e) => progress('wal', c, e));
  } else {
    const onlyHead = await revList(dir, head, base);
    const onlySnap = await revList(dir, base, head);
    if (onlyHead === null || onlySnap === null) return { reason: `git cannot list the history between ${base} and ${head}` };
    const headSet = new Set(onlyHead);
    newer = await readCommits(wal, head, (oid) => headSet.has(oid), (c, e) => progress('wal', c, e));
    const have = new Set<string>();
    for (const group of newer.events) for (const e of group) have.add(toHex(e.eventId));
    const snapSet = new Set(onlySnap);
    const theirs = await readCommits(wal, base, (oid) => snapSet.has(oid), () => {});
    if (theirs.bad.length > 0) return { reason: `its history holds commits that cannot be read (${theirs.bad[0]!.oid})` };
    for (const group of theirs.events) {
      for (const e of group) {
        if (!have.has(toHex(e.eventId))) {
          return { reason: `it holds events the log at ${head} does not (event ${toHex(e.eventId)}): the WAL was rewound or replaced since` };
        }
      }
    }
  }
  let events: Event[];
  try {
    events = await readSnapshotEvents(dir, snap, { catFile: wal.catFile });
  } catch (e) {
    return { reason: (e as Error).message };
  }
  progress('snapshot', newer.oids.length, events.length);
  return { events, read: newer };
}

/**
 * The log at `head` from the newest snapshot that fits (see the file
 * comment): the load, or null when none fits (then `skipped` says why each
 * was passed over). Bad commits are reported in the load's `bad`, never
 * thrown.
 */
export async function loadFromSnapshot(
  wal: Wal,
  head: string,
  onProgress?: (p: LogLoadProgress) => void,
): Promise<{ load: LogLoad | null; skipped: LogLoad['skipped'] }> {
  const report = (phase: LogLoadPhase, commits: number, events: number): void => onProgress?.({ phase, commits, events });
  const skipped: LogLoad['skipped'] = [];
  const snaps = await listSnapshots(wal.commonGitDir, { catFile: wal.catFile });
  for (const snap of snaps) {
    const r = await trySnapshot(wal, head, snap, report);
    if ('reason' in r) {
      skipped.push({ ref: snap.ref, reason: r.reason });
      continue;
    }
    const all = await revList(wal.commonGitDir, head);
    const events = r.events;
    for (const e of oldestFirst(r.read)) events.push(e);
    report('wal', r.read.oids.length, events.length);
    return {
      load: { head, events, commits: all ?? r.read.oids, commitsRead: r.read.oids.length, bad: r.read.bad, snapshot: snap, skipped },
      skipped,
    };
  }
  return { load: null, skipped };
}

/**
 * The events of the log at `head` (see the file comment), in memory. Bad
 * commits are reported in `bad`, never thrown. (A rebuild of the view
 * streams the whole WAL instead: Store.rebuild.)
 */
export async function loadLog(wal: Wal, opts: LogLoadOptions = {}): Promise<LogLoad> {
  const head = opts.head === undefined ? await wal.head() : opts.head;
  const result: LogLoad = { head, events: [], commits: [], commitsRead: 0, bad: [], snapshot: null, skipped: [] };
  if (head === null) return result;
  if (opts.fromSnapshot) {
    const { load, skipped } = await loadFromSnapshot(wal, head, opts.onProgress);
    if (load !== null) return load;
    result.skipped = skipped;
  }
  const report = (commits: number, events: number): void => opts.onProgress?.({ phase: 'wal', commits, events });
  const read = await readCommits(wal, head, undefined, report);
  result.events = oldestFirst(read);
  result.commits = read.oids;
  result.commitsRead = read.oids.length;
  result.bad = read.bad;
  report(result.commitsRead, result.events.length);
  return result;
}
