/**
 * The daemon's Unix-socket server: accepts connections, wraps each in the
 * protocol's ServerConnection (which frames and verifies every request),
 * answers the daemon's own commands and hands the rest to the engine.
 *
 * Answered here, never by the engine:
 * - `Hello`: schema and build versions and the pid (answered whatever the
 *   request's schema version, so a client of another schema learns ours);
 * - `DaemonStatus`: pid, socket, started_ts, build, schema version,
 *   requests served, rss;
 * - `DaemonStop`: acknowledged, then a clean stop;
 * - `Subscribe`: acknowledged; from then on the connection also carries a
 *   Notification (tagged with the Subscribe's request_id) for each engine
 *   notification, while it keeps carrying requests.
 * - `CliRun`: a command line run by the CLI's runner (`cliRunner`, which the
 *   CLI supplies: this package knows nothing of commands) against this
 *   daemon's engine, which answers only its pure reads (`isPureRead`);
 *   declined (`handled` false) without a runner.
 * Refused here: a request of another schema version (`ipc_error`), one for
 * another repository (`invalid_args`; compared by realpath, as the engine
 * does too), one without a
 * command (`invalid_args`), and anything that arrives while stopping
 * (`ipc_error`: retrying starts a new daemon or runs in-process).
 *
 * Clean stop (`stop()`): stop accepting; answer new requests on open
 * connections with the stopping error; wait (bounded) for requests in
 * flight, writes included, to be answered; close the connections; close the
 * engine; remove the socket file. The caller (main.ts) then removes the
 * discovery record and the lock.
 *
 * Idle: with no request for `idleTimeoutMs` (and none in flight, and no
 * subscribed connection, whose watcher would otherwise be cut off), the
 * server stops itself with reason `idle`.
 */
import { chmodSync, lstatSync, realpathSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { EventEmitter } from 'node:events';
import {
  AckT,
  CachedResponse,
  CliRun,
  CliRunResultT,
  decodeRequest,
  decodeResponse,
  readCliRun,
  DaemonStatusResultT,
  REQUEST_ID_BYTES,
  encodeErrorResponse,
  encodeNotification,
  encodeResponse,
  EventAppliedT,
  HelloResultT,
  IpcCommand,
  LockChangedT,
  SCHEMA_VERSION,
  ServerConnection,
  SnapshotCreatedT,
  WalSyncedT,
  type CliRunInput,
  type IpcRequest,
  type IpcResponse,
  type NotificationKindObject,
} from '@grite/protocol';
import { nullLogger, type Logger } from './log.js';

/** A notification the engine emits as `events.emit('notification', n)`. */
export type EngineNotification =
  | { kind: 'EventApplied'; issueId: Uint8Array; eventId: Uint8Array }
  | { kind: 'WalSynced'; walHead: string }
  | { kind: 'LockChanged'; resource: string }
  | { kind: 'SnapshotCreated'; ref: string };

/** How often a daemon with subscribers checks for WAL moves by others. */
export const WATCH_POLL_MS = 250;

/** What the server needs of the engine (src/engine's Engine satisfies it). */
export interface EngineLike {
  /** Answers one verified request with an encoded Message holding its IpcResponse; never throws. */
  handle(request: IpcRequest): Promise<Uint8Array>;
  /**
   * A warm answer to `request`, synchronously, or null (then `handle` it).
   * Optional; never throws.
   */
  tryCached?(request: IpcRequest): Uint8Array | null;
  /**
   * Whether a command type only reads the store. Optional: without it no
   * CliRun runner's request reaches the engine.
   */
  isPureRead?(commandType: number): boolean;
  /**
   * Catches up when the WAL moved under the engine (another process, a
   * `git fetch`, the Rust tool), announcing it to subscribers. Optional;
   * polled while anyone is subscribed.
   */
  refresh?(): Promise<void>;
  /** Emits 'notification' with EngineNotification values. */
  readonly events?: EventEmitter | undefined;
  close(): Promise<void> | void;
}

/** What a command line run in the daemon prints, and its exit code. */
export interface CliOutcome {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/**
 * Runs a command line as the CLI would, or declines it (null). `call` sends
 * one encoded request (a Message holding an IpcRequest) to this daemon's
 * engine and resolves its answer; it rejects a request for another
 * repository, and the runner then declines.
 */
export type CliRunner = (
  input: CliRunInput,
  call: (request: Uint8Array) => Promise<IpcResponse>,
  /** The repository this daemon serves (its common dir's realpath), which the request named. */
  commonDir: string,
) => Promise<CliOutcome | null>;

export type StopReason = 'signal' | 'request' | 'idle' | 'error' | 'api';

export interface DaemonServerOptions {
  /** realpath of the common git dir this daemon serves. */
  commonDir: string;
  socketPath: string;
  build: string;
  /** The engine, or its opening: requests other than the server's own wait for it. */
  engine: EngineLike | Promise<EngineLike>;
  log?: Logger;
  /** Stop after this long without requests; 0 = never (default 5 minutes). */
  idleTimeoutMs?: number;
  /** How long a stop waits for requests in flight (default 30 s). */
  stopGraceMs?: number;
  /** Largest request frame (default: the protocol's 16 MiB). */
  maxFrameBytes?: number;
  /** A subscriber whose unsent notifications exceed this is disconnected (default 16 MiB). */
  maxSubscriberBacklogBytes?: number;
  /** Called once when a stop begins, with its reason. */
  onStop?: (reason: StopReason) => void;
  /** Loads the runner for CliRun (once, after the engine opened); without it CliRun is declined. */
  cliRunner?: () => Promise<CliRunner>;
}

export const DEFAULT_IDLE_TIMEOUT_MS = 5 * 60_000;

interface Conn {
  socket: Socket;
  conn: ServerConnection;
  /** request_ids of this connection's Subscribe requests. */
  subscriptions: Uint8Array[];
}

type ServerState = 'new' | 'listening' | 'stopping' | 'stopped';

const STOPPING_HINT = 'retry the command: it starts a new daemon or runs without one';

export class DaemonServer {
  readonly commonDir: string;
  readonly socketPath: string;
  readonly build: string;
  readonly startedTs = Date.now();

  private state: ServerState = 'new';
  private readonly log: Logger;
  private readonly idleTimeoutMs: number;
  private readonly stopGraceMs: number;
  private readonly maxFrameBytes: number | undefined;
  private readonly maxBacklog: number;
  private readonly onStop: ((reason: StopReason) => void) | undefined;
  private readonly cliRunner: Promise<CliRunner | null>;
  private readonly server: Server;
  private readonly conns = new Set<Conn>();
  private readonly enginePromise: Promise<EngineLike>;
  private engine: EngineLike | null = null;
  private engineFailed = false;
  /** Repo strings already compared by realpath (a symlinked spelling of ours, or another repository). */
  private readonly repoVerdicts = new Map<string, boolean>();
  private requestCount = 0n;
  private inFlight = 0;
  private lastActivity = Date.now();
  /** The answer to Hello, encoded once (every CLI call starts with one). */
  private readonly helloAnswer: CachedResponse;
  private idleTimer: NodeJS.Timeout | null = null;
  /** Polls the engine for WAL moves by others while anyone is subscribed. */
  private watchTimer: NodeJS.Timeout | null = null;
  private watching = false;
  private stopPromise: Promise<void> | null = null;
  private stopReason: StopReason | null = null;
  private resolveStopped!: (reason: StopReason) => void;
  /** Settles once a stop has finished, with its reason. */
  readonly stopped: Promise<StopReason>;

  constructor(opts: DaemonServerOptions) {
    this.commonDir = opts.commonDir;
    this.socketPath = opts.socketPath;
    this.build = opts.build;
    this.log = opts.log ?? nullLogger;
    this.idleTimeoutMs = opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.stopGraceMs = opts.stopGraceMs ?? 30_000;
    this.maxFrameBytes = opts.maxFrameBytes;
    this.maxBacklog = opts.maxSubscriberBacklogBytes ?? 16 * 1024 * 1024;
    this.onStop = opts.onStop;
    this.helloAnswer = new CachedResponse(new HelloResultT(SCHEMA_VERSION, this.build, process.pid));
    this.stopped = new Promise((resolve) => (this.resolveStopped = resolve));
    this.enginePromise = Promise.resolve(opts.engine);
    const loadRunner = opts.cliRunner;
    this.cliRunner =
      loadRunner === undefined
        ? Promise.resolve(null)
        : this.enginePromise.then(loadRunner, () => null).catch((err: unknown) => {
            this.log.warn('the CLI runner failed to load: command lines are declined', { error: err });
            return null;
          });
    this.enginePromise.then(
      (engine) => {
        this.engine = engine;
        engine.events?.on('notification', this.onNotification);
      },
      (err: unknown) => {
        this.engineFailed = true;
        this.log.error('the engine failed to open', { error: err });
        void this.stop('error');
      },
    );
    this.server = createServer((socket) => this.accept(socket));
    this.server.on('error', (err) => this.log.error('server error', { error: err }));
  }

  /** Requests answered or in flight since the start. */
  get requests(): bigint {
    return this.requestCount;
  }

  get connections(): number {
    return this.conns.size;
  }

  get isListening(): boolean {
    return this.state === 'listening';
  }

  /**
   * Listens on the socket path with mode 0600. A file already at that path
   * (the socket of a daemon that died) is removed first: call this only
   * while holding the daemon lock.
   */
  async listen(): Promise<void> {
    if (this.state !== 'new') throw new Error(`cannot listen: server is ${this.state}`);
    removeSocketFile(this.socketPath);
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen(this.socketPath, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    chmodSync(this.socketPath, 0o600);
    this.state = 'listening';
    this.lastActivity = Date.now();
    this.armIdle(this.idleTimeoutMs);
    this.log.info('listening', { socket: this.socketPath, build: this.build, idle_timeout_ms: this.idleTimeoutMs });
  }

  /** The answer to DaemonStatus. */
  status(): DaemonStatusResultT {
    return new DaemonStatusResultT(
      this.state === 'listening',
      process.pid,
      this.socketPath,
      BigInt(this.startedTs),
      this.build,
      SCHEMA_VERSION,
      this.requestCount,
      BigInt(process.memoryUsage.rss()),
    );
  }

  /**
   * Stops cleanly (see the file comment). Idempotent: later calls return the
   * first stop's promise.
   */
  stop(reason: StopReason): Promise<void> {
    if (this.stopPromise !== null) return this.stopPromise;
    this.stopReason = reason;
    this.onStop?.(reason);
    this.stopPromise = this.runStop(reason);
    return this.stopPromise;
  }

  private async runStop(reason: StopReason): Promise<void> {
    const wasListening = this.state === 'listening';
    this.state = 'stopping';
    this.log.info('stopping', { reason, in_flight: this.inFlight, connections: this.conns.size });
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    if (this.watchTimer !== null) clearTimeout(this.watchTimer);
    // Closing also unlinks the socket file (libuv does, whoever's file it
    // is now): fine, since only the lock holder ever creates it.
    const serverClosed = wasListening ? new Promise<void>((resolve) => this.server.close(() => resolve())) : Promise.resolve();

    // Requests in flight (writes among them) are answered before anything closes.
    const idle = Promise.all([...this.conns].map((c) => c.conn.whenIdle()));
    if (!(await settlesWithin(idle, this.stopGraceMs))) {
      this.log.warn('requests still in flight after the stop grace period', { in_flight: this.inFlight });
    }
    for (const c of this.conns) c.conn.close();
    // Peers that do not end their side are cut off after a moment.
    const cutoff = setTimeout(() => {
      for (const c of this.conns) c.socket.destroy();
    }, 1_000);
    await serverClosed;
    clearTimeout(cutoff);

    if (this.engine !== null) {
      this.engine.events?.off('notification', this.onNotification);
      try {
        await this.engine.close();
      } catch (err) {
        this.log.error('closing the engine failed', { error: err });
      }
    } else if (!this.engineFailed) {
      // Still opening: close it once it is open.
      void this.enginePromise.then(
        (e) => e.close(),
        () => undefined,
      );
    }
    if (wasListening) removeSocketFile(this.socketPath);
    this.state = 'stopped';
    this.log.info('stopped', { reason, requests: this.requestCount.toString() });
    this.resolveStopped(reason);
  }

  private accept(socket: Socket): void {
    if (this.state !== 'listening') {
      socket.destroy();
      return;
    }
    const c: Conn = {
      socket,
      subscriptions: [],
      conn: undefined as unknown as ServerConnection,
    };
    c.conn = new ServerConnection(socket, (req) => this.handle(c, req), {
      ...(this.maxFrameBytes !== undefined ? { maxFrameBytes: this.maxFrameBytes } : {}),
    });
    c.conn.onError((err) => this.log.warn('connection error', { code: err.code, message: err.message, details: err.details }));
    this.conns.add(c);
    socket.on('close', () => this.conns.delete(c));
  }

  /**
   * Synchronous when the engine holds a warm answer (the connection writes
   * it at once: no promise, no turn of the event loop); otherwise async.
   */
  private handle(c: Conn, req: IpcRequest): Promise<Uint8Array> | Uint8Array {
    if (this.state === 'listening' && req.repo() === this.commonDir) {
      // Hello is answered whatever the client's schema version: it is how
      // the client learns ours.
      let warm: Uint8Array | null = null;
      if (req.commandType() === IpcCommand.Hello) {
        const id = req.requestIdArray()!;
        if (id.length === REQUEST_ID_BYTES) warm = this.helloAnswer.encode(id);
      } else if (req.schemaVersion() === SCHEMA_VERSION && this.engine?.tryCached !== undefined) {
        warm = this.engine.tryCached(req);
      }
      if (warm !== null) {
        this.requestCount++;
        this.lastActivity = Date.now();
        return warm;
      }
    }
    return this.handleAsync(c, req);
  }

  private async handleAsync(c: Conn, req: IpcRequest): Promise<Uint8Array> {
    // ServerConnection guarantees a non-empty request_id.
    const id = req.requestIdArray()!;
    if (this.state !== 'listening') {
      return encodeErrorResponse(id, 'ipc_error', 'the daemon is shutting down', STOPPING_HINT);
    }
    this.requestCount++;
    this.inFlight++;
    this.lastActivity = Date.now();
    try {
      return await this.dispatch(c, req, id);
    } finally {
      this.inFlight--;
      this.lastActivity = Date.now();
    }
  }

  private async dispatch(c: Conn, req: IpcRequest, id: Uint8Array): Promise<Uint8Array> {
    const type = req.commandType();
    const repo = req.repo();
    if (repo !== this.commonDir && !this.isOurRepo(repo)) {
      return encodeErrorResponse(id, 'invalid_args', `this daemon serves ${this.commonDir}, not ${repo ?? '(no repository)'}`, 'connect to the daemon of your repository', {
        repo: repo ?? '',
        served: this.commonDir,
      });
    }
    if (type === IpcCommand.Hello) {
      return encodeResponse(id, new HelloResultT(SCHEMA_VERSION, this.build, process.pid));
    }
    const version = req.schemaVersion();
    if (version !== SCHEMA_VERSION) {
      return encodeErrorResponse(
        id,
        'ipc_error',
        `schema version ${version} is not supported: this daemon speaks ${SCHEMA_VERSION}`,
        'stop this daemon (`grite daemon stop`) so your client starts its own',
        { schema_version: String(version), supported: String(SCHEMA_VERSION) },
      );
    }
    switch (type) {
      case IpcCommand.NONE:
        return encodeErrorResponse(id, 'invalid_args', 'the request carries no command');
      case IpcCommand.DaemonStatus:
        return encodeResponse(id, this.status());
      case IpcCommand.DaemonStop:
        // After this answer is written (the write follows this promise).
        setImmediate(() => void this.stop('request'));
        return encodeResponse(id, new AckT());
      case IpcCommand.Subscribe:
        c.subscriptions.push(id.slice());
        this.armWatch();
        return encodeResponse(id, new AckT());
      case IpcCommand.CliRun:
        return encodeResponse(id, await this.cliRun(req), { sizeHint: 4096 });
      default: {
        const engine = this.engine ?? (await this.enginePromise);
        return await engine.handle(req);
      }
    }
  }

  private async cliRun(req: IpcRequest): Promise<CliRunResultT> {
    const declined = new CliRunResultT(false, null, null, 0);
    const runner = await this.cliRunner;
    const cmd = req.command(new CliRun()) as CliRun | null;
    if (runner === null || cmd === null) return declined;
    try {
      const out = await runner(readCliRun(cmd), (bytes) => this.callEngine(bytes), this.commonDir);
      return out === null ? declined : new CliRunResultT(true, out.stdout, out.stderr, out.exitCode);
    } catch (err) {
      this.log.warn('a command line failed in the daemon: declined, the client runs it', { error: err });
      return declined;
    }
  }

  /** One request of a CliRun's runner, answered as the socket would answer it. */
  private async callEngine(bytes: Uint8Array): Promise<IpcResponse> {
    const req = decodeRequest(bytes);
    const repo = req.repo();
    if (repo !== this.commonDir && !this.isOurRepo(repo)) throw new Error(`this daemon serves ${this.commonDir}, not ${repo ?? '(no repository)'}`);
    const engine = this.engine ?? (await this.enginePromise);
    // The runner declines writes itself; this holds even if it did not.
    if (engine.isPureRead?.(req.commandType()) !== true) throw new Error(`command type ${req.commandType()} is not a pure read`);
    this.requestCount++;
    return decodeResponse(engine.tryCached?.(req) ?? (await engine.handle(req)));
  }

  /** Whether `repo` names our common dir by another spelling (a symlink); remembered per string. */
  private isOurRepo(repo: string | null): boolean {
    if (repo === null || repo === '') return false;
    let ours = this.repoVerdicts.get(repo);
    if (ours === undefined) {
      try {
        ours = realpathSync.native(repo) === this.commonDir;
      } catch {
        ours = false;
      }
      if (this.repoVerdicts.size < 64) this.repoVerdicts.set(repo, ours);
    }
    return ours;
  }

  private readonly onNotification = (n: EngineNotification): void => {
    let kind: NotificationKindObject;
    try {
      kind = notificationObject(n);
    } catch (err) {
      this.log.warn('dropping a malformed engine notification', { error: err });
      return;
    }
    for (const c of this.conns) {
      if (c.subscriptions.length === 0) continue;
      if (c.socket.writableLength > this.maxBacklog) {
        this.log.warn('disconnecting a subscriber that does not read its notifications', { backlog: c.socket.writableLength });
        c.socket.destroy();
        continue;
      }
      for (const sub of c.subscriptions) c.conn.notify(encodeNotification(sub, kind));
    }
  };

  /**
   * While a connection is subscribed, checks every WATCH_POLL_MS whether the
   * WAL moved under the engine (one stat when it did not), so watchers hear
   * about other processes' writes without sending requests. Stops by itself
   * when the last subscriber goes.
   */
  private armWatch(): void {
    if (this.watchTimer !== null || this.state !== 'listening') return;
    this.watchTimer = setTimeout(() => {
      this.watchTimer = null;
      const subscribed = [...this.conns].some((c) => c.subscriptions.length > 0);
      if (!subscribed || this.state !== 'listening') return;
      const engine = this.engine;
      if (engine?.refresh === undefined || this.watching) return this.armWatch();
      this.watching = true;
      engine
        .refresh()
        .catch((err: unknown) => this.log.warn('catching up for watchers failed', { error: err }))
        .finally(() => {
          this.watching = false;
          this.armWatch();
        });
    }, WATCH_POLL_MS);
    this.watchTimer.unref();
  }

  private armIdle(ms: number): void {
    if (this.idleTimeoutMs <= 0) return;
    this.idleTimer = setTimeout(() => this.checkIdle(), ms);
    this.idleTimer.unref();
  }

  private checkIdle(): void {
    this.idleTimer = null;
    if (this.state !== 'listening') return;
    const quiet = Date.now() - this.lastActivity;
    const subscribed = [...this.conns].some((c) => c.subscriptions.length > 0);
    if (this.inFlight === 0 && !subscribed && quiet >= this.idleTimeoutMs) {
      void this.stop('idle');
      return;
    }
    this.armIdle(this.inFlight > 0 || subscribed ? this.idleTimeoutMs : this.idleTimeoutMs - quiet);
  }

  /** The reason of the stop under way or done, or null. */
  get stopping(): StopReason | null {
    return this.stopReason;
  }
}

/** Maps an engine notification to its protocol table. */
export function notificationObject(n: EngineNotification): NotificationKindObject {
  switch (n.kind) {
    case 'EventApplied':
      return new EventAppliedT(Array.from(n.issueId), Array.from(n.eventId));
    case 'WalSynced':
      return new WalSyncedT(n.walHead);
    case 'LockChanged':
      return new LockChangedT(n.resource);
    case 'SnapshotCreated':
      return new SnapshotCreatedT(n.ref);
    default:
      throw new Error(`unknown notification kind ${String((n as { kind?: unknown }).kind)}`);
  }
}

/** Removes a socket (or a leftover file) at `path`; a missing file is fine. */
function removeSocketFile(path: string): void {
  try {
    const st = lstatSync(path);
    if (st.isDirectory()) throw new Error(`${path} is a directory, not a socket`);
    unlinkSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([p.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
