// The rebuild's bulk path (View.replaceAllYielding: slices of whole issues,
// one transaction held across the yields) gives the view an incremental
// catch-up gives, commit by commit; while it loads, the event loop keeps
// turning and nobody can read the half-loaded view.
import { afterEach, describe, expect, it } from 'vitest';
import { createEvent, Store, View, Wal, type Event } from '../src/index.js';
import { makeRepo, type TempRepo } from './fixtures/helpers.js';
import { canonical, gen, randomEventSet, randomSplit } from './projection-gen.js';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

let repos: TempRepo[] = [];
let dirs: string[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The generator's events with real ids (the log verifies them). */
function hashed(events: readonly Event[]): Event[] {
  return events.map((e) => createEvent({ issueId: e.issueId, actor: e.actor, ts: e.ts, parent: e.parent, kind: e.kind }));
}

function snapshot(v: View): string {
  const list = v.listIssues({});
  const details = list.issues.map((i) => v.getIssue(i.issueId));
  const deps = list.issues.map((i) => [v.listDeps(i.issueId, 'out'), v.listDeps(i.issueId, 'in')]);
  return canonical({ list, details, deps, topo: v.topoOrder(), ready: v.ready(), stats: { ...v.stats(), path: '', sizeBytes: 0 } });
}

describe('rebuild through the yielding bulk load', () => {
  it.each([1, 2, 3])('matches an incremental catch-up commit by commit (seed %i)', async (seed) => {
    const r = makeRepo('grite-perf-rebuild-');
    repos.push(r);
    const g = gen(seed);
    const set = randomEventSet(g, { issues: 40, events: 600 });
    const incremental = await Store.open({ commonDir: r.gitDir });
    const wal = Wal.open(r.gitDir);
    try {
      for (const part of randomSplit(g, hashed(set.events))) {
        await wal.append(part);
        await incremental.catchUp();
      }
      const d = mkdtempSync(join(tmpdir(), 'grite-perf-view-'));
      dirs.push(d);
      const fresh = await Store.open({ commonDir: r.gitDir, catchUp: false });
      try {
        const rebuilt = await fresh.rebuild();
        expect(rebuilt.warnings).toEqual([]);
        expect(rebuilt.eventCount).toBe(incremental.view.stats().eventCount);
        expect(snapshot(fresh.view)).toBe(snapshot(incremental.view));
        // A small slice size makes many slices: still the same view.
        const sliced = View.open(join(d, 'v.sqlite'));
        try {
          const all = await wal.readAll();
          await sliced.replaceAllYielding(all.events, { walHead: all.head }, 7);
          expect({ ...JSON.parse(snapshot(sliced)), stats: null }).toEqual({ ...JSON.parse(snapshot(incremental.view)), stats: null });
        } finally {
          sliced.close();
        }
      } finally {
        await fresh.close();
      }
    } finally {
      await wal.close();
      await incremental.close();
    }
  });

  it('yields while loading; the half-loaded view answers db_busy, and a failure rolls back to the old view', async () => {
    const d = mkdtempSync(join(tmpdir(), 'grite-perf-view-'));
    dirs.push(d);
    const g = gen(7);
    const set = randomEventSet(g, { issues: 30, events: 400 });
    const v = View.open(join(d, 'v.sqlite'));
    try {
      v.replaceAll(set.events.slice(0, 50), { walHead: 'a'.repeat(40) });
      const before = snapshot(v);
      let ticks = 0;
      let busy: unknown = null;
      const loading = v.replaceAllYielding(set.events, { walHead: 'b'.repeat(40) }, 5);
      const ticker = (async () => {
        for (;;) {
          await new Promise((r) => setImmediate(r));
          ticks++;
          try {
            v.walHead();
          } catch (e) {
            busy = e;
          }
          if (busy !== null) return;
        }
      })();
      await Promise.all([loading, ticker]);
      expect(ticks).toBeGreaterThan(0);
      expect((busy as { code?: string }).code).toBe('db_busy');
      expect(v.walHead()).toBe('b'.repeat(40));
      const after = snapshot(v);
      expect(after).not.toBe(before);

      // A load that fails midway (an event whose payload cannot be stored) leaves the committed view.
      const bad = [...set.events, { ...set.events[0]!, eventId: new Uint8Array(32), kind: null as never }];
      await expect(v.replaceAllYielding(bad, { walHead: 'c'.repeat(40) }, 5)).rejects.toThrow();
      expect(v.walHead()).toBe('b'.repeat(40));
      expect(snapshot(v)).toBe(after);
    } finally {
      v.close();
    }
  });
});
