// The on-git format of grite WAL v1: ids, canonical CBOR, BLAKE2b-256 event
// ids, kind payloads, chunk files and meta.json.
export { toHex, fromHex, isHex, bytesEqual, compareBytes } from './hex.js';
export { newIssueId, newActorId, ISSUE_ID_BYTES, ACTOR_ID_BYTES, EVENT_ID_BYTES } from './ids.js';
export { blake2b256 } from './blake2b.js';
export { CborRaw, CborReader, CborWriter, encodeCbor, decodeCbor, type CborValue } from './cbor.js';
export { normalizeKind, encodeKindPayload, decodeKind, kindPayloadItem, readKind, writeKindPayload } from './kind.js';
export {
  PREIMAGE_VERSION,
  eventIdPreimage,
  computeEventId,
  createEvent,
  verifyEventId,
  assertEventId,
  type NewEvent,
} from './event-id.js';
export {
  CHUNK_MAGIC,
  CHUNK_VERSION,
  CHUNK_CODEC,
  META_SCHEMA_VERSION,
  encodeChunk,
  decodeChunk,
  chunkHash,
  chunkPath,
  metaJson,
  parseMetaJson,
  type WalMeta,
} from './chunk.js';
