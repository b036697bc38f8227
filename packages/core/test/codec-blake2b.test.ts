import { blake2b } from '@noble/hashes/blake2.js';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { blake2b256 } from '../src/codec/blake2b.js';
import { toHex } from '../src/codec/hex.js';

describe('blake2b256', () => {
  it('matches the RFC 7693 parameter block for a 32-byte digest (known answers)', () => {
    // BLAKE2b-256 of "" and of "abc" (published known-answer values).
    expect(toHex(blake2b256(new Uint8Array(0)))).toBe(
      '0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8',
    );
    expect(toHex(blake2b256(new TextEncoder().encode('abc')))).toBe(
      'bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319',
    );
  });

  it('agrees with @noble/hashes for every length from 0 to 520 bytes', () => {
    for (let n = 0; n <= 520; n++) {
      const data = new Uint8Array(randomBytes(n));
      expect(toHex(blake2b256(data)), `length ${n}`).toBe(toHex(blake2b(data, { dkLen: 32 })));
    }
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
    }
  });

  it('is not a truncated BLAKE2b-512', () => {
    const data = new TextEncoder().encode('abc');
    expect(toHex(blake2b256(data))).not.toBe(toHex(blake2b(data, { dkLen: 64 }).subarray(0, 32)));
  });
});
