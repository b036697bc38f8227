/**
 * Doctor: core's checks (runDoctor) and the daemon check, made here because
 * only this package knows the daemon's files. Repairs only with `fix`.
 *
 * Dispatched `static`: it runs before any catch-up, so it sees the view as
 * it is (a catch-up first would hide a view left behind by another process).
 * Its repairs go through the store's own queue and git's compare-and-swap,
 * which keep them safe beside the group commits that may run meanwhile; a
 * rebuilt view is announced with `synced`.
 *
 * The daemon check:
 * - in the daemon itself (ts-daemon.json names this process): ok, with its
 *   pid, build and the age of its heartbeat;
 * - elsewhere: the lock is judged by the daemon's own lock-breaking rule
 *   (lifecycle.ts judgeLock: the socket refuses connections AND the holder
 *   is dead or another process). A live daemon is checked for reachability
 *   (its socket answers), build (the same as this one) and heartbeat. A
 *   stale lock, discovery record or socket file is reported, and removed
 *   with `fix` only under that same rule, judged again right before.
 * When the view repair rebuilt view.sqlite on disk while this daemon has
 * another copy open (the file was deleted or replaced under it), the daemon
 * stops once this answer is out, so that the next command opens the new file.
 */
import { existsSync, statSync } from 'node:fs';
import { runDoctor, type ExternalCheck, type Finding, type Repair } from '@grite/core';
import { CheckStatus, DoctorCheckT, DoctorResultT, type Doctor } from '@grite/protocol';
import { daemonPaths, readDaemonInfo, readLockHolder, removeQuietly, type DaemonInfo } from '../../discovery.js';
import { judgeLock, probeSocket } from '../../lifecycle.js';
import { isSameProcess, selfIdentity } from '../../process-identity.js';
import { socketPathFor } from '../../socket-path.js';
import type { EngineContext, HandlerResult } from '../context.js';

const STATUS = { ok: CheckStatus.ok, warn: CheckStatus.warn, error: CheckStatus.error } as const;

/** A heartbeat older than this means the daemon's event loop is stuck (it beats every 5 s). */
const HEARTBEAT_STALE_MS = 30_000;

function ago(ms: number): string {
  return ms < 1000 ? 'just now' : `${Math.round(ms / 1000)} s ago`;
}

/** True when the discovery record names this very process (pid and start time). */
function isThisProcess(info: DaemonInfo | null): boolean {
  if (info === null) return false;
  const me = selfIdentity();
  return info.pid === me.pid && (info.start_time === null || me.startTime === null || info.start_time === me.startTime);
}

/** The socket files a daemon of this repository could have left. */
function socketCandidates(commonDir: string, info: DaemonInfo | null): string[] {
  const out = new Set<string>();
  try {
    out.add(socketPathFor(commonDir));
  } catch {
    // No usable socket directory here: only the recorded socket counts.
  }
  if (info !== null) out.add(info.socket);
  return [...out];
}

export function daemonCheck(commonDir: string, build: string): ExternalCheck {
  return {
    id: 'daemon',
    async run(): Promise<Finding> {
      const paths = daemonPaths(commonDir);
      const info = readDaemonInfo(paths.info);
      const now = Date.now();
      if (isThisProcess(info)) {
        return {
          check: {
            id: 'daemon',
            status: 'ok',
            message: `this daemon (pid ${process.pid}, build ${info!.build}) serves the repository; heartbeat ${ago(now - info!.heartbeat_ts)}`,
            plan: [],
          },
        };
      }
      const sockets = socketCandidates(commonDir, info);
      const leftovers = [paths.lock, paths.info, `${paths.lock}.break`, ...sockets].filter((p) => existsSync(p));
      if (leftovers.length === 0) return { check: { id: 'daemon', status: 'ok', message: 'no daemon is running', plan: [] } };
      const verdict = await judgeLock(paths, sockets);
      if (verdict.state === 'live') {
        const pid = verdict.holder?.pid ?? info?.pid ?? null;
        let reachable = false;
        for (const s of sockets) if (existsSync(s) && (await probeSocket(s))) reachable = true;
        const problems: string[] = [];
        const plan: string[] = [];
        if (!reachable) {
          problems.push(`daemon pid ${pid ?? '?'} holds the lock but its socket refuses connections (starting, or hung)`);
          plan.push(pid !== null ? `if it does not come up, stop it: kill ${pid}` : 'if it does not come up, stop it');
        }
        if (info !== null && info.build !== build) {
          problems.push(`daemon pid ${info.pid} runs build ${info.build}, this is build ${build} (the next command replaces it)`);
          plan.push('grite daemon stop');
        }
        if (info !== null && now - info.heartbeat_ts > HEARTBEAT_STALE_MS) {
          problems.push(`its last heartbeat was ${ago(now - info.heartbeat_ts)} (its event loop may be blocked)`);
          plan.push('grite daemon stop, then retry');
        }
        if (problems.length === 0) {
          return { check: { id: 'daemon', status: 'ok', message: `daemon pid ${pid ?? '?'} (build ${info?.build ?? '?'}) is running and answers`, plan: [] } };
        }
        return { check: { id: 'daemon', status: 'warn', message: problems.join('; '), plan } };
      }
      // 'stale' or 'free' (no lock): files of a daemon that is gone.
      const stale = await staleFiles(paths, sockets, info);
      if (stale.length === 0) return { check: { id: 'daemon', status: 'ok', message: 'no daemon is running', plan: [] } };
      const reason = verdict.state === 'stale' ? verdict.reason : 'no daemon holds the lock';
      return {
        check: {
          id: 'daemon',
          status: 'warn',
          message: `files left by a daemon that is gone (${reason}): ${stale.join(', ')}`,
          plan: ['remove them (--fix); the next command that needs a daemon starts one'],
        },
        fix: () => removeStale(commonDir),
      };
    },
  };
}

/** The daemon files that no live process owns (judged by the lock-breaking rule). */
async function staleFiles(paths: ReturnType<typeof daemonPaths>, sockets: readonly string[], info: DaemonInfo | null): Promise<string[]> {
  const out: string[] = [];
  const socketAlive = new Map<string, boolean>();
  for (const s of sockets) if (existsSync(s)) socketAlive.set(s, await probeSocket(s));
  if (existsSync(paths.lock)) out.push(paths.lock);
  if (info !== null && !(isSameProcess(info.pid, info.start_time) && socketAlive.get(info.socket) === true)) out.push(paths.info);
  else if (info === null && existsSync(paths.info)) out.push(paths.info); // unreadable record
  const breaker = `${paths.lock}.break`;
  if (existsSync(breaker)) {
    const h = readLockHolder(breaker);
    if (h === null || !isSameProcess(h.pid, h.start_time)) out.push(breaker);
  }
  for (const [s, alive] of socketAlive) if (!alive) out.push(s);
  return out;
}

/** Removes the stale files after judging the lock again (another daemon may have started meanwhile). */
async function removeStale(commonDir: string): Promise<Repair> {
  const paths = daemonPaths(commonDir);
  const info = readDaemonInfo(paths.info);
  const sockets = socketCandidates(commonDir, info);
  const verdict = await judgeLock(paths, sockets);
  if (verdict.state === 'live') return { applied: [`left the daemon files alone: ${verdict.reason}`] };
  const files = await staleFiles(paths, sockets, info);
  const removed: string[] = [];
  for (const f of files) {
    if (f === paths.lock && verdict.state === 'stale' && statSync(f, { throwIfNoEntry: false })?.ino !== verdict.ino) continue;
    if (removeQuietly(f)) removed.push(f);
  }
  return { applied: removed.length === 0 ? [] : [`removed the files of a daemon that is gone: ${removed.join(', ')}`] };
}

export async function doctor(ctx: EngineContext, cmd: Doctor): Promise<HandlerResult> {
  const report = await runDoctor(ctx.store, { fix: cmd.fix(), external: [daemonCheck(ctx.commonDir, ctx.build)] });
  if (report.repaired.includes('view_consistency')) ctx.synced(ctx.store.view.walHead());
  const applied = [...report.applied, ...report.failed.map((f) => `could not repair ${f}`)];
  if (report.viewFileRebuilt && isThisProcess(readDaemonInfo(daemonPaths(ctx.commonDir).info))) {
    applied.push('this daemon stops after this answer, so that the next command opens the rebuilt view.sqlite');
    // SIGTERM is the daemon's clean stop: requests in flight, this one included, are answered first.
    setImmediate(() => process.kill(process.pid, 'SIGTERM'));
  }
  return new DoctorResultT(
    report.checks.map((c) => new DoctorCheckT(c.id, STATUS[c.status], c.message, [...c.plan])),
    applied,
  );
}
