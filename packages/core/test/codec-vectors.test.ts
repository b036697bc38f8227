// The grite WAL v1 vectors (fixtures/grite-vectors.json, copied from the
// Rust tool's format): preimages, event ids, a whole chunk and its meta.json,
// all byte for byte.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  chunkHash,
  chunkPath,
  createEvent,
  decodeChunk,
  decodeKind,
  encodeCbor,
  encodeChunk,
  eventIdPreimage,
  fromHex,
  metaJson,
  parseMetaJson,
  toHex,
  verifyEventId,
  type CborValue,
} from '../src/codec/index.js';
import type { Event } from '../src/event.js';

interface Vector {
  issue_id: string;
  actor: string;
  ts_unix_ms: number;
  parent: string | null;
  kind_tag: number;
  kind_payload: unknown[];
  preimage_hex: string;
  event_id: string;
}
interface Vectors {
  vectors: Vector[];
  chunk: { events: string[]; hex: string; chunk_hash: string; path: string };
  meta_json: string;
}

const fixtures = JSON.parse(readFileSync(new URL('./fixtures/grite-vectors.json', import.meta.url), 'utf8')) as Vectors;

function eventOf(v: Vector): Event {
  const kind = decodeKind(v.kind_tag, encodeCbor(v.kind_payload as CborValue));
  return createEvent({
    issueId: fromHex(v.issue_id),
    actor: fromHex(v.actor),
    ts: v.ts_unix_ms,
    parent: v.parent === null ? null : fromHex(v.parent),
    kind,
  });
}

describe('grite vectors', () => {
  it('holds six vectors and one chunk', () => {
    expect(fixtures.vectors).toHaveLength(6);
    expect(fixtures.chunk.events).toHaveLength(2);
  });

  for (const [i, v] of fixtures.vectors.entries()) {
    it(`vector ${i + 1} (tag ${v.kind_tag}): preimage bytes and event id`, () => {
      const e = eventOf(v);
      expect(toHex(eventIdPreimage(e.issueId, e.actor, e.ts, e.parent, e.kind))).toBe(v.preimage_hex);
      expect(toHex(e.eventId)).toBe(v.event_id);
      expect(verifyEventId(e)).toBe(true);
    });
  }

  it('the chunk of vectors 1 and 2: bytes, hash and path', () => {
    const events = fixtures.vectors.slice(0, 2).map(eventOf);
    expect(events.map((e) => toHex(e.eventId))).toEqual(fixtures.chunk.events);
    const bytes = encodeChunk(events);
    expect(toHex(bytes)).toBe(fixtures.chunk.hex);
    expect(chunkHash(bytes)).toBe(fixtures.chunk.chunk_hash);
    expect(chunkPath(events, chunkHash(bytes))).toBe(fixtures.chunk.path);
  });

  it('decodes the vector chunk and re-encodes it byte for byte', () => {
    const events = decodeChunk(fromHex(fixtures.chunk.hex));
    expect(events.map((e) => toHex(e.eventId))).toEqual(fixtures.chunk.events);
    expect(events[0]!.kind).toEqual({ type: 'IssueCreated', title: 'Test', body: 'Body', labels: ['bug', 'p0'] });
    expect(events[1]!.kind).toEqual({ type: 'IssueUpdated', title: 'Title 2', body: null });
    expect(events[0]!.sig).toBeNull();
    expect(toHex(encodeChunk(events))).toBe(fixtures.chunk.hex);
  });

  it('meta.json of the first commit holding that chunk, exact text', () => {
    const text = metaJson({ actorId: fixtures.vectors[0]!.actor, chunkHash: fixtures.chunk.chunk_hash, prevWal: null });
    expect(text).toBe(fixtures.meta_json);
    expect(text.endsWith('\n')).toBe(false);
    expect(metaJson({ actorId: fromHex(fixtures.vectors[0]!.actor), chunkHash: fixtures.chunk.chunk_hash, prevWal: null })).toBe(
      fixtures.meta_json,
    );
    expect(parseMetaJson(text)).toEqual({
      actorId: fixtures.vectors[0]!.actor,
      chunkHash: fixtures.chunk.chunk_hash,
      prevWal: null,
    });
  });
});
