/**
 * A one-`stat` answer to "has `refs/grite/wal` surely not moved?", in front
 * of WalRefWatch (which reads the loose ref's content and stats the other
 * places the ref may live: several system calls per request).
 *
 * The gate remembers the stat of wherever the ref lives (the loose ref file;
 * when there is none, packed-refs and reftable's tables.list) at a moment
 * the watch found the ref unmoved. While a later stat is identical (inode,
 * size, mtime and ctime in nanoseconds), the file is the same file, unmoved.
 *
 * The one way two different files could stat alike: a file replaced within
 * one tick of the kernel's file clock (at most 10 ms) by one that got the
 * old inode back. Like git's "racy index" rule, the gate therefore trusts a
 * stat only when the file's times are older than RACY_MS when the stat is
 * taken: any later replacement then carries newer times. Until then every
 * check falls through to the watch. Anything that marks or
 * forgets the watch's state resets the gate.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { WAL_REF } from '@grite/core';

/** A stat younger than this is not trusted: ten ticks of the coarsest file clock (HZ=100). */
const RACY_MS = 100n;

export interface RefStatSample {
  key: string;
  /** False when some file's times are too recent to trust. */
  settled: boolean;
}

export class RefStatGate {
  private readonly loose: string;
  private readonly packed: string;
  private readonly tablesList: string;
  private trusted: string | null = null;

  constructor(commonDir: string) {
    this.loose = join(commonDir, ...WAL_REF.split('/'));
    this.packed = join(commonDir, 'packed-refs');
    this.tablesList = join(commonDir, 'reftable', 'tables.list');
  }

  /** True when the ref surely did not move since the stat last trusted. One stat when the loose ref exists. */
  unmoved(): boolean {
    return this.trusted !== null && this.sample(false).key === this.trusted;
  }

  /** Stats the places the ref may live. Take it before asking the watch. */
  sample(checkAge = true): RefStatSample {
    const now = checkAge ? BigInt(Date.now()) * 1_000_000n : 0n;
    let settled = true;
    const one = (path: string): string => {
      const s = statSync(path, { bigint: true, throwIfNoEntry: false });
      if (s === undefined) return '-';
      if (checkAge && (s.mtimeNs > now - RACY_MS * 1_000_000n || s.ctimeNs > now - RACY_MS * 1_000_000n)) settled = false;
      return `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
    };
    const loose = one(this.loose);
    const key = loose !== '-' ? loose : `-|${one(this.packed)}|${one(this.tablesList)}`;
    return { key, settled };
  }

  /** After the watch found the ref unmoved, with `s` taken before it looked. */
  trust(s: RefStatSample): void {
    this.trusted = s.settled ? s.key : null;
  }

  reset(): void {
    this.trusted = null;
  }
}
