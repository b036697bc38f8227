/**
 * Telling a live daemon from a dead one whose pid was reused.
 *
 * A pid alone is not an identity: after a daemon dies, the kernel may give
 * its pid to any later process. So the daemon records its pid together with
 * its start time, field 22 (`starttime`, clock ticks since boot) of
 * `/proc/<pid>/stat`; a process with that pid and a different start time is
 * somebody else. The `comm` field (2) is parenthesised and may itself hold
 * spaces and parentheses, so fields are counted after the LAST `)`.
 *
 * A zombie (state `Z`: dead, not yet reaped by its parent, which in a
 * container whose init never reaps may be forever) counts as dead.
 *
 * Where /proc does not exist the start time is unknown (null) and only
 * liveness is compared.
 */
import { readFileSync } from 'node:fs';

interface ProcStat {
  state: string;
  startTime: string;
}

/** Fields 3 (state) and 22 (starttime) of /proc/<pid>/stat, or null. */
function readProcStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return null;
  }
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  // After ") ": field 3 (state) comes first, so field N is at index N - 3.
  const rest = text.slice(close + 2).split(' ');
  const state = rest[0];
  const start = rest[22 - 3];
  if (state === undefined || start === undefined || !/^\d+$/.test(start)) return null;
  return { state, startTime: start };
}

/** The start time of `pid` as a decimal string, or null when unknown (no /proc, or no such process). */
export function processStartTime(pid: number): string | null {
  return readProcStat(pid)?.startTime ?? null;
}

/** True when a process with this pid exists (whoever owns it) and is not a zombie. */
export function isPidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    // EPERM: it exists but belongs to another user.
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return readProcStat(pid)?.state !== 'Z';
}

/**
 * True when `pid` is alive and is the process that recorded `startTime`
 * (when either start time is unknown, liveness alone decides).
 */
export function isSameProcess(pid: number, startTime: string | null | undefined): boolean {
  if (!isPidAlive(pid)) return false;
  if (startTime === null || startTime === undefined) return true;
  const now = processStartTime(pid);
  return now === null || now === startTime;
}

/** This process's identity as recorded in the daemon's files. */
export function selfIdentity(): { pid: number; startTime: string | null } {
  return { pid: process.pid, startTime: processStartTime(process.pid) };
}
