/**
 * The client side of one IPC connection (a Unix socket to the daemon).
 *
 * - Many requests may be in flight; each response is matched to its request
 *   by request_id, in whatever order responses arrive.
 * - Every request has a bounded time; when it passes, the request rejects
 *   with `ipc_error` (a late response is then ignored).
 * - Transport trouble is an event (`onError`, `onClose`), never an exception
 *   thrown into unrelated callers. Closing or disposing, or the peer going
 *   away, rejects every pending request with one known error: `ipc_error`,
 *   "connection closed".
 * - The state (open, closed, disposed) is checked at every public entry.
 * - Notifications (after a Subscribe) go to `onNotification` listeners;
 *   kinds this build does not know are delivered as-is for the listener to
 *   ignore.
 * - Responses are not verified by default: they come from the same build
 *   (DESIGN.md section 6); `verifyResponses` turns verification on.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { ProtocolError } from './errors.js';
import { Emitter, type Listenable } from './events.js';
import { DEFAULT_MAX_FRAME_BYTES, FrameDecoder, writeFrame } from './framing.js';
import { IpcResponse } from './generated/grite/ipc/ipc-response.js';
import { MessageBody } from './generated/grite/ipc/message-body.js';
import { Notification } from './generated/grite/ipc/notification.js';
import { bytesToHex, decodeMessage, requestKeyOf, requestIdOf, responseError, responseKeyOf } from './messages.js';
import { verifyMessage } from './verifier.js';

export type ConnectionState = 'open' | 'closed' | 'disposed';

/**
 * Milliseconds from an arbitrary origin, never going backwards. Not
 * `performance.now()`: the first use of `performance` loads perf_hooks, which
 * a one-request CLI process would pay on every call.
 */
function monotonicMs(): number {
  const [s, ns] = process.hrtime();
  return s * 1e3 + ns / 1e6;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export interface ClientConnectionOptions {
  /** Time allowed for each request (default 30 s); a request may override it. */
  requestTimeoutMs?: number;
  /** Largest frame accepted from the daemon (default 16 MiB). */
  maxFrameBytes?: number;
  /** Verify every incoming message before reading it (default false). */
  verifyResponses?: boolean;
}

interface Pending {
  resolve: (r: IpcResponse) => void;
  reject: (e: ProtocolError) => void;
  /** monotonicMs() after which the request times out. */
  deadline: number;
  timeoutMs: number;
  /** The request sent (its id is read from it only for error details). */
  message: Uint8Array;
}

export function connectionClosedError(cause?: unknown): ProtocolError {
  return new ProtocolError('ipc_error', 'connection closed', {
    hint: 'the daemon connection ended; retry the command (it starts a daemon or runs without one)',
    cause,
  });
}

export class ClientConnection {
  private _state: ConnectionState = 'open';
  private readonly pending = new Map<string, Pending>();
  private readonly decoder: FrameDecoder;
  private readonly timeoutMs: number;
  private readonly verify: boolean;
  private readonly maxFrameBytes: number;
  private lastError: ProtocolError | undefined;

  private readonly errorEmitter = new Emitter<ProtocolError>();
  private readonly closeEmitter = new Emitter<void>();
  private readonly notificationEmitter = new Emitter<Notification>();

  /** Transport and protocol errors (the connection closes after fatal ones). */
  readonly onError: Listenable<ProtocolError> = this.errorEmitter.event;
  /** Fired once when the connection stops being open. */
  readonly onClose: Listenable<void> = this.closeEmitter.event;
  /** Notifications pushed by the daemon after a Subscribe. */
  readonly onNotification: Listenable<Notification> = this.notificationEmitter.event;

  /** Connects to a Unix socket; rejects with ipc_error when that fails. */
  static connect(
    socketPath: string,
    opts: ClientConnectionOptions & { connectTimeoutMs?: number } = {},
  ): Promise<ClientConnection> {
    return new Promise((resolve, reject) => {
      const socket = netConnect(socketPath);
      const timeoutMs = opts.connectTimeoutMs ?? 5_000;
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new ProtocolError('ipc_error', `connecting to ${socketPath} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      const onError = (err: Error): void => {
        clearTimeout(timer);
        reject(
          new ProtocolError('ipc_error', `cannot connect to ${socketPath}: ${err.message}`, {
            details: { socket: socketPath, errno: String((err as NodeJS.ErrnoException).code ?? '') },
            cause: err,
          }),
        );
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        resolve(new ClientConnection(socket, opts));
      });
    });
  }

  /** Wraps a connected socket. */
  constructor(
    private readonly socket: Socket,
    opts: ClientConnectionOptions = {},
  ) {
    this.timeoutMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.verify = opts.verifyResponses ?? false;
    this.maxFrameBytes = opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.decoder = new FrameDecoder({
      maxFrameBytes: this.maxFrameBytes,
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
      this.emitError(
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

  /** Requests awaiting their response. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /**
   * Sends an encoded request (a Message from encodeRequest) and resolves
   * with the matching response (a zero-copy accessor). Error responses
   * resolve too: check `ok()` (or use responseError()). Rejects with
   * ipc_error on timeout, when the connection closes first, or when the
   * request cannot be sent.
   */
  request(message: Uint8Array, opts: { timeoutMs?: number } = {}): Promise<IpcResponse> {
    if (this._state !== 'open') return Promise.reject(this.stateError());
    let key: string;
    try {
      key = requestKeyOf(message);
    } catch (e) {
      return Promise.reject(new ProtocolError('invalid_args', 'request() needs an encoded IpcRequest message', { cause: e }));
    }
    if (key === '') return Promise.reject(new ProtocolError('invalid_args', 'request has no request_id'));
    if (this.pending.has(key)) {
      return Promise.reject(
        new ProtocolError('invalid_args', `request_id ${bytesToHex(requestIdOf(message))} is already in flight`),
      );
    }
    if (message.length > this.maxFrameBytes) {
      return Promise.reject(
        new ProtocolError('invalid_args', `request of ${message.length} bytes exceeds the ${this.maxFrameBytes}-byte frame limit`),
      );
    }
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    return new Promise<IpcResponse>((resolve, reject) => {
      const deadline = monotonicMs() + timeoutMs;
      this.pending.set(key, { resolve, reject, deadline, timeoutMs, message });
      if (deadline < this.sweepAt) this.armSweep(deadline);
      this.write(message);
    });
  }

  // Timeouts: one timer per connection, armed for the earliest deadline,
  // instead of one per request (a timer per request costs more than the
  // rest of the client's bookkeeping). It stays armed when requests finish
  // early and simply finds nothing to do; it is unref'd, as the socket keeps
  // the process alive while requests are pending.
  private sweepTimer: NodeJS.Timeout | null = null;
  private sweepAt = Infinity;

  private armSweep(at: number): void {
    if (this.sweepTimer !== null) clearTimeout(this.sweepTimer);
    this.sweepAt = at;
    this.sweepTimer = setTimeout(() => this.sweep(), Math.max(0, Math.ceil(at - monotonicMs())));
    this.sweepTimer.unref();
  }

  private disarmSweep(): void {
    if (this.sweepTimer !== null) clearTimeout(this.sweepTimer);
    this.sweepTimer = null;
    this.sweepAt = Infinity;
  }

  /** Rejects every expired request, then re-arms for the next deadline. */
  private sweep(): void {
    this.sweepTimer = null;
    this.sweepAt = Infinity;
    const now = monotonicMs();
    let next = Infinity;
    for (const [key, p] of this.pending) {
      if (p.deadline <= now) {
        this.pending.delete(key);
        p.reject(
          new ProtocolError('ipc_error', `request timed out after ${p.timeoutMs} ms`, {
            hint: 'the daemon is busy or stuck; `grite daemon status` shows it',
            details: { request_id: bytesToHex(requestIdOf(p.message)), timeout_ms: String(p.timeoutMs) },
          }),
        );
      } else if (p.deadline < next) {
        next = p.deadline;
      }
    }
    if (next !== Infinity) this.armSweep(next);
  }

  /** Ends the connection gracefully; pending requests reject with "connection closed". */
  close(): void {
    if (this._state !== 'open') return;
    this.teardown('closed');
    this.socket.end();
  }

  /** Closes at once and drops every listener. Safe to call more than once. */
  dispose(): void {
    if (this._state === 'disposed') return;
    this.teardown('disposed');
    this.socket.destroy();
    this.errorEmitter.dispose();
    this.closeEmitter.dispose();
    this.notificationEmitter.dispose();
  }

  private stateError(): ProtocolError {
    return this._state === 'disposed'
      ? new ProtocolError('ipc_error', 'connection disposed')
      : connectionClosedError(this.lastError);
  }

  private write(message: Uint8Array): void {
    if (this.socket.writable) writeFrame(this.socket, message);
  }


  private handleFrame(frame: Uint8Array): void {
    if (this._state !== 'open') return;
    if (this.verify) {
      const v = verifyMessage(frame, { maxBytes: this.maxFrameBytes });
      if (!v.ok) {
        this.fatal(v.error);
        return;
      }
    }
    try {
      const msg = decodeMessage(frame);
      const kind = msg.bodyType();
      if (kind === MessageBody.IpcResponse) {
        const resp = msg.body(new IpcResponse()) as IpcResponse | null;
        if (resp === null) throw new Error('response body missing');
        const key = responseKeyOf(resp);
        const p = this.pending.get(key);
        if (p !== undefined) {
          this.pending.delete(key);
          p.resolve(resp);
        } else if (key === '' && !resp.ok()) {
          // A connection-level error: the daemon closes the connection next.
          this.emitError(responseError(resp) ?? new ProtocolError('ipc_error', 'connection-level error'));
        }
        // Otherwise: a late answer to a request that timed out; ignored.
      } else if (kind === MessageBody.Notification) {
        const n = msg.body(new Notification()) as Notification | null;
        if (n !== null) this.notificationEmitter.fire(n);
      } else {
        this.emitError(new ProtocolError('ipc_error', `unexpected message from the daemon (body type ${kind})`));
      }
    } catch (e) {
      this.fatal(new ProtocolError('ipc_error', `malformed message from the daemon: ${String(e)}`, { cause: e }));
    }
  }

  private emitError(err: ProtocolError): void {
    this.lastError = err;
    this.errorEmitter.fire(err);
  }

  /** A protocol error after which the stream cannot be trusted: report and close. */
  private fatal(err: ProtocolError): void {
    this.emitError(err);
    if (this._state === 'open') {
      this.teardown('closed');
      this.socket.destroy();
    }
  }

  private teardown(next: 'closed' | 'disposed'): void {
    if (this._state === 'disposed' || this._state === next) return;
    const wasOpen = this._state === 'open';
    this._state = next;
    if (wasOpen) {
      const err = connectionClosedError(this.lastError);
      const all = [...this.pending.values()];
      this.pending.clear();
      this.disarmSweep();
      for (const p of all) p.reject(err);
      this.closeEmitter.fire();
    }
  }
}
