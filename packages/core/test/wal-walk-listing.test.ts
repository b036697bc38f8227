// A whole walk lists the log in pieces (256 commits, 2,048 more, then the
// rest, each listing started while the one before is read: issue 3 of the
// tracker): every commit comes once, newest first, in git's first-parent
// order, across the seams between listings.
import { afterEach, describe, expect, it } from 'vitest';
import { createEvent, Store, Wal } from '../src/index.js';
import { makeRepo, type TempRepo } from './fixtures/helpers.js';

let repos: TempRepo[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup();
});

describe('Wal.walk over a long log', () => {
  it('reads 2,400 commits once each, in order, across the listing seams', async () => {
    const r = makeRepo('grite-walk-listing-');
    repos.push(r);
    const N = 2_400;
    const issueId = new Uint8Array(16).fill(1);
    // One event per actor: one writeCommits call makes N chained commits (one pack).
    const events = Array.from({ length: N }, (_, i) => {
      const actor = new Uint8Array(16);
      actor[0] = 1 + (i >> 8);
      actor[1] = i & 0xff;
      return createEvent(
        i === 0
          ? { issueId, actor, ts: 1_700_000_000_000, kind: { type: 'IssueCreated', title: 't', body: '', labels: [] } }
          : { issueId, actor, ts: 1_700_000_000_000 + i, kind: { type: 'CommentAdded', body: `c${i}` } },
      );
    });
    const wal = Wal.open(r.gitDir, { fsync: false });
    try {
      const tip = await wal.writeCommits(events, null);
      r.git(['update-ref', 'refs/grite/wal', tip]);
      const want = r.git(['rev-list', '--first-parent', tip]).trim().split('\n');
      expect(want).toHaveLength(N);
      const got: string[] = [];
      for await (const e of wal.walk(tip)) {
        expect(e.error).toBeUndefined();
        expect(e.commit?.events).toHaveLength(1);
        got.push(e.oid);
      }
      expect(got).toEqual(want);
      const all = await wal.readAll();
      expect(all.events.map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
    } finally {
      await wal.close();
    }
    const store = await Store.open({ commonDir: r.gitDir, catchUp: false });
    try {
      expect(await store.rebuild()).toMatchObject({ eventCount: N, commitsRead: N, warnings: [] });
      expect(store.view.getIssue(issueId)?.commentCount).toBe(N - 1);
    } finally {
      await store.close();
    }
  });
});
