// Faults made for real in temporary repositories, for the doctor tests (not a
// test file itself): loose objects rewritten or deleted behind git's back, WAL
// commits forged with core's own object writers, views deleted, downgraded or
// left behind, and the event ids that are readable anywhere (WAL or view).
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync, inflateSync } from 'node:zlib';
import { expect } from 'vitest';
import { chunkHash, chunkPath, createEvent, encodeChunk, metaJson, newActorId, newIssueId, toHex } from '../src/codec/index.js';
import type { Event } from '../src/event.js';
import { buildCommit, buildTree, casRef, hashObject, readRef, writePreparedObjects } from '../src/git/index.js';
import { Store } from '../src/store.js';
import { inspectViewFile, readViewEvents, type ViewFileState } from '../src/doctor/index.js';

export function git(dir: string, args: string[], input?: string): string {
  return execFileSync('git', args, { cwd: dir, input, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 1 << 28 }).toString('utf8').trim();
}

/** `n` events: an issue created every 5 events, comments in between, one actor, growing times. */
export function someEvents(n: number, start: number, actor = newActorId()): Event[] {
  const out: Event[] = [];
  let issue = newIssueId();
  for (let i = 0; i < n; i++) {
    if (i % 5 === 0) {
      issue = newIssueId();
      out.push(createEvent({ issueId: issue, actor, ts: start + i, kind: { type: 'IssueCreated', title: `issue ${start + i}`, body: 'body', labels: ['x'] } }));
    } else {
      out.push(createEvent({ issueId: issue, actor, ts: start + i, kind: { type: 'CommentAdded', body: `comment ${start + i}` } }));
    }
  }
  return out;
}

/** Appends `batches` commits of `size` events each through the store. */
export async function seed(store: Store, batches: number, size: number, start = 1_700_000_000_000): Promise<void> {
  for (let b = 0; b < batches; b++) await store.append(someEvents(size, start + b * 1000));
}

/** The WAL's commits, newest first. */
export function walCommits(dir: string): string[] {
  return git(dir, ['rev-list', 'refs/grite/wal']).split('\n').filter(Boolean);
}

/** The chunk blob of a WAL commit. */
export function chunkBlob(dir: string, commit: string): string {
  const line = git(dir, ['ls-tree', '-r', commit]).split('\n').find((l) => l.endsWith('.bin'));
  expect(line).toBeDefined();
  return line!.split(/\s+/)[2]!;
}

function loosePath(dir: string, oid: string): string {
  return join(dir, 'objects', oid.slice(0, 2), oid.slice(2));
}

/** Makes every object loose (unpacks each pack, then drops it), so that one object can be damaged alone. */
export function explodePacks(dir: string): void {
  const packDir = join(dir, 'objects', 'pack');
  if (!existsSync(packDir)) return;
  for (const f of readdirSync(packDir).filter((n) => n.endsWith('.pack'))) {
    const base = join(packDir, f.slice(0, -'.pack'.length));
    const moved = `${base}.unpacking`;
    renameSync(`${base}.pack`, moved);
    for (const ext of ['.idx', '.rev', '.bitmap']) rmSync(`${base}${ext}`, { force: true });
    execFileSync('git', ['unpack-objects', '-q'], { cwd: dir, input: readFileSync(moved), env: { ...process.env, GIT_DIR: dir } });
    rmSync(moved);
  }
}

/** Rewrites object `oid` as a loose object with other content (git does not re-hash on read: bit rot). */
export function corruptLoose(dir: string, oid: string, mutate: (data: Uint8Array) => Uint8Array): void {
  if (!existsSync(loosePath(dir, oid))) explodePacks(dir);
  const p = loosePath(dir, oid);
  const raw = inflateSync(readFileSync(p));
  const nul = raw.indexOf(0);
  const type = raw.subarray(0, raw.indexOf(0x20)).toString();
  const data = mutate(new Uint8Array(raw.subarray(nul + 1)));
  chmodSync(p, 0o644);
  writeFileSync(p, deflateSync(Buffer.concat([Buffer.from(`${type} ${data.length}\0`), data])));
}

export function deleteLoose(dir: string, oid: string): void {
  if (!existsSync(loosePath(dir, oid))) explodePacks(dir);
  rmSync(loosePath(dir, oid));
}

/** Packs every object, then damages object `oid` inside the pack (a byte of its compressed data). */
export function corruptPacked(dir: string, oid: string): void {
  git(dir, ['repack', '-a', '-d', '-q']);
  const packDir = join(dir, 'objects', 'pack');
  const idx = readdirSync(packDir).find((n) => n.endsWith('.idx'))!;
  const line = git(dir, ['verify-pack', '-v', join(packDir, idx)]).split('\n').find((l) => l.startsWith(`${oid} `));
  expect(line).toBeDefined();
  const offset = Number(line!.split(/\s+/)[4]);
  const pack = join(packDir, idx.replace(/\.idx$/, '.pack'));
  const bytes = readFileSync(pack);
  bytes[offset + 6] ^= 0x55;
  chmodSync(pack, 0o644);
  writeFileSync(pack, bytes);
}

/** Changes the first "comment" text in a chunk to "Comment": same length, still CBOR, the ids no longer match. */
export function alterText(data: Uint8Array): Uint8Array {
  const text = Buffer.from(data).toString('latin1');
  const at = text.indexOf('comment ');
  expect(at).toBeGreaterThan(0);
  const out = new Uint8Array(data);
  out[at] = 'C'.charCodeAt(0);
  return out;
}

/** A WAL commit holding `chunk` as it is (meta.json's chunk_hash is its true hash) on top of the head; the ref moves to it. */
export async function forgeWalCommit(dir: string, chunk: Uint8Array, firstEvent: Event): Promise<string> {
  const head = await readRef(dir, 'refs/grite/wal');
  const hash = chunkHash(chunk);
  const parts = chunkPath([firstEvent], hash).split('/');
  const objects = [];
  const blob = hashObject('blob', chunk);
  objects.push(blob);
  let oid = blob.oid;
  let mode: '100644' | '40000' = '100644';
  for (let i = parts.length - 1; i >= 1; i--) {
    const t = hashObject('tree', buildTree([{ mode, name: parts[i]!, oid }]));
    objects.push(t);
    oid = t.oid;
    mode = '40000';
  }
  const meta = hashObject('blob', new TextEncoder().encode(metaJson({ actorId: firstEvent.actor, chunkHash: hash, prevWal: head })));
  objects.push(meta);
  const root = hashObject('tree', buildTree([{ mode: '100644', name: 'meta.json', oid: meta.oid }, { mode: '40000', name: 'events', oid }]));
  objects.push(root);
  const ident = { name: 'grite', email: 'grit@local', seconds: 1_700_000_000 };
  const commit = hashObject(
    'commit',
    buildCommit({ tree: root.oid, parents: head === null ? [] : [head], author: ident, committer: ident, message: `WAL: 1 events from ${toHex(firstEvent.actor).slice(0, 8)}` }),
  );
  objects.push(commit);
  await writePreparedObjects(dir, objects);
  expect(await casRef(dir, 'refs/grite/wal', commit.oid, head)).toBe(true);
  return commit.oid;
}

/** A chunk of `events` with one event's text changed after its id was computed. */
export function chunkWithBadId(events: Event[]): Uint8Array {
  return alterText(encodeChunk(events));
}

/** Event ids in the view file (read without opening it through View). */
export function viewIds(path: string): Set<string> {
  const st = inspectViewFile(path);
  if (st.state !== 'ok') return new Set();
  return new Set(readViewEvents(path, () => true).events.map((e) => toHex(e.eventId)));
}

/** Event ids readable from the WAL at its head. */
export async function walIds(store: Store): Promise<Set<string>> {
  return new Set((await store.wal.readAll()).events.map((e) => toHex(e.eventId)));
}

/** What is readable anywhere: the view's events and the WAL's. */
export async function readableIds(store: Store): Promise<Set<string>> {
  return new Set([...viewIds(store.view.path), ...(await walIds(store))]);
}

/** Looks at the view file, then opens the store without catching up, as doctor sees it. */
export async function openForDoctor(commonDir: string): Promise<{ store: Store; preflight: ViewFileState }> {
  const preflight = inspectViewFile(join(commonDir, 'grite', 'view.sqlite'));
  const store = await Store.open({ commonDir, catchUp: false });
  return { store, preflight };
}

export function expectSuperset(after: Set<string>, before: Set<string>): void {
  const lost = [...before].filter((id) => !after.has(id));
  expect(lost).toEqual([]);
}
