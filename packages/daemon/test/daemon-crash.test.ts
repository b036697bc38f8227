/**
 * kill -9 of the daemon while 16 clients write (DESIGN.md section 5):
 * every acknowledged event is in the WAL afterwards, and retrying the
 * unacknowledged requests (and some acknowledged ones) through a new daemon
 * writes nothing twice. The WAL is read with git and core's chunk decoder,
 * not through the view, so the check does not trust the code under test.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { decodeChunk } from '@grite/core';
import {
  encodeRequest,
  IpcResult,
  IssueCreateT,
  IssueWriteResult,
  responseError,
  type ClientConnection,
} from '@grite/protocol';
import { connectOrSpawn, startDaemon } from '../src/index.js';
import { isPidAlive } from '../src/process-identity.js';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));
const mainJs = join(pkgDir, 'dist', 'main.js');
const BUILD = 'test-build-crash';
const CLIENTS = 16;

let xdg: string;
let repoDir: string;
let commonDir: string;

beforeAll(() => {
  spawnSync(process.execPath, [join(pkgDir, '..', '..', 'node_modules', 'typescript', 'bin', 'tsc'), '-b', pkgDir], { stdio: 'ignore' });
  expect(existsSync(mainJs)).toBe(true);
  xdg = mkdtempSync('/tmp/grite-xdg-');
  process.env['XDG_RUNTIME_DIR'] = xdg;
  repoDir = realpathSync(mkdtempSync(join(tmpdir(), 'grite-daemon-crash-')));
  execFileSync('git', ['init', '-q', repoDir]);
  commonDir = realpathSync(join(repoDir, '.git'));
});

/** Daemons of this file's repository, found by their command line. */
function daemonPids(): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'latin1').split('\0');
      if (cmd.includes(mainJs) && cmd.includes(commonDir)) out.push(Number(name));
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

afterAll(async () => {
  // The daemons started here (the first, killed in the test, and the one the
  // retries started), by pid; then wait for them to be gone before removing
  // the directories they write to.
  const pids = daemonPids();
  for (const pid of pids) process.kill(pid, 'SIGKILL');
  const end = Date.now() + 10_000;
  while (pids.some((p) => isPidAlive(p)) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  rmSync(repoDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }); // git children may still be exiting
  rmSync(xdg, { recursive: true, force: true });
});

/** Every event id in refs/grite/wal, in log order, duplicates kept. */
function walEventIds(): string[] {
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: repoDir, encoding: 'utf8', maxBuffer: 1 << 28 });
  const ids: string[] = [];
  for (const commit of git('rev-list', 'refs/grite/wal').trim().split('\n')) {
    for (const line of git('ls-tree', '-r', commit).trim().split('\n')) {
      const [meta, path] = line.split('\t');
      if (!path!.startsWith('events/')) continue;
      const blob = meta!.split(' ')[2]!;
      const bytes = execFileSync('git', ['cat-file', 'blob', blob], { cwd: repoDir, maxBuffer: 1 << 28 });
      for (const e of decodeChunk(new Uint8Array(bytes))) ids.push(Buffer.from(e.eventId).toString('hex'));
    }
  }
  return ids;
}

interface Sent {
  bytes: Uint8Array;
  eventId: string | null;
}

async function send(conn: ClientConnection, bytes: Uint8Array): Promise<string> {
  const resp = await conn.request(bytes, { timeoutMs: 30_000 });
  const err = responseError(resp);
  if (err !== null) throw err;
  expect(resp.resultType()).toBe(IpcResult.IssueWriteResult);
  return Buffer.from((resp.result(new IssueWriteResult()) as IssueWriteResult).eventIdArray()!).toString('hex');
}

it('keeps every acknowledged event across kill -9, and retries write nothing twice', async () => {
  const started = await startDaemon(commonDir, { build: BUILD, idleTimeoutS: 0, timeoutMs: 20_000 });
  expect(started).not.toBeNull();
  const daemon = started!.pid;

  const conns: ClientConnection[] = [];
  for (let i = 0; i < CLIENTS; i++) {
    const c = await connectOrSpawn({ commonDir, spawn: false, build: BUILD, timeoutMs: 10_000 });
    expect(c).not.toBeNull();
    conns.push(c!);
  }

  // Each client writes one IssueCreate after another with its own actor,
  // client-chosen issue_id and ts, until its connection dies.
  const sent: Sent[] = [];
  let acked = 0;
  const writers = conns.map(async (conn, i) => {
    const actor = randomBytes(16);
    for (let n = 0; ; n++) {
      const bytes = encodeRequest({
        repo: commonDir,
        actorId: actor,
        command: new IssueCreateT(Array.from(randomBytes(16)), BigInt(1_700_000_000_000 + n), `client ${i} issue ${n}`, 'body', ['crash'], []),
      });
      const s: Sent = { bytes, eventId: null };
      sent.push(s);
      try {
        s.eventId = await send(conn, bytes);
        acked++;
      } catch {
        return;
      }
    }
  });
  while (acked < 150) await new Promise((r) => setTimeout(r, 10));
  process.kill(daemon, 'SIGKILL');
  await Promise.all(writers);
  for (const c of conns) c.dispose();
  expect(isPidAlive(daemon)).toBe(false);

  const ackedBefore = sent.filter((s) => s.eventId !== null);
  const unacked = sent.filter((s) => s.eventId === null);
  expect(ackedBefore.length).toBeGreaterThanOrEqual(150);
  expect(unacked.length).toBeGreaterThan(0);
  const before = new Set(walEventIds());
  for (const s of ackedBefore) expect(before.has(s.eventId!)).toBe(true);

  // A new daemon; retry every unacknowledged request and a few acknowledged ones.
  const conn = await connectOrSpawn({ commonDir, spawn: true, build: BUILD, timeoutMs: 20_000 });
  expect(conn).not.toBeNull();
  try {
    for (const s of unacked) s.eventId = await send(conn!, s.bytes);
    for (const s of ackedBefore.slice(0, 20)) expect(await send(conn!, s.bytes)).toBe(s.eventId);
  } finally {
    conn!.dispose();
  }

  const after = walEventIds();
  expect(new Set(after).size).toBe(after.length);
  const present = new Set(after);
  for (const s of sent) expect(present.has(s.eventId!)).toBe(true);
  // Exactly the events that were asked for: one IssueCreated per request.
  expect(after.length).toBe(sent.length);
});
