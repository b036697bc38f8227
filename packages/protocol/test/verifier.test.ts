/**
 * The verifier accepts every valid message and rejects corrupted, truncated
 * and random buffers with a ProtocolError('ipc_error'), never throwing and
 * never hanging. The fuzz loop is bounded and seeded, so runs are repeatable.
 */
import { describe, expect, it } from 'vitest';
import {
  AckT,
  assertValidMessage,
  decodeMessage,
  encodeErrorResponse,
  encodeRequest,
  encodeResponse,
  IpcRequest,
  IssueShowT,
  ProtocolError,
  salvageRequestId,
  verifyMessage,
  type IssueShowResultT,
} from '../src/index.js';
import { allSamples, fill, REPO } from './samples.js';

const RID = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);

function request(): Uint8Array {
  // A private copy: tests corrupt it in place.
  return encodeRequest({ repo: REPO, requestId: RID, command: new IssueShowT('ab12', 0, 'cursor') }).slice();
}

const dv = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** Positions inside an encoded request, found with the generated accessors. */
function layoutOf(b: Uint8Array) {
  const req = decodeMessage(b).body(new IpcRequest()) as IpcRequest;
  const pos = req.bb_pos;
  const vt = pos - dv(b).getInt32(pos, true);
  const field = (vtOff: number): number => pos + dv(b).getUint16(vt + vtOff, true);
  const target = (fieldPos: number): number => fieldPos + dv(b).getUint32(fieldPos, true);
  return { pos, vt, field, target, repoField: field(8), ridField: field(6), cmdTypeField: field(12) };
}

function expectReject(b: Uint8Array, pattern: RegExp, opts = {}): ProtocolError {
  const r = verifyMessage(b, opts);
  expect(r.ok).toBe(false);
  if (r.ok) throw new Error('unreachable');
  expect(r.error).toBeInstanceOf(ProtocolError);
  expect(r.error.code).toBe('ipc_error');
  expect(r.error.message).toMatch(pattern);
  return r.error;
}

describe('verifyMessage accepts', () => {
  it('every sample message', () => {
    for (const s of allSamples()) {
      const r = verifyMessage(s.bytes);
      expect(r.ok, s.name).toBe(true);
    }
  });

  it('minimal and error messages', () => {
    assertValidMessage(encodeResponse(RID, new AckT()));
    assertValidMessage(encodeErrorResponse(null, 'ipc_error', 'x'));
    assertValidMessage(encodeErrorResponse(RID, 'invalid_args', 'x', 'h', { a: 'b', c: ['d'] }));
    assertValidMessage(request());
  });

  it('a message at a byte offset that is not 4-aligned in its ArrayBuffer', () => {
    const b = request();
    const shifted = new Uint8Array(b.length + 3);
    shifted.set(b, 3);
    expect(verifyMessage(shifted.subarray(3)).ok).toBe(true);
  });
});

describe('verifyMessage rejects', () => {
  it('short buffers, oversized buffers and a foreign identifier', () => {
    for (let n = 0; n < 8; n++) expectReject(new Uint8Array(n), /too short/);
    expectReject(request(), /exceeds the 16-byte limit/, { maxBytes: 16 });
    const b = request();
    b[4] = 'X'.charCodeAt(0);
    expectReject(b, /file identifier/);
  });

  it('a root offset outside the buffer or misaligned', () => {
    const b = request();
    dv(b).setUint32(0, b.length + 4, true);
    expectReject(b, /root offset/);
    const c = request();
    dv(c).setUint32(0, dv(c).getUint32(0, true) + 2, true);
    expectReject(c, /not 4-byte aligned/);
  });

  it('a vtable outside the buffer', () => {
    const b = request();
    const { pos } = layoutOf(b);
    dv(b).setInt32(pos, pos + 1000, true); // vtable before the start
    expectReject(b, /vtable lies outside/);
    const c = request();
    dv(c).setInt32(pos, -(c.length + 100), true); // vtable after the end
    expectReject(c, /vtable lies outside/);
  });

  it('a malformed vtable size and a table size past the end', () => {
    const b = request();
    const { vt } = layoutOf(b);
    dv(b).setUint16(vt, 5, true);
    expectReject(b, /bad vtable size 5/);
    const c = request();
    dv(c).setUint16(vt, 0xfffe, true);
    expectReject(c, /vtable runs past/);
    const d = request();
    dv(d).setUint16(vt + 2, 0xfff0, true);
    expectReject(d, /table runs past/);
  });

  it('a field offset outside its table', () => {
    const b = request();
    const { vt } = layoutOf(b);
    dv(b).setUint16(vt + 8, dv(b).getUint16(vt + 2, true), true); // repo at the table's end
    const e = expectReject(b, /field repo lies outside its table/);
    expect(e.details.path).toBe('Message.body<IpcRequest>.repo');
  });

  it('a zero or out-of-buffer offset to a string', () => {
    const b = request();
    const { repoField } = layoutOf(b);
    dv(b).setUint32(repoField, 0, true);
    expectReject(b, /offset is zero/);
    const c = request();
    dv(c).setUint32(repoField, c.length, true);
    expectReject(c, /outside the buffer/);
  });

  it('a string longer than the buffer, or without its NUL', () => {
    const b = request();
    const L = layoutOf(b);
    const s = L.target(L.repoField);
    dv(b).setUint32(s, 0x7fffff00, true);
    const e = expectReject(b, /string of \d+ bytes runs past/);
    expect(e.details.path).toBe('Message.body<IpcRequest>.repo');
    const c = request();
    c[s + 4 + REPO.length] = 0x41;
    expectReject(c, /NUL terminator/);
  });

  it('a vector longer than the buffer', () => {
    const b = request();
    const L = layoutOf(b);
    dv(b).setUint32(L.target(L.ridField), 1 << 30, true);
    expectReject(b, /vector of \d+ elements runs past/);
  });

  it('an unknown union type', () => {
    const b = request();
    b[layoutOf(b).cmdTypeField] = 250;
    expectReject(b, /unknown IpcCommand type 250/);
    const c = request();
    // Message.body_type: the root table's first field.
    const root = dv(c).getUint32(0, true);
    const vt = root - dv(c).getInt32(root, true);
    c[root + dv(c).getUint16(vt + 4, true)] = 9;
    expectReject(c, /unknown MessageBody type 9/);
  });

  it('nesting deeper than the limit, and more objects than the limit', () => {
    const show = encodeResponse(RID, fill('IssueShowResult') as IssueShowResultT);
    expect(verifyMessage(show).ok).toBe(true);
    expectReject(show, /nesting deeper than 3/, { maxDepth: 3 });
    expectReject(show, /more than 10 objects/, { maxObjects: 10 });
  });

  it('every truncation of every sample, without throwing', () => {
    for (const s of allSamples()) {
      for (let n = 0; n < s.bytes.length; n++) {
        const r = verifyMessage(s.bytes.subarray(0, n));
        // The last bytes may be alignment padding; anything shorter cuts an object.
        if (n < s.bytes.length - 7) expect(r.ok, `${s.name} cut to ${n}`).toBe(false);
      }
    }
  });
});

/** mulberry32: a small seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('fuzz (bounded, fixed seed)', () => {
  it('never throws; what it accepts decodes fully without throwing', () => {
    const rnd = prng(0x67726974);
    const int = (n: number): number => Math.floor(rnd() * n);
    const samples = allSamples().map((s) => s.bytes);
    let accepted = 0;
    let rejected = 0;
    for (let i = 0; i < 6000; i++) {
      let b: Uint8Array;
      const mode = i % 4;
      if (mode === 3) {
        // Random bytes behind a plausible header.
        b = Uint8Array.from({ length: 8 + int(200) }, () => int(256));
        if (rnd() < 0.7) {
          new DataView(b.buffer).setUint32(0, 8 + 4 * int(20), true);
          b.set([0x47, 0x52, 0x54, 0x31], 4);
        }
      } else {
        b = samples[int(samples.length)]!.slice();
        const edits = 1 + int(mode === 0 ? 1 : 8);
        for (let e = 0; e < edits; e++) {
          const at = int(b.length);
          if (mode === 2) b[at] = [0, 0xff, 0x7f, 0x80, 1][int(5)]!;
          else b[at] = b[at]! ^ (1 << int(8));
        }
        if (rnd() < 0.1) b = b.subarray(0, int(b.length));
      }
      let r;
      try {
        r = verifyMessage(b);
      } catch (e) {
        throw new Error(`verifyMessage threw on iteration ${i}: ${String(e)}`);
      }
      if (r.ok) {
        accepted++;
        // Verified means safe to read: a full unpack must not throw.
        decodeMessage(b).unpack();
      } else {
        rejected++;
        expect(r.error).toBeInstanceOf(ProtocolError);
        expect(r.error.code).toBe('ipc_error');
      }
      salvageRequestId(b); // must not throw either
    }
    expect(accepted).toBeGreaterThan(100);
    expect(rejected).toBeGreaterThan(1000);
  });
});

describe('salvageRequestId', () => {
  it('reads the id of a request whose command is corrupt', () => {
    const b = request();
    b[layoutOf(b).cmdTypeField] = 250;
    expect(verifyMessage(b).ok).toBe(false);
    expect(Array.from(salvageRequestId(b)!)).toEqual(Array.from(RID));
  });

  it('returns null for garbage, responses, and a corrupt id', () => {
    expect(salvageRequestId(new Uint8Array(32).fill(0xff))).toBeNull();
    expect(salvageRequestId(encodeResponse(RID, new AckT()))).toBeNull();
    const b = request();
    const L = layoutOf(b);
    dv(b).setUint32(L.target(L.ridField), 1 << 30, true);
    expect(salvageRequestId(b)).toBeNull();
  });
});
