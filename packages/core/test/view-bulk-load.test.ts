// The view's bulk load fed batch by batch (View.replaceAllYielding, issue 3 of
// the tracker: the rebuild stores each batch of the log while git reads the
// next): any batch order and repeated event ids give the view that applying
// the same events incrementally gives; a failing source rolls back; a full
// catch-up of an empty view goes the same way as a rebuild.
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEvent, Store, View, Wal, type Event } from '../src/index.js';
import { makeRepo, type TempRepo } from './fixtures/helpers.js';
import { canonical, cloneEvent, gen, randomEventSet, randomSplit } from './projection-gen.js';

let repos: TempRepo[] = [];
let dirs: string[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'grite-bulk-view-'));
  dirs.push(d);
  return d;
}

function snapshot(v: View): string {
  const list = v.listIssues({});
  const details = list.issues.map((i) => v.getIssue(i.issueId));
  const events = list.issues.map((i) => v.getIssueEvents(i.issueId));
  const deps = list.issues.map((i) => [v.listDeps(i.issueId, 'out'), v.listDeps(i.issueId, 'in')]);
  const s = v.stats();
  return canonical({ list, details, events, deps, topo: v.topoOrder(), ready: v.ready(), counts: [s.eventCount, s.issueCount, s.walHead] });
}

async function* batches(parts: readonly (readonly Event[])[]): AsyncGenerator<readonly Event[]> {
  for (const p of parts) {
    await new Promise((r) => setImmediate(r));
    yield p;
  }
}

describe('View.replaceAllYielding', () => {
  it.each([1, 2, 3, 4])('batches in any order, ids repeated across and within batches: the incremental view (seed %i)', async (seed) => {
    const g = gen(seed);
    const set = randomEventSet(g, { issues: 30, events: 500 });
    const d = tempDir();
    const incremental = View.open(join(d, 'a.sqlite'));
    const bulk = View.open(join(d, 'b.sqlite'));
    try {
      for (const part of randomSplit(g, set.events)) incremental.apply(part, { walHead: 'c'.repeat(40) });
      // Newest batch first (as a walk reads the log), and every tenth event
      // repeated (a copy of the object) in a later batch and in its own.
      const parts = randomSplit(g, set.events).reverse();
      const repeated = set.events.filter((_, i) => i % 10 === 0).map(cloneEvent);
      parts.push([...repeated, ...repeated.slice(0, 3)]);
      bulk.replaceAll(set.events.slice(0, 20), { walHead: 'a'.repeat(40) });
      const r = await bulk.replaceAllYielding(batches(parts), () => ({ commits: ['c1', 'c2'], walHead: 'c'.repeat(40) }), 13);
      expect(r.eventsApplied).toBe(incremental.stats().eventCount);
      expect(snapshot(bulk)).toBe(snapshot(incremental));
      expect(bulk.hasCommit('c2')).toBe(true);
      // The event-id index is unique again: a repeat applied later is not stored twice.
      expect(bulk.apply([cloneEvent(set.events[0]!)]).eventsApplied).toBe(0);
      expect(bulk.stats().eventCount).toBe(incremental.stats().eventCount);
    } finally {
      incremental.close();
      bulk.close();
    }
  });

  it('rolls back to the old view when the source fails', async () => {
    const g = gen(11);
    const set = randomEventSet(g, { issues: 10, events: 120 });
    const v = View.open(join(tempDir(), 'v.sqlite'));
    try {
      v.replaceAll(set.events.slice(0, 40), { walHead: 'a'.repeat(40), commits: ['old'] });
      const before = snapshot(v);
      async function* failing(): AsyncGenerator<readonly Event[]> {
        yield set.events.slice(40, 80);
        throw new Error('the log could not be read');
      }
      await expect(v.replaceAllYielding(failing(), () => ({ walHead: 'b'.repeat(40) }))).rejects.toThrow(/could not be read/);
      expect(snapshot(v)).toBe(before);
      expect(v.hasCommit('old')).toBe(true);
    } finally {
      v.close();
    }
  });
});

describe('Store: loading the whole log', () => {
  it('a first catch-up into an empty view equals a rebuild and an incremental catch-up', async () => {
    const r = makeRepo('grite-bulk-store-');
    repos.push(r);
    const g = gen(5);
    const set = randomEventSet(g, { issues: 25, events: 400 });
    const hashed = set.events.map((e) => createEvent({ issueId: e.issueId, actor: e.actor, ts: e.ts, parent: e.parent, kind: e.kind }));
    const incremental = await Store.open({ commonDir: r.gitDir });
    const wal = Wal.open(r.gitDir);
    let want: string;
    let eventCount: number;
    try {
      for (const part of randomSplit(g, hashed)) {
        await wal.append(part);
        await incremental.catchUp();
      }
      want = snapshot(incremental.view);
      eventCount = incremental.view.stats().eventCount;
    } finally {
      await wal.close();
      await incremental.close();
    }
    const commits = Number(execFileSync('git', ['rev-list', '--count', 'refs/grite/wal'], { env: { ...process.env, GIT_DIR: r.gitDir } }).toString());
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(r.gitDir, 'grite', 'view.sqlite' + suffix), { force: true });
    const fresh = await Store.open({ commonDir: r.gitDir, catchUp: false });
    try {
      expect(fresh.view.hasAnyCommit()).toBe(false);
      const cu = await fresh.catchUp();
      expect(cu.warnings).toEqual([]);
      expect(cu.commitsRead).toBe(commits);
      expect(cu.eventsApplied).toBe(eventCount);
      expect(snapshot(fresh.view)).toBe(want);
      // Nothing new: the next catch-up reads nothing.
      expect((await fresh.catchUp()).commitsRead).toBe(0);
      const rb = await fresh.rebuild();
      expect(rb).toMatchObject({ eventCount, commitsRead: commits, warnings: [] });
      expect(snapshot(fresh.view)).toBe(want);
    } finally {
      await fresh.close();
    }
  });
});
