/**
 * The daemon's files and its lock: the breaking rule (socket refuses AND
 * holder gone), concurrent breakers, ownership checks, the discovery record,
 * process identity and log rotation. In this process; the process-level
 * tests run real daemons.
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { daemonPaths, readDaemonInfo, readLockHolder, writeDaemonInfo, type DaemonInfo, type DaemonPaths } from '../src/discovery.js';
import { acquireDaemonLock, DaemonLock, judgeLock } from '../src/lifecycle.js';
import { FileLogger } from '../src/log.js';
import { isPidAlive, isSameProcess, processStartTime } from '../src/process-identity.js';

let base: string;
let paths: DaemonPaths;
let socketPath: string;
const locks: DaemonLock[] = [];
const servers: Server[] = [];

beforeEach(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'grite-lifecycle-')));
  paths = daemonPaths(join(base, 'repo.git'));
  mkdirSync(paths.griteDir, { recursive: true });
  socketPath = join(base, 'd.sock');
});

afterEach(async () => {
  for (const l of locks.splice(0)) l.release();
  for (const s of servers.splice(0)) await new Promise<void>((r) => s.close(() => r()));
  rmSync(base, { recursive: true, force: true });
});

/** The pid of a process that has exited (and was reaped). */
function deadPid(): number {
  const out = execFileSync('sh', ['-c', 'sh -c "exit 0" & echo $!; wait'], { encoding: 'utf8' });
  const pid = Number(out.trim());
  expect(isPidAlive(pid)).toBe(false);
  return pid;
}

function writeHolder(path: string, pid: number, startTime: string | null): void {
  writeFileSync(path, JSON.stringify({ pid, start_time: startTime }));
}

async function listenAt(path: string): Promise<void> {
  const s = createServer((c) => c.destroy());
  servers.push(s);
  await new Promise<void>((resolve) => s.listen(path, () => resolve()));
}

/** Leaves a socket file that refuses connections (its server is gone). */
async function staleSocketAt(path: string): Promise<void> {
  await listenAt(path);
  const s = servers.pop()!;
  // Closing unlinks the path; keep a refusing socket file by closing a copy elsewhere.
  const keep = `${path}.keep`;
  renameSync(path, keep);
  await new Promise<void>((r) => s.close(() => r()));
  renameSync(keep, path);
}

async function take(): Promise<DaemonLock | null> {
  const r = await acquireDaemonLock(paths, [socketPath]);
  if (r.lock !== null) locks.push(r.lock);
  return r.lock;
}

describe('process identity', () => {
  it('knows this process and tells a reused pid (other start time) from it', () => {
    const start = processStartTime(process.pid);
    expect(start).toMatch(/^\d+$/);
    expect(isSameProcess(process.pid, start)).toBe(true);
    expect(isSameProcess(process.pid, String(Number(start) + 1))).toBe(false);
    expect(isSameProcess(deadPid(), null)).toBe(false);
  });

  it('counts a zombie as dead', async () => {
    // sh starts a child that exits at once, then execs sleep, which never reaps it.
    const p = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 10'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const zombie = Number(await new Promise<string>((r) => p.stdout.once('data', (d: Buffer) => r(d.toString()))));
      const end = Date.now() + 5_000;
      while (!readFileSync(`/proc/${zombie}/stat`, 'latin1').includes(') Z ') && Date.now() < end) {
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(isPidAlive(zombie)).toBe(false);
    } finally {
      p.kill('SIGKILL');
    }
  });
});

describe('the daemon lock', () => {
  it('is taken by an exclusive create and names its holder', async () => {
    const lock = await take();
    expect(lock).not.toBeNull();
    expect(readLockHolder(paths.lock)).toEqual({ pid: process.pid, start_time: processStartTime(process.pid) });
    // A second taker in a live holder's presence stays out.
    const second = await acquireDaemonLock(paths, [socketPath]);
    expect(second.lock).toBeNull();
    expect(second.lock === null && second.verdict.state).toBe('live');
  });

  it('is broken when the socket refuses and the holder pid is dead', async () => {
    writeHolder(paths.lock, deadPid(), null);
    await staleSocketAt(socketPath);
    expect((await judgeLock(paths, [socketPath])).state).toBe('stale');
    const lock = await take();
    expect(lock).not.toBeNull();
    expect(readLockHolder(paths.lock)?.pid).toBe(process.pid);
  });

  it('is broken when the holder pid now belongs to another process (start time differs)', async () => {
    writeHolder(paths.lock, process.pid, '1');
    expect((await judgeLock(paths, [socketPath])).state).toBe('stale');
    expect(await take()).not.toBeNull();
  });

  it('is NOT broken while the socket accepts connections, even with the holder dead', async () => {
    writeHolder(paths.lock, deadPid(), null);
    await listenAt(socketPath);
    const v = await judgeLock(paths, [socketPath]);
    expect(v.state).toBe('live');
    expect(await take()).toBeNull();
    expect(readLockHolder(paths.lock)?.pid).not.toBe(process.pid);
  });

  it('is NOT broken while the holder lives, even with the socket refusing', async () => {
    writeHolder(paths.lock, process.pid, processStartTime(process.pid));
    await staleSocketAt(socketPath);
    expect((await judgeLock(paths, [socketPath])).state).toBe('live');
    expect(await take()).toBeNull();
  });

  it('checks the socket the discovery record names too', async () => {
    writeHolder(paths.lock, deadPid(), null);
    const recorded = join(base, 'recorded.sock');
    await listenAt(recorded);
    writeDaemonInfo(paths.info, info({ socket: recorded }));
    expect((await judgeLock(paths, [socketPath])).state).toBe('live');
  });

  it('treats an empty lock as a daemon starting, unless it is old', async () => {
    writeFileSync(paths.lock, '');
    expect((await judgeLock(paths, [socketPath])).state).toBe('live');
    const old = new Date(Date.now() - 60_000);
    utimesSync(paths.lock, old, old);
    expect((await judgeLock(paths, [socketPath])).state).toBe('stale');
    expect(await take()).not.toBeNull();
  });

  it('lets exactly one of many concurrent breakers take a stale lock', async () => {
    writeHolder(paths.lock, deadPid(), null);
    const results = await Promise.all(Array.from({ length: 12 }, () => acquireDaemonLock(paths, [socketPath])));
    const winners = results.filter((r) => r.lock !== null);
    for (const w of winners) locks.push(w.lock!);
    expect(winners.length).toBe(1);
    expect(existsSync(`${paths.lock}.break`)).toBe(false);
  });

  it('removes an abandoned break lock and breaks the stale lock', async () => {
    writeHolder(paths.lock, deadPid(), null);
    writeHolder(`${paths.lock}.break`, deadPid(), null);
    expect(await take()).not.toBeNull();
  });

  it('is released only while it is still ours', async () => {
    const lock = (await take())!;
    expect(lock.stillOurs()).toBe(true);
    // Deleted behind our back: taken again.
    unlinkSync(paths.lock);
    expect(lock.stillOurs()).toBe(true);
    expect(readLockHolder(paths.lock)?.pid).toBe(process.pid);
    // Replaced by another holder: not ours, and release leaves it alone.
    unlinkSync(paths.lock);
    writeHolder(paths.lock, 999_999, null);
    expect(lock.stillOurs()).toBe(false);
    expect(lock.release()).toBe(false);
    expect(readLockHolder(paths.lock)?.pid).toBe(999_999);
    unlinkSync(paths.lock);
  });

  it('is deleted on release', async () => {
    const lock = (await take())!;
    expect(lock.release()).toBe(true);
    expect(existsSync(paths.lock)).toBe(false);
  });
});

function info(over: Partial<DaemonInfo> = {}): DaemonInfo {
  return {
    pid: process.pid,
    start_time: processStartTime(process.pid),
    socket: socketPath,
    build: 'b1',
    schema_version: 1,
    started_ts: 1,
    heartbeat_ts: 2,
    idle_timeout_s: 300,
    ...over,
  };
}

describe('the discovery record', () => {
  it('round-trips, is written with mode 0600 and leaves no temp files', () => {
    writeDaemonInfo(paths.info, info());
    writeDaemonInfo(paths.info, info({ heartbeat_ts: 3 }));
    expect(readDaemonInfo(paths.info)).toEqual(info({ heartbeat_ts: 3 }));
    expect(statSync(paths.info).mode & 0o777).toBe(0o600);
    expect(readdirSync(paths.griteDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('reads as missing when absent, torn or incomplete', () => {
    expect(readDaemonInfo(paths.info)).toBeNull();
    writeFileSync(paths.info, '{"pid": 12');
    expect(readDaemonInfo(paths.info)).toBeNull();
    writeFileSync(paths.info, JSON.stringify({ ...info(), socket: 7 }));
    expect(readDaemonInfo(paths.info)).toBeNull();
    writeFileSync(paths.info, JSON.stringify({ ...info(), future_key: true }));
    expect(readDaemonInfo(paths.info)?.pid).toBe(process.pid);
  });
});

describe('the log', () => {
  it('rotates by size and keeps a bounded number of files', () => {
    const log = new FileLogger(paths.log, { maxBytes: 2_000, keep: 2 });
    for (let i = 0; i < 200; i++) log.info('line', { i, pad: 'x'.repeat(40) });
    const files = readdirSync(paths.logsDir).sort();
    expect(files).toEqual(['daemon.log', 'daemon.log.1', 'daemon.log.2']);
    for (const f of files) expect(statSync(join(paths.logsDir, f)).size).toBeLessThanOrEqual(2_000);
    const last = readFileSync(paths.log, 'utf8').trim().split('\n').pop()!;
    expect(last).toMatch(/ info \[\d+\] line \{"i":199,/);
  });
});
