/**
 * Canonical CBOR (RFC 8949), the subset the grite WAL v1 format uses
 * (DESIGN.md section 2):
 *
 *   item   = head(major, argument) [payload]
 *   head   = initial byte (major << 5 | info), info < 24 holds the argument
 *            itself; 24, 25, 26, 27 announce a 1, 2, 4, 8-byte big-endian
 *            argument. Canonical: the shortest head that holds the argument.
 *   major 0  unsigned integer          major 1  negative integer (-1 - arg)
 *   major 2  byte string (ids, hashes)  major 3  text string (UTF-8)
 *   major 4  array of `arg` items       major 7  simple: false f4, true f5, null f6
 *
 * Not produced and rejected when read: maps (major 5), tags (major 6),
 * floats and other simple values, indefinite lengths (info 31), reserved
 * infos 28-30, non-shortest heads, invalid UTF-8, trailing bytes. Because the
 * decoder accepts canonical input only, the bytes of any item it accepts are
 * exactly what the encoder writes for the decoded value, which lets readers
 * reuse raw slices (unknown payloads, event-id preimages) without re-encoding.
 *
 * Integers: a JS number when it is a safe integer (|n| <= 2^53 - 1), a bigint
 * otherwise (so foreign records keep every value). Decoding throws only
 * GriteError('wal_error'), with `details.offset`.
 */
import { Buffer } from 'node:buffer';
import { GriteError } from '../errors.js';

/** A raw, already-encoded canonical CBOR item, written verbatim by the encoder. */
export class CborRaw {
  constructor(readonly bytes: Uint8Array) {}
}

export type CborValue = number | bigint | string | Uint8Array | boolean | null | CborRaw | readonly CborValue[];

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

// ---------------------------------------------------------------------------
// Encoder

/** A growable byte buffer that encodes CBOR items. Reusable after `finish()`. */
export class CborWriter {
  private buf: Uint8Array;
  private pos = 0;

  constructor(initial = 256) {
    this.buf = new Uint8Array(initial);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /** Raw bytes, appended as they are. */
  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  /** A head with the shortest encoding of `arg` (0 <= arg <= 2^64 - 1). */
  head(major: number, arg: number | bigint): this {
    const mt = major << 5;
    if (typeof arg === 'bigint') {
      if (arg <= BigInt(Number.MAX_SAFE_INTEGER)) return this.head(major, Number(arg));
      if (arg > 0xffffffffffffffffn) throw new GriteError('invalid_args', 'CBOR integer out of range');
      this.ensure(9);
      this.buf[this.pos++] = mt | 27;
      for (let shift = 56n; shift >= 0n; shift -= 8n) this.buf[this.pos++] = Number((arg >> shift) & 0xffn);
      return this;
    }
    this.ensure(9);
    const b = this.buf;
    if (arg < 24) {
      b[this.pos++] = mt | arg;
    } else if (arg < 0x100) {
      b[this.pos++] = mt | 24;
      b[this.pos++] = arg;
    } else if (arg < 0x10000) {
      b[this.pos++] = mt | 25;
      b[this.pos++] = arg >>> 8;
      b[this.pos++] = arg;
    } else if (arg < 0x100000000) {
      b[this.pos++] = mt | 26;
      b[this.pos++] = arg >>> 24;
      b[this.pos++] = arg >>> 16;
      b[this.pos++] = arg >>> 8;
      b[this.pos++] = arg;
    } else {
      const hi = Math.floor(arg / 0x100000000);
      const lo = arg >>> 0;
      b[this.pos++] = mt | 27;
      b[this.pos++] = hi >>> 24;
      b[this.pos++] = hi >>> 16;
      b[this.pos++] = hi >>> 8;
      b[this.pos++] = hi;
      b[this.pos++] = lo >>> 24;
      b[this.pos++] = lo >>> 16;
      b[this.pos++] = lo >>> 8;
      b[this.pos++] = lo;
    }
    return this;
  }

  uint(n: number | bigint): this {
    if (typeof n === 'number' && !(Number.isSafeInteger(n) && n >= 0)) {
      throw new GriteError('invalid_args', `not an unsigned safe integer: ${n}`);
    }
    return this.head(0, n);
  }

  int(n: number | bigint): this {
    if (typeof n === 'number') {
      if (!Number.isSafeInteger(n)) throw new GriteError('invalid_args', `not a safe integer: ${n}`);
      return n >= 0 ? this.head(0, n) : this.head(1, -1 - n);
    }
    if (n < -0x10000000000000000n) throw new GriteError('invalid_args', 'CBOR integer out of range');
    return n >= 0n ? this.head(0, n) : this.head(1, -1n - n);
  }

  bstr(b: Uint8Array): this {
    this.head(2, b.length);
    return this.bytes(b);
  }

  text(s: string): this {
    // ASCII fast path; otherwise encode once and copy.
    let ascii = true;
    for (let i = 0; i < s.length; i++) {
      if (s.charCodeAt(i) > 0x7f) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      this.head(3, s.length);
      this.ensure(s.length);
      for (let i = 0; i < s.length; i++) this.buf[this.pos++] = s.charCodeAt(i);
      return this;
    }
    const bytes = textEncoder.encode(s);
    this.head(3, bytes.length);
    return this.bytes(bytes);
  }

  null(): this {
    this.ensure(1);
    this.buf[this.pos++] = 0xf6;
    return this;
  }

  bool(v: boolean): this {
    this.ensure(1);
    this.buf[this.pos++] = v ? 0xf5 : 0xf4;
    return this;
  }

  array(length: number): this {
    return this.head(4, length);
  }

  value(v: CborValue): this {
    if (v === null) return this.null();
    switch (typeof v) {
      case 'number':
      case 'bigint':
        return this.int(v);
      case 'string':
        return this.text(v);
      case 'boolean':
        return this.bool(v);
    }
    if (v instanceof Uint8Array) return this.bstr(v);
    if (v instanceof CborRaw) return this.bytes(v.bytes);
    if (Array.isArray(v)) {
      this.array(v.length);
      for (const item of v) this.value(item);
      return this;
    }
    throw new GriteError('invalid_args', `not encodable as canonical CBOR: ${Object.prototype.toString.call(v)}`);
  }

  /** The encoded bytes (a copy) and a reset writer. */
  finish(): Uint8Array {
    const out = this.buf.slice(0, this.pos);
    this.pos = 0;
    return out;
  }

  /**
   * The encoded bytes as a view of the writer's buffer (no copy) and a reset
   * writer: valid only until the next write. For handing bytes to something
   * that copies them at once (an SQLite bind).
   */
  take(): Uint8Array {
    const out = this.buf.subarray(0, this.pos);
    this.pos = 0;
    return out;
  }

  get length(): number {
    return this.pos;
  }
}

/** Canonical CBOR bytes of `v`. */
export function encodeCbor(v: CborValue): Uint8Array {
  return new CborWriter().value(v).finish();
}

// ---------------------------------------------------------------------------
// Decoder

function fail(message: string, offset: number): never {
  throw new GriteError('wal_error', `bad CBOR at offset ${offset}: ${message}`, { details: { offset } });
}

/**
 * A strict reader over canonical CBOR. Position-based so callers can read a
 * structure piece by piece and take raw slices of items.
 */
export class CborReader {
  pos: number;

  constructor(
    readonly buf: Uint8Array,
    start = 0,
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  /** The argument of the last head read. */
  arg: number | bigint = 0;
  private latin1: Buffer | null = null;

  /** Read a head; returns its major type and sets `arg`. Floats, breaks and reserved infos fail. */

  head(): number {
    const b = this.buf;
    const at = this.pos;
    if (at >= b.length) fail('unexpected end of input', at);
    const ib = b[at]!;
    const major = ib >> 5;
    const info = ib & 31;
    if (major === 7) {
      if (info === 20 || info === 21 || info === 22) {
        this.pos = at + 1;
        this.arg = info;
        return 7;
      }
      fail(info >= 25 && info <= 27 ? 'floats are not allowed' : `simple value ${info} is not allowed`, at);
    }
    if (major === 5) fail('maps are not allowed', at);
    if (major === 6) fail('tags are not allowed', at);
    if (info < 24) {
      this.pos = at + 1;
      this.arg = info;
      return major;
    }
    if (info === 24) {
      if (at + 2 > b.length) fail('truncated head', at);
      const v = b[at + 1]!;
      if (v < 24) fail('non-shortest integer head', at);
      this.pos = at + 2;
      this.arg = v;
      return major;
    }
    if (info === 25) {
      if (at + 3 > b.length) fail('truncated head', at);
      const v = (b[at + 1]! << 8) | b[at + 2]!;
      if (v < 0x100) fail('non-shortest integer head', at);
      this.pos = at + 3;
      this.arg = v;
      return major;
    }
    if (info === 26) {
      if (at + 5 > b.length) fail('truncated head', at);
      const v = ((b[at + 1]! << 24) | (b[at + 2]! << 16) | (b[at + 3]! << 8) | b[at + 4]!) >>> 0;
      if (v < 0x10000) fail('non-shortest integer head', at);
      this.pos = at + 5;
      this.arg = v;
      return major;
    }
    if (info === 27) {
      if (at + 9 > b.length) fail('truncated head', at);
      const hi = ((b[at + 1]! << 24) | (b[at + 2]! << 16) | (b[at + 3]! << 8) | b[at + 4]!) >>> 0;
      const lo = ((b[at + 5]! << 24) | (b[at + 6]! << 16) | (b[at + 7]! << 8) | b[at + 8]!) >>> 0;
      if (hi === 0) fail('non-shortest integer head', at);
      this.pos = at + 9;
      this.arg = hi < 0x200000 ? hi * 0x100000000 + lo : (BigInt(hi) << 32n) | BigInt(lo);
      return major;
    }
    if (info === 31) fail('indefinite lengths are not allowed', at);
    return fail(`reserved additional information ${info}`, at);
  }

  private length(what: string, at: number): number {
    // Every element takes at least one byte, so a length past the end of the
    // input is a truncation (and never a huge allocation).
    const n = this.arg;
    if (typeof n !== 'number' || n > this.buf.length - this.pos) fail(`truncated ${what}`, at);
    return n;
  }

  /** An unsigned integer as a number (<= 2^53 - 1). */
  readUint(): number {
    const at = this.pos;
    if (this.head() !== 0) fail('expected an unsigned integer', at);
    if (typeof this.arg !== 'number') fail('integer above 2^53 - 1', at);
    return this.arg;
  }

  readBytes(): Uint8Array {
    const at = this.pos;
    if (this.head() !== 2) fail('expected a byte string', at);
    const n = this.length('byte string', at);
    const start = this.pos;
    this.pos = start + n;
    return copyBytes(this.buf, start, n);
  }

  /** A byte string or null. */
  readBytesOrNull(): Uint8Array | null {
    if (this.buf[this.pos] === 0xf6) {
      this.pos++;
      return null;
    }
    return this.readBytes();
  }

  readText(): string {
    const at = this.pos;
    if (this.head() !== 3) fail('expected a text string', at);
    return this.textBody(at);
  }

  readTextOrNull(): string | null {
    if (this.buf[this.pos] === 0xf6) {
      this.pos++;
      return null;
    }
    return this.readText();
  }

  private textBody(at: number): string {
    const n = this.length('text string', at);
    const start = this.pos;
    const end = start + n;
    const b = this.buf;
    this.pos = end;
    let ascii = true;
    for (let i = start; i < end; i++) {
      if (b[i]! > 0x7f) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      // latin1 of ASCII bytes is the string itself, and node decodes it natively.
      if (this.latin1 === null) this.latin1 = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
      return this.latin1.toString('latin1', start, end);
    }
    try {
      return textDecoder.decode(b.subarray(start, end));
    } catch {
      return fail('invalid UTF-8 in text string', at);
    }
  }

  /** An array head; returns its length. */
  readArray(): number {
    const at = this.pos;
    if (this.head() !== 4) fail('expected an array', at);
    const n = this.length('array', at);
    return n;
  }

  readNull(): void {
    if (this.buf[this.pos] !== 0xf6) fail('expected null', this.pos);
    this.pos++;
  }

  /** Any item, as a value. Nesting is limited to `depth` levels. */
  readValue(depth = 64): CborValue {
    const at = this.pos;
    const major = this.head();
    switch (major) {
      case 0:
        return this.arg;
      case 1:
        return typeof this.arg === 'number' && this.arg < Number.MAX_SAFE_INTEGER ? -1 - this.arg : -1n - BigInt(this.arg);
      case 2: {
        const n = this.length('byte string', at);
        const start = this.pos;
        this.pos = start + n;
        return copyBytes(this.buf, start, n);
      }
      case 3:
        return this.textBody(at);
      case 4: {
        if (depth <= 0) fail('nested too deeply', at);
        const n = this.length('array', at);
        const out: CborValue[] = [];
        for (let i = 0; i < n; i++) out.push(this.readValue(depth - 1));
        return out;
      }
      default: // 7: false, true, null
        return this.arg === 22 ? null : this.arg === 21;
    }
  }

  /** Skip one item (validating it) and return its raw bytes (a view into the buffer). */
  readRaw(): Uint8Array {
    const start = this.pos;
    this.readValue();
    return this.buf.subarray(start, this.pos);
  }
}

/** A copy of buf[start, start + n) as a plain Uint8Array (ids are short: a loop beats slice()). */
function copyBytes(buf: Uint8Array, start: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  if (n <= 64) {
    for (let i = 0; i < n; i++) out[i] = buf[start + i]!;
  } else {
    out.set(buf.subarray(start, start + n));
  }
  return out;
}

/** Decode exactly one canonical CBOR item filling all of `bytes`. */
export function decodeCbor(bytes: Uint8Array): CborValue {
  const r = new CborReader(bytes);
  const v = r.readValue();
  if (!r.done) fail('trailing bytes after the item', r.pos);
  return v;
}
