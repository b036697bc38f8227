// CborWriter.take: the bytes without a copy (the view's bulk load binds
// payloads this way), the writer reset; a later write reuses the buffer.
import { describe, expect, it } from 'vitest';
import { CborWriter, encodeCbor } from '../src/codec/cbor.js';

describe('CborWriter.take', () => {
  it('gives the encoded bytes as a view of its buffer and resets the writer', () => {
    const w = new CborWriter(4);
    const a = w.array(2).text('label').uint(1000).take();
    expect(Array.from(a)).toEqual(Array.from(encodeCbor(['label', 1000])));
    expect(w.length).toBe(0);
    const copy = a.slice();
    const b = w.text('x').take();
    expect(Array.from(b)).toEqual(Array.from(encodeCbor('x')));
    // Same buffer: the first view now shows the second item's bytes at its start.
    expect(a.buffer).toBe(b.buffer);
    expect(a[0]).toBe(b[0]);
    expect(Array.from(copy)).toEqual(Array.from(encodeCbor(['label', 1000])));
  });
});
