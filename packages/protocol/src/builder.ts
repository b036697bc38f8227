/**
 * A FlatBuffers Builder, faster where the object API spends its time:
 * addInt8 (byte vectors are written a byte at a time) skips alignment work,
 * and createString writes UTF-8 straight into the buffer. The stock one calls TextEncoder.encode per string, which allocates
 * and costs about half a microsecond for each short string: most of the time
 * spent encoding a typical response. Output is byte-identical (lone
 * surrogates become U+FFFD, as TextEncoder does); a test compares the two.
 *
 * It reaches two fields the runtime declares private (`bb`, `space`), both
 * stable across the runtime's releases; the test above guards that too.
 */
import * as flatbuffers from 'flatbuffers';

interface BuilderInternals {
  bb: flatbuffers.ByteBuffer;
  space: number;
}

/** Strings longer than this are measured and encoded natively. */
const NATIVE_FROM = 96;
const encoder = new TextEncoder();

/** UTF-8 length of `s` (lone surrogates count as U+FFFD, 3 bytes). */
function utf8Length(s: string): number {
  let len = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) len += 1;
    else if (c < 0x800) len += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        len += 4;
        i++;
      } else len += 3;
    } else len += 3;
  }
  return len;
}

export class FastBuilder extends flatbuffers.Builder {
  /**
   * The object API writes byte vectors ([ubyte] ids) one addInt8 per byte.
   * A byte needs no alignment, so this skips prep() unless the buffer is
   * full.
   */
  override addInt8(value: number): void {
    const self = this as unknown as BuilderInternals;
    if (self.space < 1) {
      super.addInt8(value);
      return;
    }
    self.bb.bytes()[--self.space] = value;
  }

  override createString(s: string | Uint8Array | null | undefined): flatbuffers.Offset {
    if (typeof s !== 'string') return super.createString(s);
    const self = this as unknown as BuilderInternals;
    const n = s.length;
    let ascii = n < NATIVE_FROM;
    if (ascii) {
      for (let i = 0; i < n; i++) {
        if (s.charCodeAt(i) > 0x7f) {
          ascii = false;
          break;
        }
      }
    }
    const len = ascii ? n : n < NATIVE_FROM ? utf8Length(s) : Buffer.byteLength(s, 'utf8');
    this.addInt8(0);
    this.startVector(1, len, 1);
    self.space -= len;
    self.bb.setPosition(self.space);
    const b = self.bb.bytes();
    let p = self.space;
    if (ascii) {
      for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
    } else if (n >= NATIVE_FROM) {
      encoder.encodeInto(s, b.subarray(p, p + len));
    } else {
      for (let i = 0; i < n; i++) {
        let c = s.charCodeAt(i);
        if (c < 0x80) {
          b[p++] = c;
        } else if (c < 0x800) {
          b[p++] = 0xc0 | (c >> 6);
          b[p++] = 0x80 | (c & 0x3f);
        } else {
          if (c >= 0xd800 && c <= 0xdfff) {
            const d = i + 1 < n ? s.charCodeAt(i + 1) : 0;
            if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
              const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
              b[p++] = 0xf0 | (cp >> 18);
              b[p++] = 0x80 | ((cp >> 12) & 0x3f);
              b[p++] = 0x80 | ((cp >> 6) & 0x3f);
              b[p++] = 0x80 | (cp & 0x3f);
              i++;
              continue;
            }
            c = 0xfffd;
          }
          b[p++] = 0xe0 | (c >> 12);
          b[p++] = 0x80 | ((c >> 6) & 0x3f);
          b[p++] = 0x80 | (c & 0x3f);
        }
      }
    }
    return this.endVector();
  }
}

// Reading: the runtime's ByteBuffer constructor makes a TextDecoder per
// buffer, a sixth of the cost of decoding a small message. byteBufferOf()
// makes the same object with one shared decoder. It relies on the
// constructor setting exactly these own fields; that is checked once here,
// and when it does not hold the plain constructor is used.
const sharedDecoder = new TextDecoder();
const BYTE_BUFFER_FIELDS = ['bytes_', 'position_', 'text_decoder_'];
const fastByteBuffers = (() => {
  const probe = new flatbuffers.ByteBuffer(new Uint8Array(0));
  const keys = Object.keys(probe);
  return keys.length === BYTE_BUFFER_FIELDS.length && keys.every((k, i) => k === BYTE_BUFFER_FIELDS[i]);
})();

interface ByteBufferFields {
  bytes_: Uint8Array;
  position_: number;
  text_decoder_: unknown;
}

/** A ByteBuffer over `bytes` (equivalent to `new flatbuffers.ByteBuffer(bytes)`). */
export function byteBufferOf(bytes: Uint8Array): flatbuffers.ByteBuffer {
  if (!fastByteBuffers) return new flatbuffers.ByteBuffer(bytes);
  const bb = Object.create(flatbuffers.ByteBuffer.prototype) as ByteBufferFields;
  bb.bytes_ = bytes;
  bb.position_ = 0;
  bb.text_decoder_ = sharedDecoder;
  return bb as unknown as flatbuffers.ByteBuffer;
}
