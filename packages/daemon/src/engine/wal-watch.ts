/**
 * Notices that `refs/grite/wal` may have moved, without spawning git: the
 * engine catches up before answering when it did (DESIGN.md section 7: no
 * stale reads after another process, `git fetch` or the Rust tool moved it).
 *
 * Where git keeps the ref, and what the fingerprint reads of it:
 * - a loose ref `<common dir>/refs/grite/wal`: its content (the object id);
 * - `<common dir>/packed-refs`: inode, size and mtime in nanoseconds (a
 *   rewrite of it is a rename, so the inode changes even within one tick);
 * - reftable repositories: `<common dir>/reftable/tables.list`, which names
 *   the current tables and is replaced on every ref update.
 * A changed fingerprint means "maybe moved": the catch-up that follows is
 * cheap when the head turns out to be the one already applied. An equal
 * fingerprint means the ref did not move, since every way git moves it
 * changes one of these.
 *
 * After this process's own write the engine does not make the watch read the
 * loose ref again: RefStatGate.pinOwnWrite has just read it whole through the
 * descriptor it holds, and `markLoose` builds the fingerprint from that text.
 * `markOwnWrite` reads it by path, for when the gate could not pin it.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { WAL_REF } from '@grite/core';
import { statKey } from './file-stat.js';

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return '';
  }
}

/** As readOrEmpty, for a file that usually does not exist: a stat first, so no exception is thrown then. */
function readIfPresent(path: string): string {
  return statSync(path, { throwIfNoEntry: false }) === undefined ? '' : readOrEmpty(path);
}

export class WalRefWatch {
  private readonly loose: string;
  private readonly packed: string;
  private readonly tablesList: string;
  /** The fingerprint the view is known to reflect; null: unknown. */
  private known: string | null = null;

  constructor(commonDir: string) {
    this.loose = join(commonDir, ...WAL_REF.split('/'));
    this.packed = join(commonDir, 'packed-refs');
    this.tablesList = join(commonDir, 'reftable', 'tables.list');
  }

  /** The current fingerprint of wherever the ref may live. */
  fingerprint(): string {
    return this.withLoose(readOrEmpty(this.loose));
  }

  private withLoose(loose: string): string {
    return `${loose}|${statKey(this.packed)}|${readIfPresent(this.tablesList)}`;
  }

  /**
   * The current fingerprint when it differs from the one last marked (the
   * caller should catch up, then `mark` it), or null when nothing moved.
   */
  changed(): string | null {
    const now = this.fingerprint();
    return now === this.known ? null : now;
  }

  /** Records that the view reflects the ref as `fingerprint` saw it. */
  mark(fingerprint: string): void {
    this.known = fingerprint;
  }

  /**
   * After this process moved the ref to `walHead`: marks the current
   * fingerprint only when the loose ref holds exactly that head, i.e. no
   * other process moved it since (true). Otherwise leaves it for the next
   * check (false).
   */
  markOwnWrite(walHead: string): boolean {
    // Called when the gate could not pin the loose ref, most often because
    // there is none (packed or reftable repositories): a stat spares the
    // exception a failed open throws.
    const loose = readIfPresent(this.loose);
    if (loose.trim() !== walHead) return false;
    this.known = this.withLoose(loose);
    return true;
  }

  /**
   * Marks the fingerprint with `looseText` for the loose ref: its whole
   * content (latin1), just read by the caller, which checked it holds the
   * head this process wrote. The other places are read now.
   */
  markLoose(looseText: string): void {
    this.known = this.withLoose(looseText);
  }

  /** Forgets what was marked: the next check catches up. */
  invalidate(): void {
    this.known = null;
  }
}
