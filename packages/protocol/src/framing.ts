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
  h[0] = length >>> 24;
  h[1] = (length >>> 16) & 0xff;
  h[2] = (length >>> 8) & 0xff;
  h[3] = length & 0xff;
  return h;
}

/** Header and message in one new buffer (one copy of `message`). */
export function encodeFrame(message: Uint8Array): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_BYTES + message.length);
  out.set(frameHeader(message.length), 0);
  out.set(message, FRAME_HEADER_BYTES);
  return out;
}

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
