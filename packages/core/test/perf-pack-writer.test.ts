// Group commits of several actors write their objects as one small pack
// (src/git/pack-writer.ts) instead of loose files: git must read those
// packs (fsck, verify-pack, cat-file), in SHA-1 and SHA-256 repositories, a
// running cat-file reader must find objects packed after it started, and
// the packs must roll up once there are many.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEvent, fromHex } from '../src/codec/index.js';
import type { Event } from '../src/event.js';
import { Wal, countLooseObjects } from '../src/git/index.js';
import { countPacks } from '../src/git/pack-writer.js';
import { makeRepo, type TempRepo } from './fixtures/helpers.js';

const ISSUE = fromHex('000102030405060708090a0b0c0d0e0f');
let repos: TempRepo[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup();
});

function repo(initArgs: string[] = []): TempRepo {
  const r = makeRepo('grite-perf-pack-', initArgs);
  repos.push(r);
  return r;
}

function actor(i: number): Uint8Array {
  return fromHex(i.toString(16).padStart(2, '0').repeat(16));
}

function comments(n: number, from: number, body: string): Event[] {
  return Array.from({ length: n }, (_, i) =>
    createEvent({ issueId: ISSUE, actor: actor(from + i), ts: 1_700_000_000_000 + from + i, kind: { type: 'CommentAdded', body: `${body} ${i} ${'x'.repeat(i * 40)}` } }),
  );
}

function packFiles(r: TempRepo): string[] {
  return readdirSync(join(r.gitDir, 'objects', 'pack')).filter((n) => n.endsWith('.pack'));
}

describe.each([['sha1', []], ['sha256', ['--object-format=sha256']]] as const)('group pack (%s)', (_name, initArgs) => {
  it('several actors: one pack, no loose objects, and git reads it all', async () => {
    const r = repo([...initArgs]);
    const wal = Wal.open(r.gitDir);
    try {
      // A reader started before the pack exists.
      expect(await wal.readAll()).toMatchObject({ head: null, events: [] });
      const first = await wal.append(comments(1, 1, 'alone'));
      await wal.readAll(first.head);
      const events = comments(5, 10, 'group');
      const { head } = await wal.append(events);
      expect(packFiles(r)).toHaveLength(1);
      expect(await countLooseObjects(r.gitDir)).toBe(8); // the single-actor commit stays loose
      const read = await wal.readAll(head);
      expect(read.bad).toEqual([]);
      expect(read.commits).toBe(6);
      expect(read.events.map((e) => e.eventId)).toEqual([...comments(1, 1, 'alone'), ...events].map((e) => e.eventId));
      r.git(['fsck', '--strict', '--no-dangling']);
      const pack = join(r.gitDir, 'objects', 'pack', packFiles(r)[0]!);
      const verify = r.git(['verify-pack', '-v', pack.replace(/\.pack$/, '.idx')]);
      expect(verify).toMatch(/ok$/m);
      expect(r.git(['rev-list', '--count', 'refs/grite/wal']).trim()).toBe('6');
      expect(r.git(['cat-file', '-p', `${head}:meta.json`])).toContain('"schema_version": 1');
    } finally {
      await wal.close();
    }
  });
});

describe('pack consolidation', () => {
  it('rolls the group packs up once the repository holds the threshold, and every event still reads', async () => {
    const r = repo();
    const wal = Wal.open(r.gitDir, { packConsolidate: 4 });
    const all: Event[] = [];
    try {
      for (let round = 0; round < 6; round++) {
        const events = comments(3, round * 10 + 1, `round ${round}`);
        all.push(...events);
        await wal.append(events);
      }
    } finally {
      await wal.close(); // waits for the background repack
    }
    expect(countPacks(r.gitDir)).toBeLessThan(4);
    r.git(['fsck', '--strict', '--no-dangling']);
    const again = Wal.open(r.gitDir);
    try {
      const read = await again.readAll();
      expect(read.events.map((e) => e.eventId)).toEqual(all.map((e) => e.eventId));
    } finally {
      await again.close();
    }
  });
});
