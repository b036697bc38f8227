/**
 * Finding, starting and stopping a repository's daemon, from the client side
 * (DESIGN.md section 7). The CLI calls `connectOrSpawn` on every command, so
 * this module stays light: the protocol, node built-ins and this package's
 * small discovery helpers; never the engine, core, simple-git or `lockfile`.
 *
 * connectOrSpawn:
 * 1. Connect to the socket (the one computed for this environment, else the
 *    one the discovery record names) and exchange Hello.
 * 2. Same schema and build: done. Another build or schema: ask that daemon
 *    to stop (DaemonStop), wait for its process to go, and start our own.
 * 3. Nothing answers and `spawn`: unless a live process holds the daemon
 *    lock (a daemon starting right now), start `dist/main.js` detached with
 *    stdio ignored, then poll for its Hello until the time budget runs out.
 *    Whoever wins the lock becomes the daemon; the others exit at once and
 *    their clients connect to the winner, so twenty clients starting
 *    together leave exactly one daemon.
 * 4. No daemon to be had: null (the CLI then runs the engine in-process).
 * A client never breaks a lock or deletes the daemon's files: only a daemon
 * starting up does, under the rule in lifecycle.ts.
 */
import { createRequire } from 'node:module';
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  ClientConnection,
  ClientKind,
  DaemonStatusResult,
  DaemonStatusResultT,
  DaemonStatusT,
  DaemonStopT,
  encodeRequest,
  HelloResult,
  HelloT,
  IpcResult,
  SCHEMA_VERSION,
  type IpcCommandObject,
  type IpcResponse,
} from '@grite/protocol';
import { currentBuild, daemonMainPath } from './build-id.js';
import { daemonPaths, EMPTY_LOCK_GRACE_MS, readDaemonInfo, readLockHolder } from './discovery.js';
import { isPidAlive, isSameProcess } from './process-identity.js';
import { isPrivateDir, socketPathFor } from './socket-path.js';

export { currentBuild } from './build-id.js';

/** Default budget for finding or starting a daemon. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

export interface ConnectOrSpawnOptions {
  /** realpath of the repository's common git dir (requests carry it as `repo`). */
  commonDir: string;
  /** Start a daemon when none answers. */
  spawn: boolean;
  /** This client's build id (currentBuild() for the build beside this file). */
  build: string;
  /** Budget for connecting, replacing and spawning (default 5 s). */
  timeoutMs?: number;
  /** Idle timeout of a daemon this call starts, in seconds (default: the daemon's, 5 min; 0 = never). */
  idleTimeoutS?: number;
  /** Per-request timeout of the returned connection (default: the protocol's 30 s). */
  requestTimeoutMs?: number;
  clientKind?: ClientKind;
  /** The daemon entry to start (default: dist/main.js of this package). */
  mainPath?: string;
  /** The module whose runner serves CliRun in a daemon this call starts (main.ts's `--cli`). */
  cliModule?: string;
  /**
   * A request without side effects to send right behind Hello, saving a
   * round trip; its answer is used only if that daemon is of this build.
   */
  pipelined?: Uint8Array;
}

interface Hello {
  conn: ClientConnection;
  /** The answer to the pipelined request, when there was one. */
  early?: Promise<IpcResponse>;
  pid: number;
  build: string;
  schemaVersion: number;
  socket: string;
}

interface Found {
  hello: Hello;
  /** Whether this call started the daemon that answered. */
  spawned: boolean;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function request(conn: ClientConnection, commonDir: string, command: IpcCommandObject, timeoutMs: number): Promise<IpcResponse> {
  return conn.request(encodeRequest({ repo: commonDir, command }), { timeoutMs: Math.max(1, timeoutMs) });
}

/**
 * The sockets a daemon of this repository may listen on: the one its record
 * names (read anyway; no hashing needed), then the one derived from the
 * repository's path, computed only if the first does not answer.
 */
function* candidateSockets(commonDir: string): Generator<string> {
  const info = readDaemonInfo(daemonPaths(commonDir).info);
  if (info !== null) yield info.socket;
  let derived: string;
  try {
    derived = socketPathFor(commonDir);
  } catch {
    return; // No usable directory in this environment.
  }
  if (derived !== info?.socket) yield derived;
}

/** Connects to `socket` and exchanges Hello; null when nothing answers. */
async function hello(
  socket: string,
  commonDir: string,
  build: string,
  kind: ClientKind,
  timeoutMs: number,
  requestTimeoutMs: number | undefined,
  pipelined: Uint8Array | undefined,
): Promise<Hello | null> {
  // Never talk to a socket in a directory another user could control.
  if (!isPrivateDir(dirname(socket))) return null;
  let conn: ClientConnection;
  try {
    conn = await ClientConnection.connect(socket, {
      connectTimeoutMs: Math.max(1, timeoutMs),
      ...(requestTimeoutMs !== undefined ? { requestTimeoutMs } : {}),
    });
  } catch {
    return null;
  }
  try {
    const helloSent = request(conn, commonDir, new HelloT(SCHEMA_VERSION, build, kind), timeoutMs);
    let early: Promise<IpcResponse> | undefined;
    if (pipelined !== undefined) {
      early = conn.request(pipelined);
      // Read only if this daemon turns out to be of this build.
      early.catch(() => undefined);
    }
    const resp = await helloSent;
    if (!resp.ok() || resp.resultType() !== IpcResult.HelloResult) {
      conn.dispose();
      return null;
    }
    const r = resp.result(new HelloResult()) as HelloResult;
    return { conn, pid: r.pid(), build: r.build() ?? '', schemaVersion: r.schemaVersion(), socket, ...(early ? { early } : {}) };
  } catch {
    conn.dispose();
    return null;
  }
}

/** The first daemon of this repository that answers Hello, whatever its build. */
async function findDaemon(
  commonDir: string,
  build: string,
  kind: ClientKind,
  deadline: number,
  requestTimeoutMs?: number,
  pipelined?: Uint8Array,
): Promise<Hello | null> {
  for (const socket of candidateSockets(commonDir)) {
    const left = deadline - Date.now();
    if (left <= 0) return null;
    const h = await hello(socket, commonDir, build, kind, Math.min(left, 2_000), requestTimeoutMs, pipelined);
    if (h !== null) return h;
  }
  return null;
}

function matches(h: Hello, build: string): boolean {
  return h.schemaVersion === SCHEMA_VERSION && h.build === build;
}

/** Waits until process `pid` is gone; false when the deadline came first. */
async function waitForExit(pid: number, deadline: number): Promise<boolean> {
  let delay = 5;
  while (isPidAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(delay);
    delay = Math.min(delay * 2, 50);
  }
  return true;
}

/** Asks the daemon behind `h` to stop and waits for its process to exit. */
async function stopVia(h: Hello, commonDir: string, deadline: number): Promise<boolean> {
  try {
    await request(h.conn, commonDir, new DaemonStopT(), Math.max(1, deadline - Date.now()));
  } catch {
    // It may close the connection before answering; its exit decides.
  } finally {
    h.conn.dispose();
  }
  return waitForExit(h.pid, deadline);
}

/**
 * True when a live process holds the daemon lock, or the lock was created a
 * moment ago and its holder is not recorded yet: a daemon is starting.
 */
function lockIsHeld(commonDir: string): boolean {
  const path = daemonPaths(commonDir).lock;
  const holder = readLockHolder(path);
  if (holder !== null) return isSameProcess(holder.pid, holder.start_time);
  const st = statSync(path, { throwIfNoEntry: false });
  return st !== undefined && Date.now() - st.mtimeMs < EMPTY_LOCK_GRACE_MS;
}

interface SpawnState {
  /** Daemon processes this call started. */
  started: number;
  /** The last one, while it runs. */
  running: boolean;
}

// node:child_process costs ~9 ms to load: only a call that spawns pays it.
const requireBuiltin = createRequire(import.meta.url);

function spawnDaemon(opts: ConnectOrSpawnOptions, state: SpawnState): void {
  const { spawn: spawnProcess } = requireBuiltin('node:child_process') as typeof import('node:child_process');
  const args = [opts.mainPath ?? daemonMainPath(), '--repo', opts.commonDir, '--build', opts.build];
  try {
    args.push('--socket', socketPathFor(opts.commonDir));
  } catch {
    // Let the daemon report it in its log.
  }
  if (opts.idleTimeoutS !== undefined) args.push('--idle-timeout', String(opts.idleTimeoutS));
  if (opts.cliModule !== undefined) args.push('--cli', opts.cliModule);
  const child = spawnProcess(process.execPath, args, { detached: true, stdio: 'ignore', cwd: '/' });
  state.started++;
  state.running = true;
  child.on('error', () => (state.running = false));
  child.on('exit', () => (state.running = false));
  child.unref();
}

/** Most daemons one call may start (a daemon that dies at startup is retried, a little). */
const MAX_SPAWNS = 3;

async function connectInternal(opts: ConnectOrSpawnOptions): Promise<Found | null> {
  const deadline = Date.now() + (opts.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
  const kind = opts.clientKind ?? ClientKind.cli;
  let replaced = false;

  const first = await findDaemon(opts.commonDir, opts.build, kind, deadline, opts.requestTimeoutMs, opts.pipelined);
  if (first !== null) {
    if (matches(first, opts.build)) return { hello: first, spawned: false };
    if (!opts.spawn) {
      first.conn.dispose();
      return null;
    }
    if (!(await stopVia(first, opts.commonDir, deadline))) return null;
    replaced = true;
  }
  if (!opts.spawn) return null;

  const state: SpawnState = { started: 0, running: false };
  let delay = 5;
  while (Date.now() < deadline) {
    if (!state.running && state.started < MAX_SPAWNS && !lockIsHeld(opts.commonDir)) spawnDaemon(opts, state);
    await sleep(delay);
    delay = Math.min(delay * 2, 50);
    const h = await findDaemon(opts.commonDir, opts.build, kind, deadline, opts.requestTimeoutMs, opts.pipelined);
    if (h === null) continue;
    if (matches(h, opts.build)) return { hello: h, spawned: state.started > 0 };
    // A client of another build won the race. Replace it once; after that,
    // two builds are fighting over the repository and we step aside.
    if (replaced) {
      h.conn.dispose();
      return null;
    }
    if (!(await stopVia(h, opts.commonDir, deadline))) return null;
    replaced = true;
  }
  return null;
}

/**
 * A connection to this repository's daemon, of this build, after Hello; or
 * null when none can be had (then run the engine in-process). Never throws.
 */
export async function connectOrSpawn(opts: ConnectOrSpawnOptions): Promise<ClientConnection | null> {
  try {
    const found = await connectInternal(opts);
    return found?.hello.conn ?? null;
  } catch {
    return null;
  }
}

export interface DaemonCall {
  conn: ClientConnection;
  /** The daemon's answer; rejects with `ipc_error` when the transport fails. */
  response: Promise<IpcResponse>;
}

/**
 * Sends `request` to this repository's daemon of this build (found, replaced
 * or spawned as by connectOrSpawn); null when none can be had. A `readOnly`
 * request goes out right behind Hello, without waiting for its answer: a
 * daemon of another build may see it, which is harmless for a read, and its
 * answer is then dropped. Dispose `conn` once the response is read.
 */
export async function sendViaDaemon(opts: ConnectOrSpawnOptions, request: Uint8Array, readOnly: boolean): Promise<DaemonCall | null> {
  try {
    const found = await connectInternal(readOnly ? { ...opts, pipelined: request } : opts);
    if (found === null) return null;
    const { conn, early } = found.hello;
    return { conn, response: early ?? conn.request(request) };
  } catch {
    return null;
  }
}

export interface StopDaemonResult {
  /** A daemon process was there. */
  wasRunning: boolean;
  pid: number | null;
  /** It is gone now. */
  stopped: boolean;
}

/**
 * Stops the repository's daemon (any build): DaemonStop over the socket, or
 * SIGTERM when its process lives but its socket does not answer. Waits up to
 * `timeoutMs` (default 10 s) for the process to exit.
 */
export async function stopDaemon(commonDir: string, opts: { timeoutMs?: number } = {}): Promise<StopDaemonResult> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  const h = await findDaemon(commonDir, currentBuild(), ClientKind.cli, deadline);
  if (h !== null) {
    const pid = h.pid;
    return { wasRunning: true, pid, stopped: await stopVia(h, commonDir, deadline) };
  }
  const info = readDaemonInfo(daemonPaths(commonDir).info);
  if (info !== null && isSameProcess(info.pid, info.start_time)) {
    try {
      process.kill(info.pid, 'SIGTERM');
    } catch {
      // Gone meanwhile.
    }
    return { wasRunning: true, pid: info.pid, stopped: await waitForExit(info.pid, deadline) };
  }
  return { wasRunning: false, pid: null, stopped: false };
}

/**
 * The repository's daemon status (any build) as the DaemonStatus result
 * table; `running` false, and nothing else set, when no daemon answers.
 */
export async function daemonStatus(commonDir: string, opts: { timeoutMs?: number } = {}): Promise<DaemonStatusResultT> {
  const deadline = Date.now() + (opts.timeoutMs ?? 2_000);
  const h = await findDaemon(commonDir, currentBuild(), ClientKind.cli, deadline);
  if (h === null) return new DaemonStatusResultT(false);
  try {
    const resp = await request(h.conn, commonDir, new DaemonStatusT(), Math.max(1, deadline - Date.now()));
    if (!resp.ok() || resp.resultType() !== IpcResult.DaemonStatusResult) return new DaemonStatusResultT(false);
    return (resp.result(new DaemonStatusResult()) as DaemonStatusResult).unpack();
  } catch {
    return new DaemonStatusResultT(false);
  } finally {
    h.conn.dispose();
  }
}

export interface StartDaemonOptions {
  /** Idle timeout in seconds (0 = never; default: the daemon's 5 min). */
  idleTimeoutS?: number;
  /** Build id (default currentBuild()). */
  build?: string;
  /** Budget (default 10 s). */
  timeoutMs?: number;
  mainPath?: string;
  /** See ConnectOrSpawnOptions. */
  cliModule?: string;
}

export interface StartDaemonResult {
  /** False when a daemon of this build was already running. */
  started: boolean;
  pid: number;
  socket: string;
  build: string;
}

/**
 * Makes sure a daemon of this build serves the repository (replacing one of
 * another build); null when none could be started.
 */
export async function startDaemon(commonDir: string, opts: StartDaemonOptions = {}): Promise<StartDaemonResult | null> {
  const build = opts.build ?? currentBuild();
  let found: Found | null;
  try {
    found = await connectInternal({
      commonDir,
      spawn: true,
      build,
      timeoutMs: opts.timeoutMs ?? 10_000,
      ...(opts.idleTimeoutS !== undefined ? { idleTimeoutS: opts.idleTimeoutS } : {}),
      ...(opts.mainPath !== undefined ? { mainPath: opts.mainPath } : {}),
      ...(opts.cliModule !== undefined ? { cliModule: opts.cliModule } : {}),
    });
  } catch {
    found = null;
  }
  if (found === null) return null;
  found.hello.conn.dispose();
  return { started: found.spawned, pid: found.hello.pid, socket: found.hello.socket, build: found.hello.build };
}
