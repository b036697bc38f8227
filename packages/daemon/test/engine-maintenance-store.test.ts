/**
 * The engine's maintenance commands over a real repository: snapshots
 * (create, list, gc), rebuild whole and from a snapshot (the same answers to
 * every query, byte for byte), db stats (events since the last rebuild, loose
 * objects), the automatic snapshot after a rebuild, and export in both
 * formats with --since and pages.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { writeRepoConfig } from '@grite/core';
import {
  DbStatsResultT,
  DbStatsT,
  ExportFormat,
  ExportResultT,
  ExportT,
  IssueCommentT,
  IssueListT,
  IssueShowT,
  RebuildResultT,
  RebuildT,
  SnapshotCreateT,
  SnapshotGcResultT,
  SnapshotGcT,
  SnapshotInfoT,
  SnapshotListResultT,
  SnapshotListT,
  IssueSort,
  StateFilter,
} from '@grite/protocol';
import { git, Harness, hex } from './engine-helpers.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

async function comment(hh: Harness, issue: string, body: string): Promise<void> {
  await hh.ok(new IssueCommentT(issue, hh.ts(), body));
}

/** The answers to the queries agents make, as bytes of JSON. */
async function answers(hh: Harness, issues: string[]): Promise<string> {
  const list = await hh.send(new IssueListT(StateFilter.any, [], null, null, IssueSort.id));
  const shows = [];
  for (const id of issues) shows.push(await hh.send(new IssueShowT(id)));
  const replacer = (k: string, v: unknown) => (typeof v === 'bigint' ? String(v) : k === 'requestId' ? undefined : v);
  return JSON.stringify({ list: list.result, shows: shows.map((s) => s.result) }, replacer);
}

describe('snapshots and rebuild through the engine', () => {
  it('creates, lists and collects snapshots; rebuild from one answers every query as a full rebuild', async () => {
    h = await Harness.create();
    const none = await h.err(new SnapshotCreateT());
    expect(none.code).toBe('not_found');
    const issues: string[] = [];
    for (let i = 0; i < 6; i++) issues.push(await h.createIssue(`issue ${i}`, { labels: [`l${i % 2}`] }));
    for (const id of issues.slice(0, 3)) await comment(h, id, `first on ${id}`);
    const snap = await h.ok<SnapshotInfoT>(new SnapshotCreateT());
    expect(snap.ref).toMatch(/^refs\/grite\/snapshots\/\d+$/);
    expect(snap.eventCount).toBe(9);
    expect(snap.walHead).toBe(h.walHead());
    expect(git(h.dir, 'log', '-1', '--format=%s', snap.ref as string)).toBe(`Snapshot: 9 events at ${String(snap.createdTs)}`);
    for (const id of issues.slice(2)) await comment(h, id, `later on ${id}`);

    const full = await h.ok<RebuildResultT>(new RebuildT(false));
    expect(full).toMatchObject({ eventCount: 13, fromSnapshot: false, walHead: h.walHead() });
    const fullAnswers = await answers(h, issues);
    const fromSnap = await h.ok<RebuildResultT>(new RebuildT(true));
    expect(fromSnap).toMatchObject({ eventCount: 13, fromSnapshot: true, walHead: h.walHead() });
    expect(await answers(h, issues)).toBe(fullAnswers);

    await new Promise((r) => setTimeout(r, 2)); // the next snapshot gets another millisecond
    const second = await h.ok<SnapshotInfoT>(new SnapshotCreateT());
    expect(second.eventCount).toBe(13);
    const list = await h.ok<SnapshotListResultT>(new SnapshotListT());
    expect(list.snapshots.map((s) => [s.ref, s.eventCount])).toEqual([
      [second.ref, 13],
      [snap.ref, 9],
    ]);
    const gc = await h.ok<SnapshotGcResultT>(new SnapshotGcT(1));
    expect(gc).toMatchObject({ deleted: [snap.ref], kept: 1 });
    expect((await h.ok<SnapshotListResultT>(new SnapshotListT())).snapshots.map((s) => s.ref)).toEqual([second.ref]);
  });

  it('shows rebuild progress on stderr only when stderr is a terminal', async () => {
    h = await Harness.create();
    await h.createIssue('a');
    const written: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    const wasTty = process.stderr.isTTY;
    process.stderr.write = ((chunk: string | Uint8Array) => (written.push(String(chunk)), true)) as typeof process.stderr.write;
    try {
      process.stderr.isTTY = false;
      await h.ok(new RebuildT(false));
      expect(written).toEqual([]);
      process.stderr.isTTY = true;
      await h.ok(new RebuildT(false));
    } finally {
      process.stderr.write = write;
      process.stderr.isTTY = wasTty;
    }
    expect(written.join('')).toMatch(/\rrebuilding the view: reading the WAL, 1 commits, 1 events/);
    expect(written.at(-1)).toBe('\r\x1b[K');
  });

  it('db stats: events since the last rebuild, loose objects', async () => {
    h = await Harness.create();
    const a = await h.createIssue('a');
    await comment(h, a, 'x');
    const before = await h.ok<DbStatsResultT>(new DbStatsT());
    expect(before).toMatchObject({ eventCount: 2, issueCount: 1, eventsSinceRebuild: 2, walHead: h.walHead() });
    expect(before.looseObjects).toBeGreaterThan(0);
    expect(before.path).toMatch(/view\.sqlite$/);
    await h.ok(new RebuildT(false));
    expect((await h.ok<DbStatsResultT>(new DbStatsT())).eventsSinceRebuild).toBe(0);
    await comment(h, a, 'y');
    await h.createIssue('b');
    expect(await h.ok<DbStatsResultT>(new DbStatsT())).toMatchObject({ eventCount: 4, eventsSinceRebuild: 2 });
  });

  it('takes a snapshot by itself after a rebuild once the log passes snapshot.max_events', async () => {
    h = await Harness.create();
    writeRepoConfig(`${h.commonDir}/grite`, { snapshot: { maxEvents: 5 } });
    for (let i = 0; i < 3; i++) await h.createIssue(`i${i}`);
    await h.ok(new RebuildT(false));
    expect((await h.ok<SnapshotListResultT>(new SnapshotListT())).snapshots).toEqual([]);
    for (let i = 3; i < 6; i++) await h.createIssue(`i${i}`);
    await h.ok(new RebuildT(false));
    const list = (await h.ok<SnapshotListResultT>(new SnapshotListT())).snapshots;
    expect(list.map((s) => s.eventCount)).toEqual([6]);
  });
});

describe('export through the engine', () => {
  it('json: issues and events; md: text; --since and pages', async () => {
    h = await Harness.create();
    const a = await h.createIssue('Alpha', { body: 'alpha body', labels: ['bug'] });
    const b = await h.createIssue('Beta');
    await comment(h, a, 'a comment');
    const json = await h.ok<ExportResultT>(new ExportT(ExportFormat.json));
    expect(json.format).toBe(ExportFormat.json);
    expect(json.text).toBeNull();
    expect(json.issues.map((i) => hex(i.issueId)).sort()).toEqual([a, b].sort());
    expect(json.events).toHaveLength(3);
    expect(json.walHead).toBe(h.walHead());
    expect(json.nextCursor).toBeNull();

    const since = json.events[1]!;
    const later = await h.ok<ExportResultT>(new ExportT(ExportFormat.json, null, hex(since.eventId).slice(0, 8)));
    expect(later.events.map((e) => hex(e.eventId))).toEqual([hex(json.events[2]!.eventId)]);
    expect(later.issues.map((i) => hex(i.issueId))).toEqual([a]);
    const byTs = await h.ok<ExportResultT>(new ExportT(ExportFormat.json, since.ts));
    expect(byTs.events).toHaveLength(1);

    const md = await h.ok<ExportResultT>(new ExportT(ExportFormat.md));
    expect(md.issues).toEqual([]);
    expect(md.text).toMatch(/^# grite export\n/);
    expect(md.text).toContain('## Alpha [open]');
    expect(md.text).toContain('> a comment');

    const p1 = await h.ok<ExportResultT>(new ExportT(ExportFormat.md, null, null, 1));
    expect(p1.nextCursor).not.toBeNull();
    const p2 = await h.ok<ExportResultT>(new ExportT(ExportFormat.md, null, null, 1, p1.nextCursor));
    expect(p2.nextCursor).toBeNull();
    expect(p2.text).not.toMatch(/^# grite export/);
    expect([p1.text, p2.text].join('')).toContain('## Beta [open]');

    const bad = await h.err(new ExportT(ExportFormat.json, null, 'nothex'));
    expect(bad.code).toBe('invalid_args');
    const unknown = await h.err(new ExportT(ExportFormat.json, null, randomBytes(32).toString('hex')));
    expect(unknown.code).toBe('not_found');
  });
});
