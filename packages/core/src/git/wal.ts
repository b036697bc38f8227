/**
 * The grite WAL (DESIGN.md section 2): `refs/grite/wal` is a chain of commits,
 * newest first through `prev_wal`, each holding the events of one actor:
 *
 *   commit     one parent (the previous head, none for the first commit);
 *              author and committer "grite <grit@local> <unix seconds> +0000";
 *              message "WAL: <n> events from <first 8 hex of actor>", no trailing newline
 *   tree       meta.json                          (100644)
 *              events/YYYY/MM/DD/<chunk hash>.bin (nested trees; the UTC date
 *                                                  of the chunk's first event)
 *   meta.json  {"schema_version": 1, "actor_id", "chunk_hash", "prev_wal"}, see codec/chunk.ts
 *
 * Writing: objects are written in process (codec + git/objects; the objects
 * of a group commit of several actors as one small pack, pack-writer.ts),
 * fsynced, then the ref is moved by compare-and-swap on the head the commits
 * were built on; a lost
 * race rebuilds on the new head and tries again until a deadline, so any
 * number of processes appending at once all land, each commit once.
 *
 * Reading: commits are listed with `git rev-list --objects --in-commit-order
 * --first-parent` (each commit with the trees and blobs its tree adds, and
 * their paths), so a well-formed commit costs three reads (root
 * tree, meta.json, chunk) through one `git cat-file` child, a batch of
 * commits at a time, the next batch requested before this one is decoded;
 * anything unexpected is read object by object from the commit down.
 * The walk follows `prev_wal` (re-listing from it whenever it differs from
 * the git parent) and falls back to the git parent when meta.json cannot be
 * read, so one bad commit is reported and every other commit still reads.
 */
import { existsSync } from 'node:fs';
import { GriteError } from '../errors.js';
import type { Event } from '../event.js';
import { chunkHash as hashChunk, chunkPath as pathOfChunk, decodeChunk, encodeChunk, metaJson, parseMetaJson } from '../codec/chunk.js';
import { toHex } from '../codec/hex.js';
import { CatFile, type GitObject } from './cat-file.js';
import {
  buildCommit,
  buildTree,
  hashObject,
  parseCommit,
  parseTree,
  writePreparedObjects,
  type GitIdent,
  type PreparedObject,
  type TreeEntry,
} from './objects.js';
import { packIfNeeded } from './pack.js';
import { consolidatePacks, writeObjectsAsPack } from './pack-writer.js';
import { casRef, checkRefName, readRef, refLockPath } from './refs.js';
import { isOid, repoFormat, type ObjectFormat } from './repo-format.js';
import { runGit } from './run-git.js';

export const WAL_REF = 'refs/grite/wal';
/** The identity on WAL commits (author and committer). */
export const WAL_IDENT: Readonly<{ name: string; email: string }> = { name: 'grite', email: 'grit@local' };

export interface WalCommit {
  oid: string;
  /** prev_wal from meta.json. */
  prevWal: string | null;
  /** Hex of the actor that appended the commit. */
  actorId: string;
  /** Hex BLAKE2b-256 of the chunk file. */
  chunkHash: string;
  /** The chunk's path in the commit's tree, events/YYYY/MM/DD/<hash>.bin. */
  chunkPath: string;
  /** In chunk order. */
  events: Event[];
}

export interface WalWalkEntry {
  oid: string;
  commit?: WalCommit;
  /** Set (and `commit` not) when the commit cannot be read: GriteError('wal_error'). */
  error?: GriteError;
  /** Where the walk goes next: prev_wal, or the git parent when meta.json is unreadable. */
  prevWal: string | null;
}

export interface WalReadResult {
  /** The head that was read (null: no WAL yet). */
  head: string | null;
  /** Oldest first; chunk order within a commit. */
  events: Event[];
  /** Commits that could not be read (their events are missing from `events`). */
  bad: Array<{ oid: string; error: GriteError }>;
  /** Commits read successfully. */
  commits: number;
}

export interface WalOptions {
  /** The WAL ref (default refs/grite/wal). */
  ref?: string;
  /** fsync objects and the ref before the ref moves (default true). */
  fsync?: boolean;
  /**
   * After this many loose objects written by this Wal, run `git repack -d -q`
   * in the background when the repository holds at least that many loose
   * objects (default 2048; false: never).
   */
  autoPack?: number | false;
  /**
   * Appends of at least this many commits write their objects as one small
   * pack instead of loose files (pack-writer.ts): two files to create and
   * fsync instead of ~8 a commit (default 2: group commits of several
   * actors; a long-lived writer such as the daemon passes 1).
   */
  packMinCommits?: number;
  /**
   * When the repository holds this many packs after an append wrote one,
   * `git repack --geometric=2` rolls them up in the background (default 64;
   * false: never).
   */
  packConsolidate?: number | false;
  /** Commits read per batch while walking (default 128). */
  readAhead?: number;
  /**
   * A read that git leaves unanswered this long (no byte arrives) fails with
   * GriteError('git_error') instead of waiting for ever (CatFile's stallMs,
   * default 30 000 ms).
   */
  readStallMs?: number;
  /** Clock for commit times (default Date.now). */
  now?: () => number;
}

export interface AppendOptions {
  /** Give up with GriteError('conflict') after this long (default 10 000 ms). */
  deadlineMs?: number;
  /**
   * Called with the head about to be built on, on every attempt; returns the
   * events to write on it (e.g. without those already in the log up to that
   * head). None left: nothing is written and the head is returned unchanged.
   */
  beforeWrite?: (currentHead: string | null) => Promise<Event[]>;
}

interface Loaded {
  oid: string;
  commit?: WalCommit;
  error?: GriteError;
  /** Next commit for the walk. */
  next: string | null;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class Wal {
  readonly catFile: CatFile;
  private readonly format: ObjectFormat;
  private readonly fsync: boolean;
  private readonly autoPack: number | false;
  private readonly readAhead: number;
  private readonly now: () => number;
  private readonly packConsolidate: number | false;
  private readonly packMinCommits: number;
  private looseWritten = 0;
  private packWritten = false;
  private packing: Promise<unknown> | null = null;
  private closed = false;
  /** The last background repack failure, if any (never thrown into appends). */
  lastPackError: unknown = null;

  private constructor(
    readonly commonGitDir: string,
    readonly ref: string,
    opts: WalOptions,
  ) {
    this.catFile = new CatFile(commonGitDir, { stallMs: opts.readStallMs });
    this.format = repoFormat(commonGitDir).objectFormat;
    this.fsync = opts.fsync ?? true;
    this.autoPack = opts.autoPack ?? 2048;
    this.packConsolidate = opts.packConsolidate ?? 64;
    this.packMinCommits = Math.max(1, opts.packMinCommits ?? 2);
    this.readAhead = Math.max(1, opts.readAhead ?? 128);
    this.now = opts.now ?? Date.now;
  }

  /** A WAL on the repository whose common git dir is `commonGitDir`. Cheap; spawns nothing until used. */
  static open(commonGitDir: string, opts: WalOptions = {}): Wal {
    const ref = opts.ref ?? WAL_REF;
    checkRefName(ref);
    if (!existsSync(commonGitDir)) {
      throw new GriteError('not_a_repo', `${commonGitDir} is not a git directory`, { details: { commonGitDir } });
    }
    return new Wal(commonGitDir, ref, opts);
  }

  /** The current head commit, or null when the WAL has no commit yet. */
  head(): Promise<string | null> {
    this.checkOpen();
    return readRef(this.commonGitDir, this.ref);
  }

  /** Stop the cat-file child and wait for a background repack. The Wal cannot be used afterwards. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.packing?.catch(() => {});
    await this.catFile.close();
  }

  private checkOpen(): void {
    if (this.closed) throw new GriteError('internal_error', 'this Wal is closed');
  }

  // -------------------------------------------------------------------------
  // Writing

  /**
   * Plan the commits for `events` on `parentHead`: one commit per actor (in
   * order of first appearance, each actor's events in their order), chained.
   * Validates everything (event ids included) before anything is written.
   */
  private plan(events: readonly Event[], parentHead: string | null): { tip: string; objects: PreparedObject[]; commits: number } {
    if (events.length === 0) throw new GriteError('invalid_args', 'nothing to write: no events');
    if (parentHead !== null && !isOid(parentHead, this.format)) {
      throw new GriteError('invalid_args', `parent head is not an object id: ${JSON.stringify(parentHead)}`);
    }
    const groups = new Map<string, Event[]>();
    for (const e of events) {
      const actor = toHex(e.actor);
      const g = groups.get(actor);
      if (g) g.push(e);
      else groups.set(actor, [e]);
    }
    const seconds = Math.floor(this.now() / 1000);
    const ident: GitIdent = { ...WAL_IDENT, seconds };
    const objects: PreparedObject[] = [];
    const put = (type: 'blob' | 'tree' | 'commit', data: Uint8Array): string => {
      const o = hashObject(type, data, this.format);
      objects.push(o);
      return o.oid;
    };
    const tree = (entries: TreeEntry[]): string => put('tree', buildTree(entries, this.format));
    let parent = parentHead;
    for (const [actor, group] of groups) {
      const chunk = encodeChunk(group);
      const hash = hashChunk(chunk);
      const path = pathOfChunk(group, hash).split('/'); // events, YYYY, MM, DD, <hash>.bin
      let oid = put('blob', chunk);
      let mode: TreeEntry['mode'] = '100644';
      for (let i = path.length - 1; i >= 1; i--) {
        oid = tree([{ mode, name: path[i]!, oid }]);
        mode = '40000';
      }
      const metaOid = put('blob', new TextEncoder().encode(metaJson({ actorId: actor, chunkHash: hash, prevWal: parent })));
      const root = tree([
        { mode: '100644', name: 'meta.json', oid: metaOid },
        { mode: '40000', name: path[0]!, oid },
      ]);
      parent = put(
        'commit',
        buildCommit(
          {
            tree: root,
            parents: parent === null ? [] : [parent],
            author: ident,
            committer: ident,
            message: `WAL: ${group.length} events from ${actor.slice(0, 8)}`,
          },
          this.format,
        ),
      );
    }
    return { tip: parent!, objects, commits: groups.size };
  }

  /**
   * Write the commits for `events` chained on `parentHead` (objects only; the
   * ref does not move). Returns the new tip.
   */
  async writeCommits(events: Event[], parentHead: string | null): Promise<string> {
    this.checkOpen();
    const { tip, objects, commits } = this.plan(events, parentHead);
    if (commits >= this.packMinCommits) {
      // One pack: two files to create and fsync instead of ~8 a commit.
      await writeObjectsAsPack(this.commonGitDir, objects, { fsync: this.fsync, format: this.format });
      this.packWritten = true;
    } else {
      this.looseWritten += await writePreparedObjects(this.commonGitDir, objects, { fsync: this.fsync });
    }
    return tip;
  }

  /**
   * Append `events` (see AppendOptions.beforeWrite): write commits on the
   * current head and move the ref by compare-and-swap, retrying with jitter on
   * a lost race until the deadline, then GriteError('conflict').
   */
  async append(events: Event[], opts: AppendOptions = {}): Promise<{ head: string; written: Event[] }> {
    this.checkOpen();
    const deadline = Date.now() + (opts.deadlineMs ?? 10_000);
    for (let attempt = 0; ; attempt++) {
      const head = await this.head();
      const todo = opts.beforeWrite ? await opts.beforeWrite(head) : events;
      if (todo.length === 0) {
        if (head === null) throw new GriteError('invalid_args', 'nothing to append to an empty WAL');
        return { head, written: [] };
      }
      const tip = await this.writeCommits(todo, head);
      if (await this.moveRef(tip, head)) return { head: tip, written: todo };
      const left = deadline - Date.now();
      if (left <= 0) {
        const lock = refLockPath(this.commonGitDir, this.ref);
        const stuck = existsSync(lock);
        throw new GriteError('conflict', `could not move ${this.ref}: it kept changing or stayed locked for ${opts.deadlineMs ?? 10_000} ms`, {
          hint: stuck
            ? `If no grite or git process is running, remove the stale lock file ${lock}.`
            : 'Other writers are busy; retry the command.',
          details: { ref: this.ref, attempts: attempt + 1, lock: stuck ? lock : null },
        });
      }
      // Full jitter, growing to at most 50 ms a wait.
      await sleep(Math.min(left, Math.random() * Math.min(50, 2 ** Math.min(attempt, 6))));
    }
  }

  /**
   * Moves the ref from `from` to `tip` (commits written by writeCommits) by
   * one compare-and-swap, fsynced as the WAL's option says. False, with
   * nothing moved, when the ref is not at `from` or its lock is held right
   * now. After a move, packs in the background (maybePack).
   */
  async moveRef(tip: string, from: string | null): Promise<boolean> {
    this.checkOpen();
    if (!(await casRef(this.commonGitDir, this.ref, tip, from, { fsync: this.fsync }))) return false;
    this.maybePack();
    return true;
  }

  /**
   * After the ref moved to commits written by writeCommits: packs loose
   * objects or rolls small packs up in the background, one run at a time
   * per Wal.
   */
  private maybePack(): void {
    if (this.packing) return;
    if (this.packWritten && this.packConsolidate !== false) {
      this.packWritten = false;
      const threshold = this.packConsolidate;
      this.packing = consolidatePacks(this.commonGitDir, threshold)
        .catch((e: unknown) => {
          this.lastPackError = e;
        })
        .finally(() => {
          this.packing = null;
        });
      return;
    }
    if (this.autoPack === false || this.looseWritten < this.autoPack) return;
    this.looseWritten = 0;
    this.packing = packIfNeeded(this.commonGitDir, { threshold: this.autoPack })
      .catch((e: unknown) => {
        this.lastPackError = e;
      })
      .finally(() => {
        this.packing = null;
      });
  }

  // -------------------------------------------------------------------------
  // Reading

  /** Read and verify one WAL commit; GriteError('wal_error') naming the commit when it is bad. */
  async readCommit(oid: string): Promise<WalCommit> {
    this.checkOpen();
    const r = await this.load(oid);
    if (r.error) throw r.error;
    return r.commit!;
  }

  private async obj(name: string, type: GitObject['type'], what: string): Promise<GitObject> {
    const o = await this.catFile.read(name);
    if (o === null) throw new BadCommit(`${what} ${name} is missing`);
    if (o.type !== type) throw new BadCommit(`${what} ${name} is a ${o.type}, not a ${type}`);
    return o;
  }

  /** Never rejects for a bad commit (only when git itself fails). */
  private async load(oid: string): Promise<Loaded> {
    let parent: string | null = null;
    let meta: { actorId: string; chunkHash: string; prevWal: string | null } | null = null;
    try {
      if (!isOid(oid, this.format)) throw new BadCommit('is not an object id');
      const commit = parseCommitOrBad((await this.obj(oid, 'commit', 'commit')).data);
      parent = commit.parents[0] ?? null;
      const root = parseTreeOrBad((await this.obj(commit.tree, 'tree', 'tree')).data, this.format);
      const metaEntry = root.find((e) => e.name === 'meta.json');
      const eventsEntry = root.find((e) => e.name === 'events');
      if (!metaEntry || metaEntry.mode !== '100644') throw new BadCommit('has no meta.json');
      if (!eventsEntry || eventsEntry.mode !== '40000') throw new BadCommit('has no events/ tree');
      if (root.length !== 2) {
        throw new BadCommit(`tree holds ${root.length} entries, expected meta.json and events/`);
      }
      // Both in flight at once; meta.json first, so that a bad chunk still
      // leaves the walk its prev_wal.
      const [metaRes, chunkRes] = await Promise.allSettled([
        this.obj(metaEntry.oid, 'blob', 'meta.json blob'),
        this.findChunk(eventsEntry.oid),
      ]);
      if (metaRes.status === 'rejected') throw metaRes.reason;
      try {
        meta = parseMetaJson(utf8.decode(metaRes.value.data));
      } catch (e) {
        throw new BadCommit(`meta.json: ${(e as Error).message}`, e);
      }
      if (chunkRes.status === 'rejected') throw chunkRes.reason;
      const chunkEntry = chunkRes.value;
      const name = chunkEntry.path.slice(chunkEntry.path.lastIndexOf('/') + 1);
      if (name !== `${meta.chunkHash}.bin`) {
        throw new BadCommit(`chunk ${chunkEntry.path} does not match meta.json chunk_hash ${meta.chunkHash}`);
      }
      const chunk = await this.obj(chunkEntry.oid, 'blob', 'chunk blob');
      const actual = hashChunk(chunk.data);
      if (actual !== meta.chunkHash) {
        throw new BadCommit(`chunk hash is ${actual}, meta.json says ${meta.chunkHash}`, undefined, { actual });
      }
      let events: Event[];
      try {
        events = decodeChunk(chunk.data);
      } catch (e) {
        throw new BadCommit((e as Error).message, e, (e as GriteError).details);
      }
      const walCommit: WalCommit = {
        oid,
        prevWal: meta.prevWal,
        actorId: meta.actorId,
        chunkHash: meta.chunkHash,
        chunkPath: chunkEntry.path,
        events,
      };
      return { oid, commit: walCommit, next: meta.prevWal };
    } catch (e) {
      if (!(e instanceof BadCommit)) throw e;
      const error = new GriteError('wal_error', `WAL commit ${oid}: ${e.message}`, {
        hint: 'Run `grite doctor` to check the WAL; the other commits still read.',
        details: { ...e.details, commit: oid },
        cause: e.cause,
      });
      return { oid, error, next: meta ? meta.prevWal : parent };
    }
  }

  /**
   * Decode a listed commit from its root tree, meta.json and chunk, read in a
   * batch. Null when anything is not as a well-formed WAL commit has it: the
   * caller then reads it the full way (`load`), which gives the authoritative
   * answer (the commit, or the reason it is bad).
   */
  private decodeListed(oid: string, shape: WalShape, root: GitObject | null, metaObj: GitObject | null, chunk: GitObject | null): Loaded | null {
    if (root?.type !== 'tree' || metaObj?.type !== 'blob' || chunk?.type !== 'blob') return null;
    try {
      const entries = parseTree(root.data, this.format);
      if (
        entries.length !== 2 ||
        entries[0]!.name !== 'events' || entries[0]!.mode !== '40000' ||
        entries[1]!.name !== 'meta.json' || entries[1]!.mode !== '100644' || entries[1]!.oid !== shape.meta
      ) {
        return null;
      }
      const meta = parseMetaJson(utf8.decode(metaObj.data));
      if (meta.chunkHash !== shape.chunkHash || hashChunk(chunk.data) !== meta.chunkHash) return null;
      const commit: WalCommit = {
        oid,
        prevWal: meta.prevWal,
        actorId: meta.actorId,
        chunkHash: meta.chunkHash,
        chunkPath: shape.chunkPath,
        events: decodeChunk(chunk.data),
      };
      return { oid, commit, next: meta.prevWal };
    } catch {
      return null;
    }
  }

  /** The single chunk blob under events/ (events/YYYY/MM/DD/<hash>.bin). */
  private async findChunk(eventsTree: string): Promise<{ path: string; oid: string }> {
    let path = 'events';
    let oid = eventsTree;
    for (let depth = 0; depth < 4; depth++) {
      const entries = parseTreeOrBad((await this.obj(oid, 'tree', `tree ${path}`)).data, this.format);
      if (entries.length !== 1) throw new BadCommit(`${path}/ holds ${entries.length} entries, expected one`);
      const e = entries[0]!;
      const last = depth === 3;
      const ok = last
        ? e.mode === '100644' && /^[0-9a-f]{64}\.bin$/.test(e.name)
        : e.mode === '40000' && /^\d+$/.test(e.name);
      if (!ok) throw new BadCommit(`unexpected entry ${path}/${e.name} (mode ${e.mode})`);
      path = `${path}/${e.name}`;
      oid = e.oid;
    }
    return { path, oid };
  }

  /**
   * First-parent ancestors from `start` (at most `max`), each with the
   * objects its tree adds: `git rev-list --objects --in-commit-order` prints
   * a commit's id, then "<oid> <path>" for each tree and blob of its tree not
   * already printed for a newer commit. When git cannot list (a missing
   * object), the start alone, to be read the slow way.
   */
  private async list(start: string, max: number): Promise<Listed[]> {
    const limit = max > 0 ? [`--max-count=${max}`] : [];
    // --missing=allow-any: a missing tree or blob is left out of the listing
    // (that commit then goes the full way and is reported) instead of failing
    // it. (Not --filter=object:type=blob: git 2.39 then drops the commit
    // lines after the first.)
    const r = await runGit(
      this.commonGitDir,
      ['rev-list', '--objects', '--in-commit-order', '--missing=allow-any', '--first-parent', ...limit, start, '--'],
      { allowFailure: true },
    );
    if (r.code !== 0) {
      // Commits themselves unreadable somewhere: list the commits alone, or just the start.
      const plain = await runGit(this.commonGitDir, ['rev-list', '--first-parent', ...limit, start, '--'], { allowFailure: true });
      const oids = plain.code === 0 ? plain.stdout.toString('latin1').split('\n').filter((l) => l !== '') : [];
      return oids.length > 0 ? oids.map((oid) => ({ oid, shape: null })) : [{ oid: start, shape: null }];
    }
    const out = parseListing(r.stdout.toString('latin1'));
    return out.length > 0 ? out : [{ oid: start, shape: null }];
  }

  /**
   * The commits from `head` back, newest first, following prev_wal. A bad
   * commit is yielded with `error` and the walk goes on (to its prev_wal, or
   * its git parent when meta.json is unreadable). Stops before the first oid
   * for which `stopAt` is true (checked before that commit is read), at the
   * first commit, or at a cycle (yielded as an error).
   */
  async *walk(head: string, opts: { stopAt?: (oid: string) => boolean } = {}): AsyncGenerator<WalWalkEntry> {
    this.checkOpen();
    const stopAt = opts.stopAt;
    const seen = new Set<string>();
    let next: string | null = head;
    // With stopAt (catching up) most walks end within a few commits: list
    // 64, then 8x more each time, so the cost follows the number of new
    // commits. Without stopAt the whole log is wanted: list 256 commits,
    // then 2,048 more, then the rest, each listing started (from the last
    // listed commit's first parent) as soon as the one before arrives, so
    // git lists the rest of the log while the first commits are read.
    let window = stopAt ? 64 : FIRST_LISTING;
    let ahead: Promise<Listed[]> | null = null;
    while (next !== null) {
      let listing: Listed[] | null = null;
      if (ahead !== null) {
        const got = await ahead.catch(() => null);
        ahead = null;
        // Used only when the walk went where git's first parents go.
        if (got !== null && got.length > 0 && got[0]!.oid === next) listing = got;
      }
      listing ??= await this.list(next, window);
      if (!stopAt && window > 0 && listing.length === window) {
        window = window >= FIRST_LISTING * 8 ? 0 : window * 8;
        ahead = this.list(`${listing[listing.length - 1]!.oid}~1`, window);
        ahead.catch(() => {}); // a rejection is seen where awaited; this silences an abandoned one
      } else if (window > 0) {
        window *= 8;
      }
      // Stop index: nothing at or past it is read.
      let end = listing.length;
      for (let i = 0; i < listing.length; i++) {
        if (stopAt?.(listing[i]!.oid) || seen.has(listing[i]!.oid)) {
          end = i;
          break;
        }
      }
      // Commits are read in batches of `readAhead`: the next batch's objects
      // (root tree, meta.json and chunk of each commit) are requested before
      // this one is decoded, so git reads while we decode.
      const batch = this.readAhead;
      const fetch = (from: number): Promise<Array<GitObject | null>> => {
        const names: string[] = [];
        for (let j = from; j < Math.min(end, from + batch); j++) {
          const sh = listing[j]!.shape;
          if (sh) names.push(sh.root, sh.meta, sh.chunk);
        }
        const p = this.catFile.readMany(names);
        p.catch(() => {}); // rejections are seen where awaited; this silences abandoned ones
        return p;
      };
      let pending = end > 0 ? fetch(0) : null;
      let i = 0;
      let followed = false;
      batches: for (let from = 0; from < end; from += batch) {
        const objs = await pending!;
        pending = from + batch < end ? fetch(from + batch) : null;
        let k = 0;
        for (let j = from; j < Math.min(end, from + batch); j++) {
          const listed = listing[j]!;
          let r: Loaded | null = null;
          if (listed.shape) {
            r = this.decodeListed(listed.oid, listed.shape, objs[k] ?? null, objs[k + 1] ?? null, objs[k + 2] ?? null);
            k += 3;
          }
          if (r === null) r = await this.load(listed.oid);
          seen.add(r.oid);
          yield r.commit ? { oid: r.oid, commit: r.commit, prevWal: r.next } : { oid: r.oid, error: r.error!, prevWal: r.next };
          next = r.next;
          i = j + 1;
          if (next === null) return;
          if (i < listing.length && listing[i]!.oid === next) continue;
          followed = true; // prev_wal leaves the listing: re-list from it
          break batches;
        }
      }
      if (!followed) {
        if (i >= listing.length) continue; // listing exhausted: go on from `next`
        // Stopped at `end` (< listing length): stopAt or a cycle.
        const oid = listing[end]!.oid;
        if (seen.has(oid) && !stopAt?.(oid)) {
          yield {
            oid,
            error: new GriteError('wal_error', `WAL commit ${oid}: the log loops back to it`, { details: { commit: oid } }),
            prevWal: null,
          };
        }
        return;
      }
      if (stopAt?.(next)) return;
      if (seen.has(next)) {
        yield {
          oid: next,
          error: new GriteError('wal_error', `WAL commit ${next}: the log loops back to it`, { details: { commit: next } }),
          prevWal: null,
        };
        return;
      }
    }
  }

  /**
   * The whole walk from `head` (as `walk` without stopAt), in batches of
   * entries, newest first, so that a caller can store one batch while git
   * reads the next ones (the walk requests a batch ahead).
   */
  async *readLog(head: string): AsyncGenerator<WalWalkEntry[]> {
    this.checkOpen();
    let batch: WalWalkEntry[] = [];
    for await (const e of this.walk(head)) {
      batch.push(e);
      if (batch.length >= LOG_BATCH) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  }

  /** Every event from `head` (default: the current head), oldest first, and the bad commits. */
  async readAll(head?: string | null): Promise<WalReadResult> {
    this.checkOpen();
    const h = head === undefined ? await this.head() : head;
    if (h === null) return { head: null, events: [], bad: [], commits: 0 };
    const commits: WalCommit[] = [];
    const bad: Array<{ oid: string; error: GriteError }> = [];
    for await (const e of this.walk(h)) {
      if (e.commit) commits.push(e.commit);
      else bad.push({ oid: e.oid, error: e.error! });
    }
    const events: Event[] = [];
    for (let i = commits.length - 1; i >= 0; i--) {
      for (const ev of commits[i]!.events) events.push(ev);
    }
    return { head: h, events, bad, commits: commits.length };
  }
}

/** Commits in a whole walk's first listing (Wal.walk). */
const FIRST_LISTING = 256;

/** Entries per readLog batch. */
const LOG_BATCH = 256;

/** A commit as listed by rev-list: its id and, when its new objects have a WAL commit's shape, those. */
interface Listed {
  oid: string;
  shape: WalShape | null;
}

interface WalShape {
  root: string;
  meta: string;
  chunk: string;
  chunkPath: string;
  chunkHash: string;
}

function isDigits(s: string, from: number, to: number): boolean {
  if (to <= from) return false;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function isLowerHex(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/**
 * Parse `git rev-list --objects --in-commit-order` output: a commit's id on a
 * line of its own, then "<oid> <path>" for each tree and blob its tree adds,
 * depth first, entries in tree order. A WAL commit adds exactly seven: "",
 * events, events/Y, events/Y/M, events/Y/M/D, events/Y/M/D/<hash>.bin,
 * meta.json. A new chunk makes all five trees above it new, so seven objects
 * with the chunk sixth and meta.json seventh can only be that shape; then
 * the commit gets one. Works on indexes into the text and slices only what it
 * keeps (the listing of a long log is big).
 */
function parseListing(text: string): Listed[] {
  const out: Listed[] = [];
  let oid: string | null = null;
  let n = 0; // objects seen for the current commit
  let ok = false;
  let root = '';
  let chunk = '';
  let chunkPath = '';
  let chunkHash = '';
  let meta = '';
  const finish = (): void => {
    if (oid !== null) out.push({ oid, shape: ok && n === 7 ? { root, meta, chunk, chunkPath, chunkHash } : null });
  };
  let p = 0;
  const len = text.length;
  while (p < len) {
    let nl = text.indexOf('\n', p);
    if (nl < 0) nl = len;
    const sp = text.indexOf(' ', p);
    if (sp < 0 || sp > nl) {
      if (nl > p) {
        finish();
        oid = text.slice(p, nl);
        n = 0;
        ok = true;
      }
    } else if (oid !== null && ok) {
      const ps = sp + 1;
      if (n === 0) {
        ok = ps === nl;
        root = text.slice(p, sp);
      } else if (n === 5) {
        ok = isChunkPath(text, ps, nl);
        if (ok) {
          chunk = text.slice(p, sp);
          chunkPath = text.slice(ps, nl);
          chunkHash = text.slice(nl - 68, nl - 4);
        }
      } else if (n === 6) {
        ok = nl - ps === 9 && text.startsWith('meta.json', ps);
        meta = text.slice(p, sp);
      } else if (n > 6) {
        ok = false;
      }
      n++;
    }
    p = nl + 1;
  }
  finish();
  return out;
}

/** Whether text[from, to) is events/<digits>/<digits>/<digits>/<64 lowercase hex>.bin. */
function isChunkPath(text: string, from: number, to: number): boolean {
  if (!text.startsWith('events/', from)) return false;
  let p = from + 7;
  for (let part = 0; part < 3; part++) {
    const slash = text.indexOf('/', p);
    if (slash < 0 || slash >= to || !isDigits(text, p, slash)) return false;
    p = slash + 1;
  }
  return to - p === 68 && isLowerHex(text, p, p + 64) && text.startsWith('.bin', p + 64);
}

/** A reason a commit is bad; becomes GriteError('wal_error') naming the commit. */
class BadCommit extends Error {
  constructor(
    message: string,
    override readonly cause?: unknown,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

function parseCommitOrBad(data: Uint8Array): ReturnType<typeof parseCommit> {
  try {
    return parseCommit(data);
  } catch (e) {
    throw new BadCommit((e as Error).message, e);
  }
}

function parseTreeOrBad(data: Uint8Array, format: ObjectFormat): TreeEntry[] {
  try {
    return parseTree(data, format);
  } catch (e) {
    throw new BadCommit((e as Error).message, e);
  }
}
