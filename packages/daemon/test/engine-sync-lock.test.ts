// Sync and lease locks through Engine.handleBytes in real repositories with a
// real remote (a bare repository; a closed port and a 401 HTTP server for the
// failures), and the lock policy checked on the engine's write path.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock, writeRepoConfig, type LockPolicy } from '@grite/core';
import {
  IpcCommand,
  IssueCloseT,
  IssueCommentT,
  IssueCreateT,
  IssueListResultT,
  IssueListT,
  IssueShowResultT,
  IssueShowT,
  LockAcquireT,
  LockGcResultT,
  LockGcT,
  LockInfoT,
  LockReleaseT,
  LockRenewT,
  LockStatusResultT,
  LockStatusT,
  SyncResultT,
  SyncT,
} from '@grite/protocol';
import { DISPATCH, type EngineNotification } from '../src/engine/index.js';
import { freePort, start401Server } from '../../core/test/sync-harness.js';
import { Harness, hex } from './engine-helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let scratch: string;
let harnesses: Harness[] = [];

beforeEach(() => {
  scratch = realpathSync(mkdtempSync(join(tmpdir(), 'grite-engine-sync-')));
});

afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** A bare repository under the scratch dir; returns its path. */
function bare(name = 'origin'): string {
  const path = join(scratch, `${name}.git`);
  execFileSync('git', ['init', '-q', '--bare', path]);
  return path;
}

/** A harness (repository + engine); with `url`, `origin` points there. */
async function clone(url?: string): Promise<Harness> {
  const h = await Harness.create();
  harnesses.push(h);
  if (url !== undefined) execFileSync('git', ['remote', 'add', 'origin', url], { cwd: h.dir });
  return h;
}

function notifications(h: Harness): EngineNotification[] {
  const seen: EngineNotification[] = [];
  h.engine.events.on('notification', (n: EngineNotification) => seen.push(n));
  return seen;
}

async function list(h: Harness): Promise<IssueListResultT> {
  return h.ok<IssueListResultT>(new IssueListT());
}

function policy(h: Harness, p: LockPolicy): void {
  writeRepoConfig(join(h.commonDir, 'grite'), { lockPolicy: p });
}

function otherActor(): Uint8Array {
  return new Uint8Array(randomBytes(16));
}

describe('dispatch', () => {
  it('serves sync as a serial write and the lock commands as reads of the view', () => {
    expect(DISPATCH[IpcCommand.Sync].mode).toBe('serial-write');
    for (const c of [IpcCommand.LockAcquire, IpcCommand.LockRenew, IpcCommand.LockRelease, IpcCommand.LockStatus, IpcCommand.LockGc]) {
      expect(DISPATCH[c].mode).toBe('read');
    }
  });
});

describe('Sync', () => {
  it('pushes one clone, pulls into another, converges both ways, and announces WalSynced where the view moved', async () => {
    const origin = bare();
    const a = await clone(origin);
    const b = await clone(origin);
    const idA = await a.createIssue('from a', { labels: ['x'] });

    const pushed = await a.ok<SyncResultT>(new SyncT());
    expect(pushed).toMatchObject({ pulled: false, pushed: true, eventsPulled: 0, eventsPushed: 1, remote: 'origin' });
    expect(pushed.walHead).toBe(a.walHead());
    expect(pushed.remoteWalHead).toBe(a.walHead());

    const seenB = notifications(b);
    const pulled = await b.ok<SyncResultT>(new SyncT(null, true, false));
    expect(pulled).toMatchObject({ pulled: true, pushed: false, eventsPulled: 1, eventsPushed: 0 });
    expect(pulled.walHead).toBe(a.walHead());
    expect(seenB).toEqual([{ kind: 'WalSynced', walHead: a.walHead() }]);
    expect((await list(b)).issues.map((i) => hex(i.issueId))).toEqual([idA]);

    // Both write while apart, then sync in turn: the same issues on both.
    await a.ok(new IssueCommentT(idA, a.ts(), 'comment from a'));
    const idB = await b.createIssue('from b');
    await b.ok(new IssueCommentT(idA, b.ts(), 'comment from b'));
    const bSync = await b.ok<SyncResultT>(new SyncT());
    expect(bSync).toMatchObject({ pushed: true, eventsPushed: 2 });
    const aSync = await a.ok<SyncResultT>(new SyncT());
    expect(aSync).toMatchObject({ pulled: true, eventsPulled: 2 });
    const bAgain = await b.ok<SyncResultT>(new SyncT());
    expect(bAgain.walHead).toBe(a.walHead());
    expect(b.walHead()).toBe(a.walHead());

    const ids = [idA, idB].sort();
    for (const h of [a, b]) {
      expect((await list(h)).issues.map((i) => hex(i.issueId))).toEqual(ids);
      const comments = (await h.ok<IssueShowResultT>(new IssueShowT(idA))).issue!.comments.map((c) => c.body);
      expect(comments.sort()).toEqual(['comment from a', 'comment from b']);
    }
    expect(await list(a)).toEqual(await list(b));
  });

  it('a sync with nothing to do pulls and pushes nothing and announces nothing', async () => {
    const a = await clone(bare());
    await a.createIssue('one');
    await a.ok(new SyncT());
    const seen = notifications(a);
    const r = await a.ok<SyncResultT>(new SyncT());
    expect(r).toMatchObject({ pulled: false, pushed: false, eventsPulled: 0, eventsPushed: 0 });
    expect(r.walHead).toBe(a.walHead());
    expect(seen).toEqual([]);
  });

  it('refuses a sync that neither pulls nor pushes', async () => {
    const a = await clone(bare());
    const e = await a.err(new SyncT(null, false, false));
    expect(e.code).toBe('invalid_args');
  });

  it('a missing remote is not_found and names it; no remote at all is not_found', async () => {
    const a = await clone(bare());
    await a.createIssue('kept');
    const head = a.walHead();
    const missing = await a.err(new SyncT('upstream'));
    expect(missing.code).toBe('not_found');
    expect(missing.message).toContain('upstream');
    expect(missing.hint).toContain('git remote add');

    const lonely = await clone();
    const none = await lonely.err(new SyncT());
    expect(none.code).toBe('not_found');
    expect(a.walHead()).toBe(head);
  });

  it('an unreachable remote and a 401 are git_error with their reason, and the local log is untouched', async () => {
    const port = await freePort();
    const a = await clone(`git://127.0.0.1:${port}/nothing.git`);
    const id = await a.createIssue('kept');
    const head = a.walHead();
    const unreachable = await a.err(new SyncT());
    expect(unreachable.code).toBe('git_error');
    expect(unreachable.details.reason).toBe('unreachable');
    expect(unreachable.message).toMatch(/cannot reach remote origin/);

    const server = await start401Server();
    try {
      execFileSync('git', ['remote', 'add', 'secured', server.url], { cwd: a.dir });
      const auth = await a.err(new SyncT('secured'));
      expect(auth.code).toBe('git_error');
      expect(auth.details.reason).toBe('auth');
      expect(auth.message).toMatch(/authentication to remote secured/);
    } finally {
      await server.stop();
    }
    expect(a.walHead()).toBe(head);
    expect((await list(a)).issues.map((i) => hex(i.issueId))).toEqual([id]);
  });
});

describe('locks on the local refs (no remote)', () => {
  it('acquire answers resource, owner, nonce and expiry, and announces LockChanged', async () => {
    const h = await clone();
    const seen = notifications(h);
    const before = Date.now();
    const r = await h.ok<LockInfoT>(new LockAcquireT('repo:global', 60_000));
    expect(r.resource).toBe('repo:global');
    expect(r.owner).toEqual(Array.from(h.actor));
    expect(r.nonce).toMatch(UUID);
    expect(Number(r.expiresUnixMs)).toBeGreaterThanOrEqual(before + 60_000);
    expect(seen).toEqual([{ kind: 'LockChanged', resource: 'repo:global' }]);
  });

  it('another actor is refused with conflict; renew keeps the nonce; release frees it for the other', async () => {
    const h = await clone();
    const other = otherActor();
    const first = await h.ok<LockInfoT>(new LockAcquireT('path:src/', 60_000));
    expect(first.resource).toBe('path:src');

    const refused = await h.err(new LockAcquireT('path:src/a.ts', 60_000), { actorId: other });
    expect(refused.code).toBe('conflict');
    expect(refused.details.owner).toBe(hex(h.actor));

    const renewed = await h.ok<LockInfoT>(new LockRenewT('path:src', 120_000));
    expect(renewed.nonce).toBe(first.nonce);
    expect(renewed.expiresUnixMs).toBeGreaterThan(first.expiresUnixMs);
    expect((await h.err(new LockRenewT('path:src', 1000), { actorId: other })).code).toBe('conflict');
    expect((await h.err(new LockReleaseT('path:src'), { actorId: other })).code).toBe('conflict');

    const released = await h.ok<LockInfoT>(new LockReleaseT('path:src'));
    expect(released.expiresUnixMs).toBe(0n);
    const taken = await h.ok<LockInfoT>(new LockAcquireT('path:src/a.ts', 1000), { actorId: other });
    expect(taken.owner).toEqual(Array.from(other));
  });

  it('renewing a lock never taken is not_found; releasing one is answered without a change', async () => {
    const h = await clone();
    const seen = notifications(h);
    expect((await h.err(new LockRenewT('repo:global', 1000))).code).toBe('not_found');
    const r = await h.ok<LockInfoT>(new LockReleaseT('repo:global'));
    expect(r.expiresUnixMs).toBe(0n);
    expect(r.owner).toEqual(Array.from(h.actor));
    expect(seen).toEqual([]);
  });

  it('issue: resources are normalised to the full id through the view', async () => {
    const h = await clone();
    const id = await h.createIssue('locked one');
    const r = await h.ok<LockInfoT>(new LockAcquireT(`issue:${id.slice(0, 6).toUpperCase()}`, 60_000));
    expect(r.resource).toBe(`issue:${id}`);
    const status = await h.ok<LockStatusResultT>(new LockStatusT('issue:'));
    expect(status.locks.map((l) => l.resource)).toEqual([`issue:${id}`]);
    // A full id is taken as it is, known here or not (another clone may hold the issue).
    const elsewhere = randomBytes(16).toString('hex');
    expect((await h.ok<LockInfoT>(new LockAcquireT(`issue:${elsewhere}`, 60_000))).resource).toBe(`issue:${elsewhere}`);
    const miss = id.startsWith('0000') ? '1111' : '0000';
    expect((await h.err(new LockAcquireT(`issue:${miss}`, 60_000))).code).toBe('not_found');
  });

  it('bad resources, a zero TTL and a missing actor are invalid_args', async () => {
    const h = await clone();
    for (const resource of [null, '', 'global', 'path:../up', 'issue:xyz1']) {
      const e = await h.err(new LockAcquireT(resource, 1000));
      expect({ resource, code: e.code }).toEqual({ resource, code: 'invalid_args' });
    }
    expect((await h.err(new LockAcquireT('repo:global', 0))).code).toBe('invalid_args');
    expect((await h.err(new LockAcquireT('repo:global', 1000), { actorId: null })).code).toBe('invalid_args');
  });

  it('status lists every lock by resource, with the conflicts of the asking actor', async () => {
    const h = await clone();
    const other = otherActor();
    await h.ok(new LockAcquireT('path:docs', 60_000));
    await h.ok(new LockAcquireT('path:src/a.ts', 60_000), { actorId: other });
    await h.ok(new LockAcquireT('path:tmp', 60_000));
    await h.ok(new LockReleaseT('path:tmp'));

    const all = await h.ok<LockStatusResultT>(new LockStatusT());
    expect(all.locks.map((l) => [l.resource, l.expiresUnixMs === 0n])).toEqual([
      ['path:docs', false],
      ['path:src/a.ts', false],
      ['path:tmp', true],
    ]);
    expect(all.conflicts).toEqual([]);
    expect((await h.ok<LockStatusResultT>(new LockStatusT('path:src'))).locks.map((l) => l.resource)).toEqual(['path:src/a.ts']);
  });

  it('conflicts (left by a race) are reported for the asking actor: the request one, else the default actor', async () => {
    const h = await clone();
    const other = otherActor();
    const mine = await h.ok<LockInfoT>(new LockAcquireT('path:src/a.ts', 60_000));
    // Only a race (or a stale copy) leaves two conflicting leases held: made
    // here by deciding the other actor's acquire at a time when mine has expired.
    await acquireLock(h.commonDir, { resource: 'path:src', owner: other, ttlMs: 600_000, now: Number(mine.expiresUnixMs) + 1, remote: null });
    const expected = [{ resource: 'path:src/a.ts', held: 'path:src', owner: hex(other) }];
    const shape = (r: LockStatusResultT): unknown => r.conflicts.map((c) => ({ resource: c.resource, held: c.held!.resource, owner: hex(c.held!.owner) }));
    expect(shape(await h.ok<LockStatusResultT>(new LockStatusT()))).toEqual(expected);
    // A request without an actor: none, until the repository has a default actor.
    expect(shape(await h.ok<LockStatusResultT>(new LockStatusT(), { actorId: null }))).toEqual([]);
    writeRepoConfig(join(h.commonDir, 'grite'), { defaultActor: hex(h.actor) });
    expect(shape(await h.ok<LockStatusResultT>(new LockStatusT(), { actorId: null }))).toEqual(expected);
  });

  it('gc prunes the released and expired local locks and keeps held ones', async () => {
    const h = await clone();
    await h.ok(new LockAcquireT('repo:a', 60_000));
    await h.ok(new LockAcquireT('path:b', 60_000));
    await h.ok(new LockReleaseT('path:b'));
    await h.ok(new LockAcquireT('path:c', 1));
    await new Promise((r) => setTimeout(r, 20));
    expect((await h.ok<LockGcResultT>(new LockGcT())).expiredPruned).toBe(2);
    expect((await h.ok<LockStatusResultT>(new LockStatusT())).locks.map((l) => l.resource)).toEqual(['repo:a']);
    expect((await h.ok<LockGcResultT>(new LockGcT())).expiredPruned).toBe(0);
  });
});

describe('locks through a remote', () => {
  it('several clones race for one resource: exactly one wins, the others get conflict', async () => {
    const origin = bare();
    const clones = await Promise.all([0, 1, 2, 3].map(() => clone(origin)));
    const answers = await Promise.all(clones.map((c) => c.send(new LockAcquireT('repo:release', 60_000))));
    const winners = answers.filter((r) => r.ok);
    expect(winners).toHaveLength(1);
    expect(answers.filter((r) => !r.ok).map((r) => r.error!.code)).toEqual(['conflict', 'conflict', 'conflict']);

    // Every clone reads the winner from the remote.
    const winner = winners[0]!.result as LockInfoT;
    for (const c of clones) {
      const s = await c.ok<LockStatusResultT>(new LockStatusT());
      expect(s.locks.map((l) => [l.resource, l.nonce])).toEqual([['repo:release', winner.nonce]]);
    }
  });
});

describe('lock policy on writes', () => {
  async function lockedIssue(p: LockPolicy): Promise<{ h: Harness; id: string; other: Uint8Array }> {
    const h = await clone();
    const id = await h.createIssue('guarded');
    const other = otherActor();
    await h.ok(new LockAcquireT(`issue:${id}`, 60_000), { actorId: other });
    policy(h, p);
    return { h, id, other };
  }

  it('require: an issue lock of another actor refuses the write with conflict and nothing is written', async () => {
    const { h, id, other } = await lockedIssue('require');
    const head = h.walHead();
    const e = await h.err(new IssueCloseT(id, h.ts()));
    expect(e.code).toBe('conflict');
    expect(e.message).toContain(`issue:${id}`);
    expect(e.details.owner).toBe(hex(other));
    expect((await h.err(new IssueCommentT(id, h.ts(), 'no'))).code).toBe('conflict');
    expect(h.walHead()).toBe(head);
    // The holder writes; other issues are free.
    await h.ok(new IssueCommentT(id, h.ts(), 'mine'), { actorId: other });
    await h.createIssue('another');
  });

  it('require: a lock ref packed into packed-refs still refuses; once gone, writes pass', async () => {
    const { h, id, other } = await lockedIssue('require');
    execFileSync('git', ['pack-refs', '--all'], { cwd: h.dir });
    expect(execFileSync('git', ['for-each-ref', 'refs/grite/locks/'], { cwd: h.dir, encoding: 'utf8' })).not.toBe('');
    expect((await h.err(new IssueCommentT(id, h.ts(), 'no'))).code).toBe('conflict');
    await h.ok(new LockReleaseT(`issue:${id}`), { actorId: other });
    expect((await h.ok<LockGcResultT>(new LockGcT())).expiredPruned).toBe(1);
    await h.ok(new IssueCommentT(id, h.ts(), 'yes'));
  });

  it('require: a repo: lock of another actor refuses creates too', async () => {
    const h = await clone();
    policy(h, 'require');
    await h.ok(new LockAcquireT('repo:global', 60_000), { actorId: otherActor() });
    const head = h.walHead();
    const e = await h.err(new IssueCreateT(Array.from(randomBytes(16)), h.ts(), 't', '', [], []));
    expect(e.code).toBe('conflict');
    expect(h.walHead()).toBe(head);
  });

  it('require: a lock taken right after a write that met none is seen, and again once the listing is old enough to reuse', async () => {
    const h = await clone();
    policy(h, 'require');
    const a = await h.createIssue('a');
    const b = await h.createIssue('b');
    const other = otherActor();
    await h.ok(new IssueCommentT(a, h.ts(), 'free')); // the lock refs listed (none), within the racy window
    await h.ok(new LockAcquireT(`issue:${a}`, 60_000), { actorId: other });
    expect((await h.err(new IssueCommentT(a, h.ts(), 'no'))).code).toBe('conflict');
    await new Promise((r) => setTimeout(r, 250));
    await h.ok(new IssueCommentT(b, h.ts(), 'b is free')); // listed again, old enough to be reused
    await h.ok(new LockAcquireT(`issue:${b}`, 60_000), { actorId: other });
    expect((await h.err(new IssueCommentT(b, h.ts(), 'no'))).code).toBe('conflict');
  });

  it('require: released and expired locks refuse nothing', async () => {
    const { h, id, other } = await lockedIssue('require');
    await h.ok(new LockReleaseT(`issue:${id}`), { actorId: other });
    await h.ok(new IssueCommentT(id, h.ts(), 'after release'));
    await h.ok(new LockAcquireT(`issue:${id}`, 1), { actorId: other });
    await new Promise((r) => setTimeout(r, 20));
    await h.ok(new IssueCommentT(id, h.ts(), 'after expiry'));
  });

  it('warn and off: the write goes through', async () => {
    for (const p of ['warn', 'off'] as const) {
      const { h, id } = await lockedIssue(p);
      const head = h.walHead();
      await h.ok(new IssueCloseT(id, h.ts()));
      expect(h.walHead()).not.toBe(head);
    }
  });
});
