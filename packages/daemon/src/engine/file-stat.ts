/**
 * File versions from stat, for the engine's caches of what is on disk (the
 * WAL ref's places, the lock policy's config, directory listings).
 */
import { statSync, type BigIntStats } from 'node:fs';

/** A file's identity and version: inode, size, and both times in nanoseconds. */
export function statKeyOf(s: BigIntStats): string {
  return `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
}

/** statKeyOf the file at `path`, or '-' when it does not exist. */
export function statKey(path: string): string {
  const s = statSync(path, { bigint: true, throwIfNoEntry: false });
  return s === undefined ? '-' : statKeyOf(s);
}

/**
 * A file changed within this long of a stat may change again without its
 * times moving (the same tick of the coarsest file clock): git's "racy"
 * rule. A stat is trusted as a version only when both times are older.
 */
export const RACY_NS = 100_000_000n;

/** Whether both of the file's times are older than RACY_NS at `nowNs` (wall clock, ns). */
export function settled(s: BigIntStats, nowNs: bigint = BigInt(Date.now()) * 1_000_000n): boolean {
  return s.mtimeNs <= nowNs - RACY_NS && s.ctimeNs <= nowNs - RACY_NS;
}
