// Convergence through real remotes (a bare repository by path, and the same
// served by `git daemon` over git://): several clones make random edits
// through the store and sync in random orders, some at the same time; after
// each syncs twice more in turn, all hold the same event set, byte-identical
// projections, and exactly the events written (nothing lost or duplicated).
// Also: a clone offline for hundreds of events merges in one sync.
import { afterEach, describe, expect, it } from 'vitest';
import { toHex } from '../src/codec/index.js';
import { Store } from '../src/store.js';
import { sync } from '../src/sync/index.js';
import { Editor, git, prng, Scratch, startGitDaemon, viewSnapshot, walEventIds, type GitDaemon, scratchSuite } from './sync-harness.js';

const suite = scratchSuite();
let scratch: Scratch;
let daemon: GitDaemon | null = null;
// Runs before the suite's own clean-up (after-hooks run last registered first).
afterEach(async () => {
  await daemon?.stop();
  daemon = null;
});

/** A bare origin, reached by path or through git daemon. */
async function origin(kind: 'path' | 'git-daemon'): Promise<string> {
  const bare = scratch.bare('origin');
  if (kind === 'path') return bare;
  daemon = await startGitDaemon(scratch.root);
  return `${daemon.baseUrl}origin.git`;
}

interface Replica {
  store: Store;
  editor: Editor;
}

async function replicas(url: string, n: number, seed: number): Promise<Replica[]> {
  const out: Replica[] = [];
  for (let i = 0; i < n; i++) {
    const store = await Store.open({ commonDir: scratch.repo(`clone${i}`, url) });
    suite.track(store);
    out.push({ store, editor: new Editor(prng(seed * 100 + i), 1_700_000_000_000 + i * 7) });
  }
  return out;
}

/** Random appends on one replica; returns the ids it wrote. */
async function edit(r: Replica, rand: () => number): Promise<string[]> {
  const known = r.store.view.listIssues({ sort: 'id' }).issues.map((s) => s.issueId);
  const written: string[] = [];
  const appends = 1 + Math.floor(rand() * 3);
  for (let i = 0; i < appends; i++) {
    const res = await r.store.append(r.editor.events(1 + Math.floor(rand() * 8), known));
    for (const e of res.written) written.push(toHex(e.eventId));
  }
  return written;
}

function shuffle<T>(xs: T[], rand: () => number): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

async function expectConverged(rs: Replica[], written: Set<string>): Promise<void> {
  const heads = await Promise.all(rs.map((r) => r.store.wal.head()));
  expect(new Set(heads).size).toBe(1);
  const snapshot = viewSnapshot(rs[0]!.store);
  for (const r of rs) {
    const ids = await walEventIds(r.store);
    expect(ids.length).toBe(written.size); // nothing duplicated in the log
    expect(new Set(ids)).toEqual(written); // nothing lost
    expect(r.store.view.stats().eventCount).toBe(written.size);
    expect(viewSnapshot(r.store)).toBe(snapshot);
  }
}

describe.each(['path', 'git-daemon'] as const)('convergence through a %s remote', (kind) => {
  it('random edits and syncs in random orders, some concurrent, converge exactly', { timeout: 120_000 }, async () => {
    scratch = suite.scratch();
    const url = await origin(kind);
    const seed = kind === 'path' ? 11 : 12;
    const rand = prng(seed);
    const rs = await replicas(url, 4, seed);
    const written = new Set<string>();
    for (let round = 0; round < 5; round++) {
      for (const r of rs) if (rand() < 0.8) for (const id of await edit(r, rand)) written.add(id);
      // Sync in a random order, in random groups that run at the same time.
      const order = shuffle(rs, rand);
      while (order.length > 0) {
        const group = order.splice(0, 1 + Math.floor(rand() * 3));
        const results = await Promise.all(group.map((r) => sync(r.store)));
        for (const res of results) expect(res.walHead).toBe(res.remoteWalHead);
      }
    }
    for (let pass = 0; pass < 2; pass++) for (const r of rs) await sync(r.store);
    expect(written.size).toBeGreaterThan(50);
    await expectConverged(rs, written);
    // The remote's log is the same log, and no lock or remote-copy ref was pushed.
    const bare = `${scratch.root}/origin.git`;
    expect(git(bare, ['rev-parse', 'refs/grite/wal']).trim()).toBe(await rs[0]!.store.wal.head());
    expect(git(bare, ['for-each-ref', '--format=%(refname)']).trim().split('\n')).toEqual(['refs/grite/wal']);
  });
});

describe('offline replica', () => {
  it('merges hundreds of offline events in one sync, once per actor on top of the remote', { timeout: 120_000 }, async () => {
    scratch = suite.scratch();
    const url = await origin('path');
    const rand = prng(21);
    const [a, b, c] = await replicas(url, 3, 21);
    const written = new Set<string>();
    for (const id of await edit(a!, rand)) written.add(id);
    await sync(a!.store);
    await sync(b!.store);
    await sync(c!.store);

    // c goes offline and writes 300 events in 60 commits; a and b keep working together.
    const known = c!.store.view.listIssues().issues.map((s) => s.issueId);
    let offline = 0;
    for (let i = 0; i < 60; i++) {
      const res = await c!.store.append(c!.editor.events(5, known));
      offline += res.written.length;
      for (const e of res.written) written.add(toHex(e.eventId));
    }
    let online = 0;
    for (let round = 0; round < 10; round++) {
      for (const r of [a!, b!]) {
        const ids = await edit(r, rand);
        online += ids.length;
        for (const id of ids) written.add(id);
        await sync(r.store);
      }
    }
    await sync(a!.store);
    const remoteBefore = git(`${scratch.root}/origin.git`, ['rev-parse', 'refs/grite/wal']).trim();

    const res = await sync(c!.store);
    expect(res).toMatchObject({ pulled: true, pushed: true, eventsPushed: offline, eventsPulled: online });
    expect(offline).toBe(300);
    // One commit (c's one actor) on top of the remote head.
    const head = (await c!.store.wal.head())!;
    expect(git(c!.store.commonDir, ['rev-parse', `${head}^`]).trim()).toBe(remoteBefore);
    expect((await c!.store.wal.readCommit(head)).events.length).toBe(300);

    for (const r of [a!, b!, c!]) await sync(r.store);
    await expectConverged([a!, b!, c!], written);
  });
});
