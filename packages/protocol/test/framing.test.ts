/**
 * Framing: hand-written bytes split at every possible offset. Each case gives
 * its documented result (frames, or exactly one error event), never a crash
 * or a hang.
 */
import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameDecoder, frameHeader, ProtocolError } from '../src/index.js';

interface Run {
  frames: number[][];
  errors: ProtocolError[];
  endedCleanly: boolean;
}

function run(chunks: Uint8Array[], maxFrameBytes?: number): Run {
  const out: Run = { frames: [], errors: [], endedCleanly: false };
  const dec = new FrameDecoder({
    ...(maxFrameBytes === undefined ? {} : { maxFrameBytes }),
    onFrame: (f) => out.frames.push(Array.from(f)),
    onError: (e) => out.errors.push(e),
  });
  for (const c of chunks) dec.push(c);
  out.endedCleanly = dec.end();
  return out;
}

const bytes = (...xs: number[]): Uint8Array => new Uint8Array(xs);
const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

// Three frames of lengths 1, 5 and 300 (the last one's length needs two bytes).
const F1 = bytes(0, 0, 0, 1, 0xaa);
const F2 = bytes(0, 0, 0, 5, 1, 2, 3, 4, 5);
const BIG = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
const F3 = concat(bytes(0, 0, 0x01, 0x2c), BIG);
const STREAM = concat(F1, F2, F3);
const EXPECTED = [[0xaa], [1, 2, 3, 4, 5], Array.from(BIG)];

describe('FrameDecoder', () => {
  it('header is big-endian u32', () => {
    expect(Array.from(frameHeader(0x01020304))).toEqual([1, 2, 3, 4]);
    expect(Array.from(encodeFrame(bytes(9, 8)))).toEqual([0, 0, 0, 2, 9, 8]);
    expect(() => frameHeader(0)).toThrow(ProtocolError);
  });

  it('decodes several frames in one chunk', () => {
    const r = run([STREAM]);
    expect(r.frames).toEqual(EXPECTED);
    expect(r.errors).toEqual([]);
    expect(r.endedCleanly).toBe(true);
  });

  it('decodes the stream split at every byte offset', () => {
    for (let i = 0; i <= STREAM.length; i++) {
      const r = run([STREAM.subarray(0, i), STREAM.subarray(i)]);
      expect(r.frames, `split at ${i}`).toEqual(EXPECTED);
      expect(r.errors).toEqual([]);
      expect(r.endedCleanly).toBe(true);
    }
  });

  it('decodes the stream split at every pair of offsets', () => {
    const s = concat(F1, F2);
    for (let i = 0; i <= s.length; i++) {
      for (let j = i; j <= s.length; j++) {
        const r = run([s.subarray(0, i), s.subarray(i, j), s.subarray(j)]);
        expect(r.frames, `split at ${i}, ${j}`).toEqual([[0xaa], [1, 2, 3, 4, 5]]);
        expect(r.endedCleanly).toBe(true);
      }
    }
  });

  it('decodes one frame delivered one byte at a time', () => {
    const chunks = Array.from(F3, (b) => bytes(b));
    const r = run(chunks);
    expect(r.frames).toEqual([Array.from(BIG)]);
    expect(r.endedCleanly).toBe(true);
  });

  it('does not copy a frame that lies within one chunk', () => {
    const seen: Uint8Array[] = [];
    const dec = new FrameDecoder({ onFrame: (f) => seen.push(f), onError: (e) => { throw e; } });
    dec.push(STREAM);
    expect(seen).toHaveLength(3);
    for (const f of seen) expect(f.buffer).toBe(STREAM.buffer);
  });

  it('reports a zero length as one error event and ignores the rest', () => {
    const r = run([concat(F1, bytes(0, 0, 0, 0), F2)]);
    expect(r.frames).toEqual([[0xaa]]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.code).toBe('ipc_error');
    expect(r.errors[0]!.details.reason).toBe('zero_length');
    expect(r.endedCleanly).toBe(false);
  });

  it('reports a zero length split across chunks', () => {
    const r = run([bytes(0, 0), bytes(0, 0)]);
    expect(r.errors.map((e) => e.details.reason)).toEqual(['zero_length']);
  });

  it('reports a length over the limit before reading the body', () => {
    const r = run([concat(bytes(0, 0, 0x01, 0x01), new Uint8Array(10))], 256);
    expect(r.frames).toEqual([]);
    expect(r.errors.map((e) => e.details.reason)).toEqual(['too_large']);
    expect(r.errors[0]!.message).toMatch(/257 bytes exceeds the 256-byte limit/);
  });

  it('accepts a length exactly at the limit', () => {
    const r = run([concat(bytes(0, 0, 1, 0), new Uint8Array(256))], 256);
    expect(r.frames).toHaveLength(1);
    expect(r.errors).toEqual([]);
  });

  it('uses 16 MiB as the default limit', () => {
    const r = run([bytes(0x01, 0x00, 0x00, 0x01)]);
    expect(r.errors.map((e) => e.details.reason)).toEqual(['too_large']);
    const ok = run([bytes(0x01, 0x00, 0x00, 0x00)]);
    expect(ok.errors.map((e) => e.details.reason)).toEqual(['truncated']);
  });

  it('reports garbage (ASCII text) as an over-limit length', () => {
    const r = run([new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n')]);
    expect(r.frames).toEqual([]);
    expect(r.errors.map((e) => e.details.reason)).toEqual(['too_large']);
  });

  it('reports a stream truncated inside a header, at every offset', () => {
    for (let i = 1; i < 4; i++) {
      const r = run([concat(F1, F2.subarray(0, i))]);
      expect(r.frames).toEqual([[0xaa]]);
      expect(r.errors.map((e) => e.details.reason), `cut at ${i}`).toEqual(['truncated']);
      expect(r.endedCleanly).toBe(false);
    }
  });

  it('reports a stream truncated inside a body, at every offset', () => {
    for (let i = 4; i < F3.length; i++) {
      const r = run([F3.subarray(0, i)]);
      expect(r.frames).toEqual([]);
      expect(r.errors.map((e) => e.details.reason), `cut at ${i}`).toEqual(['truncated']);
    }
  });

  it('ends cleanly on an empty stream', () => {
    const r = run([]);
    expect(r.endedCleanly).toBe(true);
    expect(r.errors).toEqual([]);
  });

  it('survives random chunking of random frames (bounded, fixed seed)', () => {
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let round = 0; round < 200; round++) {
      const payloads = Array.from({ length: 1 + rnd(5) }, () => Uint8Array.from({ length: 1 + rnd(40) }, () => rnd(256)));
      const stream = concat(...payloads.map(encodeFrame));
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < stream.length; ) {
        const n = rnd(12);
        chunks.push(stream.subarray(i, i + n));
        i += n;
      }
      const r = run(chunks);
      expect(r.frames).toEqual(payloads.map((p) => Array.from(p)));
      expect(r.endedCleanly).toBe(true);
    }
  });
});
