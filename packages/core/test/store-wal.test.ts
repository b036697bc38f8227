/**
 * The store over a real git repository (DESIGN.md sections 4 and 5): append
 * and reopen, catch-up that reads only new commits (also after a diverged
 * history), writes by other writers, duplicates never rewritten, bad commits
 * skipped with a warning, rebuild, and a view that must be thrown away.
 *
 * "Another process" is another Store (its own git reader and SQLite
 * connection) or a bare Wal that writes to git without touching the view,
 * as `git fetch` or the Rust tool would.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEvent } from '../src/codec/index.js';
import { GriteError } from '../src/errors.js';
import type { Event, EventKind } from '../src/event.js';
import { Wal } from '../src/git/index.js';
import { Store } from '../src/store.js';
import { VIEW_SCHEMA_VERSION } from '../src/view/index.js';
import { canonical } from './projection-gen.js';

let dir: string;
let gitDir: string;
const open: Store[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'grite-store-'));
  execFileSync('git', ['init', '-q', dir]);
  gitDir = join(dir, '.git');
});
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

async function openStore(opts: Parameters<typeof Store.open>[0] = {}): Promise<Store> {
  const s = await Store.open({ cwd: dir, wal: { fsync: false }, ...opts });
  open.push(s);
  return s;
}

const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
const commitCount = () => Number(git('rev-list', '--count', 'refs/grite/wal'));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

const ALICE = new Uint8Array(16).fill(0xa1);
const BOB = new Uint8Array(16).fill(0xb0);
let clock = 1_700_000_000_000;
let issueSeq = 0;
function newIssueId(): Uint8Array {
  const id = new Uint8Array(16);
  new DataView(id.buffer).setUint32(0, ++issueSeq * 2654435761);
  return id;
}
const ev = (issueId: Uint8Array, kind: EventKind, actor = ALICE): Event => createEvent({ issueId, actor, ts: ++clock, kind });
const created = (issueId: Uint8Array, title: string, actor = ALICE) =>
  ev(issueId, { type: 'IssueCreated', title, body: `body of ${title}`, labels: ['bug'] }, actor);

/** Everything the view answers about these issues, comparable as one string. */
function snapshot(s: Store): string {
  const ids = s.view.listIssues({ sort: 'id' }).issues.map((i) => i.issueId);
  const { path: _p, sizeBytes: _s, appliedCommits: _a, ...stats } = s.view.stats();
  return canonical({ stats, issues: ids.map((id) => s.view.getIssue(id)), events: ids.map((id) => s.view.getIssueEvents(id)) });
}

describe('Store', () => {
  it('appends, then reopens from the view and rebuilds from the refs alike', async () => {
    const s = await openStore();
    const a = newIssueId();
    const b = newIssueId();
    const r1 = await s.append([created(a, 'first'), created(b, 'second', BOB)]);
    expect(r1.written.length).toBe(2);
    expect(commitCount()).toBe(2); // one commit per actor
    expect(git('rev-parse', 'refs/grite/wal')).toBe(r1.walHead);
    const r2 = await s.append([ev(a, { type: 'CommentAdded', body: 'hello' }), ev(b, { type: 'StateChanged', state: 'closed' })]);
    expect(s.view.walHead()).toBe(r2.walHead);
    expect(s.view.getIssue(a)!.comments.map((c) => c.body)).toEqual(['hello']);
    expect(s.view.getIssue(b)!.state).toBe('closed');
    const before = snapshot(s);
    await s.close();

    const again = await openStore({ catchUp: false });
    expect(await again.catchUp()).toEqual({ commitsRead: 0, eventsApplied: 0, warnings: [] });
    expect(snapshot(again)).toBe(before);
    await again.close();

    rmSync(join(gitDir, 'grite', 'view.sqlite'));
    rmSync(join(gitDir, 'grite', 'view.sqlite-wal'), { force: true });
    rmSync(join(gitDir, 'grite', 'view.sqlite-shm'), { force: true });
    const fresh = await openStore({ catchUp: false });
    expect(await fresh.catchUp()).toEqual({ commitsRead: 3, eventsApplied: 4, warnings: [] });
    expect(snapshot(fresh)).toBe(before);
    const rebuilt = await fresh.rebuild();
    expect(rebuilt).toEqual({ walHead: r2.walHead, eventCount: 4, commitsRead: 3, warnings: [] });
    expect(snapshot(fresh)).toBe(before);
  });

  it('catches up on commits written by another process, reading only those', async () => {
    const s = await openStore();
    const a = newIssueId();
    await s.append([created(a, 'mine')]);
    await s.append([ev(a, { type: 'LabelAdded', label: 'p1' })]);

    // Another grite process shares the repository's view: its writes show at once.
    const other = await openStore();
    const b = newIssueId();
    await other.append([created(b, 'theirs', BOB)]);
    expect(s.view.getIssue(b)!.title).toBe('theirs');
    expect(await s.catchUp()).toEqual({ commitsRead: 0, eventsApplied: 0, warnings: [] });

    // Writers that only touch git (git fetch, the Rust tool): three commits.
    const bare = Wal.open(gitDir, { fsync: false });
    await bare.append([ev(b, { type: 'LabelAdded', label: 'ext' }, BOB)]);
    await bare.append([ev(a, { type: 'CommentAdded', body: 'from bob' }, BOB)]);
    await bare.append([ev(a, { type: 'CommentAdded', body: 'from alice' }), ev(b, { type: 'AssigneeAdded', user: 'carol' }, BOB)]);
    await bare.close();
    expect(s.view.getIssue(b)!.labels).toEqual(['bug']);

    expect(await s.catchUp()).toEqual({ commitsRead: 4, eventsApplied: 4, warnings: [] });
    expect(s.view.getIssue(b)!.labels).toEqual(['bug', 'ext']);
    expect(s.view.getIssue(b)!.assignees).toEqual(['carol']);
    expect(s.view.getIssue(a)!.comments.map((c) => c.body).sort()).toEqual(['from alice', 'from bob']);
    expect(await s.catchUp()).toEqual({ commitsRead: 0, eventsApplied: 0, warnings: [] });
    expect(await other.catchUp()).toEqual({ commitsRead: 0, eventsApplied: 0, warnings: [] });
  });

  it('after a diverged history reads back only to the merge base', async () => {
    const s = await openStore();
    const a = newIssueId();
    await s.append([created(a, 'base')]);
    const base = (await s.append([ev(a, { type: 'LabelAdded', label: 'base' })])).walHead;
    // Local-only commit.
    const local = [ev(a, { type: 'CommentAdded', body: 'local' })];
    await s.append(local);
    // The remote grew two commits on the base meanwhile.
    const r1 = await s.wal.writeCommits([ev(a, { type: 'CommentAdded', body: 'remote 1' }, BOB)], base);
    const r2 = await s.wal.writeCommits([ev(a, { type: 'AssigneeAdded', user: 'bob' }, BOB)], r1);
    // Sync: the local WAL becomes the remote head plus one commit holding the
    // local-only events (same ids).
    const merged = await s.wal.writeCommits(local, r2);
    git('update-ref', 'refs/grite/wal', merged);

    const r = await s.catchUp();
    expect(r).toEqual({ commitsRead: 3, eventsApplied: 2, warnings: [] });
    const issue = s.view.getIssue(a)!;
    expect(issue.comments.map((c) => c.body).sort()).toEqual(['local', 'remote 1']);
    expect(issue.assignees).toEqual(['bob']);
    expect(s.view.walHead()).toBe(merged);
  });

  it('never writes an event id twice', async () => {
    const s = await openStore();
    const a = newIssueId();
    const first = [created(a, 'once'), ev(a, { type: 'LabelAdded', label: 'x' })];
    const r1 = await s.append(first);
    expect(r1.written.length).toBe(2);
    // A retry of the same request.
    const r2 = await s.append(first);
    expect(r2).toEqual({ walHead: r1.walHead, written: [] });
    // Repeats within one request, and a mix of old and new.
    const extra = ev(a, { type: 'LabelAdded', label: 'y' });
    const r3 = await s.append([first[1]!, extra, extra]);
    expect(r3.written.map((e) => hex(e.eventId))).toEqual([hex(extra.eventId)]);
    expect(commitCount()).toBe(2);

    // Another writer already logged the event; this store's view has not seen it.
    const other = await openStore();
    const late = ev(a, { type: 'LabelAdded', label: 'z' }, BOB);
    await other.append([late]);
    const r4 = await s.append([late]);
    expect(r4.written).toEqual([]);
    expect(commitCount()).toBe(3);
    expect(s.view.getIssue(a)!.labels).toEqual(['bug', 'x', 'y', 'z']);
    await expect(s.append([])).rejects.toMatchObject({ code: 'invalid_args' });
  });

  it('skips an unreadable commit with a warning and reads every other one', async () => {
    const s = await openStore();
    const a = newIssueId();
    const good = (await s.append([created(a, 'good')])).walHead;
    // A commit whose tree lacks the events/ tree.
    const meta = JSON.stringify({ schema_version: 1, actor_id: hex(ALICE), chunk_hash: '00'.repeat(32), prev_wal: good }, null, 2);
    const blob = execFileSync('git', ['hash-object', '-w', '--stdin'], { cwd: dir, input: meta, encoding: 'utf8' }).trim();
    const tree = execFileSync('git', ['mktree'], { cwd: dir, input: `100644 blob ${blob}\tmeta.json\n`, encoding: 'utf8' }).trim();
    const bad = git('commit-tree', tree, '-p', good, '-m', 'WAL: 0 events from a1a1a1a1');
    const after = await s.wal.writeCommits([ev(a, { type: 'CommentAdded', body: 'after' })], bad);
    git('update-ref', 'refs/grite/wal', after);

    const r = await s.catchUp();
    expect(r.commitsRead).toBe(2);
    expect(r.eventsApplied).toBe(1);
    expect(r.warnings.length).toBe(1);
    expect(r.warnings[0]).toBeInstanceOf(GriteError);
    expect(r.warnings[0]!.code).toBe('wal_error');
    expect(r.warnings[0]!.details.commit).toBe(bad);
    expect(s.view.getIssue(a)!.comments.map((c) => c.body)).toEqual(['after']);
    // Recorded as seen: the warning is not repeated, and nothing was deleted.
    expect(await s.catchUp()).toEqual({ commitsRead: 0, eventsApplied: 0, warnings: [] });
    expect(git('cat-file', '-t', bad)).toBe('commit');
    const rebuilt = await s.rebuild();
    expect(rebuilt.warnings.length).toBe(1);
    expect(rebuilt.eventCount).toBe(2);
  });

  it('a view of another schema version is rebuilt from the refs on open', async () => {
    const s = await openStore();
    const a = newIssueId();
    await s.append([created(a, 'kept')]);
    await s.append([ev(a, { type: 'CommentAdded', body: 'c' })]);
    const before = snapshot(s);
    await s.close();
    const raw = new Database(join(gitDir, 'grite', 'view.sqlite'));
    raw.prepare(`UPDATE meta SET value = ? WHERE key = 'schema_version'`).run(String(VIEW_SCHEMA_VERSION - 1));
    raw.close();
    const again = await openStore({ catchUp: false });
    expect(again.view.wasReset).toBe(true);
    expect(await again.catchUp()).toEqual({ commitsRead: 2, eventsApplied: 2, warnings: [] });
    expect(snapshot(again)).toBe(before);
  });

  it('follows the ref when it is deleted or reset to an unrelated history', async () => {
    const s = await openStore();
    const a = newIssueId();
    const old = created(a, 'old');
    await s.append([old]);
    git('update-ref', '-d', 'refs/grite/wal');
    await s.catchUp();
    expect(s.view.stats()).toMatchObject({ eventCount: 0, issueCount: 0, walHead: null });
    // The old event is no longer in the log, so it may be written again.
    const again = await s.append([old]);
    expect(again.written.length).toBe(1);

    const b = newIssueId();
    const root = await s.wal.writeCommits([created(b, 'unrelated', BOB)], null);
    git('update-ref', 'refs/grite/wal', root);
    expect(await s.catchUp()).toEqual({ commitsRead: 1, eventsApplied: 1, warnings: [] });
    expect(s.view.listIssues().issues.map((i) => i.title)).toEqual(['unrelated']);
  });

  it('a view write held off by another process is db_busy; the retry writes nothing twice', async () => {
    const s = await openStore({ view: { busyTimeoutMs: 50 } });
    const a = newIssueId();
    await s.append([created(a, 'x')]);
    const lock = new Database(join(gitDir, 'grite', 'view.sqlite'));
    lock.exec('BEGIN IMMEDIATE');
    const e = ev(a, { type: 'CommentAdded', body: 'busy' });
    try {
      await expect(s.append([e])).rejects.toMatchObject({ code: 'db_busy' });
    } finally {
      lock.exec('ROLLBACK');
      lock.close();
    }
    // The ref moved before the view write failed: the retry finds the event in the log.
    const retry = await s.append([e]);
    expect(retry.written).toEqual([]);
    expect(commitCount()).toBe(2);
    expect(s.view.getIssue(a)!.comments.map((c) => c.body)).toEqual(['busy']);
  });

  it('opens by common dir and refuses use after close', async () => {
    const s = await openStore({ commonDir: gitDir });
    expect(s.griteDir).toBe(join(s.commonDir, 'grite'));
    await s.close();
    await expect(s.catchUp()).rejects.toMatchObject({ code: 'internal_error' });
    await expect(Store.open({ cwd: tmpdir() })).rejects.toBeInstanceOf(GriteError);
  });
});
