/**
 * The encoding fast paths give exactly the bytes of the plain ones:
 * FastBuilder against the stock Builder, the pooled builder across calls,
 * CachedResponse against encodeResponse, and framed buffers against
 * encodeFrame's copy.
 */
import { describe, expect, it } from 'vitest';
import {
  allocateFramed,
  byteBufferOf,
  CachedResponse,
  decodeMessage,
  decodeResponse,
  encodeFrame,
  encodeRequest,
  encodeResponse,
  FastBuilder,
  flatbuffers,
  IssueListResultT,
  IssueShowT,
  IssueSummaryT,
  LockInfo,
  LockInfoT,
  Message,
  newRequestId,
  requestIdKey,
  requestKeyOf,
  responseKeyOf,
  encodeErrorResponse,
  verifyMessage,
  writeFrame,
  type FrameSink,
  type IssueShowResultT,
} from '../src/index.js';
import { fill } from './samples.js';

const STRINGS = [
  '', 'a', 'plain ascii title', 'é', 'naïve café', '✓ done', '日本語のタイトル', '😀 emoji', 'a😀b',
  '\ud800', 'x\udc00y', '\ud83d', 'end\ud83d', '\u0000nul', '\u007f\u0080\u07ff\u0800\uffff',
  'long '.repeat(40), 'é'.repeat(200), '😀'.repeat(100) + '\ud800',
];

function built(make: (b: flatbuffers.Builder) => flatbuffers.Offset, b: flatbuffers.Builder): number[] {
  b.finish(make(b));
  return Array.from(b.asUint8Array());
}

describe('FastBuilder', () => {
  it('writes the same bytes as the stock Builder for every kind of string', () => {
    for (const s of STRINGS) {
      const make = (b: flatbuffers.Builder) => b.createString(s);
      expect(built(make, new FastBuilder(8)), JSON.stringify(s)).toEqual(built(make, new flatbuffers.Builder(8)));
    }
  });

  it('writes the same bytes for whole messages, growing from a tiny buffer', () => {
    const obj = fill('IssueShowResult') as IssueShowResultT;
    const make = (b: flatbuffers.Builder) => obj.pack(b);
    expect(built(make, new FastBuilder(1))).toEqual(built(make, new flatbuffers.Builder(1)));
  });

  it('strings round-trip through the decoder (lone surrogates become U+FFFD)', () => {
    for (const s of STRINGS) {
      const bytes = encodeResponse(new Uint8Array(16), new LockInfoT(s, [], s, 0n));
      const lock = decodeResponse(bytes).result(new LockInfo()) as LockInfo;
      expect(lock.resource()).toBe(new TextDecoder().decode(new TextEncoder().encode(s)));
    }
  });
});

describe('pooled encoding', () => {
  it('gives identical bytes for the same input, whatever was encoded in between', () => {
    const rid = newRequestId();
    const obj = fill('IssueListResult') as IssueListResultT;
    const first = Array.from(encodeResponse(rid, obj));
    encodeResponse(rid, new IssueListResultT(Array.from({ length: 50 }, () => new IssueSummaryT([1, 2], 'x'.repeat(300))), 50, 'c'));
    encodeRequest({ repo: '/r', command: new IssueShowT('zz') });
    expect(Array.from(encodeResponse(rid, obj))).toEqual(first);
  });

  it('keeps each returned message intact after later encodes', () => {
    const a = encodeRequest({ repo: '/r', command: new IssueShowT('aaaa') });
    const copy = Array.from(a);
    for (let i = 0; i < 100; i++) encodeRequest({ repo: '/r', command: new IssueShowT(`b${i}`) });
    expect(Array.from(a)).toEqual(copy);
  });

  it('newRequestId gives distinct 16-byte ids across pool refills', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const id = newRequestId();
      expect(id.length).toBe(16);
      seen.add(Buffer.from(id).toString('hex'));
    }
    expect(seen.size).toBe(1000);
  });
});

describe('byteBufferOf and requestIdKey', () => {
  it('byteBufferOf reads like a ByteBuffer from the runtime', () => {
    const bytes = encodeResponse(new Uint8Array(16), fill('IssueShowResult') as IssueShowResultT);
    const a = decodeMessage(bytes).unpack();
    const b = Message.getRootAsMessage(new flatbuffers.ByteBuffer(bytes)).unpack();
    expect(a).toEqual(b);
    expect(byteBufferOf(bytes)).toBeInstanceOf(flatbuffers.ByteBuffer);
    expect(Object.keys(byteBufferOf(bytes))).toEqual(Object.keys(new flatbuffers.ByteBuffer(bytes)));
  });

  it('requestIdKey is one-to-one across lengths', () => {
    const keys = new Set<string>();
    const ids = [
      new Uint8Array(16), Uint8Array.from({ length: 16 }, (_, i) => i), Uint8Array.from({ length: 16 }, (_, i) => 255 - i),
      new Uint8Array(4), new Uint8Array(8), Uint8Array.from([1, 0, 0, 0]), new Uint8Array(32),
    ];
    for (const id of ids) keys.add(requestIdKey(id));
    expect(keys.size).toBe(ids.length);
    expect(requestIdKey(null)).toBe('');
    expect(requestIdKey(Uint8Array.from([0xab, 0xcd]))).toBe('habcd');
  });

  it('requestKeyOf and responseKeyOf read the same keys in place', () => {
    for (const id of [newRequestId(), Uint8Array.from([1, 2, 3])]) {
      const req = encodeRequest({ repo: '/r', requestId: id, command: new IssueShowT('x') });
      expect(requestKeyOf(req)).toBe(requestIdKey(id));
      const resp = decodeResponse(encodeResponse(id, new LockInfoT()));
      expect(responseKeyOf(resp)).toBe(requestIdKey(id));
    }
    expect(responseKeyOf(decodeResponse(encodeErrorResponse(null, 'ipc_error', 'x')))).toBe('');
  });
});

describe('CachedResponse', () => {
  it('equals encodeResponse for each request id', () => {
    const obj = fill('IssueShowResult') as IssueShowResultT;
    const cached = new CachedResponse(obj);
    for (let i = 0; i < 3; i++) {
      const rid = newRequestId();
      const bytes = cached.encode(rid);
      expect(Array.from(bytes)).toEqual(Array.from(encodeResponse(rid, obj)));
      expect(verifyMessage(bytes).ok).toBe(true);
    }
    expect(() => cached.encode(new Uint8Array(3))).toThrow(/16-byte request_id/);
  });
});

describe('framed buffers', () => {
  it('encodeFrame of an encoder output is a view (no copy) equal to the copying path', () => {
    const msg = encodeRequest({ repo: '/r', command: new IssueShowT('ab12') });
    const frame = encodeFrame(msg);
    expect(frame.buffer).toBe(msg.buffer);
    const copied = encodeFrame(Uint8Array.from(msg));
    expect(copied.buffer).not.toBe(msg.buffer);
    expect(Array.from(frame)).toEqual(Array.from(copied));
    expect(Array.from(frame.subarray(0, 4))).toEqual([0, 0, (msg.length >> 8) & 0xff, msg.length & 0xff]);
  });

  it('large messages get a buffer of their own', () => {
    const m = allocateFramed(100_000);
    expect(m.byteOffset).toBe(4);
    expect(m.buffer.byteLength).toBe(100_004);
    expect(encodeFrame(m).buffer).toBe(m.buffer);
  });

  it('copies a message whose preceding bytes are not its own header', () => {
    const backing = new Uint8Array(64);
    const msg = backing.subarray(8, 20);
    const frame = encodeFrame(msg);
    expect(frame.buffer).not.toBe(backing.buffer);
    expect(Array.from(frame.subarray(0, 4))).toEqual([0, 0, 0, 12]);
  });

  it('writeFrame writes one chunk, or header + body for a large foreign message', () => {
    const chunks: Uint8Array[] = [];
    let corked = 0;
    const sink: FrameSink = { cork: () => corked++, uncork: () => {}, write: (c) => chunks.push(c) };
    writeFrame(sink, encodeRequest({ repo: '/r', command: new IssueShowT('ab12') }));
    expect(chunks).toHaveLength(1);
    const big = new Uint8Array(200_000).fill(7);
    writeFrame(sink, big);
    expect(corked).toBe(1);
    expect(chunks).toHaveLength(3);
    expect(Array.from(chunks[1]!)).toEqual([0, 3, 0x0d, 0x40]);
    expect(chunks[2]).toBe(big);
  });
});
