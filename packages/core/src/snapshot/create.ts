/**
 * Taking a snapshot of the log at the current WAL head, on demand or when
 * the repository's policy says one is due (`[snapshot] max_events` and
 * `max_age_days` in config.toml, see snapshotDue).
 *
 * The events come from the newest snapshot that fits plus the commits after
 * it (log.ts), so a new snapshot costs the commits since the last one, not
 * the whole log.
 */
import { GriteError } from '../errors.js';
import type { Wal } from '../git/wal.js';
import { readRepoConfig, type SnapshotPolicy } from '../repo/config.js';
import type { Store } from '../store.js';
import { loadLog } from './log.js';
import { listSnapshots, snapshotDue, writeSnapshot, type SnapshotInfo } from './snapshot.js';

export interface CreateSnapshotResult {
  snapshot: SnapshotInfo;
  /** WAL commits read to make it. */
  commitsRead: number;
  /** The snapshot it was built on, if any. */
  base: SnapshotInfo | null;
}

/**
 * Snapshots the log at the WAL's current head. GriteError('not_found') when
 * the log holds no events.
 */
export async function createSnapshot(wal: Wal, opts: { now?: () => number; fsync?: boolean } = {}): Promise<CreateSnapshotResult> {
  const head = await wal.head();
  if (head === null) {
    throw new GriteError('not_found', 'nothing to snapshot: the log holds no events', { hint: 'Create an issue first.' });
  }
  const load = await loadLog(wal, { head, fromSnapshot: true });
  const snapshot = await writeSnapshot(wal.commonGitDir, {
    walHead: head,
    events: load.events,
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.fsync !== undefined ? { fsync: opts.fsync } : {}),
  });
  return { snapshot, commitsRead: load.commitsRead, base: load.snapshot };
}

export interface AutoSnapshotOptions {
  /** Default: the repository's config.toml `[snapshot]` table. */
  policy?: SnapshotPolicy;
  now?: () => number;
}

/**
 * Creates a snapshot when one is due for the log the view holds (see
 * snapshotDue), else does nothing. Cheap when the log is smaller than the
 * threshold: only the view's count is read. Returns the new snapshot or null.
 */
export async function autoSnapshot(store: Store, opts: AutoSnapshotOptions = {}): Promise<SnapshotInfo | null> {
  const policy = opts.policy ?? readRepoConfig(store.griteDir).snapshot;
  const eventCount = store.view.stats().eventCount;
  if (policy.maxEvents === 0 || eventCount < policy.maxEvents) return null;
  const now = opts.now ?? Date.now;
  const snaps = await listSnapshots(store.commonDir, { catFile: store.wal.catFile });
  const newest = snaps.find((s) => s.meta !== null) ?? null;
  if (!snapshotDue(eventCount, newest, policy, now()).due) return null;
  return (await createSnapshot(store.wal, { now })).snapshot;
}
