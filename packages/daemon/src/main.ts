/**
 * The daemon process (DESIGN.md section 7):
 *
 *   node packages/daemon/dist/main.js --repo <commonDir> [--idle-timeout S]
 *        [--build <id>] [--socket <path>] [--cli <module>]
 *
 * `--idle-timeout` is in seconds (default 300; 0 = never). `--build` is the
 * build id reported in Hello (default: this installation's, currentBuild());
 * a client that spawns a daemon passes its own. `--socket` defaults to the
 * path socket-path.ts computes for this environment. `--cli` names a module
 * (the CLI's dist/serve.js) whose `cliRunner` runs CliRun command lines;
 * without it they are declined.
 *
 * Order matters:
 * 1. Take `ts-daemon.lock` (lifecycle.ts) before loading anything heavy
 *    (the protocol, the server, the engine), so the losers of a spawn race
 *    exit within milliseconds (exit code 3).
 * 2. Listen on the socket, then open the engine: Hello and DaemonStatus are
 *    answered at once, other requests wait for the engine.
 * 3. Write `ts-daemon.json` (discovery.ts) and refresh its heartbeat every
 *    few seconds, checking the lock is still ours each time (a daemon that
 *    lost it exits at once, touching nothing).
 * 4. On SIGTERM/SIGINT/SIGHUP, DaemonStop, idle, or a fatal error: the
 *    server stops cleanly (finishing requests in flight), then the record
 *    and the lock are removed. A stop that hangs is cut short by a watchdog.
 * Logs go to `<commonDir>/grite/logs/daemon.log`; stdio is ignored by the
 * spawner, so nothing reaches a terminal.
 *
 * Exit codes: 0 clean stop, 1 failure, 2 bad arguments, 3 another daemon
 * holds the lock.
 */
import { mkdirSync, realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { currentBuild } from './build-id.js';
import { daemonPaths, readDaemonInfo, removeQuietly, writeDaemonInfo, type DaemonInfo } from './discovery.js';
import { acquireDaemonLock, exitWithoutLockCleanup } from './lifecycle.js';
import { FileLogger } from './log.js';
import { selfIdentity } from './process-identity.js';
import type { CliRunner, EngineLike, StopReason } from './server.js';
import { ensurePrivateDir, MAX_SOCKET_PATH_BYTES, socketPathFor } from './socket-path.js';

const EXIT_OK = 0;
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;
const EXIT_LOCK_HELD = 3;

/** How often ts-daemon.json's heartbeat is refreshed. */
const HEARTBEAT_MS = 5_000;
/** How long a stop may take before the process is ended regardless. */
const STOP_WATCHDOG_MS = 45_000;
/** Default idle timeout, in seconds (server.ts's DEFAULT_IDLE_TIMEOUT_MS, not imported: see step 1). */
const DEFAULT_IDLE_TIMEOUT_S = 300;

interface DaemonArgs {
  repo: string;
  idleTimeoutS: number;
  build: string;
  socket: string | undefined;
  cli: string | undefined;
}

function parseDaemonArgs(argv: string[]): DaemonArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      repo: { type: 'string' },
      'idle-timeout': { type: 'string' },
      build: { type: 'string' },
      socket: { type: 'string' },
      cli: { type: 'string' },
    },
    strict: true,
  });
  if (values.repo === undefined || values.repo === '') throw new Error('--repo <common git dir> is required');
  let idleTimeoutS = DEFAULT_IDLE_TIMEOUT_S;
  if (values['idle-timeout'] !== undefined) {
    const n = Number(values['idle-timeout']);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--idle-timeout must be a number of seconds >= 0, got ${values['idle-timeout']}`);
    idleTimeoutS = n;
  }
  return { repo: values.repo, idleTimeoutS, build: values.build ?? currentBuild(), socket: values.socket, cli: values.cli };
}

async function openEngine(commonDir: string, build: string): Promise<EngineLike> {
  // Loaded only once the lock is ours: the engine pulls in core, SQLite and git.
  const { Engine } = await import('./engine/index.js');
  return Engine.open({ commonDir, build });
}

/** The CLI's runner for CliRun, from the module `--cli` names. */
async function loadCliRunner(modulePath: string): Promise<CliRunner> {
  const mod = (await import(pathToFileURL(modulePath).href)) as { cliRunner?: unknown };
  if (typeof mod.cliRunner !== 'function') throw new Error(`${modulePath} exports no cliRunner`);
  return mod.cliRunner as CliRunner;
}

async function main(argv: string[]): Promise<number> {
  let args: DaemonArgs;
  try {
    args = parseDaemonArgs(argv);
  } catch (e) {
    process.stderr.write(`grite daemon: ${(e as Error).message}\n`);
    return EXIT_USAGE;
  }
  process.umask(0o077);
  const commonDir = realpathSync.native(args.repo);
  const paths = daemonPaths(commonDir);
  mkdirSync(paths.griteDir, { recursive: true });
  const log = new FileLogger(paths.log);
  const socketPath = args.socket ?? socketPathFor(commonDir);
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH_BYTES) {
    log.error('socket path too long', { socket: socketPath, limit: MAX_SOCKET_PATH_BYTES });
    return EXIT_FAILURE;
  }
  try {
    ensurePrivateDir(dirname(socketPath));
  } catch (e) {
    log.error('socket directory refused', { error: e });
    return EXIT_FAILURE;
  }

  const acquired = await acquireDaemonLock(paths, [socketPath], log);
  if (acquired.lock === null) {
    log.info('another daemon holds the lock; exiting', { verdict: acquired.verdict });
    return EXIT_LOCK_HELD;
  }
  const lock = acquired.lock;
  const [{ DaemonServer }, { SCHEMA_VERSION }] = await Promise.all([import('./server.js'), import('@grite/protocol')]);
  log.info('starting', { repo: commonDir, build: args.build, socket: socketPath, node: process.version });

  let watchdog: NodeJS.Timeout | null = null;
  const server = new DaemonServer({
    commonDir,
    socketPath,
    build: args.build,
    engine: openEngine(commonDir, args.build),
    log,
    idleTimeoutMs: args.idleTimeoutS * 1000,
    ...(args.cli !== undefined ? { cliRunner: () => loadCliRunner(args.cli!) } : {}),
    onStop: () => {
      watchdog ??= setTimeout(() => {
        log.error('stop did not finish in time; exiting');
        cleanupFiles();
        process.exit(EXIT_FAILURE);
      }, STOP_WATCHDOG_MS);
      watchdog.unref();
    },
  });

  const me = selfIdentity();
  const info: DaemonInfo = {
    pid: me.pid,
    start_time: me.startTime,
    socket: socketPath,
    build: args.build,
    schema_version: SCHEMA_VERSION,
    started_ts: server.startedTs,
    heartbeat_ts: Date.now(),
    idle_timeout_s: args.idleTimeoutS,
  };
  const cleanupFiles = (): boolean => {
    if (readDaemonInfo(paths.info)?.pid === process.pid) removeQuietly(paths.info);
    return lock.release();
  };

  const stop = (reason: StopReason): void => void server.stop(reason);
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => stop('signal'));
  process.on('uncaughtException', (err) => {
    log.error('uncaught exception', { error: err });
    stop('error');
  });
  process.on('unhandledRejection', (err) => {
    log.error('unhandled rejection', { error: err });
    stop('error');
  });

  try {
    await server.listen();
    writeDaemonInfo(paths.info, info);
  } catch (e) {
    log.error('cannot start serving', { error: e });
    await server.stop('error');
    if (!cleanupFiles()) exitWithoutLockCleanup();
    return EXIT_FAILURE;
  }

  // A timer, not tied to any request: it keeps firing while requests run,
  // unless the event loop itself is blocked.
  const heartbeat = setInterval(() => {
    if (!lock.stillOurs()) {
      // Another daemon may own the lock and the socket path now: a clean
      // stop would unlink its socket (closing a server unlinks the path)
      // and the lockfile package would delete its lock. Requests in flight
      // are cut off, which is safe: nothing unacknowledged is lost, and a
      // retry writes nothing twice.
      log.error('the daemon lock is no longer ours; exiting at once');
      exitWithoutLockCleanup();
    }
    info.heartbeat_ts = Date.now();
    try {
      writeDaemonInfo(paths.info, info);
    } catch (e) {
      log.warn('cannot refresh ts-daemon.json', { error: e });
    }
  }, HEARTBEAT_MS);

  const reason = await server.stopped;
  clearInterval(heartbeat);
  if (!cleanupFiles()) {
    log.error('the daemon lock is no longer ours: exiting without touching it');
    exitWithoutLockCleanup();
  }
  log.info('exited', { reason });
  return reason === 'error' ? EXIT_FAILURE : EXIT_OK;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`grite daemon: ${String(err)}\n`);
    process.exit(EXIT_FAILURE);
  },
);
