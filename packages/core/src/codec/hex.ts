/**
 * Byte helpers. Ids are raw bytes everywhere in core and lowercase hex at the
 * edges (meta.json, JSON output, refs). Comparisons are by unsigned bytes, the
 * order the on-git format and the projection use (never JS string order).
 */
import { GriteError } from '../errors.js';

const HEX = '0123456789abcdef';
const BYTE_TO_HEX: string[] = Array.from({ length: 256 }, (_, i) => HEX[i >> 4]! + HEX[i & 15]!);

/** Lowercase hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += BYTE_TO_HEX[bytes[i]!]!;
  return s;
}

function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  if (c >= 97 && c <= 102) return c - 87; // a-f
  if (c >= 65 && c <= 70) return c - 55; // A-F
  return -1;
}

/**
 * An id as a map key: one character per byte (several times cheaper than
 * hex on 100,000 ids), ordered as the bytes are.
 */
export function idKey(id: Uint8Array): string {
  return String.fromCharCode.apply(null, id as unknown as number[]);
}

/**
 * Bytes of a hex string (either case). Throws GriteError('invalid_args') on an
 * odd length or a non-hex character, or when `expectedLength` (in bytes) is
 * given and does not match.
 */
export function fromHex(hex: string, expectedLength?: number): Uint8Array {
  if (hex.length % 2 !== 0) {
    throw new GriteError('invalid_args', `not a hex string (odd length ${hex.length})`, { details: { value: hex } });
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = nibble(hex.charCodeAt(2 * i));
    const lo = nibble(hex.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) {
      throw new GriteError('invalid_args', `not a hex string: ${JSON.stringify(hex)}`, { details: { value: hex } });
    }
    out[i] = (hi << 4) | lo;
  }
  if (expectedLength !== undefined && out.length !== expectedLength) {
    throw new GriteError('invalid_args', `expected ${expectedLength} bytes of hex, got ${out.length}`, {
      details: { value: hex },
    });
  }
  return out;
}

/** True when `hex` is lowercase hex of exactly `bytes` bytes. */
export function isHex(hex: string, bytes: number): boolean {
  if (hex.length !== bytes * 2) return false;
  for (let i = 0; i < hex.length; i++) {
    const c = hex.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Unsigned lexicographic byte order: negative, zero or positive like a sort comparator. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}
