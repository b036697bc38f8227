/**
 * Doctor through the engine, with faults made for real: a view left behind
 * by another process's append (doctor runs before any catch-up, so it sees
 * it), the leftover files of a daemon killed with SIGKILL (found and removed
 * under the lock-breaking rule), a live daemon of another build, doctor
 * answered by the daemon itself, and a view deleted under a running daemon
 * (rebuilt on disk; the daemon stops so that the next one opens it).
 *
 * The tests run one after another (vitest's default within a file): they
 * start real daemon processes, each ended by pid in afterEach.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEvent, fromHex, newActorId, Wal } from '@grite/core';
import {
  CheckStatus,
  decodeResponse,
  DoctorResultT,
  DoctorT,
  encodeRequest,
  IssueListResultT,
  IssueListT,
  type DoctorCheckT,
} from '@grite/protocol';
import { connectOrSpawn, daemonPaths, readDaemonInfo, startDaemon } from '../src/index.js';
import { isPidAlive } from '../src/process-identity.js';
import { Harness } from './engine-helpers.js';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));
let xdg: string;
let h: Harness | null = null;
const pids = new Set<number>();

beforeAll(() => {
  // Real daemons run the built entry: bring dist/ up to date first.
  spawnSync(process.execPath, [join(pkgDir, '..', '..', 'node_modules', 'typescript', 'bin', 'tsc'), '-b', pkgDir], { stdio: 'ignore' });
  expect(existsSync(join(pkgDir, 'dist', 'main.js'))).toBe(true);
  xdg = mkdtempSync('/tmp/grite-xdg-');
  process.env['XDG_RUNTIME_DIR'] = xdg;
});

async function waitDead(pid: number): Promise<void> {
  const end = Date.now() + 10_000;
  while (isPidAlive(pid) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  expect(isPidAlive(pid)).toBe(false);
}

afterEach(async () => {
  for (const pid of pids) {
    if (isPidAlive(pid)) process.kill(pid, 'SIGKILL');
    await waitDead(pid);
  }
  pids.clear();
  await h?.close();
  h = null;
});

afterAll(() => rmSync(xdg, { recursive: true, force: true }));

async function daemon(hh: Harness, build: string): Promise<number> {
  const r = await startDaemon(hh.commonDir, { build, idleTimeoutS: 0 });
  expect(r).not.toBeNull();
  pids.add(r!.pid);
  return r!.pid;
}

function checkOf(r: DoctorResultT, id: string): DoctorCheckT {
  const c = r.checks.find((x) => x.id === id);
  expect(c, id).toBeDefined();
  return c!;
}

/** Doctor answered by the repository's running daemon (never spawning one). */
async function doctorViaDaemon(hh: Harness, fix: boolean): Promise<DoctorResultT> {
  const conn = await connectOrSpawn({ commonDir: hh.commonDir, spawn: false, build: 'test-build' });
  expect(conn).not.toBeNull();
  try {
    const resp = await conn!.request(encodeRequest({ repo: hh.commonDir, actorId: hh.actor, command: new DoctorT(fix) }));
    expect(resp.ok()).toBe(true);
    return resp.unpack().result as DoctorResultT;
  } finally {
    conn!.dispose();
  }
}

describe('doctor through the engine', () => {
  it('answers every check id; with no daemon, the daemon check is ok', async () => {
    h = await Harness.create();
    await h.createIssue('a');
    const r = await h.ok<DoctorResultT>(new DoctorT(false));
    expect(r.checks.map((c) => c.id)).toEqual([
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
    ]);
    expect(r.checks.filter((c) => c.status !== CheckStatus.ok).map((c) => `${String(c.id)}: ${String(c.message)}`)).toEqual([]);
    expect(checkOf(r, 'daemon').message).toBe('no daemon is running');
    expect(r.applied).toEqual([]);
  });

  it('sees a view left behind by another process, before any catch-up, and rebuilds it', async () => {
    h = await Harness.create();
    const a = await h.createIssue('a');
    const wal = Wal.open(h.commonDir);
    await wal.append([createEvent({ issueId: fromHex(a), actor: newActorId(), ts: 1_800_000_000_000, kind: { type: 'CommentAdded', body: 'from elsewhere' } })]);
    await wal.close();
    const r = await h.ok<DoctorResultT>(new DoctorT(false));
    const view = checkOf(r, 'view_consistency');
    expect(view.status).toBe(CheckStatus.error);
    expect(view.message).toMatch(/the view is behind the WAL: .* 1 commits later; 1 events of the log are not in the view/);
    const fixed = await h.ok<DoctorResultT>(new DoctorT(true));
    expect(fixed.applied).toEqual([expect.stringMatching(/^rebuilt the view from the refs: 2 events at /)]);
    expect(checkOf(fixed, 'view_consistency').status).toBe(CheckStatus.ok);
    expect((await h.ok<IssueListResultT>(new IssueListT())).issues[0]!.commentCount).toBe(1);
  });

  it("finds a killed daemon's leftover files and removes them with --fix, under the lock-breaking rule", async () => {
    h = await Harness.create();
    await h.createIssue('a');
    const pid = await daemon(h, 'test-build');
    const paths = daemonPaths(h.commonDir);
    const socket = readDaemonInfo(paths.info)!.socket;
    const live = await h.ok<DoctorResultT>(new DoctorT(true));
    expect(checkOf(live, 'daemon')).toMatchObject({ status: CheckStatus.ok, message: `daemon pid ${pid} (build test-build) is running and answers` });
    expect(live.applied).toEqual([]);

    process.kill(pid, 'SIGKILL');
    await waitDead(pid);
    for (const f of [paths.lock, paths.info, socket]) expect(existsSync(f), f).toBe(true);
    const r = await h.ok<DoctorResultT>(new DoctorT(false));
    const d = checkOf(r, 'daemon');
    expect(d.status).toBe(CheckStatus.warn);
    expect(d.message).toMatch(new RegExp(`files left by a daemon that is gone \\(holder pid ${pid} is gone\\)`));
    for (const f of [paths.lock, paths.info, socket]) expect(d.message).toContain(f);
    expect(d.plan).toEqual(['remove them (--fix); the next command that needs a daemon starts one']);

    const fixed = await h.ok<DoctorResultT>(new DoctorT(true));
    expect(fixed.applied).toEqual([expect.stringMatching(/^removed the files of a daemon that is gone: /)]);
    expect(checkOf(fixed, 'daemon')).toMatchObject({ status: CheckStatus.ok, message: 'no daemon is running' });
    for (const f of [paths.lock, paths.info, socket]) expect(existsSync(f), f).toBe(false);
    // A new daemon starts cleanly afterwards.
    await daemon(h, 'test-build');
  });

  it('reports a live daemon of another build and leaves its files alone', async () => {
    h = await Harness.create();
    const pid = await daemon(h, 'other-build');
    const r = await h.ok<DoctorResultT>(new DoctorT(true));
    const d = checkOf(r, 'daemon');
    expect(d.status).toBe(CheckStatus.warn);
    expect(d.message).toContain(`daemon pid ${pid} runs build other-build, this is build test-build`);
    expect(d.plan).toEqual(['grite daemon stop']);
    expect(isPidAlive(pid)).toBe(true);
    expect(existsSync(daemonPaths(h.commonDir).lock)).toBe(true);
  });

  it('is answered by the daemon itself; a view deleted under it is rebuilt on disk and the daemon stops', async () => {
    h = await Harness.create();
    await h.createIssue('one');
    await h.createIssue('two');
    const pid = await daemon(h, 'test-build');
    const own = await doctorViaDaemon(h, false);
    expect(checkOf(own, 'daemon').message).toMatch(new RegExp(`^this daemon \\(pid ${pid}, build test-build\\) serves the repository`));
    expect(own.checks.filter((c) => c.status !== CheckStatus.ok)).toEqual([]);

    const path = join(h.commonDir, 'grite', 'view.sqlite');
    for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
    const found = await doctorViaDaemon(h, false);
    expect(checkOf(found, 'view_consistency').message).toMatch(/now .*view\.sqlite is missing \(this process still has its own copy open\)/);
    const fixed = await doctorViaDaemon(h, true);
    expect(fixed.applied[0]).toMatch(/^rebuilt .*view\.sqlite on disk from the refs \(.* is missing before\): 2 events/);
    expect(fixed.applied.at(-1)).toBe('this daemon stops after this answer, so that the next command opens the rebuilt view.sqlite');
    await waitDead(pid);
    expect(existsSync(path)).toBe(true);
    // The next daemon opens the rebuilt file: everything is there.
    await daemon(h, 'test-build');
    const again = await doctorViaDaemon(h, false);
    expect(again.checks.filter((c) => c.status !== CheckStatus.ok)).toEqual([]);
  });
});
