/**
 * Chained appends (Store.stageAppend / commitStaged, the daemon's pipelined
 * group commits): a group staged on the tip of one not committed yet lands
 * after it, in order; a group whose parent is not the ref when its turn
 * comes moves nothing and touches no view; an event already in the log or
 * the view is not staged again.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEvent } from '../src/codec/index.js';
import type { Event } from '../src/event.js';
import { Wal } from '../src/git/index.js';
import { Store } from '../src/store.js';

let dir: string;
let gitDir: string;
const open: Store[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'grite-staged-'));
  execFileSync('git', ['init', '-q', dir]);
  gitDir = join(dir, '.git');
});
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

async function openStore(): Promise<Store> {
  const s = await Store.open({ commonDir: gitDir, wal: { packMinCommits: 1 } });
  open.push(s);
  return s;
}

const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
const head = () => git('rev-parse', 'refs/grite/wal');

let ts = 1_700_000_000_000;
function created(actorByte: number, title: string): Event {
  return createEvent({
    issueId: Uint8Array.from({ length: 16 }, () => Math.floor(Math.random() * 256)),
    actor: new Uint8Array(16).fill(actorByte),
    ts: ts++,
    kind: { type: 'IssueCreated', title, body: '', labels: [] },
  });
}

async function logTitles(): Promise<string[]> {
  const wal = Wal.open(gitDir);
  try {
    const r = await wal.readAll();
    expect(r.bad).toEqual([]);
    return r.events.map((e) => (e.kind.type === 'IssueCreated' ? e.kind.title : '?'));
  } finally {
    await wal.close();
  }
}

describe('stageAppend and commitStaged', () => {
  it('a group staged on an uncommitted tip lands after it, and not before', async () => {
    const s = await openStore();
    await s.append([created(1, 'first')]);
    const a = (await s.stageAppend([created(1, 'a1'), created(2, 'a2')]))!;
    expect(a.parent).toBe(head());
    const b = (await s.stageAppend([created(3, 'b1')], a.tip))!;
    expect(b.parent).toBe(a.tip);
    expect(await s.commitStaged(b)).toBeNull(); // its parent is not the ref yet
    expect(s.view.stats().eventCount).toBe(1);
    expect(await s.commitStaged(a)).toMatchObject({ walHead: a.tip });
    expect(await s.commitStaged(b)).toMatchObject({ walHead: b.tip });
    expect(head()).toBe(b.tip);
    expect(s.view.walHead()).toBe(b.tip);
    expect(await logTitles()).toEqual(['first', 'a1', 'a2', 'b1']);
    git('fsck', '--strict', '--no-dangling');
  });

  it('a group whose parent is no longer the ref moves nothing; appending it again lands it once', async () => {
    const s = await openStore();
    await s.append([created(1, 'first')]);
    const staged = (await s.stageAppend([created(1, 'mine')]))!;
    const other = await openStore(); // another process moves the ref meanwhile
    await other.append([created(2, 'theirs')]);
    const moved = head();
    expect(await s.commitStaged(staged)).toBeNull();
    expect(head()).toBe(moved);
    const r = await s.append(staged.events);
    expect(r.written).toHaveLength(1);
    expect(await logTitles()).toEqual(['first', 'theirs', 'mine']);
    expect(s.view.stats().eventCount).toBe(3);
  });

  it('events already in the log or repeated are not staged; nothing left: null', async () => {
    const s = await openStore();
    const e = created(1, 'once');
    await s.append([e]);
    expect(await s.stageAppend([e, e])).toBeNull();
    const f = created(1, 'new');
    const staged = (await s.stageAppend([e, f, f]))!;
    expect(staged.events.map((x) => x.eventId)).toEqual([f.eventId]);
    await s.commitStaged(staged);
    expect(await logTitles()).toEqual(['once', 'new']);
  });

  it('the first group of an empty log', async () => {
    const s = await openStore();
    const staged = (await s.stageAppend([created(1, 'zero')]))!;
    expect(staged.parent).toBeNull();
    expect(await s.commitStaged(staged)).toMatchObject({ walHead: staged.tip });
    expect(await logTitles()).toEqual(['zero']);
  });
});

describe('packing after staged commits', () => {
  it('rolls the small packs of staged commits up in the background, as after appends', async () => {
    const s = await Store.open({ commonDir: gitDir, wal: { packMinCommits: 1, packConsolidate: 4 } });
    let parent: string | null = null;
    for (let i = 0; i < 12; i++) {
      const staged = (await s.stageAppend([created(1, `t${i}`)], parent))!;
      expect(await s.commitStaged(staged)).not.toBeNull();
      parent = staged.tip;
    }
    await s.close(); // waits for the background repack
    const packs = git('count-objects', '-v')
      .split('\n')
      .find((l) => l.startsWith('packs:'))!;
    // One pack a batch without roll-ups: 12.
    expect(Number(packs.split(':')[1])).toBeLessThan(12);
    expect(await logTitles()).toEqual(Array.from({ length: 12 }, (_, i) => `t${i}`));
  });
});
