// Lease locks on the local refs (no remote): the commit format, acquire,
// renew, release, expiry and take-over, namespace conflicts, status, gc, and
// the write check under each policy.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newActorId, newIssueId, toHex } from '../src/codec/index.js';
import { GriteError } from '../src/errors.js';
import {
  acquireLock,
  checkWriteAllowed,
  gcLocks,
  lockJson,
  lockRefName,
  lockStatus,
  releaseLock,
  renewLock,
} from '../src/locks/index.js';
import { git, isolateGit, Scratch } from './sync-harness.js';

beforeAll(isolateGit);

let scratch: Scratch;
afterEach(() => scratch?.cleanup());

async function rejectedWith(p: Promise<unknown>, code: string): Promise<GriteError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof GriteError) {
      expect(e.code).toBe(code);
      return e;
    }
    throw e;
  }
  throw new Error(`expected ${code}`);
}

const T0 = 1_700_000_000_000;
const A = toHex(newActorId());
const B = toHex(newActorId());

function setup(): string {
  scratch = new Scratch('grite-locks-');
  return scratch.repo('r');
}

describe('local lock refs', () => {
  it('writes a commit holding only lock.json, as the Rust tool does', async () => {
    const dir = setup();
    const r = await acquireLock(dir, { resource: 'repo:global', owner: A, ttlMs: 60_000, now: T0, remote: null });
    expect(r).toMatchObject({ resource: 'repo:global', owner: A, expiresUnixMs: T0 + 60_000, state: 'held', changed: true, remote: null });
    expect(r.nonce).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const ref = lockRefName('repo:global');
    expect(r.ref).toBe(ref);
    expect(git(dir, ['rev-parse', ref]).trim()).toBe(r.commit);
    const raw = git(dir, ['cat-file', 'commit', r.commit!]);
    const seconds = Math.floor(T0 / 1000);
    expect(raw).toMatch(new RegExp(`^tree [0-9a-f]{40}\\nauthor grite <grit@localhost> ${seconds} \\+0000\\ncommitter grite <grit@localhost> ${seconds} \\+0000\\n\\nLock: repo:global$`));
    expect(git(dir, ['ls-tree', r.commit!])).toMatch(/^100644 blob [0-9a-f]{40}\tlock\.json\n$/);
    const blob = git(dir, ['cat-file', 'blob', `${r.commit!}:lock.json`]);
    expect(blob).toBe(lockJson({ owner: A, nonce: r.nonce, expiresUnixMs: T0 + 60_000, resource: 'repo:global' }));
    expect(blob.endsWith('}')).toBe(true);
  });

  it('refuses another owner while held, renews for the same owner, and is free once expired', async () => {
    const dir = setup();
    const res = 'path:src/main.rs';
    const first = await acquireLock(dir, { resource: res, owner: A, ttlMs: 1000, now: T0, remote: null });
    const e = await rejectedWith(acquireLock(dir, { resource: res, owner: B, ttlMs: 1000, now: T0 + 500, remote: null }), 'conflict');
    expect(e.message).toContain(A);
    expect(e.message).toContain(new Date(T0 + 1000).toISOString());
    expect(e.details).toMatchObject({ owner: A, expires_unix_ms: T0 + 1000 });

    // The same owner again: the same lease, longer, on top of the previous commit.
    const again = await acquireLock(dir, { resource: res, owner: A, ttlMs: 5000, now: T0 + 600, remote: null });
    expect(again.nonce).toBe(first.nonce);
    expect(again.expiresUnixMs).toBe(T0 + 5600);
    expect(git(dir, ['rev-parse', `${again.commit!}^`]).trim()).toBe(first.commit);

    // Expired: anyone may take it; a new lease on top of the old one.
    const taken = await acquireLock(dir, { resource: res, owner: B, ttlMs: 1000, now: T0 + 5600, remote: null });
    expect(taken.owner).toBe(B);
    expect(taken.nonce).not.toBe(first.nonce);
    expect(git(dir, ['rev-parse', `${taken.commit!}^`]).trim()).toBe(again.commit);
  });

  it('renews and releases for the owner only; a release is an expiry-0 commit that frees the lock', async () => {
    const dir = setup();
    const res = `issue:${toHex(newIssueId())}`;
    await rejectedWith(renewLock(dir, { resource: res, owner: A, ttlMs: 1000, now: T0, remote: null }), 'not_found');
    const got = await acquireLock(dir, { resource: res, owner: A, ttlMs: 1000, now: T0, remote: null });
    await rejectedWith(renewLock(dir, { resource: res, owner: B, ttlMs: 1000, now: T0 + 1, remote: null }), 'conflict');
    await rejectedWith(releaseLock(dir, { resource: res, owner: B, now: T0 + 1, remote: null }), 'conflict');
    const renewed = await renewLock(dir, { resource: res, owner: A, ttlMs: 9000, now: T0 + 500, remote: null });
    expect(renewed).toMatchObject({ nonce: got.nonce, expiresUnixMs: T0 + 9500 });

    const released = await releaseLock(dir, { resource: res, owner: A, now: T0 + 600, remote: null });
    expect(released).toMatchObject({ owner: A, expiresUnixMs: 0, state: 'released', changed: true });
    expect(JSON.parse(git(dir, ['cat-file', 'blob', `${released.commit!}:lock.json`])).expires_unix_ms).toBe(0);
    // Releasing again writes nothing; renewing a released lock is refused.
    expect((await releaseLock(dir, { resource: res, owner: A, now: T0 + 700, remote: null })).changed).toBe(false);
    await rejectedWith(renewLock(dir, { resource: res, owner: A, ttlMs: 1000, now: T0 + 700, remote: null }), 'not_found');
    const b = await acquireLock(dir, { resource: res, owner: B, ttlMs: 1000, now: T0 + 800, remote: null });
    expect(git(dir, ['rev-parse', `${b.commit!}^`]).trim()).toBe(released.commit);
  });

  it('treats a deleted lock ref (how the Rust tool releases) as free', async () => {
    const dir = setup();
    const got = await acquireLock(dir, { resource: 'repo:global', owner: A, ttlMs: 60_000, now: T0, remote: null });
    git(dir, ['update-ref', '-d', got.ref]);
    const b = await acquireLock(dir, { resource: 'repo:global', owner: B, ttlMs: 60_000, now: T0 + 1, remote: null });
    expect(b.owner).toBe(B);
    expect(git(dir, ['cat-file', '-p', b.commit!])).not.toMatch(/^parent /m);
  });

  it('refuses resources locked through their namespace by another actor', async () => {
    const dir = setup();
    const opts = { ttlMs: 60_000, now: T0, remote: null } as const;
    await acquireLock(dir, { ...opts, resource: 'path:src', owner: A });
    const nested = await rejectedWith(acquireLock(dir, { ...opts, resource: 'path:src/a.ts', owner: B }), 'conflict');
    expect(nested.message).toContain('path:src');
    await rejectedWith(acquireLock(dir, { ...opts, resource: 'repo:global', owner: B }), 'conflict');
    expect((await acquireLock(dir, { ...opts, resource: 'path:srcx/a.ts', owner: B })).owner).toBe(B);
    expect((await acquireLock(dir, { ...opts, resource: 'path:src/a.ts', owner: A })).owner).toBe(A); // the same actor nests freely
    const i1 = `issue:${toHex(newIssueId())}`;
    const i2 = `issue:${toHex(newIssueId())}`;
    await acquireLock(dir, { ...opts, resource: i1, owner: A });
    expect((await acquireLock(dir, { ...opts, resource: i2, owner: B })).owner).toBe(B);
    await rejectedWith(acquireLock(dir, { ...opts, resource: i1, owner: B }), 'conflict');
    // A repo: lock by B is refused while A holds anything.
    await rejectedWith(acquireLock(dir, { ...opts, resource: 'repo:ci', owner: B }), 'conflict');
  });

  it('refuses resources that are not normalised, bad owners and bad TTLs', async () => {
    const dir = setup();
    for (const resource of ['path:./src', 'issue:0123', 'branch:main']) {
      await rejectedWith(acquireLock(dir, { resource, owner: A, ttlMs: 1000, remote: null }), 'invalid_args');
    }
    await rejectedWith(acquireLock(dir, { resource: 'repo:global', owner: 'me', ttlMs: 1000, remote: null }), 'invalid_args');
    await rejectedWith(acquireLock(dir, { resource: 'repo:global', owner: A, ttlMs: 0, remote: null }), 'invalid_args');
    expect(git(dir, ['for-each-ref', 'refs/grite/'])).toBe('');
  });

  it('lists locks with their state and the conflicts of the current actor; gc prunes what is no longer held', async () => {
    const dir = setup();
    await acquireLock(dir, { resource: 'repo:old', owner: B, ttlMs: 10, now: T0 - 1_000_000, remote: null });
    await acquireLock(dir, { resource: 'path:src', owner: A, ttlMs: 100, now: T0, remote: null });
    // Taken by B after A's lease ran out, on a nested path.
    await acquireLock(dir, { resource: 'path:src/a.ts', owner: B, ttlMs: 1_000_000, now: T0 + 200, remote: null });
    const rel = `issue:${toHex(newIssueId())}`;
    await acquireLock(dir, { resource: rel, owner: A, ttlMs: 1000, now: T0 + 300, remote: null });
    await releaseLock(dir, { resource: rel, owner: A, now: T0 + 301, remote: null });

    // While A's lease still ran, the two path locks overlapped: a conflict for A and for B.
    const then = await lockStatus(dir, { actor: A, now: T0 + 50, remote: null });
    expect(then.remote).toBeNull();
    expect(then.locks.map((l) => [l.resource, l.state])).toEqual([
      [rel, 'released'],
      ['path:src', 'held'],
      ['path:src/a.ts', 'held'],
      ['repo:old', 'expired'],
    ]);
    expect(then.conflicts.map((c) => [c.resource, c.held.resource, c.held.owner])).toEqual([['path:src', 'path:src/a.ts', B]]);
    const later = await lockStatus(dir, { actor: B, now: T0 + 400, prefix: 'path:', remote: null });
    expect(later.locks.map((l) => [l.resource, l.state])).toEqual([
      ['path:src', 'expired'],
      ['path:src/a.ts', 'held'],
    ]);
    expect(later.conflicts).toEqual([]);

    expect(await gcLocks(dir, { now: T0 + 400 })).toEqual({ expiredPruned: 3 });
    const left = await lockStatus(dir, { now: T0 + 400, remote: null });
    expect(left.locks.map((l) => l.resource)).toEqual(['path:src/a.ts']);
    expect(await gcLocks(dir, { now: T0 + 400 })).toEqual({ expiredPruned: 0 });
  });
});

describe('checkWriteAllowed', () => {
  it('finds issue:X and repo: locks of other actors, and acts on the policy', async () => {
    const dir = setup();
    const x = newIssueId();
    const y = newIssueId();
    await acquireLock(dir, { resource: `issue:${toHex(x)}`, owner: A, ttlMs: 60_000, now: T0, remote: null });
    const now = T0 + 1;

    expect(await checkWriteAllowed(dir, { issueId: x, actor: B, policy: 'off', now })).toEqual({ conflicts: [], warnings: [] });
    const warn = await checkWriteAllowed(dir, { issueId: x, actor: B, policy: 'warn', now });
    expect(warn.conflicts.map((c) => c.owner)).toEqual([A]);
    expect(warn.warnings).toHaveLength(1);
    expect(warn.warnings[0]).toContain(`issue:${toHex(x)}`);
    const e = await rejectedWith(checkWriteAllowed(dir, { issueId: toHex(x), actor: B, policy: 'require', now }), 'conflict');
    expect(e.message).toContain(A);
    expect(e.hint).toMatch(/nothing was written/);

    // The holder itself, another issue, and an expired lock: allowed.
    expect((await checkWriteAllowed(dir, { issueId: x, actor: A, policy: 'require', now })).conflicts).toEqual([]);
    expect((await checkWriteAllowed(dir, { issueId: y, actor: B, policy: 'require', now })).conflicts).toEqual([]);
    expect((await checkWriteAllowed(dir, { issueId: x, actor: B, policy: 'require', now: T0 + 60_000 })).conflicts).toEqual([]);

    // A repo: lock blocks every issue.
    await acquireLock(dir, { resource: 'repo:global', owner: A, ttlMs: 60_000, now: T0, remote: null });
    await rejectedWith(checkWriteAllowed(dir, { issueId: y, actor: B, policy: 'require', now }), 'conflict');
    // Path locks never block issue writes.
    const dir2 = scratch.repo('r2');
    await acquireLock(dir2, { resource: 'path:src', owner: A, ttlMs: 60_000, now: T0, remote: null });
    expect((await checkWriteAllowed(dir2, { issueId: y, actor: B, policy: 'require', now })).conflicts).toEqual([]);
    await rejectedWith(checkWriteAllowed(dir2, { issueId: y, actor: B, policy: 'sometimes' as never, now }), 'invalid_args');
  });
});
