/**
 * The daemon's files under `<commonDir>/grite/` (DESIGN.md sections 2 and 7)
 * and the discovery record `ts-daemon.json`.
 *
 *   ts-daemon.lock   exclusivity: one daemon per repository (lifecycle.ts);
 *                    holds `{"pid": ..., "start_time": ...}` of its holder
 *   ts-daemon.json   discovery: who serves this repository, and where
 *   logs/daemon.log  the daemon's log, rotated (log.ts)
 *
 * `ts-daemon.json` is one JSON object, written atomically (a temp file in the
 * same directory, then rename), so a reader sees the old record or the new
 * one, never a torn one:
 *
 *   { "pid": 1234, "start_time": "96923" | null, "socket": "/tmp/grite-0/ab.sock",
 *     "build": "...", "schema_version": 1, "started_ts": <unix ms>,
 *     "heartbeat_ts": <unix ms>, "idle_timeout_s": 300 }
 *
 * `start_time` is the process start time (process-identity.ts), so a record
 * whose pid now belongs to another process is recognised as stale. Readers
 * accept unknown extra keys and reject records missing the ones above.
 *
 * Kept free of heavy imports: the CLI reads the record on every call.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DaemonPaths {
  /** `<commonDir>/grite`. */
  griteDir: string;
  lock: string;
  info: string;
  logsDir: string;
  log: string;
}

export function daemonPaths(commonDir: string): DaemonPaths {
  const griteDir = join(commonDir, 'grite');
  const logsDir = join(griteDir, 'logs');
  return {
    griteDir,
    lock: join(griteDir, 'ts-daemon.lock'),
    info: join(griteDir, 'ts-daemon.json'),
    logsDir,
    log: join(logsDir, 'daemon.log'),
  };
}

export interface DaemonInfo {
  pid: number;
  /** /proc starttime of `pid`, or null where unknown. */
  start_time: string | null;
  socket: string;
  build: string;
  schema_version: number;
  started_ts: number;
  heartbeat_ts: number;
  /** 0 = never idles out. */
  idle_timeout_s: number;
}

function isDaemonInfo(x: unknown): x is DaemonInfo {
  if (typeof x !== 'object' || x === null) return false;
  const o = x as Record<string, unknown>;
  return (
    Number.isInteger(o['pid']) &&
    (o['pid'] as number) > 0 &&
    (o['start_time'] === null || typeof o['start_time'] === 'string') &&
    typeof o['socket'] === 'string' &&
    typeof o['build'] === 'string' &&
    Number.isInteger(o['schema_version']) &&
    typeof o['started_ts'] === 'number' &&
    typeof o['heartbeat_ts'] === 'number' &&
    typeof o['idle_timeout_s'] === 'number'
  );
}

/** The discovery record, or null when it is missing or unreadable. */
export function readDaemonInfo(infoPath: string): DaemonInfo | null {
  let text: string;
  try {
    text = readFileSync(infoPath, 'utf8');
  } catch {
    return null;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return isDaemonInfo(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

/** Writes `text` to `path` atomically: temp file in the same directory, then rename. */
export function writeFileAtomicSync(path: string, text: string, mode = 0o600): void {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, text, { mode, flag: 'wx' });
    renameSync(tmp, path);
  } catch (e) {
    removeQuietly(tmp);
    throw e;
  }
}

export function writeDaemonInfo(infoPath: string, info: DaemonInfo): void {
  writeFileAtomicSync(infoPath, `${JSON.stringify(info, null, 2)}\n`);
}

/** Deletes a file, ignoring a missing one. Returns true when it deleted it. */
export function removeQuietly(path: string): boolean {
  try {
    unlinkSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * How long a lock file may stay empty (created, its holder not yet written)
 * before it counts as abandoned: its creator died in that gap.
 */
export const EMPTY_LOCK_GRACE_MS = 10_000;

/** Who holds a lock file (written by its holder right after creating it). */
export interface LockHolder {
  pid: number;
  start_time: string | null;
}

/** The holder recorded in a lock file, or null when it is missing, empty (just created) or unreadable. */
export function readLockHolder(path: string): LockHolder | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  try {
    const o = JSON.parse(text) as Record<string, unknown>;
    const pid = o['pid'];
    const start = o['start_time'];
    if (Number.isInteger(pid) && (pid as number) > 0 && (start === null || typeof start === 'string')) {
      return { pid: pid as number, start_time: start };
    }
  } catch {
    // Empty or garbage.
  }
  return null;
}
