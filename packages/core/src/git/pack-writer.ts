/**
 * Writing a group of new objects as one small pack instead of loose files:
 * two files to create and fsync instead of one per object (a group commit
 * of 16 actors holds ~128 objects, and on a busy filesystem every file
 * creation waits for the journal).
 *
 * Pack file, version 2 (git's Documentation/gitformat-pack.txt):
 *   "PACK", u32be version (2), u32be object count, then each object as
 *   a header (type in bits 6-4 of the first byte: commit 1, tree 2, blob 3,
 *   tag 4; the size in its low 4 bits, then 7 bits per following byte,
 *   least significant first; the high bit of each byte says another
 *   follows) and the zlib-deflated object data (without the loose
 *   "<type> <size>\0" header); then the hash (SHA-1 or SHA-256, the
 *   repository's) of everything before it.
 * Index file, version 2:
 *   ff 74 4f 63, u32be version (2), 256 u32be fan-out counts (objects whose
 *   first id byte is <= i), the sorted object ids, a u32be CRC-32 of each
 *   object's bytes in the pack (header and compressed data), a u32be offset
 *   of each in the pack (this writer never exceeds 2 GiB, so no 64-bit
 *   table), the pack's hash, then the hash of the index up to there.
 * Both are named `pack-<pack hash hex>`. Each is written to a temporary file
 * in objects/pack, fsynced (unless told not to), and renamed into place:
 * the pack first, then the index (git finds a pack by its index), so a
 * reader never sees an index whose pack is missing. A reader that misses an
 * object re-scans the pack directory (git does), so `git cat-file --batch`
 * processes already running find the new objects.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { GriteError } from '../errors.js';
import { compressObject, fsyncFd, type PreparedObject } from './objects.js';
import type { ObjectFormat } from './repo-format.js';
import { runGit } from './run-git.js';

const TYPE_CODE = { commit: 1, tree: 2, blob: 3, tag: 4 } as const;

function ioError(message: string, cause: unknown): GriteError {
  return new GriteError('io_error', `${message}: ${(cause as Error).message}`, { cause });
}

/** The pack entry header of an object of `type` and `size` bytes. */
function entryHeader(type: keyof typeof TYPE_CODE, size: number): Uint8Array {
  const out: number[] = [];
  let byte = (TYPE_CODE[type] << 4) | (size & 0x0f);
  let rest = Math.floor(size / 16);
  while (rest > 0) {
    out.push(byte | 0x80);
    byte = rest & 0x7f;
    rest = Math.floor(rest / 128);
  }
  out.push(byte);
  return Uint8Array.from(out);
}

/** The object's data: its loose form without the "<type> <size>\0" header. */
function dataOf(obj: PreparedObject): Uint8Array {
  const nul = obj.raw.indexOf(0);
  if (nul < 0) throw new GriteError('internal_error', `object ${obj.oid} has no header`);
  return obj.raw.subarray(nul + 1);
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0);
  return b;
}

export interface BuiltPack {
  /** Hex of the pack's hash: the files are pack-<name>.pack and .idx. */
  name: string;
  pack: Uint8Array;
  idx: Uint8Array;
  /** Distinct objects in the pack. */
  count: number;
}

/** Builds a pack and its index holding `objects` (duplicates kept once). No I/O. */
export function buildPack(objects: readonly PreparedObject[], format: ObjectFormat = 'sha1'): BuiltPack {
  const algo = format === 'sha1' ? 'sha1' : 'sha256';
  const unique = new Map<string, PreparedObject>();
  for (const o of objects) if (!unique.has(o.oid)) unique.set(o.oid, o);
  const parts: Uint8Array[] = [];
  const header = new Uint8Array(12);
  header.set([0x50, 0x41, 0x43, 0x4b]);
  header.set(u32(2), 4);
  header.set(u32(unique.size), 8);
  parts.push(header);
  let offset = header.length;
  const entries: Array<{ oid: Uint8Array; hex: string; crc: number; offset: number }> = [];
  for (const o of unique.values()) {
    const data = dataOf(o);
    const h = entryHeader(o.type, data.length);
    const z = compressObject(data); // stored when small (objects.ts)
    entries.push({ oid: Buffer.from(o.oid, 'hex'), hex: o.oid, crc: crc32(z, crc32(h)), offset });
    parts.push(h, z);
    offset += h.length + z.length;
    if (offset > 0x7fffffff) throw new GriteError('internal_error', 'a group pack over 2 GiB');
  }
  const hash = createHash(algo);
  for (const p of parts) hash.update(p);
  const trailer = hash.digest();
  parts.push(trailer);
  const pack = Buffer.concat(parts);

  entries.sort((a, b) => (a.hex < b.hex ? -1 : a.hex > b.hex ? 1 : 0));
  const oidLen = trailer.length;
  const idx = Buffer.alloc(8 + 256 * 4 + entries.length * (oidLen + 8) + 2 * oidLen);
  idx.set([0xff, 0x74, 0x4f, 0x63], 0);
  idx.writeUInt32BE(2, 4);
  let at = 8;
  let k = 0;
  for (let i = 0; i < 256; i++) {
    while (k < entries.length && entries[k]!.oid[0]! <= i) k++;
    idx.writeUInt32BE(k, at);
    at += 4;
  }
  for (const e of entries) {
    idx.set(e.oid, at);
    at += oidLen;
  }
  for (const e of entries) {
    idx.writeUInt32BE(e.crc >>> 0, at);
    at += 4;
  }
  for (const e of entries) {
    idx.writeUInt32BE(e.offset, at);
    at += 4;
  }
  idx.set(trailer, at);
  at += oidLen;
  idx.set(createHash(algo).update(idx.subarray(0, at)).digest(), at);
  return { name: trailer.toString('hex'), pack, idx, count: entries.length };
}

/**
 * Writes `objects` as one new pack in `<commonGitDir>/objects/pack`; resolves
 * once both files are fsynced (unless `fsync` is false) and in place.
 */
export async function writeObjectsAsPack(
  commonGitDir: string,
  objects: readonly PreparedObject[],
  opts: { fsync?: boolean; format?: ObjectFormat } = {},
): Promise<BuiltPack> {
  const built = buildPack(objects, opts.format ?? 'sha1');
  const dir = join(commonGitDir, 'objects', 'pack');
  mkdirSync(dir, { recursive: true });
  const tag = randomBytes(6).toString('hex');
  const files = [
    { data: built.pack, tmp: join(dir, `tmp_pack_${tag}`), final: join(dir, `pack-${built.name}.pack`), fd: -1 },
    { data: built.idx, tmp: join(dir, `tmp_idx_${tag}`), final: join(dir, `pack-${built.name}.idx`), fd: -1 },
  ];
  // Creating, writing, closing and renaming are synchronous (microseconds
  // on an idle filesystem; one thread-pool hop each would add latency to
  // every group commit); only the two fsyncs, which wait for the disk, run
  // on the thread pool, together.
  try {
    for (const f of files) {
      f.fd = openSync(f.tmp, 'wx', 0o444);
      let off = 0;
      while (off < f.data.length) off += writeSync(f.fd, f.data, off, f.data.length - off);
    }
    if (opts.fsync ?? true) await Promise.all(files.map((f) => fsyncFd(f.fd)));
    for (const f of files) {
      closeSync(f.fd);
      f.fd = -1;
    }
    // The pack before its index: an index is what makes git look at a pack.
    for (const f of files) renameSync(f.tmp, f.final);
    return built;
  } catch (e) {
    for (const f of files) {
      if (f.fd >= 0) {
        try {
          closeSync(f.fd);
        } catch {
          // already failing
        }
      }
      rmSync(f.tmp, { force: true });
    }
    throw ioError(`cannot write pack ${built.name}`, e);
  }
}

/** Packs in `<commonGitDir>/objects/pack` (counted by their index files). */
export function countPacks(commonGitDir: string): number {
  try {
    return readdirSync(join(commonGitDir, 'objects', 'pack')).filter((n) => n.startsWith('pack-') && n.endsWith('.idx')).length;
  } catch {
    return 0;
  }
}

/**
 * Rolls small packs (and loose objects) up with `git repack -d -q
 * --geometric=2` when the repository holds at least `threshold` packs.
 * Geometric repacking takes every object of the packs it merges, reachable
 * or not, so the objects of a writer whose ref has not moved yet survive;
 * `-d` deletes only packs and loose objects now held by the new pack.
 */
export async function consolidatePacks(commonGitDir: string, threshold: number): Promise<boolean> {
  if (countPacks(commonGitDir) < threshold) return false;
  await runGit(commonGitDir, ['repack', '-d', '-q', '--geometric=2']);
  return true;
}
