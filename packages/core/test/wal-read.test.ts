// Reading WALs written with git plumbing alone (hash-object, mktree,
// commit-tree, update-ref): never with core's writer, so the reader is checked
// against the format rather than against itself.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chunkHash, chunkPath, createEvent, encodeChunk, fromHex, metaJson, toHex } from '../src/codec/index.js';
import type { Event } from '../src/event.js';
import { Wal, type WalWalkEntry } from '../src/git/index.js';
import { makeRepo, rejected, type TempRepo } from './fixtures/helpers.js';

const ACTOR_A = fromHex('101112131415161718191a1b1c1d1e1f');
const ACTOR_B = fromHex('a0a1a2a3a4a5a6a7a8a9aaabacadaeaf');
const ISSUE = fromHex('000102030405060708090a0b0c0d0e0f');

let repo: TempRepo;
let wal: Wal;
beforeEach(() => {
  repo = makeRepo();
  wal = Wal.open(repo.gitDir);
});
afterEach(async () => {
  await wal.close();
  repo.cleanup();
});

let clock = 1700000000000;
function ev(actor: Uint8Array, body: string): Event {
  return createEvent({ issueId: ISSUE, actor, ts: clock++, kind: { type: 'CommentAdded', body } });
}

interface PlumbingCommit {
  chunk?: Uint8Array;
  /** Override meta.json text. */
  meta?: (m: { chunkHash: string; prevWal: string | null }) => string;
  /** Override the chunk path's file name. */
  fileName?: (hash: string) => string;
  /** Use this blob id for the chunk instead of writing one. */
  chunkOid?: string;
  prevWal?: string | null;
  actor?: Uint8Array;
}

/** One WAL commit made by git plumbing: blobs, nested trees, commit-tree, update-ref. */
function plumbingCommit(events: Event[], parent: string | null, o: PlumbingCommit = {}): string {
  const chunk = o.chunk ?? encodeChunk(events);
  const hash = chunkHash(chunk);
  const path = chunkPath(events, hash).split('/');
  const chunkOid = o.chunkOid ?? repo.git(['hash-object', '-w', '--stdin'], { input: chunk }).trim();
  const prevWal = o.prevWal === undefined ? parent : o.prevWal;
  const metaText = o.meta
    ? o.meta({ chunkHash: hash, prevWal })
    : metaJson({ actorId: o.actor ?? events[0]!.actor, chunkHash: hash, prevWal });
  const metaOid = repo.git(['hash-object', '-w', '--stdin'], { input: metaText }).trim();
  const fileName = o.fileName ? o.fileName(hash) : path[4]!;
  let oid = repo.git(['mktree', '--missing'], { input: `100644 blob ${chunkOid}\t${fileName}\n` }).trim();
  for (const dir of [path[3], path[2], path[1]]) {
    oid = repo.git(['mktree'], { input: `040000 tree ${oid}\t${dir}\n` }).trim();
  }
  const root = repo.git(['mktree'], { input: `100644 blob ${metaOid}\tmeta.json\n040000 tree ${oid}\tevents\n` }).trim();
  const args = ['commit-tree', root, ...(parent ? ['-p', parent] : [])];
  const commit = repo.git(args, {
    input: `WAL: ${events.length} events from ${toHex(events[0]!.actor).slice(0, 8)}`,
    env: { GIT_AUTHOR_NAME: 'grite', GIT_AUTHOR_EMAIL: 'grit@local', GIT_COMMITTER_NAME: 'grite', GIT_COMMITTER_EMAIL: 'grit@local' },
  }).trim();
  repo.git(['update-ref', 'refs/grite/wal', commit]);
  return commit;
}

async function collect(gen: AsyncGenerator<WalWalkEntry>): Promise<WalWalkEntry[]> {
  const out: WalWalkEntry[] = [];
  for await (const e of gen) out.push(e);
  return out;
}

const ids = (events: Event[]): string[] => events.map((e) => toHex(e.eventId));

describe('reading a WAL written by git plumbing', () => {
  it('reads commits newest first and events oldest first, chunk order kept', async () => {
    const e1 = [ev(ACTOR_A, 'a1'), ev(ACTOR_A, 'a2')];
    const e2 = [ev(ACTOR_B, 'b1')];
    const e3 = [ev(ACTOR_A, 'a3'), ev(ACTOR_A, 'a4'), ev(ACTOR_A, 'a5')];
    const c1 = plumbingCommit(e1, null);
    const c2 = plumbingCommit(e2, c1);
    const c3 = plumbingCommit(e3, c2);

    expect(await wal.head()).toBe(c3);
    const walked = await collect(wal.walk(c3));
    expect(walked.map((w) => [w.oid, w.prevWal])).toEqual([
      [c3, c2],
      [c2, c1],
      [c1, null],
    ]);
    const commit = await wal.readCommit(c2);
    expect(commit).toEqual({
      oid: c2,
      prevWal: c1,
      actorId: toHex(ACTOR_B),
      chunkHash: chunkHash(encodeChunk(e2)),
      chunkPath: chunkPath(e2, chunkHash(encodeChunk(e2))),
      events: e2,
    });
    const all = await wal.readAll();
    expect(all.head).toBe(c3);
    expect(all.bad).toEqual([]);
    expect(all.commits).toBe(3);
    expect(ids(all.events)).toEqual(ids([...e1, ...e2, ...e3]));
    expect(await wal.readAll(c2)).toMatchObject({ head: c2, commits: 2 });
  });

  it('an empty WAL reads as nothing', async () => {
    expect(await wal.head()).toBeNull();
    expect(await wal.readAll()).toEqual({ head: null, events: [], bad: [], commits: 0 });
  });

  it('keeps records of unknown tags, and appends after a foreign commit', async () => {
    const unknown = createEvent({
      issueId: ISSUE,
      actor: ACTOR_A,
      ts: clock++,
      kind: { type: 'Unknown', tag: 40, payloadCbor: fromHex('82016178') },
    });
    const c1 = plumbingCommit([ev(ACTOR_A, 'x'), unknown], null);
    const { head } = await wal.append([ev(ACTOR_B, 'y')]);
    expect(repo.git(['rev-parse', `${head}^`]).trim()).toBe(c1);
    const all = await wal.readAll();
    expect(all.events[1]!.kind).toEqual({ type: 'Unknown', tag: 40, payloadCbor: fromHex('82016178') });
    expect(all.events).toHaveLength(3);
  });

  it('follows prev_wal where it differs from the git parent', async () => {
    const c1 = plumbingCommit([ev(ACTOR_A, '1')], null);
    const c2 = plumbingCommit([ev(ACTOR_A, '2')], c1);
    const c3 = plumbingCommit([ev(ACTOR_A, '3')], c2, { prevWal: c1 });
    const walked = await collect(wal.walk(c3));
    expect(walked.map((w) => w.oid)).toEqual([c3, c1]);
  });

  it('stops before the first commit stopAt accepts, reading nothing older', async () => {
    const commits: string[] = [];
    let parent: string | null = null;
    for (let i = 0; i < 12; i++) {
      parent = plumbingCommit([ev(ACTOR_A, `e${i}`)], parent);
      commits.push(parent);
    }
    const before = wal.catFile.requests;
    const walked = await collect(wal.walk(commits[11]!, { stopAt: (oid) => oid === commits[8] }));
    expect(walked.map((w) => w.oid)).toEqual([commits[11], commits[10], commits[9]]);
    // Three commits read, each: root tree, meta.json, chunk.
    expect(wal.catFile.requests - before).toBe(9);
    expect(await collect(wal.walk(commits[11]!, { stopAt: () => true }))).toEqual([]);
  });

  it('walks long logs across listing windows (the first lists 64 commits)', async () => {
    const events: Event[] = [];
    let parent: string | null = null;
    for (let i = 0; i < 70; i++) {
      const e = ev(i % 2 ? ACTOR_A : ACTOR_B, `n${i}`);
      events.push(e);
      parent = plumbingCommit([e], parent);
    }
    const all = await wal.readAll();
    expect(all.commits).toBe(70);
    expect(ids(all.events)).toEqual(ids(events));
  });
});

describe('bad commits', () => {
  it('bad magic, wrong chunk hash, a mismatched event id, unreadable meta.json, a missing blob: each named, the rest reads', async () => {
    const good = [ev(ACTOR_A, 'g0')];
    const c0 = plumbingCommit(good, null);

    // 1. Bad magic (meta.json's hash matches the bytes, so only the decode fails).
    const badMagicEvents = [ev(ACTOR_A, 'bad magic')];
    const badMagic = encodeChunk(badMagicEvents);
    badMagic[0] = 0x58;
    const c1 = plumbingCommit(badMagicEvents, c0, { chunk: badMagic });

    const g1 = [ev(ACTOR_B, 'g1')];
    const c2 = plumbingCommit(g1, c1);

    // 2. Wrong chunk hash: meta.json and the file name name another hash.
    const wrongHashEvents = [ev(ACTOR_A, 'wrong hash')];
    const c3 = plumbingCommit(wrongHashEvents, c2, {
      meta: (m) => metaJson({ actorId: ACTOR_A, chunkHash: 'ab'.repeat(32), prevWal: m.prevWal }),
      fileName: () => `${'ab'.repeat(32)}.bin`,
    });

    // 3. An event id that does not match its content (hash recomputed over the tampered bytes).
    const tamperedEvents = [ev(ACTOR_B, 'tampered')];
    const tampered = encodeChunk(tamperedEvents);
    const at = toHex(tampered).indexOf(toHex(new TextEncoder().encode('tampered'))) / 2;
    tampered[at] = 0x54; // 't' -> 'T'
    const c4 = plumbingCommit(tamperedEvents, c3, { chunk: tampered });

    const g2 = [ev(ACTOR_A, 'g2')];
    const c5 = plumbingCommit(g2, c4);

    // 4. meta.json is not JSON: the walk falls back to the git parent.
    const c6 = plumbingCommit([ev(ACTOR_A, 'bad meta')], c5, { meta: () => '{ not json' });

    // 5. The chunk blob is missing.
    const c7 = plumbingCommit([ev(ACTOR_B, 'missing')], c6, { chunkOid: 'cd'.repeat(20) });

    const g3 = [ev(ACTOR_B, 'g3')];
    const c8 = plumbingCommit(g3, c7);

    const all = await wal.readAll();
    expect(all.head).toBe(c8);
    expect(ids(all.events)).toEqual(ids([...good, ...g1, ...g2, ...g3]));
    expect(all.bad.map((b) => b.oid)).toEqual([c7, c6, c4, c3, c1]);
    for (const b of all.bad) {
      expect(b.error.code).toBe('wal_error');
      expect(b.error.message).toContain(b.oid);
      expect(b.error.details).toMatchObject({ commit: b.oid });
    }
    const byOid = new Map(all.bad.map((b) => [b.oid, b.error]));
    expect(byOid.get(c1)!.message).toMatch(/magic/);
    expect(byOid.get(c3)!.message).toMatch(/chunk hash is [0-9a-f]{64}, meta.json says (ab){32}/);
    expect(byOid.get(c4)!.message).toMatch(/does not match its content/);
    expect(byOid.get(c4)!.details).toMatchObject({ event_id: toHex(tamperedEvents[0]!.eventId) });
    expect(byOid.get(c6)!.message).toMatch(/meta\.json/);
    expect(byOid.get(c7)!.message).toMatch(/missing/);

    // readCommit throws the same errors.
    for (const c of [c1, c3, c4, c6, c7]) {
      const err = await rejected(wal.readCommit(c));
      expect(err.code).toBe('wal_error');
      expect(err.details).toMatchObject({ commit: c });
    }
    // The walk reports where it went from each bad commit.
    const walked = await collect(wal.walk(c8));
    expect(walked.find((w) => w.oid === c6)!.prevWal).toBe(c5); // git parent fallback
    expect(walked.find((w) => w.oid === c4)!.prevWal).toBe(c3); // prev_wal from meta.json
  });

  it('a head that is not a commit, or does not exist, is one bad entry', async () => {
    const blob = repo.git(['hash-object', '-w', '--stdin'], { input: 'x' }).trim();
    const walked = await collect(wal.walk(blob));
    expect(walked).toHaveLength(1);
    expect(walked[0]!.error!.code).toBe('wal_error');
    const missing = await collect(wal.walk('ef'.repeat(20)));
    expect(missing[0]!.error!.message).toContain('ef'.repeat(20));
    expect((await rejected(wal.readCommit('nope'))).code).toBe('wal_error');
  });

  it('walking: a commit with an extra entry is bad; a commit repeating an older chunk still reads', async () => {
    const e1 = [ev(ACTOR_A, 'first')];
    const c1 = plumbingCommit(e1, null);
    // c2 repeats c1's chunk (same blob, same trees below events/): rev-list
    // lists none of them again, so c2 is read object by object.
    const c2 = plumbingCommit(e1, c1);
    const e3 = [ev(ACTOR_B, 'third')];
    const c3 = plumbingCommit(e3, c2);
    // c4: c3's layout plus a README at the root.
    const e4 = [ev(ACTOR_A, 'fourth')];
    const plain = plumbingCommit(e4, c3);
    const listing = repo.git(['ls-tree', plain]);
    const extra = repo.git(['hash-object', '-w', '--stdin'], { input: 'extra' }).trim();
    const tree = repo.git(['mktree'], { input: `${listing}100644 blob ${extra}\tREADME\n` }).trim();
    const c4 = repo.git(['commit-tree', tree, '-p', c3], { input: 'x' }).trim();
    const e5 = [ev(ACTOR_B, 'fifth')];
    const c5 = plumbingCommit(e5, c4, { prevWal: c4 });
    const walked = await collect(wal.walk(c5));
    expect(walked.map((w) => w.oid)).toEqual([c5, c4, c3, c2, c1]);
    expect(walked[1]!.error?.message).toMatch(/3 entries/);
    expect(walked[1]!.prevWal).toBe(c3);
    expect(ids(walked[3]!.commit!.events)).toEqual(ids(e1));
    const all = await wal.readAll(c5);
    expect(ids(all.events)).toEqual(ids([...e1, ...e1, ...e3, ...e5]));
  });

  it('a tree with extra entries is bad', async () => {
    const e = [ev(ACTOR_A, 'x')];
    const c = plumbingCommit(e, null);
    const tree = repo.git(['rev-parse', `${c}^{tree}`]).trim();
    const listing = repo.git(['ls-tree', tree]);
    const extra = repo.git(['hash-object', '-w', '--stdin'], { input: 'extra' }).trim();
    const tree2 = repo.git(['mktree'], { input: `${listing}100644 blob ${extra}\tREADME\n` }).trim();
    const c2 = repo.git(['commit-tree', tree2], { input: 'x' }).trim();
    const err = await rejected(wal.readCommit(c2));
    expect(err.message).toMatch(/3 entries/);
  });
});
