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
 * stat only when the file's times are older than RACY_NS (file-stat.ts) when
 * the stat is taken: any later replacement then carries newer times. Until
 * then every check falls through to the watch. Anything that marks or
 * forgets the watch's state resets the gate.
 *
 * The gate then holds the loose ref open: after this process moved the ref
 * itself (`pinOwnWrite`: it reads the head it wrote through the descriptor,
 * so it need not wait for the file to age, and hands the text it read to the
 * watch, which marks its fingerprint from it: one read of the ref per
 * write), and whenever it trusts a stat of a loose ref. While a loose ref is
 * held, the held file alone is what is trusted (the stat key kept by path
 * serves only when there is no loose ref), and each check is one `fstat` of
 * its descriptor, with no path to walk: git never rewrites a ref file in
 * place but renames a new one over it (or deletes it, when packing refs),
 * which leaves the held file with no link (`nlink` 0); an in-place rewrite
 * by some other tool changes its size or times. While the file is held its
 * inode cannot be freed, so no other file can take it. (A file moved away by
 * hand, with another put in its place, would go unseen: nothing that writes
 * refs does that.) Under a steady stream of writes the ref is always younger
 * than RACY_NS, so without pinning every request would go through the watch.
 */
import { close, closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { WAL_REF } from '@grite/core';
import { settled as isSettled, statKeyOf } from './file-stat.js';

export interface RefStatSample {
  key: string;
  /** False when some file's times are too recent to trust. */
  settled: boolean;
}

export class RefStatGate {
  private readonly loose: string;
  private readonly packed: string;
  private readonly tablesList: string;
  /** With no loose ref: the stat key of packed-refs and tables.list as trusted, checked by path; else null. */
  private trustedKey: string | null = null;
  /** The descriptor held on the trusted loose ref, or -1. */
  private pinned = -1;
  /**
   * That file's size and times when one is held (then trustedKey is null),
   * compared as numbers (no BigInt, no key string: this runs on every request).
   */
  private pinnedStat: { size: number; mtimeMs: number; ctimeMs: number } | null = null;

  constructor(commonDir: string) {
    this.loose = join(commonDir, ...WAL_REF.split('/'));
    this.packed = join(commonDir, 'packed-refs');
    this.tablesList = join(commonDir, 'reftable', 'tables.list');
  }

  /** True when the ref surely did not move since the stat last trusted: one fstat while a loose ref is held, else one stat. */
  unmoved(): boolean {
    const p = this.pinnedStat;
    if (p !== null) {
      const s = fstatSync(this.pinned);
      return s.nlink > 0 && s.size === p.size && s.mtimeMs === p.mtimeMs && s.ctimeMs === p.ctimeMs;
    }
    return this.trustedKey !== null && this.sample(false).key === this.trustedKey;
  }

  /** Stats the places the ref may live. Take it before asking the watch. */
  sample(checkAge = true): RefStatSample {
    const now = checkAge ? BigInt(Date.now()) * 1_000_000n : 0n;
    let settled = true;
    const one = (path: string): string => {
      const s = statSync(path, { bigint: true, throwIfNoEntry: false });
      if (s === undefined) return '-';
      if (checkAge && !isSettled(s, now)) settled = false;
      return statKeyOf(s);
    };
    const loose = one(this.loose);
    const key = loose !== '-' ? loose : `-|${one(this.packed)}|${one(this.tablesList)}`;
    return { key, settled };
  }

  /** After the watch found the ref unmoved, with `s` taken before it looked. */
  trust(s: RefStatSample): void {
    this.reset();
    if (!s.settled) return;
    if (s.key.startsWith('-')) {
      // No loose ref: packed-refs or reftable, checked by path.
      this.trustedKey = s.key;
      return;
    }
    let fd = -1;
    try {
      fd = openSync(this.loose, 'r');
      // The file opened must be the one the sample saw.
      if (statKeyOf(fstatSync(fd, { bigint: true })) !== s.key) return;
      this.hold(fd);
      fd = -1;
    } catch {
      // Gone meanwhile: nothing trusted.
    } finally {
      if (fd >= 0) closeSync(fd);
    }
  }

  private hold(fd: number): void {
    const st = fstatSync(fd);
    this.pinnedStat = { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs };
    this.pinned = fd;
  }

  /**
   * After this process moved the ref to `walHead`: trusts the loose ref as
   * it is now when its whole content is `walHead` (git writes "<head>\n"),
   * holding it open (see the file comment), and returns that content, for
   * the watch to mark (WalRefWatch.markLoose). Null when it did not (no
   * loose ref, another head, a longer file, an error): the gate then stays
   * reset, and the caller falls back to the watch's own read.
   */
  pinOwnWrite(walHead: string): string | null {
    this.reset();
    let fd = -1;
    try {
      fd = openSync(this.loose, 'r');
      // Up to two bytes around the head ("\n", "\r\n"), and one more: a read
      // that stops short of the buffer's end reached the end of the file, so
      // the text is the whole file, as the watch's own read would see it. A
      // file that fills the buffer is longer than any accepted: not pinned.
      const buf = Buffer.alloc(walHead.length + 3);
      let n = 0;
      while (n < buf.length) {
        const r = readSync(fd, buf, n, buf.length - n, n);
        if (r === 0) break;
        n += r;
      }
      if (n === buf.length) return null;
      const text = buf.toString('latin1', 0, n);
      if (text.trim() !== walHead) return null;
      this.hold(fd);
      fd = -1;
      return text;
    } catch {
      return null;
    } finally {
      if (fd >= 0) closeSync(fd);
    }
  }

  /**
   * Forgets what was trusted and lets go of a pinned file. The close runs on
   * the thread pool: when the ref was replaced meanwhile (every write), it
   * drops the last link to the old file, and freeing an inode waits for the
   * filesystem journal (about a millisecond on a busy disk).
   */
  reset(): void {
    this.trustedKey = null;
    this.pinnedStat = null;
    if (this.pinned >= 0) {
      close(this.pinned, () => undefined);
      this.pinned = -1;
    }
  }
}
