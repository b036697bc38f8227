/** What doctor reports: one check per id, in this order, each ok, warn or error. */

/** The checks, by stable id, in the order they are reported. */
export const CHECK_IDS = [
  'git_repo',
  'wal_ref',
  'wal_integrity',
  'view_consistency',
  'dependencies',
  'actor_config',
  'daemon',
  'locks',
  'remote',
  'snapshot',
] as const;

export type CheckId = (typeof CHECK_IDS)[number];

export type CheckStatus = 'ok' | 'warn' | 'error';

export interface DoctorCheck {
  id: CheckId;
  status: CheckStatus;
  /** One or a few sentences: what was found. */
  message: string;
  /** What would make it ok, one step a line; marked "(--fix)" when doctor --fix does it. Empty when ok. */
  plan: string[];
}

/** What a repair did: one line per thing, and whether it wrote view.sqlite anew on disk. */
export interface Repair {
  applied: string[];
  /**
   * The view file on disk was rebuilt while this process has another copy
   * open (it was deleted or replaced under it): the process should reopen
   * it (a daemon: stop, so that the next command starts one that does).
   */
  viewFileRebuilt?: boolean;
}

/**
 * One check's result, with its safe repair when it has one. A repair never
 * deletes or rewrites WAL history.
 */
export interface Finding {
  check: DoctorCheck;
  fix?: () => Promise<Repair>;
}

/** A check made outside core (the daemon's files), run in its place in CHECK_IDS order. */
export interface ExternalCheck {
  id: CheckId;
  run(): Promise<Finding>;
}

export interface DoctorReport {
  /** After the repairs, when --fix was given. */
  checks: DoctorCheck[];
  /** What the repairs did, in order. */
  applied: string[];
  /** Repairs that failed: `<check id>: <why>`. Their checks stay in `checks` with their plan. */
  failed: string[];
  /** The checks whose repair ran. */
  repaired: CheckId[];
  /** See Repair.viewFileRebuilt. */
  viewFileRebuilt: boolean;
}

/** Marks a plan line as one that `doctor --fix` applies. */
export const FIXABLE = '(--fix)';
