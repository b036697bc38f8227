// Rebuild from a snapshot equals a full rebuild, byte for byte (every query
// the view answers, compared as JSON): with commits after the snapshot, after
// a diverged sync (the snapshot's wal_head is then no ancestor of the head),
// after the WAL was rewound past the snapshot (it is skipped), and with a
// damaged snapshot (skipped, the next one or the whole WAL used).
import { describe, expect, it } from 'vitest';
import { toHex } from '../src/codec/index.js';
import { Store } from '../src/store.js';
import { sync } from '../src/sync/index.js';
import { createSnapshot, listSnapshots, loadLog, rebuildView, writeSnapshot } from '../src/snapshot/index.js';
import { Editor, git, prng, Scratch, scratchSuite } from './sync-harness.js';

const suite = scratchSuite();
let scratch: Scratch;

const open = suite.open;

/** Everything the view answers, as JSON with ids in hex. */
function dump(store: Store): string {
  const v = store.view;
  const replacer = (_k: string, x: unknown): unknown => (x instanceof Uint8Array ? toHex(x) : x);
  const list = v.listIssues({ sort: 'id' });
  const issues = list.issues.map((s) => ({
    detail: v.getIssue(s.issueId),
    events: v.getIssueEvents(s.issueId),
    out: v.listDeps(s.issueId, 'out'),
    in: v.listDeps(s.issueId, 'in'),
  }));
  const s = v.stats();
  return JSON.stringify(
    {
      total: list.total,
      byUpdated: v.listIssues({}).issues,
      open: v.listIssues({ state: 'open', sort: 'title' }).issues,
      issues,
      ready: v.ready(),
      topo: v.topoOrder(),
      cycles: v.cycles(),
      stats: { eventCount: s.eventCount, issueCount: s.issueCount, walHead: s.walHead },
    },
    replacer,
  );
}

async function appendBatches(store: Store, ed: Editor, known: Uint8Array[], batches: number, size: number): Promise<void> {
  for (let i = 0; i < batches; i++) await store.append(ed.events(size, known));
}

async function fullDump(store: Store): Promise<string> {
  const r = await rebuildView(store, { fromSnapshot: false });
  expect(r.snapshot).toBeNull();
  return dump(store);
}

describe('rebuild from a snapshot', () => {
  it('equals a full rebuild with commits after the snapshot, reading only those', { timeout: 60_000 }, async () => {
    scratch = suite.scratch('grite-snap-');
    const a = await open(scratch.repo('a'));
    const ed = new Editor(prng(11), 1_700_000_000_000);
    const known: Uint8Array[] = [];
    await appendBatches(a, ed, known, 12, 30);
    const snap = await createSnapshot(a.wal);
    expect(snap.snapshot.eventCount).toBe(360);
    await appendBatches(a, ed, known, 5, 20);

    const full = await fullDump(a);
    const progress: string[] = [];
    const r = await rebuildView(a, { fromSnapshot: true, onProgress: (p) => progress.push(p.phase) });
    expect(r.snapshot?.ref).toBe(snap.snapshot.ref);
    expect(r.commitsRead).toBe(5);
    expect(r.eventCount).toBe(460);
    expect(progress).toContain('snapshot');
    expect(dump(a)).toBe(full);
  });

  it('equals a full rebuild after a diverged sync', { timeout: 90_000 }, async () => {
    scratch = suite.scratch('grite-snap-');
    const bare = scratch.bare();
    const a = await open(scratch.repo('a', bare));
    const b = await open(scratch.repo('b', bare));
    const edA = new Editor(prng(21), 1_700_000_000_000);
    const edB = new Editor(prng(22), 1_700_000_000_500);
    const known: Uint8Array[] = [];
    await appendBatches(a, edA, known, 4, 25);
    await sync(a);
    await sync(b);
    const knownB = [...known];
    // Both write while apart; A snapshots its own log before it syncs again.
    await appendBatches(a, edA, known, 3, 15);
    const snap = await createSnapshot(a.wal);
    await appendBatches(a, edA, known, 2, 10);
    await appendBatches(b, edB, knownB, 3, 12);
    await sync(b);
    await sync(a); // diverged: A's commits after the base are written again on top of B's
    const head = await a.wal.head();
    const isAncestor = (() => {
      try {
        git(a.commonDir, ['merge-base', '--is-ancestor', snap.snapshot.walHead, head!]);
        return true;
      } catch {
        return false;
      }
    })();
    expect(isAncestor).toBe(false);

    const full = await fullDump(a);
    const r = await rebuildView(a, { fromSnapshot: true });
    expect(r.snapshot?.ref).toBe(snap.snapshot.ref);
    expect(dump(a)).toBe(full);
    // And the same bytes as B's view once B has A's merge too.
    await sync(b);
    await rebuildView(b, { fromSnapshot: false });
    expect(dump(b)).toBe(full);
  });

  it('skips a snapshot of a history the WAL no longer holds (rewound), using an older one', { timeout: 60_000 }, async () => {
    scratch = suite.scratch('grite-snap-');
    const a = await open(scratch.repo('a'));
    const ed = new Editor(prng(31), 1_700_000_000_000);
    const known: Uint8Array[] = [];
    await appendBatches(a, ed, known, 3, 20);
    const older = await createSnapshot(a.wal, { now: () => 1_800_000_000_000 });
    await appendBatches(a, ed, known, 2, 10);
    const rewindTo = await a.wal.head();
    await appendBatches(a, ed, known, 3, 10);
    const newer = await createSnapshot(a.wal, { now: () => 1_800_000_000_500 });
    git(a.commonDir, ['update-ref', 'refs/grite/wal', rewindTo!]);

    const full = await fullDump(a);
    const r = await rebuildView(a, { fromSnapshot: true });
    expect(r.snapshot?.ref).toBe(older.snapshot.ref);
    expect(r.skipped.map((s) => s.ref)).toEqual([newer.snapshot.ref]);
    expect(r.skipped[0]!.reason).toMatch(/rewound or replaced/);
    expect(r.eventCount).toBe(80);
    expect(dump(a)).toBe(full);
  });

  it('skips a damaged snapshot and falls back to the whole WAL', { timeout: 60_000 }, async () => {
    scratch = suite.scratch('grite-snap-');
    const a = await open(scratch.repo('a'));
    const ed = new Editor(prng(41), 1_700_000_000_000);
    const known: Uint8Array[] = [];
    await appendBatches(a, ed, known, 3, 20);
    const head = (await a.wal.head())!;
    const events = (await loadLog(a.wal)).events;
    // writeSnapshot refuses an event whose id does not match its content: write
    // a good snapshot, then forge a newer one whose chunk was altered by hand.
    const good = await writeSnapshot(a.commonDir, { walHead: head, events, now: () => 1_800_000_000_000 });
    const bad = await forgeChunk(a.commonDir, good.oid);
    const list = await listSnapshots(a.commonDir);
    expect(list.map((s) => s.ref)).toContain(bad);

    const full = await fullDump(a);
    const r = await rebuildView(a, { fromSnapshot: true });
    // The forged one is newest; it is skipped for the good one.
    expect(r.skipped[0]?.ref).toBe(bad);
    expect(r.skipped[0]?.reason).toMatch(/does not match its content/);
    expect(r.snapshot?.ref).toBe(good.ref);
    expect(dump(a)).toBe(full);

    git(a.commonDir, ['update-ref', '-d', good.ref]);
    const r2 = await rebuildView(a, { fromSnapshot: true });
    expect(r2.snapshot).toBeNull();
    // The forged snapshot is still reported as passed over, with the whole WAL read.
    expect(r2.skipped.map((s) => s.ref)).toEqual([bad]);
    expect(r2.commitsRead).toBe(3);
    expect(dump(a)).toBe(full);
  });
});

describe('rebuild from the whole WAL', () => {
  it('streams the log into the view, reporting progress after each batch of commits', { timeout: 90_000 }, async () => {
    scratch = suite.scratch('grite-snap-');
    const a = await open(scratch.repo('a'));
    const ed = new Editor(prng(53), 1_700_000_000_000);
    const known: Uint8Array[] = [];
    // More commits than one batch of the walk (256): progress comes more than once.
    await appendBatches(a, ed, known, 300, 2);
    const logged = await loadLog(a.wal);
    const before = dump(a);

    const progress: Array<{ phase: string; commits: number; events: number }> = [];
    const r = await rebuildView(a, { fromSnapshot: false, onProgress: (p) => progress.push({ ...p }) });
    expect(r).toMatchObject({ snapshot: null, skipped: [], commitsRead: 300, eventCount: 600, warnings: [] });
    expect(r.walHead).toBe(logged.head);
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.every((p) => p.phase === 'wal')).toBe(true);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.commits).toBeGreaterThan(progress[i - 1]!.commits);
    expect(progress[progress.length - 1]).toEqual({ phase: 'wal', commits: 300, events: 600 });
    // The same view as the one built up append by append, and as loadLog's event set.
    expect(dump(a)).toBe(before);
    expect(new Set(logged.events.map((e) => toHex(e.eventId))).size).toBe(r.eventCount);
  });
});

/**
 * A copy of snapshot `oid` under a newer ref whose first chunk has one
 * record's title changed (its event id kept), with snapshot.json's hash of
 * that chunk updated: the hash check passes, the event id check must not.
 */
async function forgeChunk(commonDir: string, oid: string): Promise<string> {
  const { CatFile, buildTree, buildCommit, hashObject, writePreparedObjects, parseTree, casRef } = await import('../src/git/index.js');
  const { chunkHash } = await import('../src/codec/index.js');
  const { parseSnapshotJson, snapshotJson } = await import('../src/snapshot/index.js');
  const cat = new CatFile(commonDir);
  try {
    const chunk = (await cat.get(`${oid}:events/0000.bin`)).data;
    // Find a title text in the chunk and change one byte of it (same length, still valid UTF-8).
    const text = new TextDecoder().decode(chunk);
    const at = text.indexOf('issue ');
    expect(at).toBeGreaterThan(0);
    const bytes = new Uint8Array(chunk);
    const byteAt = new TextEncoder().encode(text.slice(0, at)).length;
    bytes[byteAt] = 'I'.charCodeAt(0);
    const meta = parseSnapshotJson(new TextDecoder().decode((await cat.get(`${oid}:snapshot.json`)).data));
    meta.chunks[0]!.chunkHash = chunkHash(bytes);
    meta.createdTs += 1;
    const blob = hashObject('blob', bytes);
    const metaBlob = hashObject('blob', new TextEncoder().encode(snapshotJson(meta)));
    const root = parseTree((await cat.get(`${oid}^{tree}`)).data);
    const eventsTree = parseTree((await cat.get(`${oid}:events`)).data).map((e) => (e.name === '0000.bin' ? { ...e, oid: blob.oid } : e));
    const evTree = hashObject('tree', buildTree(eventsTree));
    const rootTree = hashObject(
      'tree',
      buildTree(root.map((e) => (e.name === 'events' ? { ...e, oid: evTree.oid } : e.name === 'snapshot.json' ? { ...e, oid: metaBlob.oid } : e))),
    );
    const ident = { name: 'grite', email: 'grit@local', seconds: Math.floor(meta.createdTs / 1000) };
    const commit = hashObject(
      'commit',
      buildCommit({ tree: rootTree.oid, parents: [], author: ident, committer: ident, message: `Snapshot: ${meta.eventCount} events at ${meta.createdTs}` }),
    );
    await writePreparedObjects(commonDir, [blob, metaBlob, evTree, rootTree, commit]);
    const ref = `refs/grite/snapshots/${meta.createdTs}`;
    expect(await casRef(commonDir, ref, commit.oid, null)).toBe(true);
    return ref;
  } finally {
    await cat.close();
  }
}
