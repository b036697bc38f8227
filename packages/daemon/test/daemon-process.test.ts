/**
 * Real daemon processes (the built dist/main.js) on temporary repositories:
 * the spawn race, recovery after kill -9, replacement of another build,
 * idle shutdown, stop/status/start, and signals.
 *
 * The tests in this file run one after another (vitest's default within a
 * file): each counts the daemon processes of its own repository, and
 * running them side by side would only slow the 2-core machines they run
 * on. Every process started here is ended by pid in afterEach/afterAll.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DaemonStatusResult, DaemonStatusT, encodeRequest, responseError, IssueListT } from '@grite/protocol';
import { connectOrSpawn, daemonPaths, daemonStatus, readDaemonInfo, startDaemon, stopDaemon } from '../src/index.js';
import { sendViaDaemon } from '../src/client.js';
import { readLockHolder } from '../src/discovery.js';
import { isPidAlive } from '../src/process-identity.js';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));
const mainJs = join(pkgDir, 'dist', 'main.js');
const BUILD = 'test-build-1';

let xdg: string;
let repoDir: string;
let commonDir: string;
/** Every pid that was a daemon of this file's repositories. */
const daemonPids = new Set<number>();

beforeAll(() => {
  // The tests spawn the built entry: bring dist/ up to date (tsc -b emits
  // even when files owned by others have type errors, so the code is checked
  // by the assertions below rather than by the exit code).
  spawnSync(process.execPath, [join(pkgDir, '..', '..', 'node_modules', 'typescript', 'bin', 'tsc'), '-b', pkgDir], { stdio: 'ignore' });
  expect(existsSync(mainJs)).toBe(true);
  xdg = mkdtempSync('/tmp/grite-xdg-');
  process.env['XDG_RUNTIME_DIR'] = xdg;
});

afterAll(async () => {
  await killDaemons();
  rmSync(xdg, { recursive: true, force: true });
});

beforeEach(() => {
  repoDir = realpathSync(mkdtempSync(join(tmpdir(), 'grite-daemon-proc-')));
  execFileSync('git', ['init', '-q', repoDir]);
  commonDir = realpathSync(join(repoDir, '.git'));
});

afterEach(async () => {
  daemonsOf(commonDir);
  await killDaemons();
  rmSync(repoDir, { recursive: true, force: true });
});

/** The command line of a pid, or '' when it is gone. */
function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ');
  } catch {
    return '';
  }
}

/** Live daemon processes serving `dir` (found by their command line). */
function daemonsOf(dir: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    const cmd = cmdline(pid);
    if (cmd.includes(mainJs) && cmd.includes(`--repo ${dir} `) && isPidAlive(pid)) out.push(pid);
  }
  for (const p of out) daemonPids.add(p);
  return out;
}

/** Kills the daemons recorded so far, by pid, and waits for them to be gone. */
async function killDaemons(): Promise<void> {
  const killed: number[] = [];
  for (const pid of daemonPids) {
    // Only a process that is still one of our daemons (pids get reused).
    if (isPidAlive(pid) && cmdline(pid).includes(mainJs)) {
      try {
        process.kill(pid, 'SIGKILL');
        killed.push(pid);
      } catch {
        // Gone meanwhile.
      }
    }
  }
  daemonPids.clear();
  const end = Date.now() + 10_000;
  while (killed.some((p) => isPidAlive(p)) && Date.now() < end) await sleep(20);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function until(cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(20);
  }
}

/** The pid of the daemon behind a fresh connection of this build (spawning one if needed). */
async function daemonPid(build = BUILD): Promise<number> {
  const c = await connectOrSpawn({ commonDir, spawn: true, build, timeoutMs: 20_000 });
  expect(c).not.toBeNull();
  try {
    const resp = await c!.request(encodeRequest({ repo: commonDir, command: new DaemonStatusT() }));
    const pid = (resp.result(new DaemonStatusResult()) as DaemonStatusResult).pid();
    daemonPids.add(pid);
    return pid;
  } finally {
    c!.dispose();
  }
}

/** A client process: connectOrSpawn, then DaemonStatus; prints {"pid": n} or {"pid": null}. */
const CLIENT_SCRIPT = `
import { connectOrSpawn } from './dist/client.js';
import { encodeRequest, DaemonStatusT, DaemonStatusResult } from '@grite/protocol';
const [commonDir, build] = process.argv.slice(1);
const c = await connectOrSpawn({ commonDir, spawn: true, build, timeoutMs: 40000 });
if (c === null) { console.log(JSON.stringify({ pid: null })); process.exit(1); }
const r = await c.request(encodeRequest({ repo: commonDir, command: new DaemonStatusT() }));
console.log(JSON.stringify({ pid: r.result(new DaemonStatusResult()).pid() }));
c.dispose();
`;

function runClient(): Promise<{ pid: number | null; code: number | null }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--input-type=module', '-e', CLIENT_SCRIPT, '--', commonDir, BUILD], {
      cwd: pkgDir,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('close', (code) => {
      let pid: number | null = null;
      try {
        pid = (JSON.parse(out) as { pid: number | null }).pid;
      } catch {
        // No answer printed.
      }
      resolve({ pid, code });
    });
  });
}

describe('one daemon per repository', () => {
  it('20 clients starting at once with no daemon all get through to exactly one daemon', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => runClient()));
    const pids = new Set(results.map((r) => r.pid));
    expect(results.every((r) => r.code === 0 && r.pid !== null)).toBe(true);
    expect(pids.size).toBe(1);
    const [pid] = [...pids] as number[];
    daemonPids.add(pid!);
    // The losers of the lock race exit on their own; one daemon remains.
    await until(() => daemonsOf(commonDir).length === 1);
    expect(daemonsOf(commonDir)).toEqual([pid]);
    const info = readDaemonInfo(daemonPaths(commonDir).info);
    expect(info?.pid).toBe(pid);
    expect(readLockHolder(daemonPaths(commonDir).lock)?.pid).toBe(pid);
    expect(statSync(info!.socket).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(info!.socket)).mode & 0o777).toBe(0o700);
  });

  it('recovers after kill -9: stale files are left, and the next client starts a new daemon', async () => {
    const first = await daemonPid();
    const paths = daemonPaths(commonDir);
    const socket = readDaemonInfo(paths.info)!.socket;
    process.kill(first, 'SIGKILL');
    await until(() => !isPidAlive(first));
    expect(existsSync(paths.lock) && existsSync(paths.info) && existsSync(socket)).toBe(true);
    const second = await daemonPid();
    expect(second).not.toBe(first);
    expect(readDaemonInfo(paths.info)?.pid).toBe(second);
    expect(readLockHolder(paths.lock)?.pid).toBe(second);
    expect(daemonsOf(commonDir)).toEqual([second]);
  });

  it('replaces a daemon of another build', async () => {
    const old = await daemonPid('other-build');
    const fresh = await daemonPid(BUILD);
    expect(fresh).not.toBe(old);
    expect(isPidAlive(old)).toBe(false);
    expect(readDaemonInfo(daemonPaths(commonDir).info)?.build).toBe(BUILD);
    expect(daemonsOf(commonDir)).toEqual([fresh]);
  });

  it('answers a read sent right behind Hello from this build, never from a daemon of another build', async () => {
    const old = await daemonPid('other-build');
    const call = await sendViaDaemon({ commonDir, spawn: true, build: BUILD, timeoutMs: 20_000 }, encodeRequest({ repo: commonDir, command: new DaemonStatusT() }), true);
    expect(call).not.toBeNull();
    try {
      const status = (await call!.response).result(new DaemonStatusResult()) as DaemonStatusResult;
      daemonPids.add(status.pid());
      expect(status.pid()).not.toBe(old);
      expect(status.build()).toBe(BUILD);
      expect(isPidAlive(old)).toBe(false);
    } finally {
      call!.conn.dispose();
    }
    // Behind Hello on a daemon of this build: the same daemon answers both.
    const again = await sendViaDaemon({ commonDir, spawn: true, build: BUILD, timeoutMs: 20_000 }, encodeRequest({ repo: commonDir, command: new DaemonStatusT() }), true);
    try {
      expect(((await again!.response).result(new DaemonStatusResult()) as DaemonStatusResult).build()).toBe(BUILD);
    } finally {
      again!.conn.dispose();
    }
    expect(daemonsOf(commonDir)).toHaveLength(1);
  });

  it('returns null without spawning when asked not to, and none runs', async () => {
    expect(await connectOrSpawn({ commonDir, spawn: false, build: BUILD, timeoutMs: 2_000 })).toBeNull();
    expect(daemonsOf(commonDir)).toEqual([]);
  });

  it('does not hand out a connection to a daemon of another build when it may not spawn', async () => {
    await daemonPid('other-build');
    expect(await connectOrSpawn({ commonDir, spawn: false, build: BUILD, timeoutMs: 2_000 })).toBeNull();
  });
});

describe('lifecycle through the client helpers', () => {
  it('start, status, stop: files appear, then go', async () => {
    const started = await startDaemon(commonDir, { build: BUILD, idleTimeoutS: 0 });
    expect(started).not.toBeNull();
    daemonPids.add(started!.pid);
    expect(started!.started).toBe(true);
    expect((await startDaemon(commonDir, { build: BUILD }))!.started).toBe(false);

    const status = await daemonStatus(commonDir);
    expect(status.running).toBe(true);
    expect(status.pid).toBe(started!.pid);
    expect(status.build).toBe(BUILD);
    expect(status.socket).toBe(started!.socket);
    expect(Number(status.startedTs)).toBeGreaterThan(0);
    expect(readDaemonInfo(daemonPaths(commonDir).info)?.idle_timeout_s).toBe(0);

    const stopped = await stopDaemon(commonDir);
    expect(stopped).toEqual({ wasRunning: true, pid: started!.pid, stopped: true });
    const paths = daemonPaths(commonDir);
    expect([existsSync(paths.lock), existsSync(paths.info), existsSync(started!.socket)]).toEqual([false, false, false]);
    expect((await daemonStatus(commonDir)).running).toBe(false);
    expect(await stopDaemon(commonDir)).toEqual({ wasRunning: false, pid: null, stopped: false });
    expect(readFileSync(paths.log, 'utf8')).toMatch(/stopped .*"reason":"request"/);
  });

  it('shuts down after the idle timeout and removes socket, record and lock', async () => {
    const started = await startDaemon(commonDir, { build: BUILD, idleTimeoutS: 1 });
    daemonPids.add(started!.pid);
    await until(() => !isPidAlive(started!.pid));
    const paths = daemonPaths(commonDir);
    expect([existsSync(paths.lock), existsSync(paths.info), existsSync(started!.socket)]).toEqual([false, false, false]);
    expect(readFileSync(paths.log, 'utf8')).toMatch(/"reason":"idle"/);
  });

  it('stops cleanly on SIGTERM', async () => {
    const pid = await daemonPid();
    const socket = readDaemonInfo(daemonPaths(commonDir).info)!.socket;
    process.kill(pid, 'SIGTERM');
    await until(() => !isPidAlive(pid));
    const paths = daemonPaths(commonDir);
    expect([existsSync(paths.lock), existsSync(paths.info), existsSync(socket)]).toEqual([false, false, false]);
  });

  it('serves the engine: a real request through the spawned daemon', async () => {
    const c = await connectOrSpawn({ commonDir, spawn: true, build: BUILD, timeoutMs: 20_000 });
    expect(c).not.toBeNull();
    try {
      const resp = await c!.request(encodeRequest({ repo: commonDir, command: new IssueListT() }));
      expect(responseError(resp)).toBeNull();
    } finally {
      c!.dispose();
      daemonsOf(commonDir);
    }
  });

  it('refreshes the heartbeat in the discovery record', async () => {
    await daemonPid();
    const before = readDaemonInfo(daemonPaths(commonDir).info)!.heartbeat_ts;
    await until(() => readDaemonInfo(daemonPaths(commonDir).info)!.heartbeat_ts > before, 15_000);
  });
});
