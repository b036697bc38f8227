// The engine's encoded-response cache (response-cache.ts) never answers
// with data older than the log: after a write by this engine, after another
// writer moved the WAL (with and without updating the shared view file),
// and after a sync that pulled. Reads go the way the daemon's server sends
// them: `tryCached` first, synchronously, then `handle`.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEvent, fromHex, Store, Wal } from '@grite/core';
import {
  decodeMessage,
  decodeResponse,
  IpcRequest,
  IssueCommentT,
  IssueListResultT,
  IssueListT,
  IssueShowResultT,
  IssueShowT,
  SyncT,
  type IpcCommandObject,
} from '@grite/protocol';
import { ResponseCache } from '../src/engine/response-cache.js';
import { Harness, hex } from './engine-helpers.js';

let scratch: string;
let harnesses: Harness[] = [];

beforeEach(() => {
  scratch = realpathSync(mkdtempSync(join(tmpdir(), 'grite-engine-cache-')));
});

afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
  rmSync(scratch, { recursive: true, force: true });
});

async function harness(remote?: string): Promise<Harness> {
  const h = await Harness.create();
  harnesses.push(h);
  if (remote !== undefined) execFileSync('git', ['remote', 'add', 'origin', remote], { cwd: h.dir });
  return h;
}

/** As the daemon's server does: the warm answer when there is one, else the engine's. */
async function serve(h: Harness, command: IpcCommandObject): Promise<{ bytes: Uint8Array; warm: boolean }> {
  const msg = h.request(command);
  const req = decodeMessage(msg).body(new IpcRequest()) as IpcRequest;
  const warm = h.engine.tryCached(req);
  return warm !== null ? { bytes: warm, warm: true } : { bytes: await h.engine.handle(req), warm: false };
}

async function comments(h: Harness, id: string): Promise<{ bodies: string[]; warm: boolean }> {
  const r = await serve(h, new IssueShowT(id));
  const resp = decodeResponse(r.bytes).unpack();
  expect(resp.ok).toBe(true);
  return { bodies: (resp.result as IssueShowResultT).issue!.comments.map((c) => c.body), warm: r.warm };
}

async function titles(h: Harness): Promise<{ titles: string[]; warm: boolean }> {
  const r = await serve(h, new IssueListT());
  const resp = decodeResponse(r.bytes).unpack();
  expect(resp.ok).toBe(true);
  return { titles: (resp.result as IssueListResultT).issues.map((i) => i.title).sort(), warm: r.warm };
}

function comment(issueHex: string, ts: number, body: string) {
  return createEvent({ issueId: fromHex(issueHex, 16), actor: new Uint8Array(randomBytes(16)), ts, kind: { type: 'CommentAdded', body } });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('warm reads', () => {
  it('answers a repeated read from the cache, byte for byte the same apart from the request id', async () => {
    const h = await harness();
    const id = await h.createIssue('cached', { body: 'b' });
    const first = await serve(h, new IssueShowT(id));
    const second = await serve(h, new IssueShowT(id));
    expect(first.warm).toBe(false);
    expect(second.warm).toBe(true);
    const a = decodeResponse(first.bytes).unpack();
    const b = decodeResponse(second.bytes).unpack();
    expect(a.requestId).not.toEqual(b.requestId);
    expect({ ...b, requestId: a.requestId }).toEqual(a);
  });

  it('a read after a write by this engine sees the write', async () => {
    const h = await harness();
    const id = await h.createIssue('one');
    expect((await titles(h)).titles).toEqual(['one']);
    expect((await titles(h)).warm).toBe(true);
    await h.createIssue('two');
    expect((await titles(h)).titles).toEqual(['one', 'two']);
    await comments(h, id);
    expect(await comments(h, id)).toEqual({ bodies: [], warm: true });
    await h.ok(new IssueCommentT(id, h.ts(), 'hello'));
    expect((await comments(h, id)).bodies).toEqual(['hello']);
  });

  it('a read after another writer moved the WAL and the shared view file sees the write', async () => {
    const h = await harness();
    const id = await h.createIssue('shared');
    await comments(h, id);
    expect((await comments(h, id)).warm).toBe(true);
    // Another writer: its own Store on the same repository (its own WAL
    // reader and View object) moves the ref and the shared view.sqlite.
    const other = await Store.open({ commonDir: h.commonDir });
    try {
      await other.append([comment(id, 1_800_000_000_000, 'from another store')]);
      expect(await comments(h, id)).toEqual({ bodies: ['from another store'], warm: false });
      // Once the stat of the ref is old enough to be trusted, a move is still seen.
      await sleep(250);
      await comments(h, id);
      expect((await comments(h, id)).warm).toBe(true);
      await other.append([comment(id, 1_800_000_000_001, 'again')]);
      expect((await comments(h, id)).bodies).toEqual(['from another store', 'again']);
    } finally {
      await other.close();
    }
  });

  it('a read after the WAL ref moved with no view update (git, the Rust tool) sees the write', async () => {
    const h = await harness();
    const id = await h.createIssue('moved');
    await sleep(250);
    await comments(h, id);
    expect((await comments(h, id)).warm).toBe(true);
    const wal = Wal.open(h.commonDir);
    try {
      await wal.append([comment(id, 1_800_000_000_000, 'written to git only')]);
    } finally {
      await wal.close();
    }
    expect((await comments(h, id)).bodies).toEqual(['written to git only']);
  });

  it('a move by another writer right after a write by this engine (a ref younger than the racy window) is seen', async () => {
    const h = await harness();
    const id = await h.createIssue('pinned');
    await h.ok(new IssueCommentT(id, h.ts(), 'mine'));
    await comments(h, id);
    expect(await comments(h, id)).toEqual({ bodies: ['mine'], warm: true });
    const wal = Wal.open(h.commonDir);
    try {
      await wal.append([comment(id, 1_800_000_000_000, 'right after')]);
    } finally {
      await wal.close();
    }
    expect((await comments(h, id)).bodies).toEqual(['mine', 'right after']);
  });

  it('a read after a sync that pulled sees the pulled events', async () => {
    const origin = join(scratch, 'origin.git');
    execFileSync('git', ['init', '-q', '--bare', origin]);
    const a = await harness(origin);
    const b = await harness(origin);
    const id = await a.createIssue('synced');
    await a.ok(new SyncT());
    await b.ok(new SyncT(null, true, false));
    expect((await comments(b, id)).bodies).toEqual([]);
    expect((await comments(b, id)).warm).toBe(true);
    expect((await titles(b)).titles).toEqual(['synced']);
    await a.ok(new IssueCommentT(id, a.ts(), 'from a'));
    await a.createIssue('second');
    await a.ok(new SyncT());
    await b.ok(new SyncT(null, true, false));
    expect((await comments(b, id)).bodies).toEqual(['from a']);
    expect((await titles(b)).titles).toEqual(['second', 'synced']);
  });

  it('stays within its entry and byte bounds', async () => {
    const h = await harness();
    for (let i = 0; i < 3; i++) await h.createIssue(`issue ${i}`);
    const ids = (await titles(h)).titles;
    expect(ids).toHaveLength(3);
    const cache = new ResponseCache({ maxEntries: 2, maxBytes: 1 << 20, maxEntryBytes: 1 << 20 });
    const reqId = new Uint8Array(16);
    const keyOf = (cmd: IpcCommandObject) => ResponseCache.keyOf(decodeMessage(h.request(cmd)).body(new IpcRequest()) as IpcRequest)!;
    const list = (await h.ok<IssueListResultT>(new IssueListT()));
    for (let n = 1; n <= 4; n++) cache.put(keyOf(new IssueListT(n)), 's', reqId, list);
    expect(cache.size).toBe(2);
    // The two most recent stay.
    expect(cache.get(keyOf(new IssueListT(4)), 's', reqId)).not.toBeNull();
    expect(cache.get(keyOf(new IssueListT(1)), 's', reqId)).toBeNull();
    // Another stamp drops everything.
    expect(cache.get(keyOf(new IssueListT(4)), 't', reqId)).toBeNull();
    expect(cache.size).toBe(0);

    const one = cache.put(keyOf(new IssueListT(1)), 't', reqId, list).length;
    const small = new ResponseCache({ maxEntries: 100, maxBytes: one * 2, maxEntryBytes: one });
    for (let n = 1; n <= 5; n++) small.put(keyOf(new IssueListT(n)), 's', reqId, list);
    expect(small.size).toBe(2);
    expect(small.heldBytes).toBeLessThanOrEqual(one * 2);
    const tiny = new ResponseCache({ maxEntryBytes: 8 });
    const answer = tiny.put(keyOf(new IssueListT(1)), 's', reqId, list);
    expect(decodeResponse(answer).ok()).toBe(true);
    expect(tiny.size).toBe(0);
    // Only the pure reads are keyed at all.
    expect(ResponseCache.keyOf(decodeMessage(h.request(new IssueCommentT(hex(randomBytes(16)), 1n, 'x'))).body(new IpcRequest()) as IpcRequest)).toBeNull();
  });
});
