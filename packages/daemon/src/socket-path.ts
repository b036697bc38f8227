/**
 * Where a repository's daemon listens (DESIGN.md section 7).
 *
 * The socket lives in a private directory of the current user:
 * `$XDG_RUNTIME_DIR/grite/` when that variable names an absolute directory,
 * else `/tmp/grite-<uid>/`. The directory is created with mode 0700; an
 * existing one must be a real directory (not a symlink) owned by this user,
 * and loses any group or other permission bits it has. A directory owned by
 * someone else is refused: its owner could read or replace our socket.
 *
 * The socket is named by a short hash of the realpath of the repository's
 * common git dir: `<16 hex of SHA-256>.sock`. The whole path must fit in 104
 * bytes, the smallest `sun_path` limit among the systems we care about (104
 * on macOS and the BSDs, 108 on Linux, counting the NUL). When
 * `$XDG_RUNTIME_DIR` is so long that the path would not fit, the /tmp
 * directory is used instead; when even that does not fit (a huge TMPDIR is
 * never consulted, so only a pathological uid could), it is an error.
 *
 * Kept free of heavy imports: the CLI computes this on every call.
 */
import { createHash } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, realpathSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

/** The longest socket path accepted, in bytes (without the NUL). */
export const MAX_SOCKET_PATH_BYTES = 103;

/** The smallest `sun_path` size we target, NUL included. */
export const SUN_PATH_BYTES = 104;

/** Hex digits of the common dir's hash in the socket name. */
const HASH_HEX_CHARS = 16;

export class SocketDirError extends Error {
  readonly code = 'io_error' as const;
  constructor(
    message: string,
    readonly hint: string,
    readonly details: Readonly<Record<string, string>>,
  ) {
    super(message);
    this.name = 'SocketDirError';
  }
}

export interface SocketPathOptions {
  /** The environment to read XDG_RUNTIME_DIR from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** The user id (default process.getuid()). */
  uid?: number;
}

function currentUid(opts: SocketPathOptions): number {
  if (opts.uid !== undefined) return opts.uid;
  return typeof process.getuid === 'function' ? process.getuid() : 0;
}

/** The socket file name for a common dir: a hash of its realpath. */
export function socketName(commonDir: string): string {
  let real: string;
  try {
    real = realpathSync.native(commonDir);
  } catch {
    real = commonDir;
  }
  const hash = createHash('sha256').update(real).digest('hex').slice(0, HASH_HEX_CHARS);
  return `${hash}.sock`;
}

/**
 * The candidate socket directories in order of preference. The XDG one is
 * left out when it is unset, relative, or too long to hold a socket name.
 */
export function socketDirCandidates(opts: SocketPathOptions = {}): string[] {
  const env = opts.env ?? process.env;
  const out: string[] = [];
  const xdg = env['XDG_RUNTIME_DIR'];
  const nameBytes = HASH_HEX_CHARS + '.sock'.length;
  if (xdg !== undefined && xdg !== '' && isAbsolute(xdg)) {
    const dir = join(xdg, 'grite');
    if (Buffer.byteLength(dir) + 1 + nameBytes <= MAX_SOCKET_PATH_BYTES) out.push(dir);
  }
  out.push(`/tmp/grite-${currentUid(opts)}`);
  return out;
}

/**
 * The socket path for a repository, without touching the file system beyond
 * resolving the common dir's realpath. Throws when no candidate fits the
 * `sun_path` limit.
 */
export function socketPathFor(commonDir: string, opts: SocketPathOptions = {}): string {
  const name = socketName(commonDir);
  for (const dir of socketDirCandidates(opts)) {
    const p = join(dir, name);
    if (Buffer.byteLength(p) <= MAX_SOCKET_PATH_BYTES) return p;
  }
  throw new SocketDirError(
    'no socket directory short enough for a Unix socket path',
    'set XDG_RUNTIME_DIR to a short directory',
    { limit: String(MAX_SOCKET_PATH_BYTES) },
  );
}

/**
 * Creates `dir` (mode 0700) when missing and checks it is private: a real
 * directory owned by `uid` with no group or other access (extra bits on our
 * own directory are removed). Throws SocketDirError otherwise.
 */
export function ensurePrivateDir(dir: string, opts: SocketPathOptions = {}): void {
  const uid = currentUid(opts);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new SocketDirError(`cannot create the socket directory ${dir}: ${(e as Error).message}`, 'check the permissions of its parent', {
      dir,
    });
  }
  const st = lstatSync(dir);
  if (!st.isDirectory()) {
    throw new SocketDirError(`the socket directory ${dir} is not a directory`, `remove ${dir} and retry`, { dir });
  }
  if (st.uid !== uid) {
    throw new SocketDirError(
      `the socket directory ${dir} belongs to uid ${st.uid}, not to you (uid ${uid})`,
      `another user owns ${dir}; remove it or set XDG_RUNTIME_DIR to a private directory`,
      { dir, owner_uid: String(st.uid), uid: String(uid) },
    );
  }
  if ((st.mode & 0o077) !== 0) {
    chmodSync(dir, 0o700);
    const again = lstatSync(dir);
    if ((again.mode & 0o077) !== 0) {
      throw new SocketDirError(`the socket directory ${dir} cannot be made private`, `chmod 700 ${dir}`, { dir });
    }
  }
}

/**
 * True when `dir` exists as a directory owned by `uid` with no group or
 * other access: the check a client makes (without creating or fixing
 * anything) before trusting a socket inside it.
 */
export function isPrivateDir(dir: string, opts: SocketPathOptions = {}): boolean {
  try {
    const st = lstatSync(dir);
    return st.isDirectory() && st.uid === currentUid(opts) && (st.mode & 0o077) === 0;
  } catch {
    return false;
  }
}
