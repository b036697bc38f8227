/**
 * Snapshots of the log (format.ts): create, list, read, garbage-collect, and
 * the policy that says when one is due.
 *
 * A snapshot is a cache of the log, like the view: it never replaces the WAL,
 * and deleting one loses nothing. Creating one writes objects in process and
 * moves the new ref by compare-and-swap from "absent" (two snapshots in the
 * same millisecond: the later one takes the next millisecond). Reading one
 * verifies every chunk's hash and every event id; a snapshot that fails is
 * reported and skipped, never trusted.
 */
import { GriteError } from '../errors.js';
import type { Event } from '../event.js';
import { chunkHash, decodeChunk, encodeChunk } from '../codec/chunk.js';
import { toHex } from '../codec/hex.js';
import { CatFile } from '../git/cat-file.js';
import { buildCommit, buildTree, hashObject, writePreparedObjects, type PreparedObject } from '../git/objects.js';
import { casRef } from '../git/refs.js';
import { repoFormat } from '../git/repo-format.js';
import { runGit } from '../git/run-git.js';
import { listRefs } from '../locks/list-refs.js';
import type { SnapshotPolicy } from '../repo/config.js';
import {
  parseSnapshotJson,
  snapshotChunkPath,
  snapshotJson,
  snapshotMessage,
  snapshotRefName,
  snapshotRefTime,
  SNAPSHOT_CHUNK_EVENTS,
  SNAPSHOT_IDENT,
  SNAPSHOT_REF_PREFIX,
  SNAPSHOT_SCHEMA_VERSION,
  type SnapshotMeta,
} from './format.js';

/** A snapshot ref as listed. */
export interface SnapshotInfo {
  /** refs/grite/snapshots/<unix_ms> */
  ref: string;
  /** The snapshot commit. */
  oid: string;
  /** Unix ms: snapshot.json's created_ts, else the ref's number, else 0. */
  createdTs: number;
  /** The WAL head the snapshot holds the log of ('' when snapshot.json is unreadable). */
  walHead: string;
  eventCount: number;
  /** Parsed snapshot.json; null when it cannot be read. */
  meta: SnapshotMeta | null;
  /** Why snapshot.json cannot be read; null when it can. */
  error: string | null;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Runs `fn` with `catFile`, or with a reader of its own that is closed afterwards. */
export async function withCatFile<T>(commonDir: string, catFile: CatFile | undefined, fn: (c: CatFile) => Promise<T>): Promise<T> {
  if (catFile !== undefined) return fn(catFile);
  const own = new CatFile(commonDir);
  try {
    return await fn(own);
  } finally {
    await own.close();
  }
}

function timeOf(ref: string): number {
  return snapshotRefTime(ref) ?? -1;
}

/**
 * Every ref under refs/grite/snapshots/, newest first (by the number in the
 * ref's name; names that are not a number sort last), with its snapshot.json
 * read. A snapshot whose snapshot.json cannot be read is listed with `error`.
 */
export async function listSnapshots(commonDir: string, opts: { catFile?: CatFile } = {}): Promise<SnapshotInfo[]> {
  const refs = await listRefs(commonDir, SNAPSHOT_REF_PREFIX);
  const names = [...refs.keys()].sort((a, b) => timeOf(b) - timeOf(a) || (a < b ? 1 : a > b ? -1 : 0));
  if (names.length === 0) return [];
  return withCatFile(commonDir, opts.catFile, async (cat) => {
    const blobs = await Promise.all(names.map((ref) => cat.read(`${refs.get(ref)!}:snapshot.json`).catch(() => null)));
    return names.map((ref, i): SnapshotInfo => {
      const oid = refs.get(ref)!;
      const blob = blobs[i];
      const base = { ref, oid, createdTs: Math.max(0, timeOf(ref)), walHead: '', eventCount: 0 };
      if (!blob || blob.type !== 'blob') return { ...base, meta: null, error: `${ref} (${oid}) has no snapshot.json` };
      try {
        const meta = parseSnapshotJson(decoder.decode(blob.data));
        return { ...base, createdTs: meta.createdTs, walHead: meta.walHead, eventCount: meta.eventCount, meta, error: null };
      } catch (e) {
        return { ...base, meta: null, error: `${ref} (${oid}): ${(e as Error).message}` };
      }
    });
  });
}

/**
 * The events of a snapshot, in its chunk order, after checking each chunk's
 * hash against snapshot.json, each event id against its content and each
 * count. GriteError('wal_error') naming the snapshot when anything fails.
 */
export async function readSnapshotEvents(commonDir: string, snap: SnapshotInfo, opts: { catFile?: CatFile } = {}): Promise<Event[]> {
  const fail = (why: string, cause?: unknown): never => {
    throw new GriteError('wal_error', `snapshot ${snap.ref} (${snap.oid}): ${why}`, {
      hint: 'Snapshots are a cache: `grite rebuild` without --from-snapshot reads the WAL itself; `grite snapshot gc` removes old ones.',
      details: { ref: snap.ref, commit: snap.oid },
      cause,
    });
  };
  if (snap.meta === null) fail(snap.error ?? 'snapshot.json cannot be read');
  const meta = snap.meta!;
  return withCatFile(commonDir, opts.catFile, async (cat) => {
    const blobs = await Promise.all(meta.chunks.map((c) => cat.read(`${snap.oid}:${c.path}`)));
    const events: Event[] = [];
    meta.chunks.forEach((c, i) => {
      const blob = blobs[i];
      if (!blob || blob.type !== 'blob') fail(`chunk ${c.path} is missing`);
      const actual = chunkHash(blob!.data);
      if (actual !== c.chunkHash) fail(`chunk ${c.path} hashes to ${actual}, snapshot.json says ${c.chunkHash}`);
      let chunk: Event[] = [];
      try {
        chunk = decodeChunk(blob!.data);
      } catch (e) {
        fail(`chunk ${c.path}: ${(e as Error).message}`, e);
      }
      if (chunk.length !== c.eventCount) fail(`chunk ${c.path} holds ${chunk.length} events, snapshot.json says ${c.eventCount}`);
      for (const e of chunk) events.push(e);
    });
    return events;
  });
}

export interface CreateSnapshotOptions {
  /** The WAL head the events are the log of. */
  walHead: string;
  /** The log's events (duplicates of an id are written once, the first kept). */
  events: readonly Event[];
  /** Clock for the ref name and commit time (default Date.now). */
  now?: () => number;
  /** fsync the objects and the ref (default true). */
  fsync?: boolean;
}

/**
 * Writes a snapshot of `events` (the log at `walHead`) and its ref. Throws
 * GriteError('not_found') when there are no events (an empty log has no
 * snapshot) and ('invalid_args') when an event id does not match its content.
 */
export async function writeSnapshot(commonDir: string, opts: CreateSnapshotOptions): Promise<SnapshotInfo> {
  const seen = new Set<string>();
  const events = opts.events.filter((e) => {
    const k = toHex(e.eventId);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  if (events.length === 0) {
    throw new GriteError('not_found', 'nothing to snapshot: the log holds no events', { hint: 'Create an issue first.' });
  }
  const format = repoFormat(commonDir).objectFormat;
  const fsync = opts.fsync ?? true;
  const objects: PreparedObject[] = [];
  const put = (type: 'blob' | 'tree' | 'commit', data: Uint8Array): string => {
    const o = hashObject(type, data, format);
    objects.push(o);
    return o.oid;
  };
  const chunks: SnapshotMeta['chunks'] = [];
  const entries: { mode: '100644'; name: string; oid: string }[] = [];
  for (let i = 0, n = 0; i < events.length; i += SNAPSHOT_CHUNK_EVENTS, n++) {
    const group = events.slice(i, i + SNAPSHOT_CHUNK_EVENTS);
    const bytes = encodeChunk(group);
    const path = snapshotChunkPath(n);
    entries.push({ mode: '100644', name: path.slice('events/'.length), oid: put('blob', bytes) });
    chunks.push({ path, chunkHash: chunkHash(bytes), eventCount: group.length });
  }
  const eventsTree = put('tree', buildTree(entries, format));
  const now = opts.now ?? Date.now;
  let ms = now();
  for (let attempt = 0; attempt < 1000; attempt++, ms++) {
    const meta: SnapshotMeta = { schemaVersion: SNAPSHOT_SCHEMA_VERSION, createdTs: ms, walHead: opts.walHead, eventCount: events.length, chunks };
    const metaOid = put('blob', new TextEncoder().encode(snapshotJson(meta)));
    const root = put(
      'tree',
      buildTree(
        [
          { mode: '100644', name: 'snapshot.json', oid: metaOid },
          { mode: '40000', name: 'events', oid: eventsTree },
        ],
        format,
      ),
    );
    const ident = { ...SNAPSHOT_IDENT, seconds: Math.floor(ms / 1000) };
    const commit = put('commit', buildCommit({ tree: root, parents: [], author: ident, committer: ident, message: snapshotMessage(events.length, ms) }, format));
    await writePreparedObjects(commonDir, objects, { fsync });
    objects.length = 0;
    const ref = snapshotRefName(ms);
    if (await casRef(commonDir, ref, commit, null, { fsync })) {
      return { ref, oid: commit, createdTs: ms, walHead: opts.walHead, eventCount: events.length, meta, error: null };
    }
  }
  throw new GriteError('conflict', 'could not name the snapshot: every ref tried already exists', { hint: 'Retry the command.' });
}

export interface SnapshotGcResult {
  /** The refs deleted, newest first. */
  deleted: string[];
  /** Snapshots left. */
  kept: number;
}

/**
 * Deletes every snapshot ref but the newest `keep` (each by compare-and-swap
 * on the commit listed, so a ref replaced meanwhile stays). Only refs are
 * deleted; the WAL is never touched.
 */
export async function gcSnapshots(commonDir: string, keep: number): Promise<SnapshotGcResult> {
  if (!Number.isSafeInteger(keep) || keep < 0) {
    throw new GriteError('invalid_args', `keep must be a non-negative integer, got ${String(keep)}`);
  }
  const refs = await listRefs(commonDir, SNAPSHOT_REF_PREFIX);
  const names = [...refs.keys()].sort((a, b) => timeOf(b) - timeOf(a) || (a < b ? 1 : a > b ? -1 : 0));
  const deleted: string[] = [];
  for (const ref of names.slice(keep)) {
    const r = await runGit(commonDir, ['update-ref', '--no-deref', '-d', ref, refs.get(ref)!], { allowFailure: true });
    if (r.code === 0) deleted.push(ref);
  }
  return { deleted, kept: names.length - deleted.length };
}

export interface SnapshotDue {
  due: boolean;
  /** Why (or why not), one sentence. */
  reason: string;
}

const DAY_MS = 86_400_000;

/**
 * Whether a log of `eventCount` events needs a new snapshot under `policy`:
 * only a log of at least `maxEvents` events does (0 turns snapshots off),
 * when it has no readable snapshot, when `maxEvents` events arrived since the
 * newest, or when the newest is older than `maxAgeDays` and the log grew
 * since. A pure function: doctor and the automatic snapshot share it.
 */
export function snapshotDue(eventCount: number, newest: SnapshotInfo | null, policy: SnapshotPolicy, now: number): SnapshotDue {
  if (policy.maxEvents === 0) return { due: false, reason: 'automatic snapshots are off (snapshot.max_events = 0)' };
  if (eventCount < policy.maxEvents) {
    return { due: false, reason: `the log holds ${eventCount} events, fewer than snapshot.max_events (${policy.maxEvents})` };
  }
  if (newest === null) return { due: true, reason: `no snapshot of a log of ${eventCount} events` };
  const since = eventCount - newest.eventCount;
  if (since >= policy.maxEvents) {
    return { due: true, reason: `${since} events arrived since the newest snapshot (${newest.ref}), snapshot.max_events is ${policy.maxEvents}` };
  }
  const age = now - newest.createdTs;
  if (policy.maxAgeDays > 0 && since > 0 && age > policy.maxAgeDays * DAY_MS) {
    return {
      due: true,
      reason: `the newest snapshot (${newest.ref}) is ${Math.floor(age / DAY_MS)} days old and ${since} events arrived since, snapshot.max_age_days is ${policy.maxAgeDays}`,
    };
  }
  return { due: false, reason: `the newest snapshot (${newest.ref}) is recent: ${Math.max(0, since)} events since` };
}
