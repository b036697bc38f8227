// Snapshot refs in the format of DESIGN.md section 2, checked against what
// git itself reads: a parentless commit with the exact message and identity,
// snapshot.json's exact bytes, events/0000.bin ... chunks of at most 1000
// events in the GRITECNK format; a snapshot written with git's own plumbing
// (as another tool would) reads back; list order, gc --keep, and when a
// snapshot is due.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { chunkHash, createEvent, decodeChunk, newActorId, newIssueId, toHex } from '../src/codec/index.js';
import type { Event } from '../src/event.js';
import {
  autoSnapshot,
  createSnapshot,
  gcSnapshots,
  listSnapshots,
  parseSnapshotJson,
  readSnapshotEvents,
  snapshotDue,
  snapshotJson,
  writeSnapshot,
  type SnapshotInfo,
} from '../src/snapshot/index.js';
import { Scratch, scratchSuite } from './sync-harness.js';

const suite = scratchSuite();
let scratch: Scratch;

const open = suite.open;

function events(n: number, start = 1_700_000_000_000): Event[] {
  const actor = newActorId();
  const out: Event[] = [];
  let issue = newIssueId();
  for (let i = 0; i < n; i++) {
    if (i % 10 === 0) {
      issue = newIssueId();
      out.push(createEvent({ issueId: issue, actor, ts: start + i, kind: { type: 'IssueCreated', title: `t${i}`, body: 'b', labels: ['z', 'a'] } }));
    } else {
      out.push(createEvent({ issueId: issue, actor, ts: start + i, kind: { type: 'CommentAdded', body: `c${i}` } }));
    }
  }
  return out;
}

describe('snapshot format', () => {
  it('writes a parentless commit with snapshot.json and chunks of at most 1000 events', async () => {
    scratch = suite.scratch('grite-snapfmt-');
    const s = await open(scratch.repo('a'));
    const evs = events(2500);
    for (let i = 0; i < evs.length; i += 500) await s.append(evs.slice(i, i + 500));
    const head = (await s.wal.head())!;
    const { snapshot } = await createSnapshot(s.wal, { now: () => 1_712_345_678_901 });
    const dir = s.commonDir;

    expect(snapshot.ref).toBe('refs/grite/snapshots/1712345678901');
    expect(git(dir, ['rev-parse', snapshot.ref]).trim()).toBe(snapshot.oid);
    const raw = git(dir, ['cat-file', 'commit', snapshot.oid]);
    expect(raw).not.toMatch(/^parent /m);
    expect(raw).toMatch(/^author grite <grit@local> 1712345678 \+0000$/m);
    expect(raw).toMatch(/^committer grite <grit@local> 1712345678 \+0000$/m);
    expect(raw.endsWith('\n\nSnapshot: 2500 events at 1712345678901')).toBe(true);

    expect(git(dir, ['ls-tree', snapshot.oid])).toMatch(/^040000 tree [0-9a-f]{40}\tevents\n100644 blob [0-9a-f]{40}\tsnapshot\.json\n$/);
    const names = git(dir, ['ls-tree', '--name-only', `${snapshot.oid}:events`]).trim().split('\n');
    expect(names).toEqual(['0000.bin', '0001.bin', '0002.bin']);

    const json = git(dir, ['cat-file', 'blob', `${snapshot.oid}:snapshot.json`]);
    const chunks = names.map((n) => execBytes(dir, `${snapshot.oid}:events/${n}`));
    expect(chunks.map((c) => decodeChunk(c).length)).toEqual([1000, 1000, 500]);
    expect(new TextDecoder().decode(chunks[0]!.subarray(0, 18))).toBe('GRITECNK\u0001\u0000\u0007cbor-v1');
    const expected =
      '{\n' +
      '  "schema_version": 1,\n' +
      '  "created_ts": 1712345678901,\n' +
      `  "wal_head": "${head}",\n` +
      '  "event_count": 2500,\n' +
      '  "chunks": [\n' +
      names
        .map(
          (n, i) =>
            '    {\n' +
            `      "path": "events/${n}",\n` +
            `      "chunk_hash": "${chunkHash(chunks[i]!)}",\n` +
            `      "event_count": ${[1000, 1000, 500][i]}\n` +
            '    }',
        )
        .join(',\n') +
      '\n  ]\n' +
      '}';
    expect(json).toBe(expected);
    expect(snapshotJson(parseSnapshotJson(json))).toBe(json);

    // The events read back, verified, in log order.
    const back = await readSnapshotEvents(dir, snapshot);
    expect(back.map((e) => toHex(e.eventId))).toEqual(evs.map((e) => toHex(e.eventId)));
    // git agrees the objects are sound.
    git(dir, ['fsck', '--no-dangling', '--strict']);
  });

  it('reads a snapshot made with git plumbing, as another tool writes it', async () => {
    scratch = suite.scratch('grite-snapfmt-');
    const s = await open(scratch.repo('a'));
    const evs = events(30);
    await s.append(evs);
    const head = (await s.wal.head())!;
    const dir = s.commonDir;
    // Chunk bytes from a snapshot of ours, everything else by git.
    const ours = await writeSnapshot(dir, { walHead: head, events: evs, now: () => 1_000 });
    const chunk = execBytes(dir, `${ours.oid}:events/0000.bin`);
    const blob = git(dir, ['hash-object', '-w', '--stdin'], chunk);
    const meta = JSON.stringify(
      { schema_version: 1, created_ts: 2000, wal_head: head, event_count: 30, chunks: [{ path: 'events/0000.bin', chunk_hash: chunkHash(chunk), event_count: 30 }] },
      null,
      2,
    );
    const metaBlob = git(dir, ['hash-object', '-w', '--stdin'], meta);
    const evTree = git(dir, ['mktree'], `100644 blob ${blob}\t0000.bin\n`);
    const root = git(dir, ['mktree'], `100644 blob ${metaBlob}\tsnapshot.json\n040000 tree ${evTree}\tevents\n`);
    const commit = git(dir, ['commit-tree', root, '-m', 'Snapshot: 30 events at 2000']);
    git(dir, ['update-ref', 'refs/grite/snapshots/2000', commit]);

    const list = await listSnapshots(dir);
    expect(list.map((x) => [x.ref, x.createdTs, x.eventCount, x.walHead])).toEqual([
      ['refs/grite/snapshots/2000', 2000, 30, head],
      ['refs/grite/snapshots/1000', 1000, 30, head],
    ]);
    const back = await readSnapshotEvents(dir, list[0]!);
    expect(back.map((e) => toHex(e.eventId))).toEqual(evs.map((e) => toHex(e.eventId)));
  });

  it('lists unreadable snapshots with their error, newest first by the number in the ref', async () => {
    scratch = suite.scratch('grite-snapfmt-');
    const s = await open(scratch.repo('a'));
    await s.append(events(5));
    const dir = s.commonDir;
    await createSnapshot(s.wal, { now: () => 900 });
    await createSnapshot(s.wal, { now: () => 10_000 });
    const blob = git(dir, ['hash-object', '-w', '--stdin'], '{"schema_version": 2}');
    const root = git(dir, ['mktree'], `100644 blob ${blob}\tsnapshot.json\n`);
    git(dir, ['update-ref', 'refs/grite/snapshots/5000', git(dir, ['commit-tree', root, '-m', 'x'])]);
    const list = await listSnapshots(dir);
    expect(list.map((x) => x.ref)).toEqual(['refs/grite/snapshots/10000', 'refs/grite/snapshots/5000', 'refs/grite/snapshots/900']);
    expect(list[1]!.meta).toBeNull();
    expect(list[1]!.error).toMatch(/unsupported schema_version 2/);
    await expect(readSnapshotEvents(dir, list[1]!)).rejects.toMatchObject({ code: 'wal_error' });
  });

  it('refuses to snapshot an empty log', async () => {
    scratch = suite.scratch('grite-snapfmt-');
    const s = await open(scratch.repo('a'));
    await expect(createSnapshot(s.wal)).rejects.toMatchObject({ code: 'not_found' });
    expect(await listSnapshots(s.commonDir)).toEqual([]);
  });

  it('takes the next millisecond when a snapshot of the same one exists', async () => {
    scratch = suite.scratch('grite-snapfmt-');
    const s = await open(scratch.repo('a'));
    await s.append(events(3));
    const a = await createSnapshot(s.wal, { now: () => 5_000 });
    const b = await createSnapshot(s.wal, { now: () => 5_000 });
    expect([a.snapshot.ref, b.snapshot.ref]).toEqual(['refs/grite/snapshots/5000', 'refs/grite/snapshots/5001']);
    expect(git(s.commonDir, ['log', '-1', '--format=%B', b.snapshot.ref]).trim()).toBe('Snapshot: 3 events at 5001');
  });
});

describe('snapshot gc', () => {
  it('keeps the newest N and never touches the WAL', async () => {
    scratch = suite.scratch('grite-snapfmt-');
    const s = await open(scratch.repo('a'));
    await s.append(events(4));
    const head = await s.wal.head();
    for (const t of [100, 300, 200, 500, 400]) await createSnapshot(s.wal, { now: () => t });
    const r = await gcSnapshots(s.commonDir, 2);
    expect(r).toEqual({ deleted: ['refs/grite/snapshots/300', 'refs/grite/snapshots/200', 'refs/grite/snapshots/100'], kept: 2 });
    expect((await listSnapshots(s.commonDir)).map((x) => x.ref)).toEqual(['refs/grite/snapshots/500', 'refs/grite/snapshots/400']);
    expect(await s.wal.head()).toBe(head);
    expect(await gcSnapshots(s.commonDir, 5)).toEqual({ deleted: [], kept: 2 });
    expect(await gcSnapshots(s.commonDir, 0)).toEqual({ deleted: ['refs/grite/snapshots/500', 'refs/grite/snapshots/400'], kept: 0 });
    await expect(gcSnapshots(s.commonDir, -1)).rejects.toMatchObject({ code: 'invalid_args' });
  });
});

describe('when a snapshot is due', () => {
  const info = (eventCount: number, createdTs: number): SnapshotInfo => ({
    ref: `refs/grite/snapshots/${createdTs}`,
    oid: '0'.repeat(40),
    createdTs,
    walHead: '1'.repeat(40),
    eventCount,
    meta: null,
    error: null,
  });
  const policy = { maxEvents: 100, maxAgeDays: 7 };
  const day = 86_400_000;

  it('only for a log of at least max_events', () => {
    expect(snapshotDue(99, null, policy, 0).due).toBe(false);
    expect(snapshotDue(100, null, policy, 0)).toMatchObject({ due: true, reason: expect.stringMatching(/no snapshot/) });
    expect(snapshotDue(10_000, null, { maxEvents: 0, maxAgeDays: 7 }, 0).due).toBe(false);
  });

  it('when max_events arrived since the newest, or it is old and the log grew', () => {
    expect(snapshotDue(150, info(100, 0), policy, 1).due).toBe(false);
    expect(snapshotDue(200, info(100, 0), policy, 1).due).toBe(true);
    expect(snapshotDue(101, info(100, 0), policy, 8 * day).due).toBe(true);
    expect(snapshotDue(100, info(100, 0), policy, 8 * day).due).toBe(false);
    expect(snapshotDue(101, info(100, 0), { maxEvents: 100, maxAgeDays: 0 }, 80 * day).due).toBe(false);
  });

  it('autoSnapshot creates one only when due', async () => {
    scratch = suite.scratch('grite-snapfmt-');
    const s = await open(scratch.repo('a'));
    const evs = events(260);
    const p = { maxEvents: 100, maxAgeDays: 7 };
    let now = 1_000_000;
    const clock = () => now;
    await s.append(evs.slice(0, 90));
    expect(await autoSnapshot(s, { policy: p, now: clock })).toBeNull();
    await s.append(evs.slice(90, 120));
    const first = await autoSnapshot(s, { policy: p, now: clock });
    expect(first?.eventCount).toBe(120);
    now += 1;
    expect(await autoSnapshot(s, { policy: p, now: clock })).toBeNull();
    await s.append(evs.slice(120, 260));
    now += 1;
    const second = await autoSnapshot(s, { policy: p, now: clock });
    expect(second?.eventCount).toBe(260);
    expect((await listSnapshots(s.commonDir)).map((x) => x.eventCount)).toEqual([260, 120]);
  });

  it('autoSnapshot reads the threshold from config.toml', async () => {
    scratch = suite.scratch('grite-snapfmt-');
    const s = await open(scratch.repo('a'));
    const { writeRepoConfig } = await import('../src/repo/index.js');
    writeRepoConfig(s.griteDir, { snapshot: { maxEvents: 20 } });
    await s.append(events(25));
    expect((await autoSnapshot(s))?.eventCount).toBe(25);
  });
});

/** git in `dir`, with `input` on stdin; stdout as text (trimmed of one final newline for plumbing ids). */
function git(dir: string, args: string[], input?: string | Uint8Array): string {
  const out = execFileSync('git', args, { cwd: dir, input, stdio: ['pipe', 'pipe', 'pipe'] }).toString('utf8');
  return ['hash-object', 'mktree', 'commit-tree', 'rev-parse'].includes(args[0]!) ? out.trim() : out;
}

function execBytes(dir: string, obj: string): Uint8Array {
  return new Uint8Array(execFileSync('git', ['cat-file', 'blob', obj], { cwd: dir }));
}
