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
import { revList } from '../snapshot/log.js';
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
  /** How long a read of the WAL may stay unanswered (see scanWal). */
  readonly stallMs: number;
  /** The WAL read once from its current head (cached). */
  scan(): Promise<WalScan>;
}

/** How long one read of the WAL may go without an answer before it counts as stuck (a damaged pack can leave git silent). */
export const SCAN_STALL_MS = 30_000;

const STALLED = Symbol('stalled');

function within<T>(p: Promise<T>, ms: number): Promise<T | typeof STALLED> {
  let timer: NodeJS.Timeout | undefined;
  const stall = new Promise<typeof STALLED>((resolve) => {
    timer = setTimeout(() => resolve(STALLED), ms);
  });
  return Promise.race([p, stall]).finally(() => clearTimeout(timer));
}

/**
 * Reads the whole WAL from its head. The walk reports a commit it cannot
 * read and goes on; when git itself fails under it (a damaged pack makes
 * `git cat-file` exit, or leaves a read unanswered for `stallMs`), the WAL is
 * read again commit by commit along `git rev-list`, each read given the same
 * time, so that one damaged object is one bad commit, not a failed check.
 */
export async function scanWal(store: Store, opts: { stallMs?: number } = {}): Promise<WalScan> {
  const stallMs = opts.stallMs ?? SCAN_STALL_MS;
  const out: WalScan = { head: null, headError: null, commits: 0, bad: [], ids: new Set() };
  try {
    out.head = await readRef(store.commonDir, WAL_REF);
  } catch (e) {
    out.headError = e instanceof GriteError ? e : new GriteError('git_error', String(e));
    return out;
  }
  if (out.head === null) return out;
  const walk = store.wal.walk(out.head);
  try {
    for (;;) {
      const step = await within(walk.next(), stallMs);
      if (step === STALLED) throw new GriteError('git_error', `reading the WAL stalled for ${stallMs} ms`);
      if (step.done) return out;
      out.commits++;
      if (step.value.commit) for (const e of step.value.commit.events) out.ids.add(toHex(e.eventId));
      else out.bad.push({ oid: step.value.oid, message: step.value.error?.message ?? 'cannot be read' });
    }
  } catch (walkError) {
    void walk.return(undefined).catch(() => {});
    const oids = await revList(store.commonDir, out.head);
    if (oids === null) throw walkError;
    const slow: WalScan = { head: out.head, headError: null, commits: 0, bad: [], ids: new Set() };
    for (const oid of oids) {
      slow.commits++;
      try {
        const c = await within(store.wal.readCommit(oid), stallMs);
        if (c === STALLED) throw new Error(`git did not answer for ${stallMs} ms (a damaged object?)`);
        for (const e of c.events) slow.ids.add(toHex(e.eventId));
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        slow.bad.push({ oid, message: message.startsWith('WAL commit ') ? message : `WAL commit ${oid}: ${message}` });
      }
    }
    return slow;
  }
}

export function makeContext(store: Store, opts: { now: number; viewPreflight?: ViewFileState; stallMs?: number }): DoctorContext {
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
    stallMs: opts.stallMs ?? SCAN_STALL_MS,
    scan: () => (scan ??= scanWal(store, { stallMs: opts.stallMs ?? SCAN_STALL_MS })),
  };
}

/** The first 12 hex characters of an object id. */
export function short(oid: string | null): string {
  return oid === null ? '(none)' : oid.slice(0, 12);
}
