/**
 * The store: the WAL in git (the truth) and the view over it (a cache),
 * DESIGN.md sections 4 and 5.
 *
 * Catching up walks back from the WAL head only to the first commit the view
 * has applied (after a diverged sync: the merge base) and applies the events
 * it lacks, oldest commit first, so its cost follows the new commits, never
 * the whole log. When the walk reaches the first commit without meeting an
 * applied one, the view is empty or reflects a history the ref no longer
 * holds: then the view is replaced by what the walk read (a rebuild that
 * costs nothing more than the walk). Unreadable commits are skipped with a
 * warning and recorded as seen so that the warning is not repeated; nothing
 * in git is ever deleted.
 *
 * Appending: `Wal.append` calls back with the head it is about to build on;
 * the store catches the view up to exactly that head and drops the events
 * whose ids are already in the log, so an event id is never written twice
 * (retries through the daemon, in process or after a crash are safe). After
 * the ref moved, the written events go to the view, then the caller may
 * acknowledge.
 *
 * Chained appends (the daemon's group commits): `stageAppend` writes the
 * commits of a group on a given parent (objects on disk, the ref not
 * moved), `commitStaged` then moves the ref from that parent by
 * compare-and-swap and applies the group to the view. A writer may stage
 * the next group on the tip of one not yet committed, so that group's
 * objects are written and fsynced while the one before moves the ref;
 * the ref still moves one group at a time, in order, and a group whose
 * parent is not the ref when its turn comes is not committed (null): the
 * caller appends it again (`append`), which builds on the ref as it is.
 *
 * Within a process, catch-ups and view updates run one at a time (a promise
 * queue); across processes, SQLite's write lock orders them (busy_timeout,
 * then GriteError('db_busy')). Every step is idempotent, so two processes
 * applying the same commits agree.
 *
 * "Already in the log" is answered by the view, which holds the events of the
 * log up to the head it caught up to, and nothing else: a view that reflects
 * a history the ref no longer holds is replaced, never merged into.
 */
import { join, resolve } from 'node:path';
import { GriteError } from './errors.js';
import type { Event } from './event.js';
import { idKey } from './codec/hex.js';
import { Wal, type WalOptions, type WalWalkEntry } from './git/index.js';
import { resolveRepo } from './repo/index.js';
import type { LogLoadProgress } from './snapshot/log.js';
import { View, type ViewOptions } from './view/index.js';

export interface StoreOpenOptions {
  /** Where to look for the repository (default: process.cwd()). Ignored when commonDir is given. */
  cwd?: string;
  /** The repository's common git dir, already resolved. */
  commonDir?: string;
  /** Options for the WAL (ref, fsync, auto-pack, read-ahead). */
  wal?: WalOptions;
  /** Options for the view (busy timeout). */
  view?: ViewOptions;
  /** Catch up while opening (default true; pass false and call catchUp() to see its warnings). */
  catchUp?: boolean;
}

export interface CatchUpResult {
  /** WAL commits read from git (bad ones included). */
  commitsRead: number;
  /** Events new to the view. */
  eventsApplied: number;
  /** One GriteError('wal_error') per unreadable commit, skipped. */
  warnings: GriteError[];
}

export interface AppendResult {
  /** The WAL head after the append (the current head when nothing was written). */
  walHead: string;
  /** The events written: those of the request not already in the log. */
  written: Event[];
}

/** The commits of a group written on `parent`, the ref not moved yet (Store.stageAppend). */
export interface StagedAppend {
  /** The head the commits were built on (null: they start the log). */
  parent: string | null;
  /** The last commit written. */
  tip: string;
  /** The events the commits hold, in order. */
  events: Event[];
}

export interface RebuildResult {
  walHead: string | null;
  /** Events in the view afterwards. */
  eventCount: number;
  commitsRead: number;
  warnings: GriteError[];
}

/** Events a catch-up applies per transaction, yielding to the event loop in between. */
const CATCH_UP_SLICE = 5_000;

const yieldToLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

export class Store {
  /** realpath of the repository's common git dir. */
  readonly commonDir: string;
  /** `<commonDir>/grite`: local files (view.sqlite, config, actors). */
  readonly griteDir: string;
  readonly wal: Wal;
  readonly view: View;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(commonDir: string, wal: Wal, view: View) {
    this.commonDir = commonDir;
    this.griteDir = join(commonDir, 'grite');
    this.wal = wal;
    this.view = view;
  }

  /** Resolves the repository, opens the WAL and the view, and catches up. */
  static async open(opts: StoreOpenOptions = {}): Promise<Store> {
    const commonDir = opts.commonDir !== undefined ? resolve(opts.commonDir) : resolveRepo(opts.cwd ?? process.cwd()).commonDir;
    const wal = Wal.open(commonDir, opts.wal);
    let view: View;
    try {
      view = View.open(join(commonDir, 'grite', 'view.sqlite'), opts.view);
    } catch (e) {
      await wal.close();
      throw e;
    }
    const store = new Store(commonDir, wal, view);
    if (opts.catchUp !== false) {
      try {
        await store.catchUp();
      } catch (e) {
        await store.close();
        throw e;
      }
    }
    return store;
  }

  /** Runs `fn` after every earlier queued step of this store. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run;
  }

  private checkOpen(): void {
    if (this.closed) throw new GriteError('internal_error', 'this store is closed');
  }

  /** Brings the view up to the current WAL head. */
  async catchUp(): Promise<CatchUpResult> {
    this.checkOpen();
    const head = await this.wal.head();
    return this.serial(() => this.catchUpTo(head));
  }

  /**
   * Brings the view up to `head` exactly (which must be, or have been, the
   * WAL head). `yielding`: a full replace yields to the event loop between
   * slices (View.replaceAllYielding; the View answers db_busy meanwhile).
   * (A long incremental catch-up yields between its transactions either
   * way: the view is whole after each.) An append passes
   * false: its callers may be reading the view alongside it (the engine's
   * group commit runs outside the engine's locks), and a replace there is
   * rare (the ref moved to a history the view does not hold).
   */
  private async catchUpTo(head: string | null, yielding = true): Promise<CatchUpResult> {
    const result: CatchUpResult = { commitsRead: 0, eventsApplied: 0, warnings: [] };
    const viewHead = this.view.walHead();
    if (head === null) {
      // No log (any more): the view holds nothing either.
      if (viewHead !== null || this.view.stats().eventCount > 0) this.view.replaceAll([], { walHead: null });
      return result;
    }
    if (viewHead === head) return result;
    if (this.view.hasCommit(head)) {
      // The ref moved back to a commit already applied (or another process
      // applied it): everything up to it is in the view.
      this.view.setWalHead(head);
      return result;
    }
    // A view with no commit applied (new, or just reset) is a full load: the
    // walk below would read the whole log anyway; loadAll reads it while the
    // view stores it.
    if (yielding && !this.view.hasAnyCommit()) return this.loadAll(head);

    const steps: WalWalkEntry[] = [];
    for await (const step of this.wal.walk(head, { stopAt: (oid) => this.view.hasCommit(oid) })) {
      steps.push(step);
      if (step.error !== undefined) result.warnings.push(step.error);
    }
    result.commitsRead = steps.length;
    if (steps.length === 0) return result;
    const last = steps[steps.length - 1];
    const metApplied = last !== undefined && last.prevWal !== null && this.view.hasCommit(last.prevWal);
    steps.reverse(); // oldest first

    if (!metApplied) {
      // Empty view, or one reflecting a history the ref no longer holds.
      const events = steps.flatMap((s) => s.commit?.events ?? []);
      const opts = { commits: steps.map((s) => s.oid), walHead: head };
      result.eventsApplied = (yielding ? await this.view.replaceAllYielding(events, opts) : this.view.replaceAll(events, opts)).eventsApplied;
      return result;
    }
    // Slices of whole commits, oldest first: after each, the view reflects
    // the newest commit of the slice, whose ancestors are all applied.
    let i = 0;
    while (i < steps.length) {
      const slice: WalWalkEntry[] = [];
      let n = 0;
      while (i < steps.length && (slice.length === 0 || n < CATCH_UP_SLICE)) {
        const s = steps[i++]!;
        slice.push(s);
        n += s.commit?.events.length ?? 0;
      }
      const done = i === steps.length;
      const r = this.view.apply(
        slice.flatMap((s) => s.commit?.events ?? []),
        { commits: slice.map((s) => s.oid), walHead: done ? head : slice[slice.length - 1]!.oid },
      );
      result.eventsApplied += r.eventsApplied;
      if (!done) await yieldToLoop();
    }
    return result;
  }

  /**
   * Appends `events` to the WAL (one commit per actor) and applies what was
   * written to the view. Events whose ids are already in the log, or repeated
   * in `events`, are written once: `written` lists the ones this call wrote.
   */
  async append(events: Event[]): Promise<AppendResult> {
    this.checkOpen();
    const unique = distinct(events, () => false);
    if (unique.length === 0) throw new GriteError('invalid_args', 'nothing to append: no events');
    let built: string | null = null;
    const res = await this.wal.append(unique, {
      beforeWrite: async (currentHead) => {
        await this.serial(() => this.catchUpTo(currentHead, false));
        built = currentHead;
        return unique.filter((e) => !this.view.hasEvent(e.eventId));
      },
    });
    if (res.written.length > 0) await this.applyWritten(res.written, built, res.head);
    return { walHead: res.head, written: res.written };
  }

  /**
   * Writes the commits of `events` (one per actor) without moving the ref.
   * `parent` omitted: on the current head, after the view caught up to it,
   * without the events already in the log (as `append`). `parent` given
   * (the tip of a group staged before and not committed yet): on it, without
   * the events already in the view; the caller leaves out the events of the
   * groups staged before. Null when nothing is left to write.
   */
  async stageAppend(events: Event[], parent?: string | null): Promise<StagedAppend | null> {
    this.checkOpen();
    let base: string | null;
    if (parent === undefined) {
      base = await this.wal.head();
      await this.serial(() => this.catchUpTo(base, false));
    } else {
      base = parent;
    }
    const todo = distinct(events, (e) => this.view.hasEvent(e.eventId));
    if (todo.length === 0) return null;
    const tip = await this.wal.writeCommits(todo, base);
    return { parent: base, tip, events: todo };
  }

  /**
   * Moves the WAL ref from `staged.parent` to `staged.tip` by compare-and-swap
   * and applies the staged events to the view. Null, with nothing moved or
   * applied, when the ref is not at `staged.parent` or another process holds
   * its lock right now: the caller appends the events again (`append`).
   */
  async commitStaged(staged: StagedAppend): Promise<AppendResult | null> {
    this.checkOpen();
    if (!(await this.wal.moveRef(staged.tip, staged.parent))) return null;
    await this.applyWritten(staged.events, staged.parent, staged.tip);
    return { walHead: staged.tip, written: staged.events };
  }

  /**
   * After the ref moved from `base` to `tip` with `written`: applies them to
   * the view, which moves to `tip` only when it reflects `base` (if it moved
   * elsewhere meanwhile, the next catch-up settles it).
   */
  private applyWritten(written: readonly Event[], base: string | null, tip: string): Promise<void> {
    return this.serial(async () => {
      const onBase = this.view.walHead() === base;
      this.view.apply(written, { commits: [tip], walHead: onBase ? tip : undefined });
    });
  }

  /**
   * Drops the view's content and rebuilds it from the whole WAL, in one view
   * transaction that yields to the event loop between slices (the walk is
   * asynchronous already), so a daemon keeps answering meanwhile. Queued
   * behind the store's other steps. `onProgress` hears how far the walk is
   * after each batch of commits (phase 'wal').
   */
  async rebuild(opts: { onProgress?: (p: LogLoadProgress) => void } = {}): Promise<RebuildResult> {
    this.checkOpen();
    return this.serial(async () => {
      const head = await this.wal.head();
      const r = await this.loadAll(head, opts.onProgress);
      // The view was emptied and every distinct event stored: eventsApplied is its count.
      return { walHead: head, eventCount: r.eventsApplied, commitsRead: r.commitsRead, warnings: r.warnings };
    });
  }

  /**
   * Replaces the view with the whole log from `head` (null: no log, an empty
   * view). The log is read in batches (Wal.readLog) and the view stores
   * each batch as it arrives (View.replaceAllYielding), while git reads the
   * next; the view yields to the event loop and stays in one transaction
   * throughout. The one whole-log load: a rebuild and a first catch-up.
   */
  private async loadAll(head: string | null, onProgress?: (p: LogLoadProgress) => void): Promise<CatchUpResult> {
    const result: CatchUpResult = { commitsRead: 0, eventsApplied: 0, warnings: [] };
    const commits: string[] = [];
    const wal = this.wal;
    async function* batches(): AsyncGenerator<readonly Event[]> {
      if (head === null) return;
      let read = 0;
      for await (const batch of wal.readLog(head)) {
        const events: Event[] = [];
        for (const step of batch) {
          commits.push(step.oid);
          if (step.error !== undefined) result.warnings.push(step.error);
          else for (const e of step.commit!.events) events.push(e);
        }
        read += events.length;
        onProgress?.({ phase: 'wal', commits: commits.length, events: read });
        yield events;
      }
    }
    const r = await this.view.replaceAllYielding(batches(), () => ({ commits, walHead: head }));
    result.commitsRead = commits.length;
    result.eventsApplied = r.eventsApplied;
    return result;
  }

  /** Waits for queued steps, then closes the WAL reader and the view. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    await this.wal.close();
    this.view.close();
  }
}

/** `events` without those `skip` names, each event id once (the first kept). */
function distinct(events: readonly Event[], skip: (e: Event) => boolean): Event[] {
  const seen = new Set<string>();
  return events.filter((e) => {
    const k = idKey(e.eventId);
    if (seen.has(k) || skip(e)) return false;
    seen.add(k);
    return true;
  });
}
