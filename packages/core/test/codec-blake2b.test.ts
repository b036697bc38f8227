import { blake2b } from '@noble/hashes/blake2.js';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BLAKE2B_IMPL, blake2b256, blake2b256Equals, blake2b256Js } from '../src/codec/blake2b.js';
import { toHex } from '../src/codec/hex.js';

describe('blake2b256', () => {
  it('runs on WebAssembly here', () => {
    expect(BLAKE2B_IMPL).toBe('wasm');
  });

  it('matches the RFC 7693 parameter block for a 32-byte digest (known answers)', () => {
    // BLAKE2b-256 of "" and of "abc" (published known-answer values).
    expect(toHex(blake2b256(new Uint8Array(0)))).toBe(
      '0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8',
    );
    expect(toHex(blake2b256(new TextEncoder().encode('abc')))).toBe(
      'bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319',
    );
  });

  it('agrees with @noble/hashes for every length from 0 to 520 bytes (WebAssembly and JS)', () => {
    for (let n = 0; n <= 520; n++) {
      const data = new Uint8Array(randomBytes(n));
      const want = toHex(blake2b(data, { dkLen: 32 }));
      expect(toHex(blake2b256(data)), `length ${n}`).toBe(want);
      expect(toHex(blake2b256Js(data)), `length ${n} (js)`).toBe(want);
      expect(blake2b256Equals(blake2b(data, { dkLen: 32 }), data)).toBe(true);
    }
  });

  it('hashes inputs larger than the initial WebAssembly memory', () => {
    const data = new Uint8Array(randomBytes(3_000_001));
    expect(toHex(blake2b256(data))).toBe(toHex(blake2b(data, { dkLen: 32 })));
    expect(toHex(blake2b256(new Uint8Array([1, 2, 3])))).toBe(toHex(blake2b(new Uint8Array([1, 2, 3]), { dkLen: 32 })));
  });

  it('blake2b256Equals is false for another digest', () => {
    const d = blake2b256(new Uint8Array([1]));
    d[31] ^= 1;
    expect(blake2b256Equals(d, new Uint8Array([1]))).toBe(false);
    expect(blake2b256Equals(d.subarray(0, 31), new Uint8Array([1]))).toBe(false);
  });

  it('hashes several parts as their concatenation', () => {
    for (const sizes of [[0, 0], [1, 127], [128, 1], [64, 64, 1], [300, 0, 5, 129], [128, 128]]) {
      const parts = sizes.map((n) => new Uint8Array(randomBytes(n)));
      const whole = new Uint8Array(sizes.reduce((a, b) => a + b, 0));
      let o = 0;
      for (const p of parts) {
        whole.set(p, o);
        o += p.length;
      }
      expect(toHex(blake2b256(...parts)), `sizes ${sizes.join(',')}`).toBe(toHex(blake2b(whole, { dkLen: 32 })));
      expect(toHex(blake2b256Js(...parts)), `sizes ${sizes.join(',')} (js)`).toBe(toHex(blake2b(whole, { dkLen: 32 })));
    }
  });

  it('is not a truncated BLAKE2b-512', () => {
    const data = new TextEncoder().encode('abc');
    expect(toHex(blake2b256(data))).not.toBe(toHex(blake2b(data, { dkLen: 64 }).subarray(0, 32)));
  });
});
