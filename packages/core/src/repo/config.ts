/**
 * `<grite dir>/config.toml`: the repository's local settings, shared with
 * the Rust tool. The keys read here:
 *
 *   default_actor = "<32 hex>"            actor used when none is chosen
 *   lock_policy = "off"|"warn"|"require"  default "warn"
 *   verify_signatures = "off"|"warn"|"require"  default "off"
 *   [snapshot]
 *   max_events = 10000                    snapshot after this many events
 *   max_age_days = 7                      or when the last is this old
 *
 * Every other key, table and comment is kept byte for byte on rewrite: an
 * update changes only the keys it sets. Writes are atomic, but a read-modify-
 * write is not locked: two processes updating the file at the same moment
 * can lose one update (these files change rarely, by hand or by init).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GriteError } from '../errors.js';
import { writeFileAtomic } from './atomic-write.js';
import { TomlDocument, isTomlTable, type TomlTable, type TomlValue } from './toml.js';

export type Policy = 'off' | 'warn' | 'require';
export type LockPolicy = Policy;

export interface SnapshotPolicy {
  maxEvents: number;
  maxAgeDays: number;
}

export interface RepoConfig {
  /** Path of config.toml. */
  file: string;
  /** False when the file does not exist (every field is then its default). */
  exists: boolean;
  defaultActor: string | null;
  lockPolicy: LockPolicy;
  verifySignatures: Policy;
  snapshot: SnapshotPolicy;
  /** The whole file as parsed, unknown keys included. */
  values: TomlTable;
}

/** Fields to change: undefined leaves a key alone, null removes it. */
export interface RepoConfigPatch {
  defaultActor?: string | null;
  lockPolicy?: LockPolicy | null;
  verifySignatures?: Policy | null;
  snapshot?: { maxEvents?: number | null; maxAgeDays?: number | null };
}

/** One key to set (`value` undefined removes it). */
export interface ConfigEdit {
  path: readonly string[];
  value: TomlValue | undefined;
}

export const DEFAULT_LOCK_POLICY: LockPolicy = 'warn';
export const DEFAULT_VERIFY_SIGNATURES: Policy = 'off';
export const DEFAULT_SNAPSHOT_POLICY: Readonly<SnapshotPolicy> = Object.freeze({ maxEvents: 10_000, maxAgeDays: 7 });

const POLICIES: readonly string[] = ['off', 'warn', 'require'];
const ACTOR_HEX = /^[0-9a-f]{32}$/;
const U32_MAX = 0xffff_ffff;

/** What each known key accepts; undefined when `v` is fine, else the reason. */
const KNOWN_KEYS: Record<string, (v: TomlValue) => string | undefined> = {
  default_actor: (v) => (typeof v === 'string' && ACTOR_HEX.test(v) ? undefined : 'must be 32 lowercase hex characters'),
  lock_policy: (v) => (typeof v === 'string' && POLICIES.includes(v) ? undefined : 'must be "off", "warn" or "require"'),
  verify_signatures: (v) => (typeof v === 'string' && POLICIES.includes(v) ? undefined : 'must be "off", "warn" or "require"'),
  'snapshot.max_events': (v) => (isU32(v) ? undefined : `must be an integer from 0 to ${U32_MAX}`),
  'snapshot.max_age_days': (v) => (isU32(v) ? undefined : `must be an integer from 0 to ${U32_MAX}`),
};

function isU32(v: TomlValue): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= U32_MAX;
}

export function repoConfigPath(griteDir: string): string {
  return join(griteDir, 'config.toml');
}

/** Reads and parses a TOML file; undefined when it does not exist. */
export function readTomlFile(file: string): TomlDocument | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new GriteError('io_error', `cannot read ${file}`, { cause: e, details: { path: file } });
  }
  return TomlDocument.parse(text, file);
}

function fromDocument(file: string, doc: TomlDocument | undefined): RepoConfig {
  const values = doc?.data ?? {};
  const bad = (key: string, why: string): never => {
    throw new GriteError('config_error', `${file}: ${key} ${why}`, {
      hint: `fix ${key} in ${file}`,
      details: { file, key },
    });
  };
  const check = (key: string, v: TomlValue | undefined): void => {
    if (v === undefined) return;
    const why = KNOWN_KEYS[key]!(v);
    if (why !== undefined) bad(key, why);
  };
  // default_actor is only checked for type here: a stale value falls through
  // actor resolution, as in the Rust tool.
  const defaultActor = values.default_actor;
  if (defaultActor !== undefined && typeof defaultActor !== 'string') bad('default_actor', 'must be a string');
  check('lock_policy', values.lock_policy);
  check('verify_signatures', values.verify_signatures);
  const snap = values.snapshot;
  if (snap !== undefined && !isTomlTable(snap)) bad('snapshot', 'must be a table');
  const snapTable = (snap ?? {}) as TomlTable;
  check('snapshot.max_events', snapTable.max_events);
  check('snapshot.max_age_days', snapTable.max_age_days);
  return {
    file,
    exists: doc !== undefined,
    defaultActor: (defaultActor as string | undefined) ?? null,
    lockPolicy: (values.lock_policy as LockPolicy | undefined) ?? DEFAULT_LOCK_POLICY,
    verifySignatures: (values.verify_signatures as Policy | undefined) ?? DEFAULT_VERIFY_SIGNATURES,
    snapshot: {
      maxEvents: (snapTable.max_events as number | undefined) ?? DEFAULT_SNAPSHOT_POLICY.maxEvents,
      maxAgeDays: (snapTable.max_age_days as number | undefined) ?? DEFAULT_SNAPSHOT_POLICY.maxAgeDays,
    },
    values,
  };
}

/**
 * The repository config, defaults filled in. A missing file is an empty
 * config; invalid TOML or a known key of the wrong type is
 * GriteError('config_error') naming the file.
 */
export function readRepoConfig(griteDir: string): RepoConfig {
  const file = repoConfigPath(griteDir);
  return fromDocument(file, readTomlFile(file));
}

/**
 * Sets or removes keys of config.toml, creating the file (and the grite dir)
 * when missing. Values of known keys are checked first (GriteError
 * 'invalid_args'), so nothing is written when one is wrong; the file is not
 * rewritten when nothing changes.
 */
export function updateRepoConfig(griteDir: string, edits: readonly ConfigEdit[]): RepoConfig {
  for (const { path, value } of edits) {
    const key = path.join('.');
    const validate = KNOWN_KEYS[key];
    const why = value === undefined || validate === undefined ? undefined : validate(value);
    if (why !== undefined) {
      throw new GriteError('invalid_args', `${key} ${why}`, { details: { key, value: String(value) } });
    }
  }
  const file = repoConfigPath(griteDir);
  const existing = readTomlFile(file);
  const doc = existing ?? TomlDocument.parse('', file);
  const before = doc.toString();
  for (const { path, value } of edits) doc.set(path, value);
  const config = fromDocument(file, doc);
  if (doc.toString() !== before) {
    mkdirSync(griteDir, { recursive: true });
    writeFileAtomic(file, doc.toString());
  }
  return config;
}

/** Applies a typed patch to config.toml (see updateRepoConfig). */
export function writeRepoConfig(griteDir: string, patch: RepoConfigPatch): RepoConfig {
  const edits: ConfigEdit[] = [];
  const add = (path: string[], v: TomlValue | null | undefined): void => {
    if (v !== undefined) edits.push({ path, value: v ?? undefined });
  };
  add(['default_actor'], typeof patch.defaultActor === 'string' ? patch.defaultActor.toLowerCase() : patch.defaultActor);
  add(['lock_policy'], patch.lockPolicy);
  add(['verify_signatures'], patch.verifySignatures);
  add(['snapshot', 'max_events'], patch.snapshot?.maxEvents);
  add(['snapshot', 'max_age_days'], patch.snapshot?.maxAgeDays);
  return updateRepoConfig(griteDir, edits);
}
