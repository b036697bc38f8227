// Lease locks through a real remote (a bare repository by path, and the same
// served by `git daemon`): the compare-and-swap happens on the remote, so of
// several clones racing at the same time for one lock, or to take over an
// expired one, exactly one wins. Also: the default remote, the copies kept in
// refs/grite-remotes/, the write check over fetched copies, sync never moving
// lock refs, and an unreachable remote.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newActorId, newIssueId, toHex } from '../src/codec/index.js';
import { GriteError } from '../src/errors.js';
import { acquireLock, checkWriteAllowed, lockRefName, lockStatus, releaseLock, renewLock } from '../src/locks/index.js';
import { Store } from '../src/store.js';
import { sync } from '../src/sync/index.js';
import { Editor, freePort, git, isolateGit, prng, Scratch, startGitDaemon, type GitDaemon } from './sync-harness.js';

beforeAll(isolateGit);

let scratch: Scratch;
let daemon: GitDaemon | null = null;
afterEach(async () => {
  await daemon?.stop();
  daemon = null;
  scratch?.cleanup();
});

async function origin(kind: 'path' | 'git-daemon'): Promise<{ url: string; bare: string }> {
  const bare = scratch.bare('origin');
  if (kind === 'path') return { url: bare, bare };
  daemon = await startGitDaemon(scratch.root);
  return { url: `${daemon.baseUrl}origin.git`, bare };
}

function remoteRef(bare: string, ref: string): string | null {
  try {
    return git(bare, ['rev-parse', '--verify', '--quiet', ref]).trim();
  } catch {
    return null;
  }
}

const T0 = 1_700_000_000_000;

describe.each(['path', 'git-daemon'] as const)('locks through a %s remote', (kind) => {
  it('of clones racing at once for one resource, exactly one wins', { timeout: 60_000 }, async () => {
    scratch = new Scratch('grite-locks-');
    const { url, bare } = await origin(kind);
    const clones = Array.from({ length: 6 }, (_, i) => ({ dir: scratch.repo(`c${i}`, url), actor: toHex(newActorId()) }));
    const resource = 'repo:global';
    const results = await Promise.allSettled(
      clones.map((c) => acquireLock(c.dir, { resource, owner: c.actor, ttlMs: 60_000, now: T0 })),
    );
    const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [{ i, lock: r.value }] : []));
    expect(won).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') {
        expect(r.reason).toBeInstanceOf(GriteError);
        expect((r.reason as GriteError).code).toBe('conflict');
        expect((r.reason as GriteError).message).toContain(clones[won[0]!.i]!.actor);
      }
    }
    const winner = won[0]!.lock;
    expect(winner.remote).toBe('origin');
    expect(remoteRef(bare, lockRefName(resource))).toBe(winner.commit);
    // The winner's clone mirrors it locally and in its copy of the remote's refs.
    const wdir = clones[won[0]!.i]!.dir;
    expect(git(wdir, ['rev-parse', lockRefName(resource)]).trim()).toBe(winner.commit);
    expect(git(wdir, ['rev-parse', `refs/grite-remotes/origin/locks/${lockRefName(resource).slice(17)}`]).trim()).toBe(winner.commit);
    // Every clone now sees the same holder.
    for (const c of clones) {
      const st = await lockStatus(c.dir, { actor: c.actor, now: T0 + 1 });
      expect(st.remote).toBe('origin');
      expect(st.locks.map((l) => [l.resource, l.owner, l.state])).toEqual([[resource, winner.owner, 'held']]);
    }
  });

  it('of clones racing to take over an expired lock, exactly one wins, on top of the expired commit', { timeout: 60_000 }, async () => {
    scratch = new Scratch('grite-locks-');
    const { url, bare } = await origin(kind);
    const resource = `issue:${toHex(newIssueId())}`;
    const first = scratch.repo('first', url);
    const old = await acquireLock(first, { resource, owner: toHex(newActorId()), ttlMs: 1000, now: T0 });
    const clones = Array.from({ length: 5 }, (_, i) => ({ dir: scratch.repo(`c${i}`, url), actor: toHex(newActorId()) }));
    const later = T0 + 10_000;
    const results = await Promise.allSettled(
      clones.map((c) => acquireLock(c.dir, { resource, owner: c.actor, ttlMs: 60_000, now: later })),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').every((r) => (r.reason as GriteError).code === 'conflict')).toBe(true);
    const head = remoteRef(bare, lockRefName(resource))!;
    expect(head).toBe((won[0] as PromiseFulfilledResult<{ commit: string }>).value.commit);
    expect(git(bare, ['rev-parse', `${head}^`]).trim()).toBe(old.commit);
  });
});

describe('locks through a bare origin', () => {
  it('renews and releases on the remote; another clone then takes it', { timeout: 60_000 }, async () => {
    scratch = new Scratch('grite-locks-');
    const { url, bare } = await origin('path');
    const a = { dir: scratch.repo('a', url), actor: toHex(newActorId()) };
    const b = { dir: scratch.repo('b', url), actor: toHex(newActorId()) };
    const resource = 'path:docs';
    const got = await acquireLock(a.dir, { resource, owner: a.actor, ttlMs: 1000, now: T0 });
    await expect(renewLock(b.dir, { resource, owner: b.actor, ttlMs: 1000, now: T0 + 1 })).rejects.toMatchObject({ code: 'conflict' });
    const renewed = await renewLock(a.dir, { resource, owner: a.actor, ttlMs: 50_000, now: T0 + 500 });
    expect(renewed).toMatchObject({ nonce: got.nonce, expiresUnixMs: T0 + 50_500 });
    expect(remoteRef(bare, lockRefName(resource))).toBe(renewed.commit);
    await expect(releaseLock(b.dir, { resource, owner: b.actor, now: T0 + 600 })).rejects.toMatchObject({ code: 'conflict' });
    const released = await releaseLock(a.dir, { resource, owner: a.actor, now: T0 + 700 });
    expect(remoteRef(bare, lockRefName(resource))).toBe(released.commit);
    const taken = await acquireLock(b.dir, { resource, owner: b.actor, ttlMs: 1000, now: T0 + 800 });
    expect(git(bare, ['rev-parse', `${taken.commit!}^`]).trim()).toBe(released.commit);
    // remote: null uses the local refs only: b's clone holds the mirror, a's clone its own last version.
    const localA = await lockStatus(a.dir, { remote: null, now: T0 + 900 });
    expect(localA.locks.map((l) => [l.owner, l.state])).toEqual([[a.actor, 'released']]);
  });

  it('sync never moves lock refs; the write check sees other clones\' locks once fetched', { timeout: 60_000 }, async () => {
    scratch = new Scratch('grite-locks-');
    const { url, bare } = await origin('path');
    const aDir = scratch.repo('a', url);
    const bDir = scratch.repo('b', url);
    const aActor = toHex(newActorId());
    const bStore = await Store.open({ commonDir: bDir });
    try {
      const issue = newIssueId();
      const now = Date.now();
      const lock = await acquireLock(aDir, { resource: `issue:${toHex(issue)}`, owner: aActor, ttlMs: 600_000, now });
      const bActor = newActorId();
      // b has not fetched: nothing known yet.
      expect((await checkWriteAllowed(bDir, { issueId: issue, actor: bActor, policy: 'require', now })).conflicts).toEqual([]);
      await bStore.append(new Editor(prng(1), now).events(2, []));
      await sync(bStore);
      // Fetched into refs/grite-remotes/origin/locks/, never into refs/grite/locks/.
      expect(git(bDir, ['for-each-ref', '--format=%(refname)', 'refs/grite/locks/'])).toBe('');
      const check = await checkWriteAllowed(bDir, { issueId: issue, actor: bActor, policy: 'warn', now: now + 1 });
      expect(check.conflicts.map((c) => [c.owner, c.remote])).toEqual([[aActor, 'origin']]);
      await expect(checkWriteAllowed(bDir, { issueId: issue, actor: bActor, policy: 'require', now: now + 1 })).rejects.toMatchObject({ code: 'conflict' });
      // The remote's lock ref is what the lock call left; sync pushed only the WAL.
      expect(remoteRef(bare, lockRefName(`issue:${toHex(issue)}`))).toBe(lock.commit);
      expect(git(bare, ['for-each-ref', '--format=%(refname)', 'refs/grite/']).split('\n').filter(Boolean).sort()).toEqual(
        [lockRefName(`issue:${toHex(issue)}`), 'refs/grite/wal'].sort(),
      );
    } finally {
      await bStore.close();
    }
  });

  it('fails clearly when the remote cannot be reached, and takes no local lock', { timeout: 30_000 }, async () => {
    scratch = new Scratch('grite-locks-');
    const port = await freePort();
    const dir = scratch.repo('a', `git://127.0.0.1:${port}/origin.git`);
    const err = await acquireLock(dir, { resource: 'repo:global', owner: toHex(newActorId()), ttlMs: 1000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GriteError);
    expect((err as GriteError).code).toBe('git_error');
    expect((err as GriteError).message).toMatch(/^cannot reach remote origin/);
    expect(git(dir, ['for-each-ref', 'refs/grite/'])).toBe('');
    await expect(acquireLock(dir, { resource: 'repo:global', owner: toHex(newActorId()), ttlMs: 1000, remote: 'nope' })).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});
