/**
 * The server side of one accepted IPC connection.
 *
 * Every incoming frame is verified (verifier.ts) before anything reads it.
 * Requests are dispatched to the handler as they arrive, so many may be in
 * flight; each response is written when its handler settles, in any order.
 *
 * Bad input:
 * - a frame that fails verification but whose request_id can still be read
 *   gets an `ipc_error` response for that id; framing is intact, so the
 *   connection stays open;
 * - anything else (zero or over-limit frame length, an unreadable id, a body
 *   that is not a request) gets one connection-level `ipc_error` response
 *   (no request_id) and the connection is closed. The daemon stays up.
 * A handler that throws is answered with its error code when it carries a
 * registered one (ProtocolError, core's GriteError), else `internal_error`.
 */
import type { Socket } from 'node:net';
import { ProtocolError } from './errors.js';
import { Emitter, type Listenable } from './events.js';
import { DEFAULT_MAX_FRAME_BYTES, FrameDecoder, writeFrame } from './framing.js';
import { IpcRequest } from './generated/grite/ipc/ipc-request.js';
import { MessageBody } from './generated/grite/ipc/message-body.js';
import { decodeMessage, encodeErrorResponse, encodeErrorResponseFrom } from './messages.js';
import { salvageRequestId, verifyMessage, type VerifyOptions } from './verifier.js';
import type { ConnectionState } from './connection.js';

/**
 * Answers one verified request with an encoded IpcResponse message. `raw` is
 * the request's bytes (valid until the answer is given). A handler that can
 * answer at once (from warm in-memory state) may return the bytes directly:
 * they are written without a trip through the microtask queue.
 */
export type RequestHandler = (request: IpcRequest, raw: Uint8Array) => Promise<Uint8Array> | Uint8Array;

export interface ServerConnectionOptions {
  /** Largest frame accepted (default 16 MiB). */
  maxFrameBytes?: number;
  /** Limits for the verifier (its maxBytes defaults to maxFrameBytes). */
  verify?: Omit<VerifyOptions, 'maxBytes'>;
}

export class ServerConnection {
  private _state: ConnectionState = 'open';
  private readonly decoder: FrameDecoder;
  private readonly verifyOpts: VerifyOptions;
  private inFlightCount = 0;
  private idleWaiters: (() => void)[] = [];

  private readonly errorEmitter = new Emitter<ProtocolError>();
  private readonly closeEmitter = new Emitter<void>();

  /** Protocol and transport errors on this connection. */
  readonly onError: Listenable<ProtocolError> = this.errorEmitter.event;
  /** Fired once when the connection stops being open. */
  readonly onClose: Listenable<void> = this.closeEmitter.event;

  constructor(
    private readonly socket: Socket,
    private readonly handler: RequestHandler,
    opts: ServerConnectionOptions = {},
  ) {
    const maxFrameBytes = opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.verifyOpts = { ...opts.verify, maxBytes: maxFrameBytes };
    this.decoder = new FrameDecoder({
      maxFrameBytes,
      onFrame: (frame) => this.handleFrame(frame),
      onError: (err) => this.fatal(err),
    });
    socket.setNoDelay?.(true);
    socket.on('data', (chunk: Buffer) => {
      if (this._state === 'open') this.decoder.push(chunk);
    });
    socket.on('end', () => {
      this.decoder.end();
    });
    socket.on('error', (err: Error) => {
      this.errorEmitter.fire(
        new ProtocolError('ipc_error', `connection error: ${err.message}`, {
          details: { errno: String((err as NodeJS.ErrnoException).code ?? '') },
          cause: err,
        }),
      );
    });
    socket.on('close', () => this.teardown('closed'));
  }

  get state(): ConnectionState {
    return this._state;
  }

  /** Requests whose handler has not settled yet. */
  get inFlight(): number {
    return this.inFlightCount;
  }

  /** Resolves once no request is in flight (at once when none is). */
  whenIdle(): Promise<void> {
    if (this.inFlightCount === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Sends an encoded Notification message. Returns false (sending nothing)
   * when the connection is not open.
   */
  notify(message: Uint8Array): boolean {
    if (this._state !== 'open') return false;
    this.write(message);
    return true;
  }

  /**
   * Stops reading and ends the connection after what was written so far;
   * answers of requests still in flight are dropped (await whenIdle() first
   * to let them finish).
   */
  close(): void {
    if (this._state !== 'open') return;
    this.teardown('closed');
    this.socket.end();
  }

  /** Closes at once and drops every listener. */
  dispose(): void {
    if (this._state === 'disposed') return;
    this.teardown('disposed');
    this.socket.destroy();
    this.errorEmitter.dispose();
    this.closeEmitter.dispose();
  }

  private write(message: Uint8Array): void {
    if (this.socket.writable) writeFrame(this.socket, message);
  }


  private handleFrame(frame: Uint8Array): void {
    if (this._state !== 'open') return;
    const v = verifyMessage(frame, this.verifyOpts);
    if (!v.ok) {
      const id = salvageRequestId(frame);
      this.errorEmitter.fire(v.error);
      if (id !== null && id.length > 0) {
        this.write(encodeErrorResponse(id, 'ipc_error', v.error.message, v.error.hint, v.error.details));
      } else {
        this.fatal(v.error, false);
      }
      return;
    }
    let request: IpcRequest | null;
    try {
      const msg = decodeMessage(frame);
      request = msg.bodyType() === MessageBody.IpcRequest ? (msg.body(new IpcRequest()) as IpcRequest | null) : null;
    } catch (e) {
      this.fatal(new ProtocolError('ipc_error', `unreadable message: ${String(e)}`, { cause: e }));
      return;
    }
    const id = request?.requestIdArray() ?? null;
    if (request === null || id === null || id.length === 0) {
      this.fatal(new ProtocolError('ipc_error', 'expected a request with a request_id'));
      return;
    }
    this.dispatch(request, id, frame);
  }

  private dispatch(request: IpcRequest, id: Uint8Array, frame: Uint8Array): void {
    this.inFlightCount++;
    let answer: Promise<Uint8Array> | Uint8Array;
    try {
      answer = this.handler(request, frame);
    } catch (e) {
      this.settle(encodeErrorResponseFrom(id, e));
      return;
    }
    if (answer instanceof Uint8Array) {
      this.settle(answer);
      return;
    }
    Promise.resolve(answer).then(
      (bytes) => this.settle(bytes),
      (err: unknown) => this.settle(encodeErrorResponseFrom(id, err)),
    );
  }

  private settle(response: Uint8Array): void {
    if (this._state === 'open') this.write(response);
    if (--this.inFlightCount === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  /**
   * Reports `err`, answers it at connection level (no request_id) and
   * closes. `report` is false when the error was reported already.
   */
  private fatal(err: ProtocolError, report = true): void {
    if (report) this.errorEmitter.fire(err);
    if (this._state !== 'open') return;
    this.write(encodeErrorResponse(null, 'ipc_error', err.message, err.hint, err.details));
    this.teardown('closed');
    this.socket.end();
  }

  private teardown(next: 'closed' | 'disposed'): void {
    if (this._state === 'disposed' || this._state === next) return;
    const wasOpen = this._state === 'open';
    this._state = next;
    if (wasOpen) this.closeEmitter.fire();
  }
}
