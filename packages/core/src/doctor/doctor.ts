/**
 * grite doctor: every check of CHECK_IDS, each ok, warn or error with a
 * message and a plan; with `fix`, the safe repairs, then every check again.
 *
 * Safe repairs only: rebuild the view from the refs (after appending to the
 * WAL, as new commits, any event only the view still holds), collect expired
 * or released local lock refs, create a due snapshot, and what external
 * checks offer (the daemon's stale files). No repair deletes or rewrites WAL
 * history. Repairs run in CHECK_IDS order; one that fails is reported in
 * `failed` and the others still run. The checks after the repairs say what
 * is left, each with its plan.
 *
 * To see the view as it was before the store touched it (the store empties a
 * view of another schema version when it opens it, and catches up), look at
 * the file first with `inspectViewFile`, open the store with `catchUp: false`
 * and pass what was seen as `viewPreflight`.
 */
import type { Store } from '../store.js';
import { checkActorConfig, checkDependencies, checkLocks, checkRemote, checkSnapshot } from './checks-data.js';
import { checkGitRepo, checkViewConsistency, checkWalIntegrity, checkWalRef } from './checks-log.js';
import { makeContext, type DoctorContext } from './context.js';
import { CHECK_IDS, type CheckId, type DoctorReport, type ExternalCheck, type Finding } from './types.js';
import type { ViewFileState } from './view-file.js';

export interface DoctorOptions {
  /** Apply the safe repairs (default false). */
  fix?: boolean;
  /** Clock (unix ms) for lock expiry and snapshot age (default Date.now). */
  now?: () => number;
  /** view.sqlite as found before the store opened it (see the file comment). */
  viewPreflight?: ViewFileState;
  /** Checks made outside core (the daemon's), by id. */
  external?: readonly ExternalCheck[];
  /** How long one read of the WAL may stay unanswered before it counts as stuck (default SCAN_STALL_MS). */
  stallMs?: number;
}

type CoreCheck = (ctx: DoctorContext) => Promise<Finding>;

const CORE: Partial<Record<CheckId, CoreCheck>> = {
  git_repo: checkGitRepo,
  wal_ref: checkWalRef,
  wal_integrity: checkWalIntegrity,
  view_consistency: checkViewConsistency,
  dependencies: checkDependencies,
  actor_config: checkActorConfig,
  locks: checkLocks,
  remote: checkRemote,
  snapshot: checkSnapshot,
};

async function runOne(id: CheckId, run: () => Promise<Finding>): Promise<Finding> {
  try {
    return await run();
  } catch (e) {
    // A check that cannot run is itself a finding, never a failed doctor.
    return {
      check: {
        id,
        status: 'error',
        message: `the check could not run: ${e instanceof Error ? e.message : String(e)}`,
        plan: (e as { hint?: string }).hint ? [(e as { hint: string }).hint] : [],
      },
    };
  }
}

async function runAll(store: Store, opts: DoctorOptions, viewPreflight: ViewFileState | undefined): Promise<Finding[]> {
  const now = (opts.now ?? Date.now)();
  const ctx = makeContext(store, { now, ...(viewPreflight ? { viewPreflight } : {}), ...(opts.stallMs !== undefined ? { stallMs: opts.stallMs } : {}) });
  const external = new Map((opts.external ?? []).map((c) => [c.id, c]));
  const out: Finding[] = [];
  for (const id of CHECK_IDS) {
    const ext = external.get(id);
    const core = CORE[id];
    if (ext) out.push(await runOne(id, () => ext.run()));
    else if (core) out.push(await runOne(id, () => core(ctx)));
    else {
      out.push({ check: { id, status: 'ok', message: 'not checked here (the engine that hosts grite checks it)', plan: [] } });
    }
  }
  return out;
}

/** Runs every check, and with `fix` the safe repairs and every check again. */
export async function runDoctor(store: Store, opts: DoctorOptions = {}): Promise<DoctorReport> {
  const first = await runAll(store, opts, opts.viewPreflight);
  if (!opts.fix) return { checks: first.map((f) => f.check), applied: [], failed: [], repaired: [], viewFileRebuilt: false };
  const applied: string[] = [];
  const failed: string[] = [];
  const repaired: CheckId[] = [];
  let viewFileRebuilt = false;
  for (const f of first) {
    if (f.check.status === 'ok' || f.fix === undefined) continue;
    try {
      const r = await f.fix();
      applied.push(...r.applied);
      repaired.push(f.check.id);
      viewFileRebuilt ||= r.viewFileRebuilt === true;
    } catch (e) {
      failed.push(`${f.check.id}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  // The preflight described the file before the repairs: it no longer holds.
  const after = repaired.length > 0 || failed.length > 0 ? await runAll(store, opts, undefined) : first;
  return { checks: after.map((f) => f.check), applied, failed, repaired, viewFileRebuilt };
}
