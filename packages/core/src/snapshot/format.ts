/**
 * Snapshot refs (grite WAL v1, DESIGN.md section 2), as the Rust tool writes
 * them:
 *
 *   ref            refs/grite/snapshots/<unix_ms>
 *   commit         no parent; author and committer "grite <grit@local> <unix seconds> +0000";
 *                  message "Snapshot: <n> events at <unix_ms>" (no trailing newline)
 *   tree           snapshot.json  (100644)
 *                  events/        (40000) holding 0000.bin, 0001.bin, ... (100644)
 *   events/NNNN.bin  a chunk file (codec/chunk.ts: "GRITECNK" 01 00 07 "cbor-v1",
 *                  then the records) of at most 1000 events; NNNN is the
 *                  chunk's index, zero-padded to at least 4 digits
 *   snapshot.json  2-space pretty JSON, no trailing newline, keys in this order:
 *                  {
 *                    "schema_version": 1,
 *                    "created_ts": <unix ms, the ref's own number>,
 *                    "wal_head": "<WAL commit the events were read at>",
 *                    "event_count": <n>,
 *                    "chunks": [
 *                      { "path": "events/0000.bin", "chunk_hash": "<hex BLAKE2b-256 of the chunk>", "event_count": <k> },
 *                      ...
 *                    ]
 *                  }
 *
 * The Rust tool writes snapshot.json with serde's pretty printer, which for
 * these fields gives the same bytes as `JSON.stringify(v, null, 2)`. A
 * snapshot holds at least one event (an empty log has no snapshot).
 */
import { GriteError } from '../errors.js';
import { isHex } from '../codec/hex.js';

export const SNAPSHOT_REF_PREFIX = 'refs/grite/snapshots/';
export const SNAPSHOT_SCHEMA_VERSION = 1;
/** At most this many events per chunk file of a snapshot. */
export const SNAPSHOT_CHUNK_EVENTS = 1000;
/** The identity on snapshot commits (the WAL's). */
export const SNAPSHOT_IDENT: Readonly<{ name: string; email: string }> = { name: 'grite', email: 'grit@local' };

export interface SnapshotChunk {
  /** events/NNNN.bin */
  path: string;
  /** Hex BLAKE2b-256 of the chunk file. */
  chunkHash: string;
  eventCount: number;
}

export interface SnapshotMeta {
  schemaVersion: number;
  /** Unix ms; the number in the ref's name. */
  createdTs: number;
  /** The WAL commit whose log the snapshot holds. */
  walHead: string;
  eventCount: number;
  chunks: SnapshotChunk[];
}

/** The ref of a snapshot created at `unixMs`. */
export function snapshotRefName(unixMs: number): string {
  return `${SNAPSHOT_REF_PREFIX}${unixMs}`;
}

/** The unix ms in a snapshot ref's name, or null when the name is not `<prefix><digits>`. */
export function snapshotRefTime(ref: string): number | null {
  if (!ref.startsWith(SNAPSHOT_REF_PREFIX)) return null;
  const rest = ref.slice(SNAPSHOT_REF_PREFIX.length);
  if (!/^\d{1,16}$/.test(rest)) return null;
  const n = Number(rest);
  return Number.isSafeInteger(n) ? n : null;
}

/** The path of chunk `index` in a snapshot's tree. */
export function snapshotChunkPath(index: number): string {
  return `events/${String(index).padStart(4, '0')}.bin`;
}

/** The commit message of a snapshot of `eventCount` events made at `unixMs`. */
export function snapshotMessage(eventCount: number, unixMs: number): string {
  return `Snapshot: ${eventCount} events at ${unixMs}`;
}

/** The exact snapshot.json text. */
export function snapshotJson(meta: SnapshotMeta): string {
  return JSON.stringify(
    {
      schema_version: meta.schemaVersion,
      created_ts: meta.createdTs,
      wal_head: meta.walHead,
      event_count: meta.eventCount,
      chunks: meta.chunks.map((c) => ({ path: c.path, chunk_hash: c.chunkHash, event_count: c.eventCount })),
    },
    null,
    2,
  );
}

function bad(why: string): never {
  throw new GriteError('wal_error', `snapshot.json ${why}`);
}

function count(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) bad(`has a bad ${what}`);
  return v as number;
}

/**
 * Parse snapshot.json (any JSON formatting, unknown keys ignored).
 * GriteError('wal_error') when it is not a snapshot of schema version 1 or
 * its fields are malformed.
 */
export function parseSnapshotJson(text: string): SnapshotMeta {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new GriteError('wal_error', `snapshot.json is not JSON: ${(e as Error).message}`, { cause: e });
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad('is not a JSON object');
  const o = v as Record<string, unknown>;
  if (o.schema_version !== SNAPSHOT_SCHEMA_VERSION) bad(`has unsupported schema_version ${JSON.stringify(o.schema_version)}`);
  const createdTs = count(o.created_ts, 'created_ts');
  const walHead = o.wal_head;
  if (typeof walHead !== 'string' || !(isHex(walHead, 20) || isHex(walHead, 32))) bad('has a malformed wal_head');
  const eventCount = count(o.event_count, 'event_count');
  if (!Array.isArray(o.chunks)) bad('has no chunks list');
  const chunks = (o.chunks as unknown[]).map((c, i): SnapshotChunk => {
    if (typeof c !== 'object' || c === null || Array.isArray(c)) bad(`chunk ${i} is not an object`);
    const r = c as Record<string, unknown>;
    if (typeof r.path !== 'string' || !/^events\/[^/]+$/.test(r.path)) bad(`chunk ${i} has a bad path`);
    if (typeof r.chunk_hash !== 'string' || !isHex(r.chunk_hash, 32)) bad(`chunk ${i} has a bad chunk_hash`);
    return { path: r.path as string, chunkHash: r.chunk_hash as string, eventCount: count(r.event_count, `event_count in chunk ${i}`) };
  });
  const sum = chunks.reduce((a, c) => a + c.eventCount, 0);
  if (sum !== eventCount) bad(`says ${eventCount} events but its chunks hold ${sum}`);
  return { schemaVersion: SNAPSHOT_SCHEMA_VERSION, createdTs, walHead: walHead as string, eventCount, chunks };
}
