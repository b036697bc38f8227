/**
 * Framing of grite IPC messages on a byte stream (DESIGN.md section 6):
 *
 *   frame := length:u32 BIG-endian, message:byte[length]
 *
 * One frame holds one FlatBuffers `Message`. FlatBuffers' own size prefix is
 * little-endian and is NOT used. A length of 0, or above the limit (16 MiB by
 * default), is a protocol error: the stream cannot be resynchronised, so the
 * reader reports it and the connection is closed. A stream that ends inside
 * a frame (header or body) is reported as truncated.
 *
 * The decoder does not copy a frame that lies within one chunk: the frame it
 * emits is a view of that chunk, so callers must not reuse a chunk's memory
 * after pushing it (Node's socket chunks are fresh buffers, which is fine).
 * A frame split across chunks is assembled in one buffer of its exact size.
 */
import { ProtocolError } from './errors.js';

export const FRAME_HEADER_BYTES = 4;
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

export type FrameErrorReason = 'zero_length' | 'too_large' | 'truncated';

/** The 4-byte big-endian length header for a message of `length` bytes. */
export function frameHeader(length: number): Uint8Array {
  if (!Number.isInteger(length) || length <= 0 || length > 0xffffffff) {
    throw new ProtocolError('ipc_error', `cannot frame a message of ${length} bytes`);
  }
  const h = new Uint8Array(FRAME_HEADER_BYTES);
  writeHeader(h, 0, length);
  return h;
}

// Framed message buffers: [4-byte header][message], carved from 64 KiB slabs
// (small messages) or allocated alone (large ones). Carving saves an
// ArrayBuffer allocation per message, which costs more than the copy into
// it; a slab is freed by the GC once no message in it is referenced. Slabs
// are never reused, so a carved region is zero-filled and ours alone.
const SLAB_BYTES = 64 * 1024;
const SLAB_MAX_MESSAGE = SLAB_BYTES / 8;
const ownSlabs = new WeakSet<ArrayBufferLike>();
let slab = new Uint8Array(0);
let slabUsed = 0;

function writeHeader(into: Uint8Array, at: number, length: number): void {
  into[at] = length >>> 24;
  into[at + 1] = (length >>> 16) & 0xff;
  into[at + 2] = (length >>> 8) & 0xff;
  into[at + 3] = length & 0xff;
}

/**
 * A zero-filled message buffer of `length` bytes whose frame header sits in
 * the 4 bytes before it: encodeFrame() of it (once filled) returns header and
 * message without copying. The encoders in messages.ts allocate their output
 * this way.
 */
export function allocateFramed(length: number): Uint8Array {
  if (!Number.isInteger(length) || length <= 0 || length > 0xffffffff) {
    throw new ProtocolError('ipc_error', `cannot frame a message of ${length} bytes`);
  }
  const total = FRAME_HEADER_BYTES + length;
  if (length > SLAB_MAX_MESSAGE) {
    const out = new Uint8Array(total);
    writeHeader(out, 0, length);
    return out.subarray(FRAME_HEADER_BYTES);
  }
  if (slabUsed + total > slab.length) {
    slab = new Uint8Array(SLAB_BYTES);
    ownSlabs.add(slab.buffer);
    slabUsed = 0;
  }
  const at = slabUsed;
  slabUsed = (at + total + 7) & ~7; // keep every message 8-byte aligned
  writeHeader(slab, at, length);
  return new Uint8Array(slab.buffer, at + FRAME_HEADER_BYTES, length);
}

/**
 * The frame (header + message) when `message` came from allocateFramed:
 * it sits in a slab of ours, or is the tail of an ArrayBuffer holding exactly
 * header and message. Only reads: the header bytes are checked, so the view
 * returned holds exactly what encodeFrame would build. Null otherwise.
 */
function framedView(message: Uint8Array): Uint8Array | null {
  const length = message.length;
  const at = message.byteOffset - FRAME_HEADER_BYTES;
  if (length === 0 || at < 0) return null;
  const buffer = message.buffer;
  if (!ownSlabs.has(buffer) && !(at === 0 && buffer.byteLength === length + FRAME_HEADER_BYTES)) return null;
  const frame = new Uint8Array(buffer, at, length + FRAME_HEADER_BYTES);
  const ok =
    frame[0] === length >>> 24 &&
    frame[1] === ((length >>> 16) & 0xff) &&
    frame[2] === ((length >>> 8) & 0xff) &&
    frame[3] === (length & 0xff);
  return ok ? frame : null;
}

/**
 * Header and message as one buffer: a view around the message when it came
 * from allocateFramed (no copy), else a new buffer (one copy).
 */
export function encodeFrame(message: Uint8Array): Uint8Array {
  const framed = framedView(message);
  if (framed !== null) return framed;
  if (message.length === 0 || message.length > 0xffffffff) {
    throw new ProtocolError('ipc_error', `cannot frame a message of ${message.length} bytes`);
  }
  const out = new Uint8Array(FRAME_HEADER_BYTES + message.length);
  writeHeader(out, 0, message.length);
  out.set(message, FRAME_HEADER_BYTES);
  return out;
}

/** Writes one frame to a socket-like stream, copying only what must be copied. */
export function writeFrame(stream: FrameSink, message: Uint8Array): void {
  const framed = framedView(message);
  if (framed !== null) {
    stream.write(framed);
  } else if (message.length >= COPY_FRAME_BELOW) {
    // A large message from elsewhere: header and body as two writes (writev).
    stream.cork();
    stream.write(frameHeader(message.length));
    stream.write(message);
    stream.uncork();
  } else {
    stream.write(encodeFrame(message));
  }
}

/** What writeFrame needs of a stream (a net.Socket has it). */
export interface FrameSink {
  cork(): void;
  uncork(): void;
  write(chunk: Uint8Array): unknown;
}

/** Messages below this size that are not already framed are copied into one frame. */
const COPY_FRAME_BELOW = 64 * 1024;

function frameError(reason: FrameErrorReason, message: string, extra: Record<string, string> = {}): ProtocolError {
  return new ProtocolError('ipc_error', message, {
    hint: 'the peer does not speak this protocol version, or the stream was cut',
    details: { reason, ...extra },
  });
}

export interface FrameDecoderOptions {
  /** Largest message accepted (default 16 MiB). */
  maxFrameBytes?: number;
  /** Called once per whole frame, in stream order. */
  onFrame: (message: Uint8Array) => void;
  /**
   * Called once on the first framing error; the decoder then ignores all
   * further input (the caller answers `ipc_error` where it can and closes).
   */
  onError: (error: ProtocolError) => void;
}

export class FrameDecoder {
  private readonly maxFrameBytes: number;
  private readonly onFrame: (message: Uint8Array) => void;
  private readonly onError: (error: ProtocolError) => void;
  /** Bytes of a header split across chunks. */
  private readonly header = new Uint8Array(FRAME_HEADER_BYTES);
  private headerFill = 0;
  /** The frame being assembled across chunks, and how much of it is in. */
  private partial: Uint8Array | null = null;
  private partialFill = 0;
  private failed = false;

  constructor(opts: FrameDecoderOptions) {
    this.maxFrameBytes = opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.onFrame = opts.onFrame;
    this.onError = opts.onError;
  }

  /** True once a framing error was reported. */
  get hasFailed(): boolean {
    return this.failed;
  }

  /** Bytes received that do not yet form a whole frame. */
  get bufferedBytes(): number {
    return this.headerFill + this.partialFill;
  }

  /** Feeds the next chunk of the stream. */
  push(chunk: Uint8Array): void {
    let pos = 0;
    const end = chunk.length;
    while (pos < end && !this.failed) {
      if (this.partial !== null) {
        // Continue a frame begun in an earlier chunk.
        const want = this.partial.length - this.partialFill;
        const take = Math.min(want, end - pos);
        this.partial.set(chunk.subarray(pos, pos + take), this.partialFill);
        this.partialFill += take;
        pos += take;
        if (this.partialFill === this.partial.length) {
          const frame = this.partial;
          this.partial = null;
          this.partialFill = 0;
          this.onFrame(frame);
        }
        continue;
      }

      let length: number;
      if (this.headerFill === 0 && end - pos >= FRAME_HEADER_BYTES) {
        length = ((chunk[pos]! << 24) >>> 0) + (chunk[pos + 1]! << 16) + (chunk[pos + 2]! << 8) + chunk[pos + 3]!;
        pos += FRAME_HEADER_BYTES;
      } else {
        // The header itself is split across chunks.
        const take = Math.min(FRAME_HEADER_BYTES - this.headerFill, end - pos);
        this.header.set(chunk.subarray(pos, pos + take), this.headerFill);
        this.headerFill += take;
        pos += take;
        if (this.headerFill < FRAME_HEADER_BYTES) break;
        const h = this.header;
        length = ((h[0]! << 24) >>> 0) + (h[1]! << 16) + (h[2]! << 8) + h[3]!;
        this.headerFill = 0;
      }

      if (length === 0) {
        this.fail(frameError('zero_length', 'invalid frame: zero length'));
        return;
      }
      if (length > this.maxFrameBytes) {
        this.fail(
          frameError('too_large', `invalid frame: ${length} bytes exceeds the ${this.maxFrameBytes}-byte limit`, {
            length: String(length),
            limit: String(this.maxFrameBytes),
          }),
        );
        return;
      }
      if (end - pos >= length) {
        // Whole frame inside this chunk: no copy.
        const frame = chunk.subarray(pos, pos + length);
        pos += length;
        this.onFrame(frame);
      } else {
        this.partial = new Uint8Array(length);
        this.partialFill = 0;
      }
    }
  }

  /**
   * Marks the end of the stream. Reports `truncated` when it ended inside a
   * frame; returns true when the stream ended cleanly between frames.
   */
  end(): boolean {
    if (this.failed) return false;
    if (this.headerFill > 0 || this.partial !== null) {
      const got = this.headerFill > 0 ? `${this.headerFill} of 4 header bytes` : `${this.partialFill} of ${this.partial!.length} bytes`;
      this.fail(frameError('truncated', `truncated stream: it ended inside a frame (${got})`));
      return false;
    }
    return true;
  }

  private fail(error: ProtocolError): void {
    this.failed = true;
    this.partial = null;
    this.partialFill = 0;
    this.headerFill = 0;
    this.onError(error);
  }
}
