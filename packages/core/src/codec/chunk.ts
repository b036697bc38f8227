/**
 * Chunk files and meta.json (grite WAL v1, DESIGN.md section 2).
 *
 *   chunk   = "GRITECNK"                 8 bytes, magic
 *             version                    u16 little-endian, 1 (01 00)
 *             codec name length          1 byte, 7
 *             "cbor-v1"                  the codec name
 *             records                    one canonical CBOR array of records
 *   record  = [event_id bstr32, issue_id bstr16, actor bstr16, ts_unix_ms uint,
 *              parent bstr32 or null, kind_tag uint, kind_payload, sig bstr or null]
 *
 * Payloads are stored as hashed (labels and symbols sorted). `sig`, when
 * present, is an Ed25519 signature over the 32-byte event id; it is carried,
 * never hashed. The chunk hash is BLAKE2b-256 of the whole file; the chunk
 * lives in its WAL commit's tree at events/YYYY/MM/DD/<chunk_hash hex>.bin
 * (the UTC date of the first event).
 *
 *   meta.json = 2-space pretty JSON, keys in this order, no trailing newline:
 *     {"schema_version": 1, "actor_id": <hex>, "chunk_hash": <hex>, "prev_wal": <commit hex> or null}
 */
import { GriteError } from '../errors.js';
import { kindTag, type Event } from '../event.js';
import { blake2b256, blake2b256Equals } from './blake2b.js';
import { CborReader, CborWriter } from './cbor.js';
import { assertEventId, computeEventId } from './event-id.js';
import { bytesEqual, isHex, toHex } from './hex.js';
import { readKind, writeKindPayload } from './kind.js';

export const CHUNK_MAGIC = 'GRITECNK';
export const CHUNK_VERSION = 1;
export const CHUNK_CODEC = 'cbor-v1';
export const META_SCHEMA_VERSION = 1;

// "GRITECNK" 01 00 07 "cbor-v1"
const HEADER = new Uint8Array([
  ...new TextEncoder().encode(CHUNK_MAGIC),
  CHUNK_VERSION & 0xff,
  CHUNK_VERSION >> 8,
  CHUNK_CODEC.length,
  ...new TextEncoder().encode(CHUNK_CODEC),
]);

/**
 * The chunk file of `events`, in the order given. Every event id is checked
 * against its content first (GriteError('invalid_args') otherwise): a writer
 * never stores an id it did not compute.
 */
export function encodeChunk(events: readonly Event[]): Uint8Array {
  for (const e of events) assertEventId(e);
  const w = new CborWriter(HEADER.length + 128 * events.length + 16);
  w.bytes(HEADER).array(events.length);
  for (const e of events) {
    w.array(8).bstr(e.eventId).bstr(e.issueId).bstr(e.actor).uint(e.ts);
    if (e.parent === null) w.null();
    else w.bstr(e.parent);
    w.uint(kindTag(e.kind));
    writeKindPayload(w, e.kind);
    if (e.sig === null || e.sig === undefined) w.null();
    else w.bstr(e.sig);
  }
  return w.finish();
}

function chunkError(message: string, details: Record<string, unknown>, cause?: unknown): GriteError {
  return new GriteError('wal_error', `bad chunk: ${message}`, { details, cause });
}

// The first two bytes of every preimage: an array of 7, then the version 1.
const PREIMAGE_PREFIX = new Uint8Array([0x87, 0x01]);

/**
 * The events of a chunk file, in file order, each id verified against its
 * content. Throws GriteError('wal_error') on a bad header, bad CBOR, a record
 * of the wrong shape, or an event id that does not match (details: `record`,
 * `event_id`, `computed`, `offset` where known). Events are fresh objects,
 * but records with equal issue or actor ids share one array: treat ids as
 * immutable.
 */
export function decodeChunk(bytes: Uint8Array): Event[] {
  if (bytes.length < HEADER.length || !bytesEqual(bytes.subarray(0, 8), HEADER.subarray(0, 8))) {
    throw chunkError('not a grite chunk (bad magic)', { offset: 0 });
  }
  const version = bytes[8]! | (bytes[9]! << 8);
  if (version !== CHUNK_VERSION) {
    throw chunkError(`unsupported chunk version ${version}`, { offset: 8, version });
  }
  if (!bytesEqual(bytes.subarray(10, HEADER.length), HEADER.subarray(10))) {
    throw chunkError(`unsupported codec (expected ${CHUNK_CODEC})`, { offset: 10 });
  }
  const r = new CborReader(bytes, HEADER.length);
  const events: Event[] = [];
  let index = 0;
  let prevIssue: Uint8Array | null = null;
  let prevActor: Uint8Array | null = null;
  try {
    const n = r.readArray();
    for (; index < n; index++) {
      const at = r.pos;
      if (r.readArray() !== 8) throw chunkError(`record ${index} is not an array of 8 items`, { offset: at, record: index });
      const eventId = r.readBytes();
      const hashedStart = r.pos;
      // A chunk's records mostly share their actor and often their issue:
      // equal ids share one array (fewer allocations on long reads).
      let issueId = r.readBytes();
      if (prevIssue !== null && bytesEqual(issueId, prevIssue)) issueId = prevIssue;
      else prevIssue = issueId;
      let actor = r.readBytes();
      if (prevActor !== null && bytesEqual(actor, prevActor)) actor = prevActor;
      else prevActor = actor;
      const ts = r.readUint();
      const parent = r.readBytesOrNull();
      const tag = r.readUint();
      const kind = readKind(r, tag);
      const hashedEnd = r.pos;
      const sig = r.readBytesOrNull();
      if (eventId.length !== 32 || issueId.length !== 16 || actor.length !== 16 || (parent !== null && parent.length !== 32)) {
        throw chunkError(`record ${index} has an id of the wrong length`, { offset: at, record: index });
      }
      const event: Event = { eventId, issueId, actor, ts, parent, kind, sig };
      // The reader accepts canonical CBOR only, so the stored fields are the
      // preimage's bytes; re-encode only when that does not match (a payload
      // stored unsorted, which the id covers sorted).
      if (!blake2b256Equals(eventId, PREIMAGE_PREFIX, bytes.subarray(hashedStart, hashedEnd))) {
        const computed = computeEventId(issueId, actor, ts, parent, kind);
        if (!bytesEqual(computed, eventId)) {
          throw chunkError(`event ${toHex(eventId)} (record ${index}) does not match its content`, {
            offset: at,
            record: index,
            event_id: toHex(eventId),
            computed: toHex(computed),
          });
        }
      }
      events.push(event);
    }
  } catch (e) {
    if (e instanceof GriteError && e.code === 'wal_error') {
      if (e.message.startsWith('bad chunk: ')) throw e;
      throw chunkError(`record ${index}: ${e.message}`, { ...e.details, record: index }, e);
    }
    if (e instanceof GriteError) throw chunkError(`record ${index}: ${e.message}`, { record: index }, e);
    throw e;
  }
  if (!r.done) throw chunkError('trailing bytes after the records', { offset: r.pos });
  return events;
}

/** BLAKE2b-256 of the whole chunk file, as hex. */
export function chunkHash(bytes: Uint8Array): string {
  return toHex(blake2b256(bytes));
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** events/YYYY/MM/DD/<hash>.bin, from the UTC date of the first event. */
export function chunkPath(events: readonly Event[], hash: string): string {
  const first = events[0];
  if (first === undefined) throw new GriteError('invalid_args', 'a chunk holds at least one event');
  if (!isHex(hash, 32)) throw new GriteError('invalid_args', `chunk hash must be 64 lowercase hex characters, got ${JSON.stringify(hash)}`);
  const d = new Date(first.ts);
  return `events/${pad(d.getUTCFullYear(), 4)}/${pad(d.getUTCMonth() + 1, 2)}/${pad(d.getUTCDate(), 2)}/${hash}.bin`;
}

export interface WalMeta {
  /** Hex of the appending actor (16 bytes). */
  actorId: string;
  /** Hex of the chunk hash (32 bytes). */
  chunkHash: string;
  /** The previous WAL commit (hex), or null for the first commit. */
  prevWal: string | null;
}

/** The exact meta.json text of a WAL commit. */
export function metaJson(meta: { actorId: string | Uint8Array; chunkHash: string; prevWal: string | null }): string {
  const actorId = typeof meta.actorId === 'string' ? meta.actorId : toHex(meta.actorId);
  if (!isHex(actorId, 16)) throw new GriteError('invalid_args', `actor_id must be 32 lowercase hex characters, got ${JSON.stringify(actorId)}`);
  if (!isHex(meta.chunkHash, 32)) throw new GriteError('invalid_args', `chunk_hash must be 64 lowercase hex characters`);
  if (meta.prevWal !== null && !isGitOid(meta.prevWal)) {
    throw new GriteError('invalid_args', `prev_wal must be a commit id, got ${JSON.stringify(meta.prevWal)}`);
  }
  return JSON.stringify(
    { schema_version: META_SCHEMA_VERSION, actor_id: actorId, chunk_hash: meta.chunkHash, prev_wal: meta.prevWal },
    null,
    2,
  );
}

function isGitOid(s: string): boolean {
  return isHex(s, 20) || isHex(s, 32);
}

/**
 * Parse meta.json. Accepts any JSON formatting; requires schema_version 1 and
 * well-formed actor_id, chunk_hash and prev_wal. Throws GriteError('wal_error').
 */
export function parseMetaJson(text: string): WalMeta {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new GriteError('wal_error', `meta.json is not JSON: ${(e as Error).message}`, { cause: e });
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new GriteError('wal_error', 'meta.json is not a JSON object');
  const o = v as Record<string, unknown>;
  if (o.schema_version !== META_SCHEMA_VERSION) {
    throw new GriteError('wal_error', `meta.json has unsupported schema_version ${JSON.stringify(o.schema_version)}`);
  }
  const { actor_id: actorId, chunk_hash: hash, prev_wal: prevWal } = o;
  if (typeof actorId !== 'string' || !isHex(actorId, 16)) throw new GriteError('wal_error', 'meta.json has a malformed actor_id');
  if (typeof hash !== 'string' || !isHex(hash, 32)) throw new GriteError('wal_error', 'meta.json has a malformed chunk_hash');
  if (prevWal !== null && (typeof prevWal !== 'string' || !isGitOid(prevWal))) {
    throw new GriteError('wal_error', 'meta.json has a malformed prev_wal');
  }
  return { actorId, chunkHash: hash, prevWal: prevWal as string | null };
}
