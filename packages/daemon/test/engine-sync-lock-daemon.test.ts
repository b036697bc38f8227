// Sync and locks through the daemon's socket server in front of the real
// engine: the answers are the in-process ones, and a subscribed connection
// receives WalSynced when a sync moved the view and LockChanged when a lock
// command moved a lock.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import {
  ClientConnection,
  encodeRequest,
  IpcResult,
  LockAcquireT,
  LockChanged,
  LockInfo,
  NotificationKind,
  SubscribeT,
  SyncResult,
  SyncT,
  WalSynced,
  type IpcCommandObject,
  type IpcResponse,
} from '@grite/protocol';
import { DaemonServer } from '../src/index.js';
import { Harness } from './engine-helpers.js';

let scratch: string;
const harnesses: Harness[] = [];
const clients: ClientConnection[] = [];
let server: DaemonServer | null = null;

beforeEach(() => {
  scratch = realpathSync(mkdtempSync(join(tmpdir(), 'grite-sync-daemon-')));
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.dispose();
  await server?.stop('api');
  server = null;
  for (const h of harnesses.splice(0)) await h.close();
  rmSync(scratch, { recursive: true, force: true });
});

async function clone(origin: string): Promise<Harness> {
  const h = await Harness.create();
  harnesses.push(h);
  execFileSync('git', ['remote', 'add', 'origin', origin], { cwd: h.dir });
  return h;
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!cond()) throw new Error(`never saw ${what}`);
}

it('answers Sync and LockAcquire over the socket and notifies WalSynced and LockChanged to subscribers', async () => {
  const origin = join(scratch, 'origin.git');
  execFileSync('git', ['init', '-q', '--bare', origin]);
  const a = await clone(origin);
  const b = await clone(origin);
  await a.createIssue('from a');
  expect((await a.ok<{ pushed: boolean }>(new SyncT())).pushed).toBe(true);

  const socketPath = join(scratch, 's.sock');
  server = new DaemonServer({ commonDir: b.commonDir, socketPath, build: 'test-build', engine: b.engine, idleTimeoutMs: 0 });
  await server.listen();
  const watcher = await ClientConnection.connect(socketPath, { requestTimeoutMs: 30_000 });
  const caller = await ClientConnection.connect(socketPath, { requestTimeoutMs: 30_000 });
  clients.push(watcher, caller);
  const seen: string[] = [];
  watcher.onNotification((n) => {
    if (n.kindType() === NotificationKind.WalSynced) seen.push(`WalSynced ${(n.kind(new WalSynced()) as WalSynced).walHead()!}`);
    if (n.kindType() === NotificationKind.LockChanged) seen.push(`LockChanged ${(n.kind(new LockChanged()) as LockChanged).resource()!}`);
  });
  expect((await watcher.request(encodeRequest({ repo: b.commonDir, command: new SubscribeT() }))).resultType()).toBe(IpcResult.Ack);

  const send = (command: IpcCommandObject): Promise<IpcResponse> =>
    caller.request(encodeRequest({ repo: b.commonDir, actorId: b.actor, command }));

  const synced = await send(new SyncT());
  expect(synced.ok()).toBe(true);
  const r = synced.result(new SyncResult()) as SyncResult;
  expect([r.pulled(), r.eventsPulled(), r.walHead()]).toEqual([true, 1, a.walHead()]);
  await until(() => seen.length >= 1, 'WalSynced');

  const other = new Uint8Array(randomBytes(16));
  const lock = await send(new LockAcquireT('repo:global', 60_000));
  expect(lock.ok()).toBe(true);
  expect((lock.result(new LockInfo()) as LockInfo).resource()).toBe('repo:global');
  const refused = await caller.request(encodeRequest({ repo: b.commonDir, actorId: other, command: new LockAcquireT('repo:global', 1000) }));
  expect(refused.error()?.code()).toBe('conflict');
  await until(() => seen.length >= 2, 'LockChanged');

  // A refused acquire announces nothing.
  expect(seen).toEqual([`WalSynced ${a.walHead()!}`, 'LockChanged repo:global']);
});
