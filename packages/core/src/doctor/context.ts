/**
 * What the checks share: the store, the clock, the view file as found before
 * the store opened it (when the caller looked), and one verified read of the
 * whole WAL (every chunk hash and event id recomputed), made once and reused
 * by every check that needs the log.
 */
import { GriteError } from '../errors.js';
import { toHex } from '../codec/hex.js';
import { readRef } from '../git/refs.js';
import { WAL_REF } from '../git/wal.js';
import { DEFAULT_SNAPSHOT_POLICY, readRepoConfig, type SnapshotPolicy } from '../repo/config.js';
import type { Store } from '../store.js';
import type { ViewFileState } from './view-file.js';

export interface WalScan {
  /** null: no WAL, or the ref cannot be read (`headError`). */
  head: string | null;
  headError: GriteError | null;
  /** Commits walked, bad ones included. */
  commits: number;
  bad: Array<{ oid: string; message: string }>;
  /** Hex ids of the events of the readable commits. */
  ids: Set<string>;
}

export interface DoctorContext {
  readonly store: Store;
  readonly now: number;
  /** view.sqlite as found before the store opened it; undefined: not looked at then. */
  readonly viewPreflight: ViewFileState | undefined;
  /** The snapshot policy of config.toml (its defaults when the file cannot be read). */
  readonly policy: SnapshotPolicy;
  /** The WAL read once from its current head (cached; `rescan` forgets it). */
  scan(): Promise<WalScan>;
}

export async function scanWal(store: Store): Promise<WalScan> {
  const out: WalScan = { head: null, headError: null, commits: 0, bad: [], ids: new Set() };
  try {
    out.head = await readRef(store.commonDir, WAL_REF);
  } catch (e) {
    out.headError = e instanceof GriteError ? e : new GriteError('git_error', String(e));
    return out;
  }
  if (out.head === null) return out;
  for await (const step of store.wal.walk(out.head)) {
    out.commits++;
    if (step.commit) for (const e of step.commit.events) out.ids.add(toHex(e.eventId));
    else out.bad.push({ oid: step.oid, message: step.error?.message ?? 'cannot be read' });
  }
  return out;
}

export function makeContext(store: Store, opts: { now: number; viewPreflight?: ViewFileState }): DoctorContext {
  let policy: SnapshotPolicy = { ...DEFAULT_SNAPSHOT_POLICY };
  try {
    policy = readRepoConfig(store.griteDir).snapshot;
  } catch {
    // actor_config reports the broken file; the snapshot check uses the defaults.
  }
  let scan: Promise<WalScan> | null = null;
  return {
    store,
    now: opts.now,
    viewPreflight: opts.viewPreflight,
    policy,
    scan: () => (scan ??= scanWal(store)),
  };
}

/** The first 12 hex characters of an object id. */
export function short(oid: string | null): string {
  return oid === null ? '(none)' : oid.slice(0, 12);
}
