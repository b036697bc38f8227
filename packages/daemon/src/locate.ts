/**
 * The running daemon of a repository as its discovery record names it, for
 * the CLI's thin entry (packages/cli/src/thin.ts): one small file read and
 * one lstat, with nothing else loaded (no protocol, no socket-path hashing).
 */
import { dirname } from 'node:path';
import { resolveCommonDir } from '@grite/core/repo';
import { daemonPaths, readDaemonInfo } from './discovery.js';
import { isPrivateDir } from './socket-path.js';

export interface RecordedDaemon {
  /** The repository's common git dir (a realpath). */
  commonDir: string;
  socket: string;
  build: string;
  schemaVersion: number;
}

/**
 * The daemon of the repository around `cwd`. Null outside a repository,
 * when there is no readable record, or when its socket's directory is not
 * private to this user (never talk to a socket another user could
 * control). The record may be stale: connecting tells.
 */
export function recordedDaemon(cwd: string, env: NodeJS.ProcessEnv): RecordedDaemon | null {
  let commonDir: string;
  try {
    commonDir = resolveCommonDir(cwd, env);
  } catch {
    return null;
  }
  const info = readDaemonInfo(daemonPaths(commonDir).info);
  if (info === null || !isPrivateDir(dirname(info.socket))) return null;
  return { commonDir, socket: info.socket, build: info.build, schemaVersion: info.schema_version };
}
