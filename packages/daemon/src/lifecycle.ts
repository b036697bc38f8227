/**
 * Exclusivity of the daemon: `<commonDir>/grite/ts-daemon.lock`, taken with
 * the `lockfile` package (an exclusive create, `O_CREAT|O_EXCL`).
 *
 * The lock file's content names its holder, `{"pid": ..., "start_time": ...}`
 * (process-identity.ts), written right after the create. That package's
 * edges, and how this module stays clear of them:
 * - Its staleness test is by ctime and it never refreshes the lock, so a
 *   long-lived daemon's lock would look stale: `stale` is never passed, and a
 *   lock is broken only by the rule below, never by age.
 * - At process exit it deletes every lock its process took, without checking
 *   that the file is still that lock. A live daemon's lock is never broken
 *   under the rule below, but if the file was removed or replaced behind our
 *   back anyway (`stillOurs()` false), the daemon must not let that exit
 *   handler run: it ends with `exitWithoutLockCleanup()`.
 *
 * Breaking rule (DESIGN.md section 7): an existing lock is broken only when
 * the daemon socket refuses connections AND the holder is gone: its pid is
 * dead, or now belongs to another process (the start time differs). A lock
 * with no holder written yet is a daemon between its create and its first
 * write; it is treated as live unless it is older than `EMPTY_LOCK_GRACE_MS`
 * (its creator died in that gap).
 *
 * Two processes may decide at once that the same lock is stale. The break
 * itself is therefore serialised by a second exclusive lock,
 * `ts-daemon.lock.break`: its holder re-checks that the lock file is still
 * the one judged stale (same inode), deletes it and takes the lock; a
 * process that finds the break lock taken gives up (the other one becomes
 * the daemon). A break lock whose own holder died is removed and the break
 * retried once.
 */
import * as lockfile from 'lockfile';
import { connect } from 'node:net';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { EMPTY_LOCK_GRACE_MS, readDaemonInfo, readLockHolder, removeQuietly, type DaemonPaths, type LockHolder } from './discovery.js';
import { isSameProcess, selfIdentity } from './process-identity.js';
import { nullLogger, type Logger } from './log.js';

/** How long a socket probe waits for a connection before calling the socket alive (a busy daemon). */
const PROBE_TIMEOUT_MS = 1_000;

function lockAsync(path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // No `stale`, `wait` or `retries`: one exclusive create, now.
    lockfile.lock(path, {}, (err) => (err ? reject(err) : resolve()));
  });
}

function errnoOf(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | null)?.code;
}

/**
 * Whether something accepts connections on `socketPath`. A probe that
 * neither connects nor fails within the timeout counts as accepting: a
 * daemon whose accept queue is full is busy, not dead.
 */
export function probeSocket(socketPath: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(socketPath);
    const done = (accepting: boolean): void => {
      clearTimeout(timer);
      s.destroy();
      resolve(accepting);
    };
    const timer = setTimeout(() => done(true), timeoutMs);
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

export type LockVerdict =
  | { state: 'free' }
  | { state: 'live'; holder: LockHolder | null; reason: string }
  | { state: 'stale'; holder: LockHolder | null; ino: number; reason: string };

/**
 * Judges the lock at `paths.lock` by the breaking rule. `socketPaths` are
 * the sockets a holder could be listening on (the discovery record's and
 * the one computed for this environment).
 */
export async function judgeLock(paths: DaemonPaths, socketPaths: readonly string[]): Promise<LockVerdict> {
  const st = statSync(paths.lock, { throwIfNoEntry: false });
  if (st === undefined) return { state: 'free' };
  const holder = readLockHolder(paths.lock);
  const info = readDaemonInfo(paths.info);
  const sockets = new Set(socketPaths);
  if (info !== null) sockets.add(info.socket);
  for (const s of sockets) {
    if (await probeSocket(s)) return { state: 'live', holder, reason: `socket ${s} accepts connections` };
  }
  if (holder === null) {
    const age = Date.now() - st.mtimeMs;
    if (age < EMPTY_LOCK_GRACE_MS) return { state: 'live', holder, reason: 'lock just created, holder not yet recorded' };
    return { state: 'stale', holder, ino: st.ino, reason: `lock without a holder for ${Math.round(age)} ms` };
  }
  if (isSameProcess(holder.pid, holder.start_time)) {
    return { state: 'live', holder, reason: `holder pid ${holder.pid} is alive` };
  }
  return { state: 'stale', holder, ino: st.ino, reason: `holder pid ${holder.pid} is gone` };
}

/** A lock this process holds. */
export class DaemonLock {
  private released = false;

  private constructor(
    readonly path: string,
    private ino: number,
    private readonly log: Logger,
  ) {}

  /** Creates the lock file exclusively and records this process in it; null when it exists. */
  static async create(path: string, log: Logger): Promise<DaemonLock | null> {
    try {
      await lockAsync(path);
    } catch (e) {
      if (errnoOf(e) === 'EEXIST') return null;
      throw e;
    }
    const me = selfIdentity();
    writeFileSync(path, JSON.stringify({ pid: me.pid, start_time: me.startTime }));
    return new DaemonLock(path, statSync(path).ino, log);
  }

  /**
   * True while the lock file is the one this process created (same inode,
   * naming this pid). A lock file that vanished is taken again when nobody
   * else took it meanwhile.
   */
  stillOurs(): boolean {
    if (this.released) return false;
    const st = statSync(this.path, { throwIfNoEntry: false });
    if (st === undefined) {
      this.log.warn('the daemon lock file vanished; taking it again', { path: this.path });
      try {
        const me = selfIdentity();
        writeFileSync(this.path, JSON.stringify({ pid: me.pid, start_time: me.startTime }), { flag: 'wx' });
        this.ino = statSync(this.path).ino;
        return true;
      } catch {
        return false;
      }
    }
    if (st.ino !== this.ino) return false;
    return readLockHolder(this.path)?.pid === process.pid;
  }

  /**
   * Deletes the lock when it is still ours and returns true. Returns false,
   * deleting nothing, when it is not: the caller must then end the process
   * with exitWithoutLockCleanup().
   */
  release(): boolean {
    if (this.released) return true;
    if (!this.stillOurs()) return false;
    this.released = true;
    lockfile.unlockSync(this.path);
    return true;
  }
}

export type AcquireResult = { lock: DaemonLock } | { lock: null; verdict: LockVerdict };

/**
 * Takes the daemon lock, breaking a stale one by the rule above. Returns
 * the lock, or null with the verdict that kept us out (another daemon is
 * live, or another process is breaking the lock right now).
 */
export async function acquireDaemonLock(
  paths: DaemonPaths,
  socketPaths: readonly string[],
  log: Logger = nullLogger,
): Promise<AcquireResult> {
  mkdirSync(paths.griteDir, { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    const lock = await DaemonLock.create(paths.lock, log);
    if (lock !== null) return { lock };
    const verdict = await judgeLock(paths, socketPaths);
    if (verdict.state === 'free') continue; // released meanwhile: try again
    if (verdict.state === 'live') return { lock: null, verdict };
    log.warn('breaking a stale daemon lock', { reason: verdict.reason, holder: verdict.holder });
    const broken = await breakLock(paths, verdict.ino, log);
    if (broken === 'busy') {
      return { lock: null, verdict: { state: 'live', holder: null, reason: 'another process is breaking the stale lock' } };
    }
    if (broken instanceof DaemonLock) return { lock: broken };
    // 'changed': the lock file is no longer the one judged stale; judge again.
  }
  return { lock: null, verdict: { state: 'live', holder: readLockHolder(paths.lock), reason: 'the lock kept changing hands' } };
}

async function breakLock(paths: DaemonPaths, staleIno: number, log: Logger): Promise<DaemonLock | 'busy' | 'changed'> {
  const breakPath = `${paths.lock}.break`;
  let breaker = await DaemonLock.create(breakPath, log);
  if (breaker === null) {
    const holder = readLockHolder(breakPath);
    const st = statSync(breakPath, { throwIfNoEntry: false });
    const abandoned =
      st !== undefined &&
      (holder !== null ? !isSameProcess(holder.pid, holder.start_time) : Date.now() - st.mtimeMs > EMPTY_LOCK_GRACE_MS);
    if (!abandoned) return 'busy';
    log.warn('removing an abandoned lock-break file', { path: breakPath, holder });
    removeQuietly(breakPath);
    breaker = await DaemonLock.create(breakPath, log);
    if (breaker === null) return 'busy';
  }
  try {
    const st = statSync(paths.lock, { throwIfNoEntry: false });
    if (st !== undefined) {
      if (st.ino !== staleIno) return 'changed';
      removeQuietly(paths.lock);
    }
    return (await DaemonLock.create(paths.lock, log)) ?? 'changed';
  } finally {
    breaker.release();
  }
}

/**
 * Ends the process at once, skipping exit handlers, so that the `lockfile`
 * package's exit handler cannot delete a lock file that is no longer ours.
 * Only for the case release() returned false.
 */
export function exitWithoutLockCleanup(): never {
  process.kill(process.pid, 'SIGKILL');
  // SIGKILL cannot be caught; this line is never reached.
  throw new Error('unreachable');
}
