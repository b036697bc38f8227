/**
 * @grite/daemon: the engine (IpcRequest -> IpcResponse over core) and the
 * Unix-socket daemon that hosts it. Everything exported here is the
 * package's public surface; `@grite/daemon/client` exports the client side
 * alone, for the CLI's fast path.
 */
export {
  connectOrSpawn,
  daemonStatus,
  startDaemon,
  stopDaemon,
  DEFAULT_CONNECT_TIMEOUT_MS,
  type ConnectOrSpawnOptions,
  type StartDaemonOptions,
  type StartDaemonResult,
  type StopDaemonResult,
} from './client.js';
export { currentBuild, daemonMainPath } from './build-id.js';
export {
  socketPathFor,
  socketName,
  socketDirCandidates,
  ensurePrivateDir,
  isPrivateDir,
  MAX_SOCKET_PATH_BYTES,
  SocketDirError,
  type SocketPathOptions,
} from './socket-path.js';
export { Engine, type EngineOptions } from './engine/index.js';
export { daemonPaths, readDaemonInfo, type DaemonInfo, type DaemonPaths } from './discovery.js';
export {
  DaemonServer,
  DEFAULT_IDLE_TIMEOUT_MS,
  notificationObject,
  type CliOutcome,
  type CliRunner,
  type DaemonServerOptions,
  type EngineLike,
  type EngineNotification,
  type StopReason,
} from './server.js';
