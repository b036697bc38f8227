import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chunkHash, createEvent, decodeKind, encodeCbor, encodeChunk, fromHex, metaJson, toHex, type CborValue } from '../src/codec/index.js';
import type { Event, EventKind } from '../src/event.js';
import { Wal, countLooseObjects } from '../src/git/index.js';
import { makeRepo, rejected, type TempRepo } from './fixtures/helpers.js';

interface Vectors {
  vectors: Array<{ issue_id: string; actor: string; ts_unix_ms: number; parent: string | null; kind_tag: number; kind_payload: unknown[] }>;
  chunk: { hex: string; chunk_hash: string; path: string };
  meta_json: string;
}
const fixtures = JSON.parse(readFileSync(new URL('./fixtures/grite-vectors.json', import.meta.url), 'utf8')) as Vectors;

const ACTOR_A = fromHex('101112131415161718191a1b1c1d1e1f');
const ACTOR_B = fromHex('a0a1a2a3a4a5a6a7a8a9aaabacadaeaf');
const ISSUE = fromHex('000102030405060708090a0b0c0d0e0f');

function comment(actor: Uint8Array, body: string, ts = 1700000000000): Event {
  return createEvent({ issueId: ISSUE, actor, ts, kind: { type: 'CommentAdded', body } });
}

let repo: TempRepo;
let wal: Wal;
beforeEach(() => {
  repo = makeRepo();
  wal = Wal.open(repo.gitDir, { now: () => 1700000123456 });
});
afterEach(async () => {
  await wal.close();
  repo.cleanup();
});

describe('WAL writer output, checked with git', () => {
  it('the vector chunk as the first commit: tree layout, chunk bytes, meta.json, author, message', async () => {
    const events = fixtures.vectors.slice(0, 2).map((v) =>
      createEvent({
        issueId: fromHex(v.issue_id),
        actor: fromHex(v.actor),
        ts: v.ts_unix_ms,
        parent: v.parent === null ? null : fromHex(v.parent),
        kind: decodeKind(v.kind_tag, encodeCbor(v.kind_payload as CborValue)),
      }),
    );
    const { head, written } = await wal.append(events);
    expect(written).toEqual(events);
    expect(repo.git(['rev-parse', 'refs/grite/wal']).trim()).toBe(head);

    const raw = repo.git(['cat-file', 'commit', head]);
    const tree = repo.git(['rev-parse', `${head}^{tree}`]).trim();
    expect(raw).toBe(
      `tree ${tree}\nauthor grite <grit@local> 1700000123 +0000\ncommitter grite <grit@local> 1700000123 +0000\n\nWAL: 2 events from 10111213`,
    );
    expect(repo.git(['ls-tree', '--name-only', head]).split('\n').filter(Boolean)).toEqual(['events', 'meta.json']);
    const files = repo.git(['ls-tree', '-r', head]).trim().split('\n');
    expect(files).toHaveLength(2);
    expect(files[0]).toMatch(new RegExp(`^100644 blob [0-9a-f]{40}\\t${fixtures.chunk.path}$`));
    expect(files[1]).toMatch(/^100644 blob [0-9a-f]{40}\tmeta\.json$/);
    expect(repo.gitRaw(['cat-file', 'blob', `${head}:${fixtures.chunk.path}`]).toString('hex')).toBe(fixtures.chunk.hex);
    expect(repo.git(['cat-file', 'blob', `${head}:meta.json`])).toBe(fixtures.meta_json);
    expect(repo.git(['fsck', '--strict', '--no-dangling']).trim()).toBe('');
  });

  it('chains commits: one parent, prev_wal in meta.json, one commit per actor in order of appearance', async () => {
    const first = await wal.append([comment(ACTOR_A, 'one')]);
    const events = [comment(ACTOR_B, 'b1'), comment(ACTOR_A, 'a1'), comment(ACTOR_B, 'b2')];
    const second = await wal.append(events);
    const log = repo.git(['log', '--format=%H %P|%s|%an <%ae>|%cn <%ce>', 'refs/grite/wal']).trim().split('\n');
    expect(log).toHaveLength(3);
    const [tip, middle, root] = log.map((l) => l.split('|'));
    expect(tip![1]).toBe('WAL: 1 events from 10111213');
    expect(middle![1]).toBe('WAL: 2 events from a0a1a2a3');
    expect(root![1]).toBe('WAL: 1 events from 10111213');
    expect(tip![2]).toBe('grite <grit@local>');
    expect(tip![3]).toBe('grite <grit@local>');
    const [tipOid, tipParent] = tip![0]!.split(' ');
    const [midOid, midParent] = middle![0]!.split(' ');
    expect(tipOid).toBe(second.head);
    expect(midParent).toBe(first.head);
    expect(tipParent).toBe(midOid);
    const metaMid = repo.git(['cat-file', 'blob', `${midOid}:meta.json`]);
    const chunkB = repo.gitRaw(['cat-file', 'blob', `${midOid}:${repo.git(['ls-tree', '-r', '--name-only', midOid]).split('\n')[0]}`]);
    expect(metaMid).toBe(metaJson({ actorId: ACTOR_B, chunkHash: chunkHash(chunkB), prevWal: first.head }));
    expect(chunkB.toString('hex')).toBe(toHex(encodeChunk([events[0]!, events[2]!])));
    expect(repo.git(['fsck', '--strict', '--no-dangling']).trim()).toBe('');
  });

  it('writeCommits writes objects only; the ref stays', async () => {
    const { head } = await wal.append([comment(ACTOR_A, 'x')]);
    const tip = await wal.writeCommits([comment(ACTOR_A, 'y')], head);
    expect(repo.git(['rev-parse', 'refs/grite/wal']).trim()).toBe(head);
    expect(repo.git(['rev-parse', `${tip}^`]).trim()).toBe(head);
    expect(await wal.head()).toBe(head);
  });

  it('moveRef moves the ref only from the head named; the objects written stay readable', async () => {
    const { head } = await wal.append([comment(ACTOR_A, 'x')]);
    const tip = await wal.writeCommits([comment(ACTOR_A, 'y')], head);
    const other = await wal.writeCommits([comment(ACTOR_B, 'z')], head);
    // Not at `tip`'s parent any more once `other` moved it: nothing moves.
    expect(await wal.moveRef(other, head)).toBe(true);
    expect(await wal.moveRef(tip, head)).toBe(false);
    expect(await wal.head()).toBe(other);
    expect(await wal.moveRef(tip, null)).toBe(false);
    expect(await wal.head()).toBe(other);
    const r = await wal.readAll();
    expect(r.events.map((e) => (e.kind as { body: string }).body).sort()).toEqual(['x', 'z']);
    expect(repo.git(['fsck', '--strict', '--no-dangling']).trim()).toBe('');
  });

  it('refuses an event whose id does not match, before writing anything', async () => {
    const e = comment(ACTOR_A, 'x');
    const forged: Event = { ...e, kind: { type: 'CommentAdded', body: 'changed' } as EventKind };
    const before = await countLooseObjects(repo.gitDir);
    expect((await rejected(wal.append([comment(ACTOR_B, 'fine'), forged]))).code).toBe('invalid_args');
    expect(await countLooseObjects(repo.gitDir)).toBe(before);
    expect(await wal.head()).toBeNull();
  });

  it('beforeWrite sees the head it builds on; an empty result writes nothing', async () => {
    const { head } = await wal.append([comment(ACTOR_A, 'x')]);
    const seen: Array<string | null> = [];
    const r = await wal.append([comment(ACTOR_A, 'x')], {
      beforeWrite: async (h) => {
        seen.push(h);
        return [];
      },
    });
    expect(seen).toEqual([head]);
    expect(r).toEqual({ head, written: [] });
  });

  it('a lost race is retried on the new head and both land', async () => {
    const other = Wal.open(repo.gitDir);
    const mine = comment(ACTOR_A, 'mine', 1700000000001);
    const theirs = comment(ACTOR_B, 'theirs', 1700000000002);
    const heads: Array<string | null> = [];
    const r = await wal.append([mine], {
      beforeWrite: async (h) => {
        heads.push(h);
        if (heads.length === 1) await other.append([theirs]); // moves the ref under us
        return [mine];
      },
    });
    await other.close();
    expect(heads).toHaveLength(2);
    expect(heads[0]).toBeNull();
    expect(heads[1]).toBe(repo.git(['rev-parse', `${r.head}^`]).trim());
    const all = await wal.readAll();
    expect(all.events.map((e) => toHex(e.eventId))).toEqual([toHex(theirs.eventId), toHex(mine.eventId)]);
  });

  it('gives up with conflict at the deadline, pointing at a stale lock', async () => {
    await wal.append([comment(ACTOR_A, 'x')]);
    const lock = join(repo.gitDir, 'refs/grite/wal.lock');
    writeFileSync(lock, '');
    const err = await rejected(wal.append([comment(ACTOR_A, 'y')], { deadlineMs: 150 }));
    expect(err.code).toBe('conflict');
    expect(err.hint).toContain(lock);
    expect(existsSync(lock)).toBe(true);
  });

  it('packs loose objects once enough pile up, and everything still reads', async () => {
    const packing = Wal.open(repo.gitDir, { autoPack: 40 });
    for (let i = 0; i < 8; i++) await packing.append([comment(ACTOR_A, `e${i}`, 1700000000000 + i)]);
    await packing.close(); // waits for the background repack
    expect(packing.lastPackError).toBeNull();
    expect(await countLooseObjects(repo.gitDir)).toBeLessThan(40);
    expect(repo.git(['count-objects', '-v'])).toMatch(/packs: [1-9]/);
    const all = await wal.readAll();
    expect(all.events).toHaveLength(8);
    expect(all.bad).toEqual([]);
  });

  it('works in a SHA-256 repository', async () => {
    const r256 = makeRepo('grite-core-sha256-', ['--object-format=sha256']);
    const w = Wal.open(r256.gitDir);
    try {
      const a = await w.append([comment(ACTOR_A, 'one')]);
      const b = await w.append([comment(ACTOR_B, 'two'), comment(ACTOR_A, 'three')]);
      expect(a.head).toMatch(/^[0-9a-f]{64}$/);
      expect(r256.git(['rev-parse', 'refs/grite/wal']).trim()).toBe(b.head);
      expect(r256.git(['cat-file', 'blob', `${b.head}:meta.json`])).toContain('"prev_wal": "');
      expect(r256.git(['fsck', '--strict', '--no-dangling']).trim()).toBe('');
      const all = await w.readAll();
      expect(all.events.map((e) => (e.kind.type === 'CommentAdded' ? e.kind.body : ''))).toEqual(['one', 'two', 'three']);
      expect(all.bad).toEqual([]);
    } finally {
      await w.close();
      r256.cleanup();
    }
  });
});
