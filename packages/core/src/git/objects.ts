/**
 * Git objects, written in process (DESIGN.md section 5: no git spawn per write).
 *
 *   object    = "<type> <decimal length>\0<data>"; oid = SHA-1 (or SHA-256) of it
 *   loose     = objects/<oid[0..2]>/<oid[2..]>, the object zlib-deflated
 *   tree      = entries "<mode> <name>\0<raw oid>", sorted by name bytes where a
 *               tree's name compares as if it ended in "/"; modes 100644 (file),
 *               100755 (executable), 120000 (symlink), 40000 (tree), 160000 (gitlink)
 *   commit    = "tree <oid>\n" ("parent <oid>\n")* "author <ident>\n"
 *               "committer <ident>\n" "\n" <message>
 *   ident     = "<name> <<email>> <unix seconds> <+hhmm>"
 *
 * Loose objects are written to a temporary file in the object's directory,
 * flushed to disk (fsync) and renamed into place, so an object is complete
 * wherever it is visible, and durable before any ref names it. An object that
 * is already there (loose) is not written again. Directory entries are not
 * fsynced (git does not either, by default).
 *
 * Compression (RFC 1950 zlib streams; git inflates whatever a stream holds):
 * objects up to STORED_MAX bytes (every tree, commit and meta.json of the
 * WAL, and small chunks) are written as "stored" deflate blocks, made here
 * without calling zlib: setting up a zlib stream costs ~15-20 µs an object,
 * more than the rest of its write, to save a few dozen bytes. Larger objects
 * are deflated at zlib's default level.
 *   zlib stream   CMF 0x78 (deflate, 32 KiB window), FLG 0x01 (no dictionary,
 *                 fastest level; CMF*256+FLG divisible by 31), the deflate
 *                 data, then the Adler-32 of the uncompressed bytes (u32be)
 *   stored block  one byte BFINAL (bit 0) and BTYPE 00 (bits 1-2), then LEN
 *                 and NLEN (its one's complement) as u16le, then LEN bytes
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { GriteError } from '../errors.js';
import { fromHex, toHex } from '../codec/hex.js';
import { repoFormat, type ObjectFormat } from './repo-format.js';

export type GitObjectType = 'blob' | 'tree' | 'commit' | 'tag';

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

/** An object with its id computed, ready to be written. */
export interface PreparedObject {
  oid: string;
  type: GitObjectType;
  /** The uncompressed object: header and data. */
  raw: Uint8Array;
}

/** Objects up to this many bytes are stored uncompressed (see the file comment). */
export const STORED_MAX = 512;

/** `data` as a zlib stream of stored blocks (no compression). */
export function zlibStored(data: Uint8Array): Uint8Array {
  const blocks = Math.max(1, Math.ceil(data.length / 0xffff));
  const out = new Uint8Array(2 + blocks * 5 + data.length + 4);
  out[0] = 0x78;
  out[1] = 0x01;
  let p = 2;
  for (let b = 0, from = 0; b < blocks; b++) {
    const len = Math.min(0xffff, data.length - from);
    out[p] = b === blocks - 1 ? 1 : 0;
    out[p + 1] = len & 0xff;
    out[p + 2] = len >>> 8;
    out[p + 3] = ~len & 0xff;
    out[p + 4] = (~len >>> 8) & 0xff;
    out.set(data.subarray(from, from + len), p + 5);
    p += 5 + len;
    from += len;
  }
  // Adler-32, reduced modulo 65521 at least every 5552 bytes (no overflow).
  let a = 1;
  let c = 0;
  for (let i = 0; i < data.length; ) {
    const end = Math.min(data.length, i + 5552);
    for (; i < end; i++) {
      a += data[i]!;
      c += a;
    }
    a %= 65521;
    c %= 65521;
  }
  new DataView(out.buffer, out.byteOffset).setUint32(p, ((c << 16) | a) >>> 0);
  return out;
}

/** `data` compressed for git: stored when small, else deflated (see the file comment). */
export function compressObject(data: Uint8Array): Uint8Array {
  return data.length <= STORED_MAX ? zlibStored(data) : deflateSync(data);
}

/** Compute an object's id (no I/O). */
export function hashObject(type: GitObjectType, data: Uint8Array, format: ObjectFormat = 'sha1'): PreparedObject {
  const header = textEncoder.encode(`${type} ${data.length}\0`);
  const raw = new Uint8Array(header.length + data.length);
  raw.set(header, 0);
  raw.set(data, header.length);
  const oid = createHash(format === 'sha1' ? 'sha1' : 'sha256').update(raw).digest('hex');
  return { oid, type, raw };
}

function loosePath(commonGitDir: string, oid: string): { dir: string; file: string } {
  const dir = join(commonGitDir, 'objects', oid.slice(0, 2));
  return { dir, file: join(dir, oid.slice(2)) };
}

function ioError(message: string, cause: unknown): GriteError {
  return new GriteError('io_error', `${message}: ${(cause as Error).message}`, { cause });
}

export interface WriteOptions {
  /** fsync each new object file before it is renamed into place (default true). */
  fsync?: boolean;
}

/**
 * Open `path` for writing, created exclusively, creating its directory as
 * needed. git removes fan-out and ref directories it empties (prune-packed
 * after a repack, pack-refs, possibly in another process) at any moment, so
 * a vanished directory is recreated and the create retried, as git does.
 * Returns the fd, or null when `path` already exists.
 */
export function createExclusive(path: string, mode: number): number | null {
  for (let attempt = 0; ; attempt++) {
    try {
      return openSync(path, 'wx', mode);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return null;
      if (code !== 'ENOENT' || attempt >= 8) throw ioError(`cannot create ${path}`, e);
    }
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (e) {
      throw ioError(`cannot create ${dirname(path)}`, e);
    }
  }
}

/** fsync on the thread pool, so that several run at once and the event loop does not wait. */
export function fsyncFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fsync(fd, (e) => (e ? reject(e) : resolve())));
}

function writeAll(fd: number, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) off += writeSync(fd, data, off, data.length - off);
}

/**
 * Write prepared objects as loose objects; resolves with the number of new
 * files. Each goes to a temporary file in its fan-out directory, all are
 * fsynced together (in parallel), then each is renamed into place. Objects
 * already present (loose) are skipped. The small file operations are
 * synchronous (microseconds each, on the page cache); only fsync, which waits
 * for the disk, runs off the event loop.
 */
export async function writePreparedObjects(
  commonGitDir: string,
  objects: readonly PreparedObject[],
  opts: WriteOptions = {},
): Promise<number> {
  const pending: Array<{ fd: number; tmp: string; file: string; oid: string }> = [];
  const seen = new Set<string>();
  const cleanup = (): void => {
    for (const p of pending) {
      if (p.fd >= 0) {
        try {
          closeSync(p.fd);
        } catch {
          // already failing; the temporary file goes below
        }
      }
      rmSync(p.tmp, { force: true });
    }
  };
  try {
    for (const obj of objects) {
      if (seen.has(obj.oid)) continue;
      seen.add(obj.oid);
      const { dir, file } = loosePath(commonGitDir, obj.oid);
      if (existsSync(file)) continue;
      const tmp = join(dir, `tmp_obj_${randomBytes(6).toString('hex')}`);
      const fd = createExclusive(tmp, 0o444);
      if (fd === null) throw new GriteError('io_error', `temporary object file ${tmp} already exists`);
      const entry = { fd, tmp, file, oid: obj.oid };
      pending.push(entry);
      try {
        writeAll(fd, compressObject(obj.raw));
      } catch (e) {
        throw ioError(`cannot write object ${obj.oid}`, e);
      }
    }
    if (opts.fsync ?? true) {
      await Promise.all(
        pending.map((p) => fsyncFd(p.fd).catch((e: unknown) => Promise.reject(ioError(`cannot fsync object ${p.oid}`, e)))),
      );
    }
    for (const p of pending) {
      closeSync(p.fd);
      p.fd = -1;
    }
    for (const p of pending) {
      try {
        renameSync(p.tmp, p.file);
      } catch (e) {
        throw ioError(`cannot move object ${p.oid} into place`, e);
      }
    }
    return pending.length;
  } catch (e) {
    cleanup();
    throw e;
  }
}

/** Write a prepared object as a loose object; true when a new file was written. */
export async function writePreparedObject(commonGitDir: string, obj: PreparedObject, opts: WriteOptions = {}): Promise<boolean> {
  return (await writePreparedObjects(commonGitDir, [obj], opts)) === 1;
}

/** Write `data` as a loose object of `type`; returns its id. */
export async function writeLooseObject(
  commonGitDir: string,
  type: GitObjectType,
  data: Uint8Array,
  opts: WriteOptions = {},
): Promise<string> {
  const obj = hashObject(type, data, repoFormat(commonGitDir).objectFormat);
  await writePreparedObjects(commonGitDir, [obj], opts);
  return obj.oid;
}

// ---------------------------------------------------------------------------
// Trees

export type TreeMode = '100644' | '100755' | '120000' | '40000' | '160000';

export interface TreeEntry {
  mode: TreeMode;
  name: string;
  oid: string;
}

const MODES: ReadonlySet<string> = new Set(['100644', '100755', '120000', '40000', '160000']);

function checkOid(oid: string, format: ObjectFormat, what: string): void {
  const len = format === 'sha1' ? 40 : 64;
  if (typeof oid !== 'string' || oid.length !== len || !/^[0-9a-f]+$/.test(oid)) {
    throw new GriteError('invalid_args', `${what} is not a ${format} object id: ${JSON.stringify(oid)}`);
  }
}

function compareTreeNames(a: Uint8Array, aTree: boolean, b: Uint8Array, bTree: boolean): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  // Past the common prefix a tree name continues with "/", anything else ends (0).
  const ca = a.length > n ? a[n]! : aTree ? 0x2f : 0;
  const cb = b.length > n ? b[n]! : bTree ? 0x2f : 0;
  return ca - cb;
}

/** The data of a tree object holding `entries` (sorted here in git's order). */
export function buildTree(entries: readonly TreeEntry[], format: ObjectFormat = 'sha1'): Uint8Array {
  const items = entries.map((e) => {
    if (!MODES.has(e.mode)) throw new GriteError('invalid_args', `bad tree entry mode ${JSON.stringify(e.mode)}`);
    if (e.name === '' || e.name === '.' || e.name === '..' || e.name.includes('/') || e.name.includes('\0')) {
      throw new GriteError('invalid_args', `bad tree entry name ${JSON.stringify(e.name)}`);
    }
    checkOid(e.oid, format, `tree entry ${e.name}`);
    return { e, name: textEncoder.encode(e.name), tree: e.mode === '40000' };
  });
  items.sort((a, b) => compareTreeNames(a.name, a.tree, b.name, b.tree));
  for (let i = 1; i < items.length; i++) {
    if (items[i - 1]!.e.name === items[i]!.e.name) {
      throw new GriteError('invalid_args', `duplicate tree entry ${JSON.stringify(items[i]!.e.name)}`);
    }
  }
  const oidBytes = format === 'sha1' ? 20 : 32;
  let size = 0;
  for (const it of items) size += it.e.mode.length + 1 + it.name.length + 1 + oidBytes;
  const out = new Uint8Array(size);
  let p = 0;
  for (const it of items) {
    out.set(textEncoder.encode(`${it.e.mode} `), p);
    p += it.e.mode.length + 1;
    out.set(it.name, p);
    p += it.name.length;
    out[p++] = 0;
    out.set(fromHex(it.e.oid), p);
    p += oidBytes;
  }
  return out;
}

/** The entries of a tree object's data, in stored order. Throws GriteError('git_error') when malformed. */
export function parseTree(data: Uint8Array, format: ObjectFormat = 'sha1'): TreeEntry[] {
  const oidBytes = format === 'sha1' ? 20 : 32;
  const out: TreeEntry[] = [];
  let p = 0;
  while (p < data.length) {
    const sp = data.indexOf(0x20, p);
    const nul = sp < 0 ? -1 : data.indexOf(0, sp + 1);
    if (sp < 0 || nul < 0 || nul + 1 + oidBytes > data.length) {
      throw new GriteError('git_error', `malformed tree object at byte ${p}`);
    }
    const mode = textDecoder.decode(data.subarray(p, sp));
    const name = textDecoder.decode(data.subarray(sp + 1, nul));
    const oid = toHex(data.subarray(nul + 1, nul + 1 + oidBytes));
    out.push({ mode: mode as TreeMode, name, oid });
    p = nul + 1 + oidBytes;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Commits

export interface GitIdent {
  name: string;
  email: string;
  /** Unix seconds. */
  seconds: number;
  /** Time zone offset as written, default "+0000". */
  tz?: string;
}

export interface CommitFields {
  tree: string;
  parents: readonly string[];
  author: GitIdent;
  committer: GitIdent;
  /** Written exactly as given: no newline is added. */
  message: string;
}

function formatIdent(who: string, id: GitIdent): string {
  if (/[<>\n\0]/.test(id.name) || /[<>\n\0]/.test(id.email)) {
    throw new GriteError('invalid_args', `bad ${who} identity ${JSON.stringify(`${id.name} <${id.email}>`)}`);
  }
  if (!Number.isSafeInteger(id.seconds) || id.seconds < 0) {
    throw new GriteError('invalid_args', `bad ${who} time ${id.seconds}`);
  }
  const tz = id.tz ?? '+0000';
  if (!/^[+-]\d{4}$/.test(tz)) throw new GriteError('invalid_args', `bad ${who} time zone ${JSON.stringify(tz)}`);
  return `${id.name} <${id.email}> ${id.seconds} ${tz}`;
}

/** The data of a commit object. */
export function buildCommit(c: CommitFields, format: ObjectFormat = 'sha1'): Uint8Array {
  checkOid(c.tree, format, 'commit tree');
  let text = `tree ${c.tree}\n`;
  for (const p of c.parents) {
    checkOid(p, format, 'commit parent');
    text += `parent ${p}\n`;
  }
  text += `author ${formatIdent('author', c.author)}\n`;
  text += `committer ${formatIdent('committer', c.committer)}\n`;
  text += `\n${c.message}`;
  return textEncoder.encode(text);
}

export interface ParsedCommit {
  tree: string;
  parents: string[];
  /** The author line after "author ". */
  author: string;
  committer: string;
  message: string;
}

/** Parse a commit object's data. Throws GriteError('git_error') when it has no tree. */
export function parseCommit(data: Uint8Array): ParsedCommit {
  const text = textDecoder.decode(data);
  const split = text.indexOf('\n\n');
  const headerText = split < 0 ? text : text.slice(0, split);
  const message = split < 0 ? '' : text.slice(split + 2);
  let tree = '';
  const parents: string[] = [];
  let author = '';
  let committer = '';
  for (const line of headerText.split('\n')) {
    if (line.startsWith('tree ')) tree = line.slice(5);
    else if (line.startsWith('parent ')) parents.push(line.slice(7));
    else if (line.startsWith('author ')) author = line.slice(7);
    else if (line.startsWith('committer ')) committer = line.slice(10);
  }
  if (tree === '') throw new GriteError('git_error', 'malformed commit object (no tree)');
  return { tree, parents, author, committer, message };
}
