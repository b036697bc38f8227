/**
 * BLAKE2b-256: BLAKE2b (RFC 7693) with a 32-byte digest, no key, no salt or
 * personalisation. The digest length is part of the parameter block
 * (`h[0] ^= 0x01010000 ^ (keylen << 8) ^ outlen`, here outlen = 32), so this
 * is NOT the first 32 bytes of BLAKE2b-512. Node's crypto only offers
 * blake2b512, hence this implementation.
 *
 *   h = IV (the SHA-512 IV), h[0] ^= 0x01010020
 *   for each 128-byte block m (the last one zero-padded, at least one block):
 *     t = bytes hashed so far including this block, f = last block
 *     v[0..7] = h, v[8..15] = IV, v[12] ^= t_lo64, v[13] ^= t_hi64, v[14] ^= f ? ~0 : 0
 *     12 rounds of G over columns then diagonals with the SIGMA message schedule
 *     h[i] ^= v[i] ^ v[i + 8]
 *   digest = the first 32 bytes of h, little-endian
 *
 * Why not @noble/hashes (which the tests use as the reference): event ids and
 * chunk hashes are verified on every read, and its per-call setup costs about
 * three times the single compression a typical 70-byte preimage needs.
 * `blake2b256` runs the WebAssembly version (blake2b-wasm.ts, native 64-bit
 * words); `blake2b256Js` is the same in plain JS, on 32-bit halves of the
 * 64-bit words (lo at index 2i, hi at 2i + 1), used where WebAssembly is not.
 */
import { H_ADDR, INPUT_ADDR, IV as BIG_IV, SIGMA, instantiateBlake2b } from './blake2b-wasm.js';

// The constants of blake2b-wasm.ts, on 32-bit halves: lo at 2i, hi at 2i + 1.
const IV = new Uint32Array(BIG_IV.flatMap((w) => [Number(w & 0xffffffffn), Number(w >> 32n)]));

// SIGMA rows for all 12 rounds, pre-multiplied by 2 (indexes of the lo halves in m).
const SIGMA2 = new Uint8Array(Array.from({ length: 12 }, (_, r) => SIGMA[r % 10]!.map((x) => x * 2)).flat());

const h = new Uint32Array(16);
const v = new Uint32Array(32);
const m = new Uint32Array(32);

// G on words a, b, c, d (indexes of lo halves in v) with message words x, y (in m).
function g(a: number, b: number, c: number, d: number, x: number, y: number): void {
  let alo = v[a]!, ahi = v[a + 1]!;
  let blo = v[b]!, bhi = v[b + 1]!;
  let clo = v[c]!, chi = v[c + 1]!;
  let dlo = v[d]!, dhi = v[d + 1]!;
  let t: number;

  // a = a + b + m[x]
  t = alo + blo;
  ahi = (ahi + bhi + ((t / 0x100000000) | 0)) | 0;
  alo = t | 0;
  t = (alo >>> 0) + m[x]!;
  ahi = (ahi + m[x + 1]! + ((t / 0x100000000) | 0)) | 0;
  alo = t | 0;
  // d = rotr64(d ^ a, 32)
  t = dlo ^ alo;
  dlo = dhi ^ ahi;
  dhi = t;
  // c = c + d
  t = (clo >>> 0) + (dlo >>> 0);
  chi = (chi + dhi + ((t / 0x100000000) | 0)) | 0;
  clo = t | 0;
  // b = rotr64(b ^ c, 24)
  t = blo ^ clo;
  bhi = bhi ^ chi;
  blo = (t >>> 24) | (bhi << 8);
  bhi = (bhi >>> 24) | (t << 8);
  // a = a + b + m[y]
  t = (alo >>> 0) + (blo >>> 0);
  ahi = (ahi + bhi + ((t / 0x100000000) | 0)) | 0;
  alo = t | 0;
  t = (alo >>> 0) + m[y]!;
  ahi = (ahi + m[y + 1]! + ((t / 0x100000000) | 0)) | 0;
  alo = t | 0;
  // d = rotr64(d ^ a, 16)
  t = dlo ^ alo;
  dhi = dhi ^ ahi;
  dlo = (t >>> 16) | (dhi << 16);
  dhi = (dhi >>> 16) | (t << 16);
  // c = c + d
  t = (clo >>> 0) + (dlo >>> 0);
  chi = (chi + dhi + ((t / 0x100000000) | 0)) | 0;
  clo = t | 0;
  // b = rotr64(b ^ c, 63) = rotl64(b ^ c, 1)
  t = blo ^ clo;
  bhi = bhi ^ chi;
  blo = (t << 1) | (bhi >>> 31);
  bhi = (bhi << 1) | (t >>> 31);

  v[a] = alo; v[a + 1] = ahi;
  v[b] = blo; v[b + 1] = bhi;
  v[c] = clo; v[c + 1] = chi;
  v[d] = dlo; v[d + 1] = dhi;
}

function compress(block: Uint8Array, off: number, avail: number, t: number, last: boolean): void {
  // Load the block as 32 little-endian u32 words, zero-padding past `avail`.
  if (avail >= 128) {
    for (let i = 0, p = off; i < 32; i++, p += 4) {
      m[i] = block[p]! | (block[p + 1]! << 8) | (block[p + 2]! << 16) | (block[p + 3]! << 24);
    }
  } else {
    m.fill(0);
    for (let i = 0; i < avail; i++) m[i >> 2] = m[i >> 2]! | (block[off + i]! << ((i & 3) * 8));
  }
  for (let i = 0; i < 16; i++) {
    v[i] = h[i]!;
    v[i + 16] = IV[i]!;
  }
  // t < 2^53: its low 64 bits are (t mod 2^32, floor(t / 2^32)).
  v[24] = v[24]! ^ (t >>> 0);
  v[25] = v[25]! ^ Math.floor(t / 0x100000000);
  if (last) {
    v[28] = ~v[28]!;
    v[29] = ~v[29]!;
  }
  for (let r = 0; r < 12; r++) {
    const s = r * 16;
    g(0, 8, 16, 24, SIGMA2[s]!, SIGMA2[s + 1]!);
    g(2, 10, 18, 26, SIGMA2[s + 2]!, SIGMA2[s + 3]!);
    g(4, 12, 20, 28, SIGMA2[s + 4]!, SIGMA2[s + 5]!);
    g(6, 14, 22, 30, SIGMA2[s + 6]!, SIGMA2[s + 7]!);
    g(0, 10, 20, 30, SIGMA2[s + 8]!, SIGMA2[s + 9]!);
    g(2, 12, 22, 24, SIGMA2[s + 10]!, SIGMA2[s + 11]!);
    g(4, 14, 16, 26, SIGMA2[s + 12]!, SIGMA2[s + 13]!);
    g(6, 8, 18, 28, SIGMA2[s + 14]!, SIGMA2[s + 15]!);
  }
  for (let i = 0; i < 16; i++) h[i] = h[i]! ^ v[i]! ^ v[i + 16]!;
}

/**
 * BLAKE2b-256 of the concatenation of `parts`, in plain JS (the fallback
 * where WebAssembly is unavailable, and a cross-check in tests).
 */
export function blake2b256Js(...parts: Uint8Array[]): Uint8Array {
  h.set(IV);
  h[0] = h[0]! ^ 0x01010020;
  let total = 0;
  for (const p of parts) total += p.length;

  if (parts.length === 1) {
    const data = parts[0]!;
    let off = 0;
    while (total - off > 128) {
      compress(data, off, 128, off + 128, false);
      off += 128;
    }
    compress(data, off, total - off, total, true);
  } else {
    // Gather into 128-byte blocks; the final block is compressed with the flag set.
    const buf = new Uint8Array(128);
    let fill = 0;
    let done = 0;
    for (const p of parts) {
      let i = 0;
      while (i < p.length) {
        if (fill === 128) {
          done += 128;
          compress(buf, 0, 128, done, false);
          fill = 0;
        }
        const n = Math.min(128 - fill, p.length - i);
        buf.set(p.subarray(i, i + n), fill);
        fill += n;
        i += n;
      }
    }
    compress(buf, 0, fill, done + fill, true);
  }

  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    const w = h[i]!;
    out[4 * i] = w;
    out[4 * i + 1] = w >>> 8;
    out[4 * i + 2] = w >>> 16;
    out[4 * i + 3] = w >>> 24;
  }
  return out;
}

const wasm = instantiateBlake2b();
let mem = wasm ? new Uint8Array(wasm.memory.buffer) : new Uint8Array(0);

/** Copy `parts` into the module's input area (growing memory as needed); returns the total length. */
function load(parts: readonly Uint8Array[]): number {
  let total = 0;
  for (const p of parts) total += p.length;
  const need = INPUT_ADDR + total;
  if (need > mem.length) {
    wasm!.memory.grow(Math.ceil((need - mem.length) / 65536));
    mem = new Uint8Array(wasm!.memory.buffer);
  }
  let off = INPUT_ADDR;
  for (const p of parts) {
    mem.set(p, off);
    off += p.length;
  }
  return total;
}

/**
 * BLAKE2b-256 of the concatenation of `parts` (one part or several, so a
 * preimage can be hashed without first copying it together).
 */
export function blake2b256(...parts: Uint8Array[]): Uint8Array {
  if (wasm === null) return blake2b256Js(...parts);
  wasm.hash(load(parts));
  return mem.slice(H_ADDR, H_ADDR + 32);
}

/** Whether BLAKE2b-256 of the concatenation of `parts` equals `expected` (no allocation). */
export function blake2b256Equals(expected: Uint8Array, ...parts: Uint8Array[]): boolean {
  if (wasm === null) {
    const d = blake2b256Js(...parts);
    return expected.length === 32 && d.every((b, i) => b === expected[i]);
  }
  if (expected.length !== 32) return false;
  wasm.hash(load(parts));
  for (let i = 0; i < 32; i++) if (mem[H_ADDR + i] !== expected[i]) return false;
  return true;
}

/** Which implementation `blake2b256` uses. */
export const BLAKE2B_IMPL: 'wasm' | 'js' = wasm === null ? 'js' : 'wasm';
