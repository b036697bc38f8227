/**
 * Rebuilding the view from the refs: from the whole WAL, or from a snapshot
 * plus the commits after it (log.ts), which gives the same event set and so
 * the same view (the projection is a function of the set). The view is
 * replaced in one transaction, loaded in slices that yield to the event
 * loop: readers see the old view until it commits.
 *
 * The caller must hold the store exclusively (the engine runs rebuild under
 * its write lock): the snapshot path does not go through the store's own
 * queue (the whole-WAL path does, as Store.rebuild).
 *
 * After a rebuild the view's meta table records how many events it held
 * (`rebuilt_event_count`), so `grite db stats` can say how many arrived
 * since. Any other full replacement of the view (a schema change, the store
 * replacing a view of another history) drops that record with the tables;
 * the view then counts as built from nothing at its creation.
 */
import Database from 'better-sqlite3';
import type { GriteError } from '../errors.js';
import type { Store } from '../store.js';
import { loadFromSnapshot, type LogLoadProgress } from './log.js';
import type { SnapshotInfo } from './snapshot.js';

export interface RebuildViewOptions {
  /** Start from the newest snapshot that fits (default false). */
  fromSnapshot?: boolean;
  onProgress?: (p: LogLoadProgress) => void;
}

export interface RebuildViewResult {
  walHead: string | null;
  /** Events in the view afterwards. */
  eventCount: number;
  /** The snapshot used; null when the whole WAL was read. */
  snapshot: SnapshotInfo | null;
  /** Snapshots considered and not used, with the reason. */
  skipped: Array<{ ref: string; reason: string }>;
  commitsRead: number;
  /** One per WAL commit that could not be read. */
  warnings: GriteError[];
}

const MARKER_KEY = 'rebuilt_event_count';

/**
 * Replaces the view's content with the log at the current WAL head: from a
 * snapshot that fits when asked (and one does), else by streaming the whole
 * WAL into the view (Store.rebuild, the same load as a first catch-up).
 */
export async function rebuildView(store: Store, opts: RebuildViewOptions = {}): Promise<RebuildViewResult> {
  let skipped: RebuildViewResult['skipped'] = [];
  if (opts.fromSnapshot === true) {
    const head = await store.wal.head();
    if (head !== null) {
      const r = await loadFromSnapshot(store.wal, head, opts.onProgress);
      skipped = r.skipped;
      const load = r.load;
      if (load !== null) {
        // In slices with turns of the event loop between them: a daemon keeps
        // answering while it rebuilds (one transaction all the same).
        const { eventsApplied: eventCount } = await store.view.replaceAllYielding(load.events, { commits: load.commits, walHead: load.head });
        markRebuilt(store.view.path, eventCount);
        return {
          walHead: load.head,
          eventCount,
          snapshot: load.snapshot,
          skipped,
          commitsRead: load.commitsRead,
          warnings: load.bad.map((b) => b.error),
        };
      }
    }
  }
  const r = await store.rebuild(opts.onProgress ? { onProgress: opts.onProgress } : {});
  markRebuilt(store.view.path, r.eventCount);
  return { walHead: r.walHead, eventCount: r.eventCount, snapshot: null, skipped, commitsRead: r.commitsRead, warnings: r.warnings };
}

/** Records in the view file that it was just rebuilt holding `eventCount` events. */
export function markRebuilt(viewPath: string, eventCount: number): void {
  const db = new Database(viewPath, { fileMustExist: true, timeout: 5000 });
  try {
    db.prepare('INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)').run(MARKER_KEY, String(eventCount));
  } finally {
    db.close();
  }
}

/**
 * Events the view took in since its last rebuild: its event count minus the
 * count recorded by the rebuild, or its whole count when no rebuild is
 * recorded (it was built up from empty). Never negative.
 */
export function eventsSinceRebuild(viewPath: string, eventCount: number): number {
  let db: Database.Database | null = null;
  try {
    db = new Database(viewPath, { readonly: true, fileMustExist: true });
    const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(MARKER_KEY) as { value: string } | undefined;
    const at = row === undefined ? 0 : Number(row.value);
    return Number.isSafeInteger(at) ? Math.max(0, eventCount - at) : eventCount;
  } catch {
    return eventCount;
  } finally {
    db?.close();
  }
}
