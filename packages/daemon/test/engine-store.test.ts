// The engine over the store: catch-up when another process moved the WAL
// ref, notifications, db stats, rebuild, and writes arriving together.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DepDirection,
  DepListResultT,
  DepType,
  IssueCloseT,
  IssueDepAddT,
  IssueDepListT,
  IssueState,
  IssueWriteResultT,
  DbStatsResultT,
  DbStatsT,
  type IpcResponseT,
  IssueCommentT,
  IssueCreateT,
  IssueListResultT,
  IssueListT,
  IssueShowResultT,
  IssueShowT,
  RebuildResultT,
  RebuildT,
} from '@grite/protocol';
import { createEvent, Store, Wal } from '@grite/core';
import { Engine, type EngineNotification } from '../src/engine/index.js';
import { git, Harness, hex } from './engine-helpers.js';

let h: Harness;

beforeEach(async () => {
  h = await Harness.create();
});

afterEach(async () => {
  await h.close();
});

describe('catch-up', () => {
  it('a read after another engine (another process) wrote sees the write', async () => {
    const a = await h.createIssue('Seen by both');
    expect((await h.ok<IssueListResultT>(new IssueListT())).total).toBe(1);

    const other = await Engine.open({ commonDir: h.commonDir, build: 'test-build' });
    const synced: EngineNotification[] = [];
    h.engine.events.on('notification', (n: EngineNotification) => synced.push(n));
    try {
      const bytes = h.request(new IssueCreateT(Array.from(randomBytes(16)), h.ts(), 'Written elsewhere', '', [], []));
      await other.handleBytes(bytes);
      await other.handleBytes(h.request(new IssueCommentT(a, h.ts(), 'from the other side')));
    } finally {
      await other.close();
    }
    const list = await h.ok<IssueListResultT>(new IssueListT());
    expect(list.total).toBe(2);
    expect(list.issues.map((i) => i.title).sort()).toEqual(['Seen by both', 'Written elsewhere']);
    const s = await h.ok<IssueShowResultT>(new IssueShowT(a));
    expect(s.issue!.comments.map((c) => c.body)).toEqual(['from the other side']);
    expect(synced).toContainEqual({ kind: 'WalSynced', walHead: h.walHead() });
  });

  it('writes validate against the other process\'s events too', async () => {
    const other = await Engine.open({ commonDir: h.commonDir, build: 'test-build' });
    let id: string;
    try {
      const issueId = Array.from(randomBytes(16));
      await other.handleBytes(h.request(new IssueCreateT(issueId, h.ts(), 'Only there', '', [], [])));
      id = hex(issueId);
    } finally {
      await other.close();
    }
    // The comment names an issue this engine has not seen yet: it must catch up before validating.
    await h.ok(new IssueCommentT(id.slice(0, 6), h.ts(), 'found it'));
  });
});

describe('writes arriving together', () => {
  it('all land, each once, grouped into fewer commits than writes', async () => {
    const cmds = Array.from({ length: 12 }, (_, i) => new IssueCreateT(Array.from(randomBytes(16)), h.ts(), `Parallel ${i}`, '', [], []));
    const results = await Promise.all(cmds.map((c) => h.send(c)));
    expect(results.every((r) => r.ok)).toBe(true);
    const list = await h.ok<IssueListResultT>(new IssueListT());
    expect(list.total).toBe(12);
    expect((await h.ok<DbStatsResultT>(new DbStatsT())).eventCount).toBe(12);
    const commits = Number(git(h.dir, 'rev-list', '--count', 'refs/grite/wal'));
    expect(commits).toBeLessThan(12);
    // Every answer names a head that holds its event.
    for (const r of results) {
      const w = r.result as IssueWriteResultT;
      expect(git(h.dir, 'merge-base', '--is-ancestor', w.walHead as string, 'refs/grite/wal')).toBe('');
    }
  });

  it('pipelined group commits: each actor\'s writes land once and in order, acknowledged only once in the log, while another process appends too', async () => {
    const other = await Store.open({ commonDir: h.commonDir });
    try {
      const actors = Array.from({ length: 6 }, () => new Uint8Array(randomBytes(16)));
      const answers: IssueWriteResultT[] = [];
      // Out of step (the writers pause differently), so batches open while
      // others are still being appended and get staged on their tips.
      const writers = actors.map(async (actorId, a) => {
        for (let i = 0; i < 8; i++) {
          if ((a + i) % 3 !== 0) await new Promise((r) => setTimeout(r, (a + i) % 3));
          const r = await h.send(new IssueCreateT(Array.from(randomBytes(16)), h.ts(), `a${a} ${i}`, '', [], []), { actorId });
          expect(r.ok).toBe(true);
          answers.push(r.result as IssueWriteResultT);
        }
      });
      const outsider = (async () => {
        for (let i = 0; i < 4; i++) {
          await new Promise((r) => setTimeout(r, 3));
          await other.append([
            createEvent({ issueId: new Uint8Array(randomBytes(16)), actor: new Uint8Array(16).fill(9), ts: 1_800_000_000_000 + i, kind: { type: 'IssueCreated', title: `outside ${i}`, body: '', labels: [] } }),
          ]);
        }
      })();
      await Promise.all([...writers, outsider]);
      const wal = Wal.open(h.commonDir);
      let titles: string[];
      try {
        const log = await wal.readAll();
        expect(log.bad).toEqual([]);
        titles = log.events.map((e) => (e.kind.type === 'IssueCreated' ? e.kind.title : '?'));
        expect(new Set(log.events.map((e) => hex(e.eventId))).size).toBe(log.events.length);
      } finally {
        await wal.close();
      }
      expect(titles).toHaveLength(6 * 8 + 4);
      for (let a = 0; a < actors.length; a++) {
        expect(titles.filter((t) => t.startsWith(`a${a} `))).toEqual(Array.from({ length: 8 }, (_, i) => `a${a} ${i}`));
      }
      expect((await h.ok<DbStatsResultT>(new DbStatsT())).eventCount).toBe(6 * 8 + 4);
      for (const w of answers) expect(git(h.dir, 'merge-base', '--is-ancestor', w.walHead as string, 'refs/grite/wal')).toBe('');
    } finally {
      await other.close();
    }
  });

  it('a write queued while the last batch is moving the ref is appended too (none left behind)', async () => {
    // Holds the first batch's commit until the batcher has nothing else
    // open, then queues a second write, then lets the commit go on.
    const store = (h.engine as unknown as { store: Store }).store;
    const commitStaged = store.commitStaged.bind(store);
    let second: Promise<IpcResponseT> | null = null;
    store.commitStaged = async (staged) => {
      if (second === null) {
        await new Promise((r) => setTimeout(r, 20));
        second = h.send(new IssueCreateT(Array.from(randomBytes(16)), h.ts(), 'Second', '', [], []));
        await new Promise((r) => setTimeout(r, 50));
      }
      return commitStaged(staged);
    };
    await h.createIssue('First');
    expect(second).not.toBeNull();
    const late = await Promise.race([second!, new Promise<'stuck'>((r) => setTimeout(() => r('stuck'), 4_000))]);
    expect(late).not.toBe('stuck');
    expect((late as IpcResponseT).ok).toBe(true);
    expect((await h.ok<DbStatsResultT>(new DbStatsT())).eventCount).toBe(2);
  });

  it('a retry sent while its first attempt is being appended writes its events once', async () => {
    const cmd = new IssueCreateT(Array.from(randomBytes(16)), h.ts(), 'Retried', '', [], ['u']);
    // The retry arrives while the first attempt's batch is being staged: it
    // opens the next batch, staged on that one's tip without the events.
    const store = (h.engine as unknown as { store: Store }).store;
    const stageAppend = store.stageAppend.bind(store);
    let second: Promise<IpcResponseT> | null = null;
    store.stageAppend = async (events, parent) => {
      if (second === null) {
        second = h.send(cmd);
        await new Promise((r) => setTimeout(r, 20));
      }
      return stageAppend(events, parent);
    };
    const a = await h.send(cmd);
    const b = await second!;
    expect(a.ok && b.ok).toBe(true);
    expect((a.result as IssueWriteResultT).eventId).toEqual((b.result as IssueWriteResultT).eventId);
    expect((await h.ok<DbStatsResultT>(new DbStatsT())).eventCount).toBe(2);
    expect(Number(git(h.dir, 'rev-list', '--count', 'refs/grite/wal'))).toBe(1);
  });

  it('the same create sent twice at once writes its events once', async () => {
    const cmd = new IssueCreateT(Array.from(randomBytes(16)), h.ts(), 'Twice at once', '', ['l'], ['u']);
    const [a, b] = await Promise.all([h.send(cmd), h.send(cmd)]);
    expect(a.ok && b.ok).toBe(true);
    expect((a.result as IssueWriteResultT).eventId).toEqual((b.result as IssueWriteResultT).eventId);
    expect((await h.ok<DbStatsResultT>(new DbStatsT())).eventCount).toBe(2);
  });

  it('two edges that together close a cycle, sent at once: one lands, the other is refused', async () => {
    const a = await h.createIssue('A');
    const b = await h.createIssue('B');
    const [x, y] = await Promise.all([
      h.send(new IssueDepAddT(a, b, DepType.depends_on, h.ts())),
      h.send(new IssueDepAddT(b, a, DepType.depends_on, h.ts())),
    ]);
    expect([x.ok, y.ok].sort()).toEqual([false, true]);
    const refused = x.ok ? y : x;
    expect(refused.error!.code).toBe('invalid_args');
    const out = [
      ...(await h.ok<DepListResultT>(new IssueDepListT(a, DepDirection.out))).deps,
      ...(await h.ok<DepListResultT>(new IssueDepListT(b, DepDirection.out))).deps,
    ];
    expect(out).toHaveLength(1);
  });

  it('writes mixed with reads and closes, at once: every write lands and every read answers', async () => {
    const ids = await Promise.all(Array.from({ length: 4 }, (_, i) => h.createIssue(`Mixed ${i}`)));
    const sends = ids.flatMap((id, i) => [
      h.send(new IssueCommentT(id, h.ts(), `c${i}`)),
      h.send(new IssueListT()),
      h.send(new IssueCloseT(id, h.ts())),
      h.send(new IssueShowT(id)),
    ]);
    const results = await Promise.all(sends);
    expect(results.every((r) => r.ok)).toBe(true);
    const list = await h.ok<IssueListResultT>(new IssueListT());
    expect(list.issues.every((i) => i.state === IssueState.closed && i.commentCount === 1)).toBe(true);
  });
});

describe('close', () => {
  it('lets a queued write land, then answers ipc_error', async () => {
    const cmd = new IssueCreateT(Array.from(randomBytes(16)), h.ts(), 'Just in time', '', [], []);
    const pending = h.send(cmd);
    const closing = h.engine.close();
    const r = await pending;
    await closing;
    expect(r.ok).toBe(true);
    expect(git(h.dir, 'rev-list', '--count', 'refs/grite/wal')).toBe('1');
    expect((await h.err(new IssueListT())).code).toBe('ipc_error');
  });
});

describe('db stats and rebuild', () => {
  it('stats give the view file, counts and the WAL head', async () => {
    const a = await h.createIssue('Counted', { assignees: ['x'] });
    await h.ok(new IssueCommentT(a, h.ts(), 'one'));
    const s = await h.ok<DbStatsResultT>(new DbStatsT());
    expect(s.path).toContain(h.commonDir);
    expect(existsSync(s.path as string)).toBe(true);
    expect(s.sizeBytes).toBeGreaterThan(0n);
    expect(s.eventCount).toBe(3);
    expect(s.issueCount).toBe(1);
    expect(s.walHead).toBe(h.walHead());
    expect(s.looseObjects).toBeGreaterThan(0);
  });

  it('rebuild replays the whole log and answers the head and the event count', async () => {
    const a = await h.createIssue('Rebuilt', { labels: ['l'] });
    await h.ok(new IssueCommentT(a, h.ts(), 'kept'));
    const synced: EngineNotification[] = [];
    h.engine.events.on('notification', (n: EngineNotification) => synced.push(n));
    const r = await h.ok<RebuildResultT>(new RebuildT(true));
    expect(r.walHead).toBe(h.walHead());
    expect(r.eventCount).toBe(2);
    expect(r.fromSnapshot).toBe(false);
    expect(synced).toContainEqual({ kind: 'WalSynced', walHead: h.walHead() });
    const s = await h.ok<IssueShowResultT>(new IssueShowT(a));
    expect(s.issue!.labels).toEqual(['l']);
    expect(s.issue!.comments.map((c) => c.body)).toEqual(['kept']);
  });
});
