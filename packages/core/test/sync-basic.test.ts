// Sync against a real bare repository as `origin`: pushing to a remote with
// no grite refs, pulling into a fresh clone, fast-forwards, a diverged merge
// that leaves the remote's history intact, and the remote's refs kept under
// refs/grite-remotes/ only.
import { describe, expect, it } from 'vitest';
import { toHex } from '../src/codec/index.js';
import { GriteError } from '../src/errors.js';
import { sync, syncPull, syncPush } from '../src/sync/index.js';
import { Editor, git, prng, Scratch, viewSnapshot, walEventIds, scratchSuite } from './sync-harness.js';

const suite = scratchSuite();
let scratch: Scratch;

const open = suite.open;

function remoteRefs(bare: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of git(bare, ['for-each-ref', '--format=%(refname) %(objectname)']).split('\n')) {
    if (line) out.set(line.split(' ')[0]!, line.split(' ')[1]!);
  }
  return out;
}

describe('sync with a bare origin', () => {
  it('pushes to a remote without grite refs, then a fresh clone pulls everything', { timeout: 60_000 }, async () => {
    scratch = suite.scratch();
    const bare = scratch.bare();
    const a = await open(scratch.repo('a', bare));
    const ed = new Editor(prng(1), 1_700_000_000_000);
    const known: Uint8Array[] = [];
    const { written } = await a.append(ed.events(40, known));
    expect(remoteRefs(bare).size).toBe(0);

    const ra = await sync(a);
    expect(ra).toMatchObject({ pulled: false, pushed: true, eventsPulled: 0, eventsPushed: written.length, remote: 'origin' });
    expect(ra.walHead).toBe(await a.wal.head());
    expect(ra.remoteWalHead).toBe(ra.walHead);
    expect(remoteRefs(bare).get('refs/grite/wal')).toBe(ra.walHead);

    const b = await open(scratch.repo('b', bare));
    const rb = await sync(b);
    expect(rb).toMatchObject({ pulled: true, pushed: false, eventsPulled: written.length, eventsPushed: 0 });
    expect(await b.wal.head()).toBe(ra.walHead);
    expect(viewSnapshot(b)).toBe(viewSnapshot(a));
    // The remote's refs are kept beside ours, never in refs/remotes/.
    expect(git(b.commonDir, ['rev-parse', 'refs/grite-remotes/origin/wal']).trim()).toBe(ra.walHead);
    expect(git(b.commonDir, ['for-each-ref', 'refs/remotes/'])).toBe('');

    // Nothing new: a second sync moves nothing.
    const again = await sync(b);
    expect(again).toMatchObject({ pulled: false, pushed: false, eventsPulled: 0, eventsPushed: 0, walHead: ra.walHead });
  });

  it('fast-forwards a replica that is behind, without new commits', { timeout: 60_000 }, async () => {
    scratch = suite.scratch();
    const bare = scratch.bare();
    const a = await open(scratch.repo('a', bare));
    const b = await open(scratch.repo('b', bare));
    const ed = new Editor(prng(2), 1_700_000_000_000);
    const known: Uint8Array[] = [];
    await a.append(ed.events(10, known));
    await sync(a);
    await sync(b);
    await a.append(ed.events(7, known));
    await syncPush(a);
    const head = await a.wal.head();
    const r = await syncPull(b);
    expect(r).toMatchObject({ pulled: true, pushed: false, eventsPulled: 7 });
    expect(await b.wal.head()).toBe(head);
    expect(viewSnapshot(b)).toBe(viewSnapshot(a));
  });

  it('merges diverged logs: the remote history stays, local-only events are re-committed once per actor', { timeout: 60_000 }, async () => {
    scratch = suite.scratch();
    const bare = scratch.bare();
    const a = await open(scratch.repo('a', bare));
    const b = await open(scratch.repo('b', bare));
    const known: Uint8Array[] = [];
    const edA = new Editor(prng(3), 1_700_000_000_000);
    const edB = new Editor(prng(4), 1_700_000_000_500);
    await a.append(edA.events(5, known));
    await sync(a);
    await sync(b);
    const base = await b.wal.head();

    // Both write while apart; b's events in three commits.
    await a.append(edA.events(6, known));
    const bEvents = [...edB.events(3, known), ...edB.events(2, known), ...edB.events(4, known)];
    await b.append(bEvents.slice(0, 3));
    await b.append(bEvents.slice(3, 5));
    await b.append(bEvents.slice(5));
    const bLocal = await b.wal.head();
    await sync(a);
    const remoteHead = remoteRefs(bare).get('refs/grite/wal')!;

    const r = await sync(b);
    expect(r).toMatchObject({ pulled: true, pushed: true, eventsPulled: 6, eventsPushed: 9 });
    const merged = (await b.wal.head())!;
    expect(merged).not.toBe(bLocal);
    // One new commit (one actor) whose parent is the remote head: a fast-forward for the remote.
    expect(git(b.commonDir, ['rev-parse', `${merged}^`]).trim()).toBe(remoteHead);
    const c = await b.wal.readCommit(merged);
    expect(c.actorId).toBe(toHex(edB.actor));
    expect(c.events.map((e) => toHex(e.eventId))).toEqual(bEvents.map((e) => toHex(e.eventId)));
    expect(c.prevWal).toBe(remoteHead);
    // The base is still an ancestor; the remote's history is untouched.
    git(b.commonDir, ['merge-base', '--is-ancestor', base!, merged]);
    expect(remoteRefs(bare).get('refs/grite/wal')).toBe(merged);

    await sync(a);
    expect(await a.wal.head()).toBe(merged);
    expect(viewSnapshot(a)).toBe(viewSnapshot(b));
    const ids = await walEventIds(a);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(5 + 6 + 9);
  });

  it('does not write again events the remote log already holds', { timeout: 60_000 }, async () => {
    scratch = suite.scratch();
    const bare = scratch.bare();
    const a = await open(scratch.repo('a', bare));
    const b = await open(scratch.repo('b', bare));
    const ed = new Editor(prng(5), 1_700_000_000_000);
    const known: Uint8Array[] = [];
    const shared = ed.events(4, known);
    // The same events written on both sides (a retried request), in different commits.
    await a.append(shared);
    await b.append(shared.slice(0, 2));
    await b.append(shared.slice(2));
    const extra = ed.events(1, known);
    await b.append(extra);
    await sync(a);
    const r = await sync(b);
    expect(r.eventsPulled).toBe(0);
    const head = (await b.wal.head())!;
    const top = await b.wal.readCommit(head);
    expect(top.events.map((e) => toHex(e.eventId))).toEqual([toHex(extra[0]!.eventId)]);
    const ids = await walEventIds(b);
    expect(ids.length).toBe(5);
    expect(new Set(ids).size).toBe(5);
  });

  it('accepts a common git dir and opens the store itself', { timeout: 60_000 }, async () => {
    scratch = suite.scratch();
    const bare = scratch.bare();
    const aDir = scratch.repo('a', bare);
    const a = await open(aDir);
    const ed = new Editor(prng(6), 1_700_000_000_000);
    await a.append(ed.events(3, []));
    const phases: string[] = [];
    const r = await sync(aDir, { onProgress: (p) => phases.push(p.phase) });
    expect(r).toMatchObject({ pushed: true, eventsPushed: 3 });
    expect(phases).toContain('fetch');
    expect(phases).toContain('push');
    const bDir = scratch.repo('b', bare);
    expect(await syncPull(bDir)).toMatchObject({ pulled: true, eventsPulled: 3 });
    const b = await open(bDir);
    expect(viewSnapshot(b)).toBe(viewSnapshot(a));
  });

  it('a refused push (the remote moved) fetches, merges and pushes again', { timeout: 60_000 }, async () => {
    scratch = suite.scratch();
    const bare = scratch.bare();
    const a = await open(scratch.repo('a', bare));
    const b = await open(scratch.repo('b', bare));
    const known: Uint8Array[] = [];
    await a.append(new Editor(prng(7), 1_700_000_000_000).events(4, known));
    await b.append(new Editor(prng(8), 1_700_000_000_100).events(3, known));
    await syncPush(a);
    const phases: string[] = [];
    const r = await syncPush(b, { onProgress: (p) => phases.push(p.phase) });
    // push (refused), fetch, merge, catch-up, push (accepted)
    expect(phases).toEqual(['push', 'fetch', 'merge', 'catch-up', 'push']);
    expect(r).toMatchObject({ pulled: true, pushed: true, eventsPulled: 4, eventsPushed: 3 });
    expect(remoteRefs(bare).get('refs/grite/wal')).toBe(await b.wal.head());
    await syncPull(a);
    expect(viewSnapshot(a)).toBe(viewSnapshot(b));
  });

  it('gives up with conflict once the deadline has passed, the local log intact', { timeout: 60_000 }, async () => {
    scratch = suite.scratch();
    const bare = scratch.bare();
    const a = await open(scratch.repo('a', bare));
    const b = await open(scratch.repo('b', bare));
    await a.append(new Editor(prng(9), 1_700_000_000_000).events(2, []));
    await b.append(new Editor(prng(10), 1_700_000_000_000).events(2, []));
    await syncPush(a);
    const head = await b.wal.head();
    let err: unknown;
    try {
      await syncPush(b, { deadlineMs: 0 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GriteError);
    expect((err as GriteError).code).toBe('conflict');
    expect((err as GriteError).details.remote).toBe('origin');
    expect(await b.wal.head()).toBe(head);
    expect(remoteRefs(bare).get('refs/grite/wal')).toBe(await a.wal.head());
  });

  it('pushes snapshot refs the remote lacks and fetches others beside ours', { timeout: 60_000 }, async () => {
    scratch = suite.scratch();
    const bare = scratch.bare();
    const a = await open(scratch.repo('a', bare));
    const b = await open(scratch.repo('b', bare));
    await a.append(new Editor(prng(11), 1_700_000_000_000).events(2, []));
    // Any commit stands in for a snapshot here: sync moves the ref, it does not read it.
    const tree = git(a.commonDir, ['mktree']).trim();
    const snap = git(a.commonDir, ['commit-tree', tree, '-m', 'Snapshot: 0 events at 1']).trim();
    git(a.commonDir, ['update-ref', 'refs/grite/snapshots/1700000000000', snap]);
    await sync(a);
    expect(remoteRefs(bare).get('refs/grite/snapshots/1700000000000')).toBe(snap);
    await sync(b);
    expect(git(b.commonDir, ['rev-parse', 'refs/grite-remotes/origin/snapshots/1700000000000']).trim()).toBe(snap);
    expect(git(b.commonDir, ['for-each-ref', 'refs/grite/snapshots/'])).toBe('');
  });

  it('runs syncs of one store one at a time', { timeout: 60_000 }, async () => {
    scratch = suite.scratch();
    const bare = scratch.bare();
    const a = await open(scratch.repo('a', bare));
    await a.append(new Editor(prng(12), 1_700_000_000_000).events(5, []));
    const rs = await Promise.all([sync(a), sync(a), sync(a)]);
    expect(rs.map((r) => r.eventsPushed)).toEqual([5, 0, 0]);
    expect(rs.every((r) => r.walHead === rs[0]!.walHead)).toBe(true);
  });
});
