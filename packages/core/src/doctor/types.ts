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

/**
 * One check's result, with its safe repair when it has one. A repair never
 * deletes or rewrites WAL history; it returns one line per thing it did.
 */
export interface Finding {
  check: DoctorCheck;
  fix?: () => Promise<string[]>;
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
}

/** Marks a plan line as one that `doctor --fix` applies. */
export const FIXABLE = '(--fix)';
