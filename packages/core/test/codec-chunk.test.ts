import { describe, expect, it } from 'vitest';
import type { Event, EventKind } from '../src/event.js';
import {
  chunkHash,
  chunkPath,
  computeEventId,
  createEvent,
  decodeChunk,
  decodeKind,
  encodeCbor,
  encodeChunk,
  encodeKindPayload,
  fromHex,
  metaJson,
  parseMetaJson,
  toHex,
  verifyEventId,
} from '../src/codec/index.js';
import { GriteErrorOf, thrown } from './fixtures/helpers.js';

const issueId = fromHex('000102030405060708090a0b0c0d0e0f');
const actor = fromHex('101112131415161718191a1b1c1d1e1f');
const hash32 = new Uint8Array(32).fill(0xab);

const allKinds: EventKind[] = [
  { type: 'IssueCreated', title: 'Crash on start', body: 'Steps…', labels: ['p0', 'bug'] },
  { type: 'IssueUpdated', title: null, body: 'new body' },
  { type: 'CommentAdded', body: 'Looks good ✓' },
  { type: 'LabelAdded', label: 'bug' },
  { type: 'LabelRemoved', label: 'wip' },
  { type: 'StateChanged', state: 'closed' },
  { type: 'LinkAdded', url: 'https://example.com/x', note: null },
  { type: 'AssigneeAdded', user: 'alice' },
  { type: 'AssigneeRemoved', user: 'bob' },
  { type: 'AttachmentAdded', name: 'log.txt', sha256: hash32, mime: 'text/plain' },
  { type: 'DependencyAdded', target: fromHex('ffeeddccbbaa99887766554433221100'), depType: 'blocks' },
  { type: 'DependencyRemoved', target: fromHex('ffeeddccbbaa99887766554433221100'), depType: 'related_to' },
  {
    type: 'ContextUpdated',
    path: 'src/main.rs',
    language: 'rust',
    symbols: [
      { name: 'main', kind: 'fn', lineStart: 10, lineEnd: 20 },
      { name: 'Config', kind: 'struct', lineStart: 1, lineEnd: 8 },
      { name: 'Config', kind: 'impl', lineStart: 22, lineEnd: 90 },
    ],
    summary: 'entry point',
    contentHash: hash32,
  },
  { type: 'ProjectContextUpdated', key: 'build', value: 'cargo build' },
];

function ev(kind: EventKind, ts = 1700000000000, parent: Uint8Array | null = null): Event {
  return createEvent({ issueId, actor, ts, parent, kind });
}

describe('kind payloads', () => {
  it('round-trips all 14 kinds through a chunk', () => {
    const events = allKinds.map((k, i) => ev(k, 1700000000000 + i, i % 2 ? hash32 : null));
    const decoded = decodeChunk(encodeChunk(events));
    expect(decoded).toEqual(events);
    for (const e of decoded) expect(verifyEventId(e)).toBe(true);
  });

  it('sorts labels by UTF-8 bytes (not UTF-16), keeping duplicates', () => {
    // UTF-16 puts U+1F600 (a surrogate pair, 0xD83D...) before U+FFFD; UTF-8 puts it after (F0 > EF).
    const e = ev({ type: 'IssueCreated', title: 't', body: '', labels: ['😀', 'b', '\ufffd', 'a', 'b', 'Z'] });
    expect(e.kind).toEqual({ type: 'IssueCreated', title: 't', body: '', labels: ['Z', 'a', 'b', 'b', '\ufffd', '😀'] });
    expect(['😀', '\ufffd'].sort()).toEqual(['😀', '\ufffd']); // what JS order would have done
  });

  it('hashes labels sorted whatever order they are given in', () => {
    const a = ev({ type: 'IssueCreated', title: 'Test', body: 'Body', labels: ['p0', 'bug'] });
    const b = ev({ type: 'IssueCreated', title: 'Test', body: 'Body', labels: ['bug', 'p0'] });
    expect(toHex(a.eventId)).toBe(toHex(b.eventId));
    // Vector 1 of grite-vectors.json has labels ["bug", "p0"].
    expect(toHex(a.eventId)).toBe('9c2aee7924bf7482dd3842c6ec32fd5103883b9d2354f63df2075ac61fe3d827');
  });

  it('sorts symbols by (name, kind) bytes, stable for equal keys', () => {
    const e = ev(allKinds[12]!);
    expect(e.kind.type === 'ContextUpdated' && e.kind.symbols.map((s) => `${s.name}/${s.kind}`)).toEqual([
      'Config/impl',
      'Config/struct',
      'main/fn',
    ]);
    const payload = encodeKindPayload(allKinds[12]!);
    expect(decodeKind(13, payload)).toEqual(e.kind);
  });

  it('keeps a payload stored unsorted readable, with the id over the sorted payload', () => {
    const sorted = ev({ type: 'IssueCreated', title: 't', body: '', labels: ['a', 'b'] });
    const bytes = encodeChunk([sorted]);
    // Swap the two one-letter labels in place: 82 61 61 61 62 -> 82 61 62 61 61.
    const at = toHex(bytes).indexOf('8261616162') / 2;
    bytes.set(fromHex('8261626161'), at);
    const [back] = decodeChunk(bytes);
    expect(back!.kind).toEqual(sorted.kind);
    expect(toHex(back!.eventId)).toBe(toHex(sorted.eventId));
  });

  it('rejects payloads of the wrong shape with wal_error', () => {
    expect(thrown(() => decodeKind(6, encodeCbor(['reopened']))).code).toBe('wal_error');
    expect(thrown(() => decodeKind(3, encodeCbor(['a', 'b']))).code).toBe('wal_error');
    expect(thrown(() => decodeKind(10, encodeCbor(['n', new Uint8Array(31), 'm']))).code).toBe('wal_error');
    expect(thrown(() => decodeKind(11, encodeCbor([new Uint8Array(16), 'blocked_by']))).code).toBe('wal_error');
    expect(thrown(() => decodeKind(1, encodeCbor(['t', 'b', [1]]))).code).toBe('wal_error');
    expect(thrown(() => decodeKind(2, fromHex('82f6f600'))).code).toBe('wal_error');
  });

  it('refuses to build events the format cannot hold', () => {
    expect(thrown(() => ev({ type: 'StateChanged', state: 'done' as 'open' })).code).toBe('invalid_args');
    expect(thrown(() => ev({ type: 'AttachmentAdded', name: 'x', sha256: new Uint8Array(3), mime: 'm' })).code).toBe('invalid_args');
    expect(thrown(() => ev({ type: 'Unknown', tag: 3, payloadCbor: fromHex('80') })).code).toBe('invalid_args');
    expect(thrown(() => createEvent({ issueId: new Uint8Array(15), actor, ts: 1, kind: allKinds[3]! })).code).toBe('invalid_args');
    expect(thrown(() => createEvent({ issueId, actor, ts: -1, kind: allKinds[3]! })).code).toBe('invalid_args');
    expect(thrown(() => createEvent({ issueId, actor, ts: 1.5, kind: allKinds[3]! })).code).toBe('invalid_args');
  });
});

describe('unknown kinds', () => {
  const payload = fromHex('83' + '6178' + '1b0020000000000000' + '82f5f4'); // ["x", 2^53, [true, false]]

  it('decode as Unknown with the payload bytes kept', () => {
    expect(decodeKind(99, payload)).toEqual({ type: 'Unknown', tag: 99, payloadCbor: payload });
  });

  it('survive a chunk decode / encode round trip byte for byte', () => {
    const e = ev({ type: 'Unknown', tag: 99, payloadCbor: payload });
    const known = ev(allKinds[0]!);
    const bytes = encodeChunk([known, e]);
    const decoded = decodeChunk(bytes);
    expect(decoded[1]!.kind).toEqual({ type: 'Unknown', tag: 99, payloadCbor: payload });
    expect(toHex(decoded[1]!.eventId)).toBe(toHex(computeEventId(issueId, actor, e.ts, null, e.kind)));
    expect(toHex(encodeChunk(decoded))).toBe(toHex(bytes));
  });
});

describe('chunk files', () => {
  const events = [ev(allKinds[0]!), ev(allKinds[2]!, 1700000001000)];
  const good = encodeChunk(events);

  it('carry signatures without hashing them', () => {
    const signed = { ...events[0]!, sig: new Uint8Array(64).fill(5) };
    const back = decodeChunk(encodeChunk([signed]));
    expect(back[0]!.sig).toEqual(signed.sig);
    expect(toHex(back[0]!.eventId)).toBe(toHex(events[0]!.eventId));
  });

  it('refuse to store an event whose id does not match', () => {
    const forged = { ...events[0]!, ts: events[0]!.ts + 1 };
    expect(thrown(() => encodeChunk([forged])).code).toBe('invalid_args');
  });

  it('bad magic, version, codec: wal_error', () => {
    const badMagic = good.slice();
    badMagic[0] = 0x48;
    expect(thrown(() => decodeChunk(badMagic))).toMatchObject({ code: 'wal_error', message: expect.stringMatching(/magic/) });
    const badVersion = good.slice();
    badVersion[8] = 2;
    expect(thrown(() => decodeChunk(badVersion))).toMatchObject({ code: 'wal_error', message: expect.stringMatching(/version 2/) });
    const badCodec = good.slice();
    badCodec[17] = 0x32;
    expect(thrown(() => decodeChunk(badCodec))).toMatchObject({ code: 'wal_error', message: expect.stringMatching(/codec/) });
    expect(thrown(() => decodeChunk(new Uint8Array(3))).code).toBe('wal_error');
  });

  it('bad CBOR: wal_error with the record and offset', () => {
    const truncated = good.subarray(0, good.length - 5);
    const err = thrown(() => decodeChunk(truncated));
    expect(err.code).toBe('wal_error');
    expect(err.details).toMatchObject({ record: 1 });
    const trailing = new Uint8Array([...good, 0]);
    expect(thrown(() => decodeChunk(trailing)).message).toMatch(/trailing/);
  });

  it('an event id that does not match its content: wal_error naming the event', () => {
    const tampered = good.slice();
    const at = toHex(tampered).indexOf(toHex(new TextEncoder().encode('Crash on start'))) / 2;
    tampered[at] = 0x63; // 'C' -> 'c'
    const err = thrown(() => decodeChunk(tampered));
    expect(err.code).toBe('wal_error');
    expect(err.details).toMatchObject({ record: 0, event_id: toHex(events[0]!.eventId) });
    expect(err.message).toContain(toHex(events[0]!.eventId));
  });

  it('throws nothing but wal_error on any single-byte corruption or truncation', () => {
    for (let i = 0; i < good.length; i++) {
      for (const x of [0x00, 0xff, good[i]! ^ 0x01]) {
        const b = good.slice();
        b[i] = x;
        try {
          decodeChunk(b);
        } catch (e) {
          expect(GriteErrorOf(e).code).toBe('wal_error');
        }
      }
      try {
        decodeChunk(good.subarray(0, i));
        throw new Error(`truncation at ${i} decoded`);
      } catch (e) {
        expect(GriteErrorOf(e).code).toBe('wal_error');
      }
    }
  });

  it('chunk hash and path', () => {
    expect(chunkHash(good)).toMatch(/^[0-9a-f]{64}$/);
    expect(chunkPath(events, chunkHash(good))).toBe(`events/2023/11/14/${chunkHash(good)}.bin`);
    expect(chunkPath([ev(allKinds[3]!, Date.UTC(2024, 1, 29, 23, 59, 59, 999))], 'a'.repeat(64))).toBe(
      `events/2024/02/29/${'a'.repeat(64)}.bin`,
    );
    expect(thrown(() => chunkPath([], 'a'.repeat(64))).code).toBe('invalid_args');
  });

  it('meta.json: exact text with a prev_wal, and strict parsing', () => {
    const text = metaJson({ actorId: actor, chunkHash: 'c'.repeat(64), prevWal: '0123456789abcdef0123456789abcdef01234567' });
    expect(text).toBe(
      '{\n  "schema_version": 1,\n  "actor_id": "101112131415161718191a1b1c1d1e1f",\n  "chunk_hash": "' +
        'c'.repeat(64) +
        '",\n  "prev_wal": "0123456789abcdef0123456789abcdef01234567"\n}',
    );
    expect(parseMetaJson(text).prevWal).toBe('0123456789abcdef0123456789abcdef01234567');
    expect(thrown(() => parseMetaJson('{')).code).toBe('wal_error');
    expect(thrown(() => parseMetaJson(text.replace('"schema_version": 1', '"schema_version": 2'))).code).toBe('wal_error');
    expect(thrown(() => parseMetaJson(text.replace('"actor_id": "10', '"actor_id": "1'))).code).toBe('wal_error');
  });
});
