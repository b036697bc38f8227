/**
 * The materialized view (DESIGN.md section 4): `view.sqlite`, a cache of the
 * projection that can always be deleted and rebuilt from the refs.
 *
 * Applying events stores them (each event id once) and re-projects every
 * touched issue from ALL its stored events, so the order in which events
 * arrive never matters: the tables always equal the projection of the stored
 * set. Unchanged parts of a touched issue (labels, comments, edges, text) are
 * left alone, which keeps a typical write proportional to what it changed.
 *
 * Concurrency: WAL journal mode, so readers never wait for the writer; every
 * write runs in a BEGIN IMMEDIATE transaction with busy_timeout, so across
 * processes one writer at a time; past the timeout SQLITE_BUSY becomes
 * GriteError('db_busy'). Multi-statement reads run in one read transaction
 * (one snapshot). Prepared statements are cached by their SQL text.
 */
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { bytesEqual, fromHex, idKey, toHex } from '../codec/hex.js';
import { CborWriter } from '../codec/cbor.js';
import { decodeKind, writeKindPayload } from '../codec/kind.js';
import { GriteError } from '../errors.js';
import { kindTag, type DepType, type Event, type IssueState } from '../event.js';
import { layoutWaitGraph, type FixedLayout } from '../projection/graph.js';
import {
  analyzeDependencies,
  projectIssue,
  sortEvents,
  waitOf,
  type DependencyEdge,
  type IssueAttachment,
  type IssueComment,
  type IssueLink,
  type IssueProjection,
} from '../projection/index.js';
import { decodeCursor, decodeReadyCursor, encodeCursor, encodeReadyCursor } from './cursor.js';
import { ftsMatchExpression } from './fts-query.js';
import { createIndexes, createSchema, dropSchema, EVENTS_BY_ID_DDL, storedSchemaVersion, VIEW_SCHEMA_VERSION } from './schema.js';
import { isDamagedDatabase, toGriteError } from './sqlite-errors.js';
import type {
  ApplyResult,
  DepListEntry,
  IssueDetail,
  IssueListResult,
  IssueQuery,
  IssueSort,
  IssueSummary,
  SortOrder,
  TopoFilter,
  ViewStats,
} from './types.js';

export interface ViewOptions {
  /** How long a writer waits for another process's write lock. Default 5000 ms. */
  busyTimeoutMs?: number;
}

export interface ApplyOptions {
  /** WAL commit oids these events complete; recorded as applied. */
  commits?: readonly string[];
  /** The WAL head the view reflects once applied (undefined: unchanged). */
  walHead?: string | null;
}

type Row = Record<string, unknown>;

interface SummaryRow {
  issue_id: Buffer;
  title: string;
  state: string;
  labels: string;
  assignees: string;
  updated_ts: number;
  created_ts: number;
  comment_count: number;
}

interface IssueRow {
  iid: number;
  state: string;
  title: string;
  body: string;
  labels: string;
  assignees: string;
  comment_count: number;
  link_count: number;
  attachment_count: number;
}

const SUMMARY_COLUMNS = 'i.issue_id, i.title, i.state, i.labels, i.assignees, i.updated_ts, i.created_ts, i.comment_count';

/** An events row, all columns (after INSERT or INSERT OR IGNORE). */
const INSERT_EVENT = 'INTO events(issue_id, event_id, actor, ts, parent, kind_tag, payload, sig) VALUES (?, ?, ?, ?, ?, ?, ?, ?)';

const SORT_COLUMN: Record<IssueSort, string> = {
  updated: 'i.updated_ts',
  created: 'i.created_ts',
  id: 'i.issue_id',
  title: 'i.title',
};

const MAX_CANDIDATES = 10;

/** Counting a filter's rows to pick the driving one stops here: past it, any is as good. */
const DRIVER_COUNT_CAP = 5000;

/** Whether the issue row `issues` waits for an existing open issue. */
const BLOCKED_EXPR = `EXISTS (SELECT 1 FROM deps d JOIN issues t ON t.issue_id = d.waitee
  WHERE d.waiter = issues.issue_id AND t.state = 'open')`;

/** A plain Uint8Array over a Buffer's bytes (no copy): ids compare equal to ids made anywhere else. */
function u8(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** The columns of an `events` row that make an Event (eventFromRow). */
export const EVENT_COLUMNS = 'event_id, issue_id, actor, ts, parent, kind_tag, payload, sig';

export interface EventRow {
  event_id: Buffer;
  issue_id: Buffer;
  actor: Buffer;
  ts: number;
  parent: Buffer | null;
  kind_tag: number;
  payload: Buffer;
  sig: Buffer | null;
}

/** The Event an `events` row holds; throws when its payload cannot be decoded. */
export function eventFromRow(r: EventRow): Event {
  return {
    eventId: u8(r.event_id),
    issueId: u8(r.issue_id),
    actor: u8(r.actor),
    ts: r.ts,
    parent: u8OrNull(r.parent),
    kind: decodeKind(r.kind_tag, u8(r.payload)),
    sig: u8OrNull(r.sig),
  };
}

function u8OrNull(b: Buffer | null): Uint8Array | null {
  return b === null ? null : u8(b);
}

/** The page cache (negative: KiB): usual, and during a bulk load (pages are only taken as used). */
const CACHE_KIB = -32_000;
const BULK_CACHE_KIB = -256_000;

/** Above this many issues to re-lay out, one pass over every edge is cheaper than a region walk. */
const REGION_LIMIT = 2000;

function toSummary(r: SummaryRow): IssueSummary {
  return {
    issueId: u8(r.issue_id),
    title: r.title,
    state: r.state as IssueState,
    labels: JSON.parse(r.labels) as string[],
    assignees: JSON.parse(r.assignees) as string[],
    updatedTs: r.updated_ts,
    createdTs: r.created_ts,
    commentCount: r.comment_count,
  };
}

interface IssueGroup {
  issueId: Uint8Array;
  events: Event[];
}

function isEventArray(events: readonly Event[] | AsyncIterable<readonly Event[]>): events is readonly Event[] {
  return Array.isArray(events);
}

/** `events` in slices of `n`, with a yield to the event loop after each. */
async function* slices(events: readonly Event[], n: number): AsyncGenerator<readonly Event[]> {
  const size = Math.max(1, n);
  for (let i = 0; i < events.length; i += size) {
    yield events.slice(i, i + size);
    await new Promise<void>((r) => setImmediate(r));
  }
}

/** A bulk load in progress (View.bulkInsert, bulkProject, bulkFinish). */
interface Bulk {
  /** Event rows stored (copies of one id included). */
  stored: number;
  /** By idKey of the issue id. */
  groups: Map<string, IssueGroup>;
  seeds: Set<string>;
  stateMoved: Set<string>;
  result: ApplyResult;
  /** The issues' keys in id order (idKey sorts as the bytes do). */
  issueKeys(): string[];
}

function newBulk(): Bulk {
  const groups = new Map<string, IssueGroup>();
  return {
    stored: 0,
    groups,
    seeds: new Set(),
    stateMoved: new Set(),
    result: { eventsApplied: 0, issuesTouched: 0 },
    issueKeys: () => [...groups.keys()].sort(),
  };
}

/** Events by issue (idKey of the issue id), each issue's in their order. */
function groupByIssue(events: readonly Event[]): Map<string, IssueGroup> {
  const groups = new Map<string, IssueGroup>();
  for (const e of events) {
    const key = idKey(e.issueId);
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = { issueId: e.issueId, events: [] }));
    g.events.push(e);
  }
  return groups;
}

export class View {
  readonly path: string;
  /** True when opening found another schema version or a damaged file and started empty. */
  readonly wasReset: boolean;
  private readonly db: Database.Database;
  private readonly stmts = new Map<string, Database.Statement>();
  private readonly payloadWriter = new CborWriter(256);
  private closed = false;
  private changes = 0;
  /** A yielding replace holds this connection's transaction open (replaceAllYielding). */
  private loading = false;

  private constructor(path: string, db: Database.Database, wasReset: boolean) {
    this.path = path;
    this.db = db;
    this.wasReset = wasReset;
  }

  /**
   * Opens (creating when missing) the view at `path`. A file of another
   * schema version is emptied; a damaged file is deleted and recreated. Either
   * way the view then reflects no WAL head, so the next catch-up rebuilds it.
   */
  static open(path: string, opts: ViewOptions = {}): View {
    mkdirSync(dirname(path), { recursive: true });
    try {
      return View.openFile(path, opts, false);
    } catch (e) {
      if (!isDamagedDatabase(e)) throw toGriteError(e, path);
      for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(path + suffix, { force: true });
      try {
        return View.openFile(path, opts, true);
      } catch (e2) {
        throw toGriteError(e2, path);
      }
    }
  }

  private static openFile(path: string, opts: ViewOptions, damaged: boolean): View {
    const db = new Database(path, { timeout: opts.busyTimeoutMs ?? 5000 });
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('temp_store = MEMORY');
      db.pragma(`cache_size = ${CACHE_KIB}`);
      let reset = damaged;
      if (storedSchemaVersion(db) !== VIEW_SCHEMA_VERSION) {
        db.transaction(() => {
          // Re-check under the write lock: another process may have just done it.
          const version = storedSchemaVersion(db);
          if (version === VIEW_SCHEMA_VERSION) return;
          if (version !== null || hasTables(db)) reset = true;
          dropSchema(db);
          createSchema(db);
        }).immediate();
      }
      return new View(path, db, reset);
    } catch (e) {
      db.close();
      throw e;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stmts.clear();
    this.db.close();
  }

  // ---------------------------------------------------------------------------
  // Plumbing

  private stmt(sql: string): Database.Statement {
    let s = this.stmts.get(sql);
    if (s === undefined) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  /**
   * A cached statement that returns the first column only. Cached apart from
   * `stmt`'s: pluck() switches a statement's mode for every later use.
   */
  private pluck(sql: string): Database.Statement {
    const key = `pluck:${sql}`;
    let s = this.stmts.get(key);
    if (s === undefined) {
      s = this.db.prepare(sql).pluck(true);
      this.stmts.set(key, s);
    }
    return s;
  }

  private checkOpen(): void {
    if (this.closed) throw new GriteError('internal_error', 'the view is closed');
    // Between its slices, a yielding replace leaves a half-loaded view in
    // this connection's open transaction: nobody else may look at it.
    if (this.loading) throw new GriteError('db_busy', 'the view is being rebuilt', { hint: 'retry when the rebuild is done' });
  }

  /**
   * How many write transactions this View object has run (committed or
   * not). Any change this process makes to the view passes `write`, so an
   * answer computed while this count stood still reflects one state of the
   * view, as far as this process is concerned. Another process writing the
   * same file does not move it: callers that cache answers also watch the
   * WAL ref (the daemon's engine does).
   */
  get changeCount(): number {
    return this.changes;
  }

  /** Runs `fn` in a BEGIN IMMEDIATE transaction: one writer across processes. */
  private write<T>(fn: () => T): T {
    this.checkOpen();
    this.changes++;
    try {
      return this.db.transaction(fn).immediate();
    } catch (e) {
      throw toGriteError(e, this.path);
    } finally {
      this.changes++;
    }
  }

  /** Runs a single statement (`fn`): no transaction needed, errors mapped. */
  private one<T>(fn: () => T): T {
    this.checkOpen();
    try {
      return fn();
    } catch (e) {
      throw toGriteError(e, this.path);
    }
  }

  /** Runs `fn` in one read transaction, so its statements see one snapshot. */
  private read<T>(fn: () => T): T {
    this.checkOpen();
    try {
      return this.db.inTransaction ? fn() : this.db.transaction(fn).deferred();
    } catch (e) {
      throw toGriteError(e, this.path);
    }
  }

  // ---------------------------------------------------------------------------
  // Writing

  /**
   * Stores `events` (ids already stored are skipped), re-projects the touched
   * issues, records `commits` and `walHead`; all in one transaction.
   */
  apply(events: readonly Event[], opts: ApplyOptions = {}): ApplyResult {
    return this.write(() => this.applyInTransaction(events, opts));
  }

  /**
   * Empties the view and applies `events` in one transaction: readers see
   * the old view until it commits. Bulk path (see bulkBegin): event rows in
   * the order given, then the issues projected in id order, the secondary
   * indexes built afterwards.
   */
  replaceAll(events: readonly Event[], opts: ApplyOptions = {}): ApplyResult {
    let result: ApplyResult;
    try {
      result = this.write(() => {
        this.bulkBegin();
        const bulk = newBulk();
        this.bulkInsert(events, bulk);
        this.bulkProject(bulk, bulk.issueKeys());
        this.bulkFinish(bulk);
        this.recordProgress(opts.commits ?? [], opts.walHead ?? null);
        return bulk.result;
      });
    } finally {
      this.bulkEnd();
    }
    this.optimize();
    return result;
  }

  /**
   * replaceAll, yielding to the event loop as it goes, so that a process
   * serving requests keeps answering what does not need the view (Hello,
   * heartbeats) while a large log loads. `events` is an array, or batches
   * from an async source as they come (any order; an id seen twice counts
   * once): each batch's event rows are stored when it arrives, so a caller
   * reading the log (Store's rebuild) overlaps its reading with this
   * storing. Once the events are in, `opts` (or what `opts()` returns then:
   * the commits may be known only at the end) gives the commits and WAL head
   * to record, the issues are projected in slices of whole issues (about
   * `sliceEvents` events, an array's events too) with a yield after each,
   * and the secondary indexes are built. One transaction, held open on this
   * connection across the yields: other connections (other processes) see
   * the old view until it commits, a failure (the source's too) rolls back
   * to it, and this View refuses every other call (db_busy) until the
   * promise settles. Callers run it where nothing else uses this View
   * meanwhile (the Store's queue; the engine's exclusive lock). Same result
   * as replaceAll.
   */
  async replaceAllYielding(
    events: readonly Event[] | AsyncIterable<readonly Event[]>,
    opts: ApplyOptions | (() => ApplyOptions) = {},
    sliceEvents = 4000,
  ): Promise<ApplyResult> {
    this.checkOpen();
    this.changes++;
    this.loading = true;
    let open = false;
    try {
      this.db.exec('BEGIN IMMEDIATE');
      open = true;
      this.bulkBegin();
      const bulk = newBulk();
      for await (const batch of isEventArray(events) ? slices(events, sliceEvents) : events) {
        if (this.closed) throw new GriteError('internal_error', 'the view was closed during a rebuild');
        this.bulkInsert(batch, bulk);
      }
      const keys = bulk.issueKeys();
      let from = 0;
      while (from < keys.length) {
        let to = from;
        let n = 0;
        while (to < keys.length && (to === from || n < sliceEvents)) n += bulk.groups.get(keys[to++]!)!.events.length;
        this.bulkProject(bulk, keys.slice(from, to));
        from = to;
        await new Promise<void>((r) => setImmediate(r));
        if (this.closed) throw new GriteError('internal_error', 'the view was closed during a rebuild');
      }
      const o = typeof opts === 'function' ? opts() : opts;
      this.bulkFinish(bulk);
      this.recordProgress(o.commits ?? [], o.walHead ?? null);
      this.db.exec('COMMIT');
      open = false;
      this.bulkEnd();
      this.loading = false;
      this.optimize();
      return bulk.result;
    } catch (e) {
      if (open && this.db.inTransaction) {
        try {
          this.db.exec('ROLLBACK');
        } catch {
          // the error below is the one to report
        }
      }
      this.stmts.clear();
      this.bulkEnd();
      throw toGriteError(e, this.path);
    } finally {
      this.loading = false;
      this.changes++;
    }
  }

  /**
   * A bulk load's events: stored as rows, grouped by issue for bulkProject.
   * An event id seen twice is stored twice here: bulkFinish drops the later
   * copies (rare: it costs a pass then), and the projection counts each id
   * once (sortEvents).
   */
  private bulkInsert(events: readonly Event[], bulk: Bulk): void {
    const insert = this.stmt(`INSERT ${INSERT_EVENT}`);
    // The payload is bound from the writer's buffer: better-sqlite3 copies blobs as it binds.
    const w = this.payloadWriter;
    let lastId: Uint8Array | null = null;
    let last: IssueGroup | null = null;
    for (const e of events) {
      writeKindPayload(w, e.kind);
      insert.run(e.issueId, e.eventId, e.actor, e.ts, e.parent, kindTag(e.kind), w.take(), e.sig);
      // Records of one chunk with equal issue ids share the array (decodeChunk).
      let g: IssueGroup | undefined = e.issueId === lastId ? last! : undefined;
      if (g === undefined) {
        const key = idKey(e.issueId);
        g = bulk.groups.get(key);
        if (g === undefined) bulk.groups.set(key, (g = { issueId: e.issueId, events: [] }));
        lastId = e.issueId;
        last = g;
      }
      g.events.push(e);
      bulk.stored++;
    }
  }

  /** Projects and writes the issues `keys` (in this order: it gives their iid) of a bulk load. */
  private bulkProject(bulk: Bulk, keys: readonly string[]): void {
    for (const key of keys) {
      const g = bulk.groups.get(key)!;
      const p = projectIssue(g.issueId, g.events);
      if (p === null) continue; // still waiting for its IssueCreated
      bulk.result.issuesTouched++;
      this.writeIssue(p, bulk.seeds, bulk.stateMoved, true);
    }
  }

  /**
   * Starts a bulk load inside an open write transaction: empties the view
   * and leaves out the secondary indexes and the label and assignee rows,
   * which bulkFinish builds once the issues are in (one sorted pass each
   * instead of a random insert per row). The page cache grows so that the
   * whole new view stays in memory until the commit writes it once
   * (instead of spilling pages to the WAL mid-transaction); bulkEnd
   * shrinks it back.
   */
  private bulkBegin(): void {
    this.stmts.clear();
    this.db.pragma(`cache_size = ${BULK_CACHE_KIB}`);
    dropSchema(this.db);
    createSchema(this.db, { indexes: false });
  }

  /**
   * The rest of a bulk load, before its commit: the unique event-id index
   * (dropping later copies of an id first if there are any), label and
   * assignee rows, the other indexes, the graph passes. Sets
   * `bulk.result.eventsApplied`.
   */
  private bulkFinish(bulk: Bulk): void {
    let dropped = 0;
    try {
      this.db.exec(EVENTS_BY_ID_DDL);
    } catch (e) {
      if ((e as { code?: string }).code !== 'SQLITE_CONSTRAINT_UNIQUE') throw e;
      dropped = this.db
        .prepare('DELETE FROM events WHERE rowid NOT IN (SELECT min(rowid) FROM events GROUP BY event_id)')
        .run().changes;
      this.db.exec(EVENTS_BY_ID_DDL);
    }
    bulk.result.eventsApplied = bulk.stored - dropped;
    // Labels and assignees are JSON arrays of distinct strings on each issue row.
    for (const [table, column, json] of [
      ['labels', 'label', 'labels'],
      ['assignees', 'user', 'assignees'],
    ] as const) {
      this.db.exec(
        `INSERT OR IGNORE INTO ${table}(${column}, state, iid)
         SELECT j.value, i.state, i.iid FROM issues i, json_each(i.${json}) j ORDER BY 1, 2, 3`,
      );
    }
    // The graph passes look edges and issues up by the secondary indexes.
    createIndexes(this.db);
    this.relayoutAll();
    this.refreshAllBlocked();
  }

  /** After a bulk load (committed or not): the page cache back to its usual size. */
  private bulkEnd(): void {
    if (this.closed) return;
    try {
      this.db.pragma(`cache_size = ${CACHE_KIB}`);
    } catch {
      // only the cache size: the load's own outcome is what matters
    }
  }

  /** Records the WAL head the view reflects, and optionally commits applied with no events. */
  setWalHead(walHead: string | null, commits: readonly string[] = []): void {
    this.write(() => this.recordProgress(commits, walHead));
  }

  /**
   * Stores the events not stored yet and re-projects their issues (in id
   * order: idKey sorts as the bytes do, as the bulk load applies them), then
   * lays out the waiting graph around what changed.
   */
  private applyInTransaction(events: readonly Event[], opts: ApplyOptions): ApplyResult {
    const groups = groupByIssue(events);
    const result: ApplyResult = { eventsApplied: 0, issuesTouched: 0 };
    const seeds = new Set<string>();
    const stateMoved = new Set<string>();
    const hasAny = this.pluck('SELECT 1 FROM events WHERE issue_id = ? LIMIT 1');
    const insert = this.stmt(`INSERT OR IGNORE ${INSERT_EVENT}`);
    const w = this.payloadWriter;
    for (const key of [...groups.keys()].sort()) {
      const g = groups.get(key)!;
      const issueId = g.issueId;
      const hadEvents = hasAny.get(issueId) !== undefined;
      const fresh: Event[] = [];
      for (const e of g.events) {
        writeKindPayload(w, e.kind);
        const r = insert.run(issueId, e.eventId, e.actor, e.ts, e.parent, kindTag(e.kind), w.take(), e.sig);
        if (r.changes > 0) fresh.push(e);
      }
      if (fresh.length === 0) continue;
      result.eventsApplied += fresh.length;
      // An issue new to the view is projected from the batch alone; otherwise
      // from every stored event, which the batch has just joined.
      const all = hadEvents ? this.loadEvents(issueId) : fresh;
      const p = projectIssue(issueId, all);
      if (p === null) continue; // still waiting for its IssueCreated
      result.issuesTouched++;
      this.writeIssue(p, seeds, stateMoved, false);
    }
    if (seeds.size > 0) this.relayout(seeds);
    if (seeds.size > 0 || stateMoved.size > 0) this.refreshBlocked(seeds, stateMoved);
    this.recordProgress(opts.commits ?? [], opts.walHead);
    return result;
  }

  private recordProgress(commits: readonly string[], walHead: string | null | undefined): void {
    const addCommit = this.stmt('INSERT OR IGNORE INTO commits(oid) VALUES (?)');
    for (const oid of commits) addCommit.run(oid);
    if (walHead === undefined) return;
    if (walHead === null) this.stmt(`DELETE FROM meta WHERE key = 'wal_head'`).run();
    else this.stmt(`INSERT OR REPLACE INTO meta(key, value) VALUES ('wal_head', ?)`).run(walHead);
  }

  /**
   * Replaces the stored projection of one issue with `p`, touching only what
   * differs. Comments, links and attachments only ever grow (events are never
   * removed), so an equal count means an equal list. Adds to `stateMoved`
   * (hex) the issue when it is new or its state changed. Adds to `seeds` (hex)
   * every issue whose waiting arcs changed: the waiters of added or removed
   * arcs, and the issue itself when it is new (arcs naming it start to count).
   */
  private writeIssue(p: IssueProjection, seeds: Set<string>, stateMoved: Set<string>, empty: boolean): void {
    const old = empty
      ? undefined
      : (this.stmt(
          'SELECT iid, state, title, body, labels, assignees, comment_count, link_count, attachment_count FROM issues WHERE issue_id = ?',
        ).get(p.issueId) as IssueRow | undefined);
    const labels = JSON.stringify(p.labels);
    const assignees = JSON.stringify(p.assignees);
    // The row's values after issue_id, in the column order of both statements.
    const values = [
      p.title,
      p.body,
      p.state,
      p.createdTs,
      p.updatedTs,
      p.createdBy,
      p.comments.length,
      p.links.length,
      p.attachments.length,
      p.eventCount,
      labels,
      assignees,
    ];
    let iid: number;
    if (old === undefined) {
      const r = this.stmt(
        `INSERT INTO issues(issue_id, title, body, state, created_ts, updated_ts, created_by, comment_count,
           link_count, attachment_count, event_count, labels, assignees)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(p.issueId, ...values);
      iid = Number(r.lastInsertRowid);
    } else {
      iid = old.iid;
      this.stmt(
        `UPDATE issues SET title = ?, body = ?, state = ?, created_ts = ?, updated_ts = ?, created_by = ?,
           comment_count = ?, link_count = ?, attachment_count = ?, event_count = ?, labels = ?, assignees = ?
         WHERE iid = ?`,
      ).run(...values, iid);
    }

    // A bulk load (empty) adds label and assignee rows at its end (bulkFinish).
    if (!empty && (old === undefined || old.labels !== labels || old.state !== p.state)) {
      const before = old === undefined ? [] : (JSON.parse(old.labels) as string[]);
      this.replaceSet('labels', 'label', iid, before, old?.state ?? null, p.labels, p.state);
    }
    if (!empty && (old === undefined || old.assignees !== assignees || old.state !== p.state)) {
      const before = old === undefined ? [] : (JSON.parse(old.assignees) as string[]);
      this.replaceSet('assignees', 'user', iid, before, old?.state ?? null, p.assignees, p.state);
    }
    if (old === undefined || old.comment_count !== p.comments.length) this.writeComments(iid, p.comments, old !== undefined);
    if (old === undefined || old.link_count !== p.links.length) this.writeLinks(iid, p.links, old !== undefined);
    if (old === undefined || old.attachment_count !== p.attachments.length) {
      this.writeAttachments(iid, p.attachments, old !== undefined);
    }
    if (old === undefined || old.title !== p.title || old.body !== p.body || old.comment_count !== p.comments.length) {
      if (old !== undefined) this.stmt('DELETE FROM issue_fts WHERE rowid = ?').run(iid);
      this.stmt('INSERT INTO issue_fts(rowid, title, body, comments) VALUES (?, ?, ?, ?)').run(
        iid,
        p.title,
        p.body,
        p.comments.map((c) => c.body).join('\n'),
      );
    }
    this.writeDeps(p, seeds, old === undefined);
    if (old === undefined) seeds.add(toHex(p.issueId));
    if (old === undefined || old.state !== p.state) stateMoved.add(toHex(p.issueId));
  }

  /** Moves the issue's rows in `table` from (before, stateBefore) to (after, state), touching only what differs. */
  private replaceSet(
    table: 'labels' | 'assignees',
    column: 'label' | 'user',
    iid: number,
    before: string[],
    stateBefore: string | null,
    after: string[],
    state: string,
  ): void {
    const del = this.stmt(`DELETE FROM ${table} WHERE ${column} = ? AND state = ? AND iid = ?`);
    const ins = this.stmt(`INSERT OR IGNORE INTO ${table}(${column}, state, iid) VALUES (?, ?, ?)`);
    const moved = stateBefore !== state;
    const keep = new Set(after);
    for (const v of before) if (moved || !keep.has(v)) del.run(v, stateBefore, iid);
    const had = new Set(before);
    for (const v of after) if (moved || !had.has(v)) ins.run(v, state, iid);
  }

  private writeComments(iid: number, comments: IssueComment[], clear: boolean): void {
    if (clear) this.stmt('DELETE FROM comments WHERE iid = ?').run(iid);
    const ins = this.stmt('INSERT INTO comments(iid, seq, event_id, actor, ts, body) VALUES (?, ?, ?, ?, ?, ?)');
    comments.forEach((c, seq) => ins.run(iid, seq, c.eventId, c.actor, c.ts, c.body));
  }

  private writeLinks(iid: number, links: IssueLink[], clear: boolean): void {
    if (clear) this.stmt('DELETE FROM links WHERE iid = ?').run(iid);
    const ins = this.stmt('INSERT INTO links(iid, seq, event_id, actor, ts, url, note) VALUES (?, ?, ?, ?, ?, ?, ?)');
    links.forEach((l, seq) => ins.run(iid, seq, l.eventId, l.actor, l.ts, l.url, l.note));
  }

  private writeAttachments(iid: number, attachments: IssueAttachment[], clear: boolean): void {
    if (clear) this.stmt('DELETE FROM attachments WHERE iid = ?').run(iid);
    const ins = this.stmt(
      'INSERT INTO attachments(iid, seq, event_id, actor, ts, name, sha256, mime) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    attachments.forEach((a, seq) => ins.run(iid, seq, a.eventId, a.actor, a.ts, a.name, a.sha256, a.mime));
  }

  /** Rewrites the issue's edges when they differ, seeding the waiters of arcs that changed. */
  private writeDeps(p: IssueProjection, seeds: Set<string>, isNew: boolean): void {
    // A new issue has no edges stored yet (edges are stored only for issues that exist).
    const before = isNew
      ? []
      : (this.stmt('SELECT target, dep_type, waiter FROM deps WHERE source = ? ORDER BY target, dep_type').all(p.issueId) as {
          target: Buffer;
          dep_type: DepType;
          waiter: Buffer | null;
        }[]);
    if (
      before.length === p.dependencies.length &&
      before.every((b, i) => b.dep_type === p.dependencies[i]!.depType && bytesEqual(b.target, p.dependencies[i]!.target))
    ) {
      return;
    }
    const key = (target: Uint8Array, depType: DepType) => `${toHex(target)}/${depType}`;
    const after = new Set(p.dependencies.map((d) => key(d.target, d.depType)));
    for (const b of before) if (b.waiter !== null && !after.has(key(b.target, b.dep_type))) seeds.add(toHex(b.waiter));
    const had = new Set(before.map((b) => key(b.target, b.dep_type)));
    if (!isNew) this.stmt('DELETE FROM deps WHERE source = ?').run(p.issueId);
    const ins = this.stmt('INSERT INTO deps(source, target, dep_type, waiter, waitee) VALUES (?, ?, ?, ?, ?)');
    for (const d of p.dependencies) {
      const w = waitOf(p.issueId, d.target, d.depType);
      ins.run(p.issueId, d.target, d.depType, w?.waiter ?? null, w?.waitee ?? null);
      if (w !== null && !had.has(key(d.target, d.depType))) seeds.add(toHex(w.waiter));
    }
  }

  /** Waiting arcs between existing issues, as `waiter depends_on waitee` edges. */
  private existingWaitEdges(): DependencyEdge[] {
    const rows = this.stmt(
      `SELECT d.waiter, d.waitee FROM deps d
       WHERE d.waiter IS NOT NULL
         AND EXISTS (SELECT 1 FROM issues a WHERE a.issue_id = d.waiter)
         AND EXISTS (SELECT 1 FROM issues b WHERE b.issue_id = d.waitee)`,
    ).all() as { waiter: Buffer; waitee: Buffer }[];
    return rows.map((r) => ({ from: u8(r.waiter), to: u8(r.waitee), depType: 'depends_on' as DepType }));
  }

  /**
   * `blocked` is 1 when the issue waits for an existing open issue. It
   * changes for the waiters of changed arcs (`seeds`), for issues that are
   * new, and for the waiters of issues that are new or changed state.
   */
  private refreshBlocked(seeds: ReadonlySet<string>, stateMoved: ReadonlySet<string>): void {
    const waitersOf = this.pluck('SELECT waiter FROM deps WHERE waitee = ?');
    const todo = new Set<string>(seeds);
    for (const hex of stateMoved) {
      todo.add(hex);
      for (const w of waitersOf.all(fromHex(hex)) as Buffer[]) todo.add(toHex(w));
    }
    const update = this.stmt(`UPDATE issues SET blocked = ${BLOCKED_EXPR} WHERE issue_id = ?`);
    for (const hex of todo) update.run(fromHex(hex));
  }

  private refreshAllBlocked(): void {
    this.stmt(
      `UPDATE issues SET blocked = ${BLOCKED_EXPR} WHERE issue_id IN (SELECT waiter FROM deps WHERE waiter IS NOT NULL)`,
    ).run();
  }

  /**
   * Recomputes depth and cycle membership (projection/graph.ts) of every
   * issue on an arc and writes the rows that differ. Cost: the edges, not the
   * issues (issues without arcs keep depth 0 and are never read).
   */
  private relayoutAll(): void {
    const a = analyzeDependencies(this.existingWaitEdges(), null);
    const want = new Map<string, { depth: number; inCycle: number }>();
    for (const [hex, depth] of a.depth) if (depth !== 0) want.set(hex, { depth, inCycle: 0 });
    for (const hex of a.inCycle) want.set(hex, { depth: 0, inCycle: 1 });
    const have = this.stmt('SELECT issue_id, depth, in_cycle FROM issues WHERE depth <> 0 OR in_cycle <> 0').all() as {
      issue_id: Buffer;
      depth: number;
      in_cycle: number;
    }[];
    const update = this.stmt('UPDATE issues SET depth = ?, in_cycle = ? WHERE issue_id = ?');
    for (const r of have) {
      const hex = toHex(r.issue_id);
      const w = want.get(hex);
      if (w === undefined) update.run(0, 0, r.issue_id);
      else {
        if (w.depth !== r.depth || w.inCycle !== r.in_cycle) update.run(w.depth, w.inCycle, r.issue_id);
        want.delete(hex);
      }
    }
    for (const [hex, w] of want) update.run(w.depth, w.inCycle, fromHex(hex));
  }

  /**
   * Re-lays out only what the changed arcs can affect: a node's depth and
   * cycle depend on what it waits for, so the region is the seeds (waiters of
   * changed arcs, new issues) and every existing issue that waits for them,
   * transitively. Any cycle through the region lies in it; arcs leaving it
   * count through the stored layout of their targets, which cannot change.
   */
  private relayout(seeds: ReadonlySet<string>): void {
    const layoutOf = this.stmt('SELECT depth, in_cycle FROM issues WHERE issue_id = ?');
    const waitersOf = this.pluck(
      'SELECT d.waiter FROM deps d JOIN issues i ON i.issue_id = d.waiter WHERE d.waitee = ?',
    );
    const region = new Set<string>();
    const queue: string[] = [];
    for (const hex of seeds) {
      if (layoutOf.get(fromHex(hex)) !== undefined && !region.has(hex)) {
        region.add(hex);
        queue.push(hex);
      }
    }
    for (let i = 0; i < queue.length; i++) {
      if (region.size > REGION_LIMIT) return this.relayoutAll();
      for (const b of waitersOf.all(fromHex(queue[i]!)) as Buffer[]) {
        const hex = toHex(b);
        if (!region.has(hex)) {
          region.add(hex);
          queue.push(hex);
        }
      }
    }
    const waiteesOf = this.stmt(
      'SELECT d.waitee, i.depth, i.in_cycle FROM deps d JOIN issues i ON i.issue_id = d.waitee WHERE d.waiter = ?',
    );
    const adj = new Map<string, string[]>();
    const outside = new Map<string, FixedLayout>();
    const current = new Map<string, { depth: number; inCycle: boolean }>();
    for (const hex of region) {
      const id = fromHex(hex);
      const me = layoutOf.get(id) as { depth: number; in_cycle: number };
      current.set(hex, { depth: me.depth, inCycle: me.in_cycle !== 0 });
      const list: string[] = [];
      for (const r of waiteesOf.all(id) as { waitee: Buffer; depth: number; in_cycle: number }[]) {
        const w = toHex(r.waitee);
        if (!list.includes(w)) list.push(w);
        if (!region.has(w)) outside.set(w, { depth: r.depth, inCycle: r.in_cycle !== 0 });
      }
      adj.set(hex, list);
    }
    const a = layoutWaitGraph(adj, region, (hex) => outside.get(hex));
    const update = this.stmt('UPDATE issues SET depth = ?, in_cycle = ? WHERE issue_id = ?');
    for (const [hex, was] of current) {
      const inCycle = a.inCycle.has(hex);
      const depth = inCycle ? 0 : a.depth.get(hex)!;
      if (depth !== was.depth || inCycle !== was.inCycle) update.run(depth, inCycle ? 1 : 0, fromHex(hex));
    }
  }

  private loadEvents(issueId: Uint8Array): Event[] {
    const rows = this.stmt(`SELECT ${EVENT_COLUMNS} FROM events WHERE issue_id = ?`).all(issueId) as EventRow[];
    return rows.map(eventFromRow);
  }

  // ---------------------------------------------------------------------------
  // Progress

  hasEvent(eventId: Uint8Array): boolean {
    return this.one(() => this.stmt('SELECT 1 FROM events WHERE event_id = ?').get(eventId) !== undefined);
  }

  hasCommit(oid: string): boolean {
    return this.one(() => this.stmt('SELECT 1 FROM commits WHERE oid = ?').get(oid) !== undefined);
  }

  /** Whether any WAL commit is recorded as applied (false: new or emptied). */
  hasAnyCommit(): boolean {
    return this.one(() => this.stmt('SELECT 1 FROM commits LIMIT 1').get() !== undefined);
  }

  /** The WAL head the view reflects; null before the first catch-up. */
  walHead(): string | null {
    return this.one(() => (this.pluck(`SELECT value FROM meta WHERE key = 'wal_head'`).get() as string | undefined) ?? null);
  }

  // ---------------------------------------------------------------------------
  // Queries

  /**
   * Appends the SQL of the filters to `where`/`params`; false when nothing
   * can match. Two shapes, same rows: 'in' lets SQLite drive from the
   * matches of one label or assignee filter, `driver` (by default the first),
   * the others being per-row checks; 'probe' makes them all per-row checks,
   * so a scan in sort order stops after one page (best when matches are
   * many). Text is always an IN list: an FTS5 prefix query re-expands its
   * prefix on every per-row check, which costs milliseconds each.
   */
  private filters(f: IssueQuery, where: string[], params: unknown[], shape: 'in' | 'probe' = 'in', driver = 0): boolean {
    if (f.state !== undefined) {
      if (f.state !== 'open' && f.state !== 'closed') {
        throw new GriteError('invalid_args', `state must be "open" or "closed", got ${JSON.stringify(f.state)}`);
      }
      where.push('i.state = ?');
      params.push(f.state);
    }
    const sets = setFilters(f);
    sets.forEach((x, k) => {
      if (shape === 'probe' || k !== driver) {
        where.push(`EXISTS (SELECT 1 FROM ${x.table} x WHERE x.${x.column} = ? AND x.state = i.state AND x.iid = i.iid)`);
        params.push(x.value);
      } else if (f.state !== undefined) {
        where.push(`i.iid IN (SELECT iid FROM ${x.table} WHERE ${x.column} = ? AND state = ?)`);
        params.push(x.value, f.state);
      } else {
        where.push(`i.iid IN (SELECT iid FROM ${x.table} WHERE ${x.column} = ?)`);
        params.push(x.value);
      }
    });
    const text = textFilter(f.text);
    if (text === false) return false;
    if (text !== null) {
      where.push('i.iid IN (SELECT rowid FROM issue_fts WHERE issue_fts MATCH ?)');
      params.push(text);
    }
    return true;
  }

  /** The label/assignee filter with the fewest rows (counted up to a cap), as an index into setFilters(f). */
  private pickDriver(f: IssueQuery): number {
    const sets = setFilters(f);
    if (sets.length < 2) return 0;
    let best = 0;
    let bestCount = Infinity;
    sets.forEach((x, k) => {
      const stateCond = f.state === undefined ? '' : ' AND state = ?';
      const n = this.pluck(`SELECT count(*) FROM (SELECT 1 FROM ${x.table} WHERE ${x.column} = ?${stateCond} LIMIT ${DRIVER_COUNT_CAP})`).get(
        x.value,
        ...(f.state === undefined ? [] : [f.state]),
      ) as number;
      if (n < bestCount) {
        best = k;
        bestCount = n;
      }
    });
    return best;
  }

  /**
   * Issues matching the filters, one page in the order asked, with the
   * total. The total is counted first; for label and assignee filters it also
   * picks the page's plan: with many matches a scan in sort order that checks
   * each row stops after about limit * issues / total rows; with few it is
   * cheaper to fetch the matches and sort them.
   */
  listIssues(q: IssueQuery = {}): IssueListResult {
    const sort = q.sort ?? 'updated';
    if (!(sort in SORT_COLUMN)) throw new GriteError('invalid_args', `unknown sort ${JSON.stringify(sort)}`, { hint: 'use updated, created, id or title' });
    const order: SortOrder = q.order ?? (sort === 'updated' || sort === 'created' ? 'desc' : 'asc');
    if (order !== 'asc' && order !== 'desc') throw new GriteError('invalid_args', `order must be asc or desc, got ${JSON.stringify(order)}`);
    const limit = q.limit ?? 0;
    if (!Number.isSafeInteger(limit) || limit < 0) {
      throw new GriteError('invalid_args', `limit must be a non-negative integer, got ${String(q.limit)}`);
    }
    const cursor = q.cursor === undefined || q.cursor === null || q.cursor === '' ? null : decodeCursor(q.cursor, sort, order);

    if (q.state !== undefined && q.state !== 'open' && q.state !== 'closed') {
      throw new GriteError('invalid_args', `state must be "open" or "closed", got ${JSON.stringify(q.state)}`);
    }
    setFilters(q); // validates labels and assignee
    const text = textFilter(q.text);
    if (text === false) return { issues: [], total: 0, nextCursor: null };
    const whereSql = (w: string[]) => (w.length === 0 ? '' : `WHERE ${w.join(' AND ')}`);
    const labelSet = [...new Set(q.labels ?? [])];
    // Totals that need not visit the issues: every issue has exactly one FTS
    // row, and label/assignee rows carry the issue's state.
    let countSql = '';
    let countParams: unknown[] = [];
    const stateCond = q.state === undefined ? '' : ' AND state = ?';
    const stateParam = q.state === undefined ? [] : [q.state];
    if (text !== null && q.state === undefined && labelSet.length === 0 && q.assignee === undefined) {
      countSql = 'SELECT count(*) FROM issue_fts WHERE issue_fts MATCH ?';
      countParams = [text];
    } else if (text === null && labelSet.length === 1 && q.assignee === undefined) {
      countSql = `SELECT count(*) FROM labels WHERE label = ?${stateCond}`;
      countParams = [labelSet[0], ...stateParam];
    } else if (text === null && labelSet.length === 0 && q.assignee !== undefined) {
      countSql = `SELECT count(*) FROM assignees WHERE user = ?${stateCond}`;
      countParams = [q.assignee, ...stateParam];
    }
    const countGeneral = (driver: number): void => {
      const where: string[] = [];
      countParams = [];
      this.filters(q, where, countParams, 'in', driver);
      countSql = `SELECT count(*) FROM issues i ${whereSql(where)}`;
    };
    const selective = (q.labels ?? []).length > 0 || q.assignee !== undefined;

    const col = SORT_COLUMN[sort];
    const dir = order === 'asc' ? 'ASC' : 'DESC';
    const cmp = order === 'asc' ? '>' : '<';
    const orderBy = sort === 'id' ? `i.issue_id ${dir}` : `${col} ${dir}, i.issue_id ${dir}`;
    const pageSql = (shape: 'in' | 'probe', driver: number): { sql: string; params: unknown[] } => {
      const w: string[] = [];
      const p: unknown[] = [];
      this.filters(q, w, p, shape, driver);
      if (cursor !== null) {
        if (sort === 'id') {
          w.push(`i.issue_id ${cmp} ?`);
          p.push(cursor.issueId);
        } else {
          w.push(`(${col}, i.issue_id) ${cmp} (?, ?)`);
          p.push(cursor.value, cursor.issueId);
        }
      }
      return { sql: `SELECT ${SUMMARY_COLUMNS} FROM issues i ${whereSql(w)} ORDER BY ${orderBy} LIMIT ?`, params: p };
    };

    return this.read(() => {
      const driver = this.pickDriver(q);
      if (countSql === '') countGeneral(driver);
      const total = this.pluck(countSql).get(...countParams) as number;
      let shape: 'in' | 'probe' = 'in';
      // Text stays an IN list: an FTS5 prefix query re-expands its prefix on
      // every per-row check, which costs milliseconds each.
      if (selective && text === null && limit > 0 && sort !== 'title' && total > limit) {
        const issues = (this.pluck('SELECT max(iid) FROM issues').get() as number | null) ?? 0;
        if (total * total > limit * issues) shape = 'probe';
      }
      const page = pageSql(shape, driver);
      const rows = this.stmt(page.sql).all(...page.params, limit === 0 ? -1 : limit + 1) as SummaryRow[];
      let nextCursor: string | null = null;
      if (limit > 0 && rows.length > limit) {
        rows.length = limit;
        const last = rows[limit - 1]!;
        const value = sort === 'updated' ? last.updated_ts : sort === 'created' ? last.created_ts : sort === 'title' ? last.title : toHex(last.issue_id);
        nextCursor = encodeCursor({ sort, order, value, issueId: u8(last.issue_id) });
      }
      return { issues: rows.map(toSummary), total, nextCursor };
    });
  }

  getIssue(issueId: Uint8Array): IssueDetail | null {
    return this.read(() => {
      const r = this.stmt(
        `SELECT ${SUMMARY_COLUMNS}, i.iid, i.body, i.created_by, i.event_count FROM issues i WHERE i.issue_id = ?`,
      ).get(issueId) as (SummaryRow & { iid: number; body: string; created_by: Buffer; event_count: number }) | undefined;
      if (r === undefined) return null;
      const comments = (this.stmt('SELECT event_id, actor, ts, body FROM comments WHERE iid = ? ORDER BY seq').all(r.iid) as Row[]).map(
        (c): IssueComment => ({ eventId: u8(c.event_id as Buffer), actor: u8(c.actor as Buffer), ts: c.ts as number, body: c.body as string }),
      );
      const links = (this.stmt('SELECT event_id, actor, ts, url, note FROM links WHERE iid = ? ORDER BY seq').all(r.iid) as Row[]).map(
        (l): IssueLink => ({
          eventId: u8(l.event_id as Buffer),
          actor: u8(l.actor as Buffer),
          ts: l.ts as number,
          url: l.url as string,
          note: l.note as string | null,
        }),
      );
      const attachments = (
        this.stmt('SELECT event_id, actor, ts, name, sha256, mime FROM attachments WHERE iid = ? ORDER BY seq').all(r.iid) as Row[]
      ).map(
        (a): IssueAttachment => ({
          eventId: u8(a.event_id as Buffer),
          actor: u8(a.actor as Buffer),
          ts: a.ts as number,
          name: a.name as string,
          sha256: u8(a.sha256 as Buffer),
          mime: a.mime as string,
        }),
      );
      const dependencies = this.depRows('out', issueId).map((d) => ({
        target: d.issueId,
        depType: d.depType,
        title: d.title,
        state: d.state,
      }));
      return {
        ...toSummary(r),
        body: r.body,
        createdBy: u8(r.created_by),
        comments,
        links,
        attachments,
        dependencies,
        eventCount: r.event_count,
      };
    });
  }

  /** Every stored event of the issue (also before its IssueCreated arrived), in projection order. */
  getIssueEvents(issueId: Uint8Array): Event[] {
    return this.one(() => sortEvents(this.loadEvents(issueId)));
  }

  /**
   * Resolves an issue reference: full id or any unique prefix of at least 4
   * hex characters, either case. Bad hex or too short/long: invalid_args;
   * no such issue: not_found; several: invalid_args with `details.candidates`.
   */
  resolveIssueRef(ref: string): Uint8Array {
    const hex = typeof ref === 'string' ? ref.trim().toLowerCase() : '';
    if (!/^[0-9a-f]+$/.test(hex)) {
      throw new GriteError('invalid_args', `not an issue id: ${JSON.stringify(ref)}`, {
        hint: 'give the issue id in hex, or a unique prefix of at least 4 characters',
        details: { ref },
      });
    }
    if (hex.length < 4 || hex.length > 32) {
      throw new GriteError('invalid_args', `an issue id prefix has 4 to 32 hex characters, got ${hex.length}`, {
        hint: 'give at least 4 characters of the issue id',
        details: { ref },
      });
    }
    const lo = fromHex(hex.padEnd(32, '0'));
    const hi = fromHex(hex.padEnd(32, 'f'));
    const rows = this.one(
      () =>
        this.pluck('SELECT issue_id FROM issues WHERE issue_id BETWEEN ? AND ? ORDER BY issue_id LIMIT ?')
          .all(lo, hi, MAX_CANDIDATES + 1) as Buffer[],
    );
    if (rows.length === 0) {
      throw new GriteError('not_found', `no issue matches ${hex}`, { hint: 'list issues with `grite issue list`', details: { ref } });
    }
    if (rows.length > 1) {
      const candidates = rows.slice(0, MAX_CANDIDATES).map((b) => toHex(b));
      throw new GriteError('invalid_args', `issue id prefix ${hex} is ambiguous`, {
        hint: 'give more characters of the issue id',
        details: { ref, candidates, more: rows.length > MAX_CANDIDATES },
      });
    }
    return u8(rows[0]!);
  }

  private depRows(direction: 'out' | 'in', issueId: Uint8Array): DepListEntry[] {
    const sql =
      direction === 'out'
        ? `SELECT d.target AS other, d.dep_type, t.title, t.state FROM deps d
           LEFT JOIN issues t ON t.issue_id = d.target WHERE d.source = ? ORDER BY d.target, d.dep_type`
        : `SELECT d.source AS other, d.dep_type, t.title, t.state FROM deps d
           LEFT JOIN issues t ON t.issue_id = d.source WHERE d.target = ? ORDER BY d.source, d.dep_type`;
    return (this.stmt(sql).all(issueId) as { other: Buffer; dep_type: DepType; title: string | null; state: IssueState | null }[]).map(
      (r) => ({ issueId: u8(r.other), depType: r.dep_type, title: r.title, state: r.state }),
    );
  }

  /**
   * The issue's edges: 'out' those recorded on it (`<id> <type> <other>`),
   * 'in' those recorded on other issues naming it (`<other> <type> <id>`).
   */
  listDeps(issueId: Uint8Array, direction: 'out' | 'in'): DepListEntry[] {
    if (direction !== 'out' && direction !== 'in') {
      throw new GriteError('invalid_args', `direction must be out or in, got ${JSON.stringify(direction)}`);
    }
    return this.one(() => this.depRows(direction, issueId));
  }

  /** Issues (filtered) in topological order: waitees first, by (depth, id), cycle members last by id. */
  topoOrder(filter: TopoFilter = {}): IssueSummary[] {
    const where: string[] = [];
    const params: unknown[] = [];
    this.filters(filter, where, params);
    const sql = `SELECT ${SUMMARY_COLUMNS} FROM issues i ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY i.in_cycle, i.depth, i.issue_id`;
    return this.one(() => (this.stmt(sql).all(...params) as SummaryRow[]).map(toSummary));
  }

  private readySql(filter: Omit<TopoFilter, 'state'>, select: string, tail: string, extra: string[] = []): { sql: string; params: unknown[] } {
    const where = [`i.state = 'open'`, 'i.in_cycle = 0', 'i.blocked = 0'];
    const params: unknown[] = [];
    // Per-row checks: the scan runs in dependency order and stops at the limit.
    this.filters({ labels: filter.labels, assignee: filter.assignee }, where, params, 'probe');
    where.push(...extra);
    return { sql: `SELECT ${select} FROM issues i WHERE ${where.join(' AND ')} ${tail}`, params };
  }

  /**
   * Ready issues in dependency order: open, on no cycle, waiting for nothing
   * open (projection/graph.ts). `limit` 0 or undefined: all.
   */
  ready(limit?: number, filter: Omit<TopoFilter, 'state'> = {}): IssueSummary[] {
    const n = limit ?? 0;
    if (!Number.isSafeInteger(n) || n < 0) throw new GriteError('invalid_args', `limit must be a non-negative integer, got ${String(limit)}`);
    const { sql, params } = this.readySql(filter, SUMMARY_COLUMNS, 'ORDER BY i.depth, i.issue_id LIMIT ?');
    return this.one(() => (this.stmt(sql).all(...params, n === 0 ? -1 : n) as SummaryRow[]).map(toSummary));
  }

  /**
   * Ready issues a page at a time (dependency order), with their total and a
   * keyset cursor: the next page starts after the last row's (depth, id).
   */
  listReady(q: { limit?: number; cursor?: string | null; labels?: string[]; assignee?: string } = {}): IssueListResult {
    const limit = q.limit ?? 0;
    if (!Number.isSafeInteger(limit) || limit < 0) {
      throw new GriteError('invalid_args', `limit must be a non-negative integer, got ${String(q.limit)}`);
    }
    const after = q.cursor === undefined || q.cursor === null || q.cursor === '' ? null : decodeReadyCursor(q.cursor);
    const filter = { labels: q.labels, assignee: q.assignee };
    const page = this.readySql(
      filter,
      `${SUMMARY_COLUMNS}, i.depth`,
      'ORDER BY i.depth, i.issue_id LIMIT ?',
      after === null ? [] : ['(i.depth, i.issue_id) > (?, ?)'],
    );
    const count = this.readySql(filter, 'count(*)', '');
    return this.read(() => {
      const rows = this.stmt(page.sql).all(
        ...page.params,
        ...(after === null ? [] : [after.depth, after.issueId]),
        limit === 0 ? -1 : limit + 1,
      ) as (SummaryRow & { depth: number })[];
      const total = this.pluck(count.sql).get(...count.params) as number;
      let nextCursor: string | null = null;
      if (limit > 0 && rows.length > limit) {
        rows.length = limit;
        const last = rows[limit - 1]!;
        nextCursor = encodeReadyCursor(last.depth, u8(last.issue_id));
      }
      return { issues: rows.map(toSummary), total, nextCursor };
    });
  }

  /** How many issues are ready. */
  countReady(filter: Omit<TopoFilter, 'state'> = {}): number {
    const { sql, params } = this.readySql(filter, 'count(*)', '');
    return this.one(() => this.pluck(sql).get(...params) as number);
  }

  /**
   * Whether adding `from <depType> to` would close a cycle of waiting
   * (conservative like projection's wouldCreateCycle: every recorded edge
   * counts). Searches only what the new waitee reaches.
   */
  wouldCreateCycle(from: Uint8Array, to: Uint8Array, depType: DepType): boolean {
    const w = waitOf(from, to, depType);
    if (w === null) return false;
    if (bytesEqual(w.waiter, w.waitee)) return true;
    return this.read(() => {
      const next = this.pluck('SELECT waitee FROM deps WHERE waiter = ?');
      const goal = toHex(w.waiter);
      const seen = new Set<string>([toHex(w.waitee)]);
      const queue: Uint8Array[] = [w.waitee];
      for (let i = 0; i < queue.length; i++) {
        for (const b of next.all(queue[i]) as Buffer[]) {
          const hex = toHex(b);
          if (hex === goal) return true;
          if (!seen.has(hex)) {
            seen.add(hex);
            queue.push(u8(b));
          }
        }
      }
      return false;
    });
  }

  /** Cycles of waiting among existing issues: members sorted by id, cycles by first member. */
  cycles(): Uint8Array[][] {
    return this.one(() => analyzeDependencies(this.existingWaitEdges(), null).cycles);
  }

  stats(): ViewStats {
    return this.read(() => {
      const count = (sql: string) => this.pluck(sql).get() as number;
      let sizeBytes = 0;
      for (const suffix of ['', '-wal']) sizeBytes += statSync(this.path + suffix, { throwIfNoEntry: false })?.size ?? 0;
      const head = this.pluck(`SELECT value FROM meta WHERE key = 'wal_head'`).get() as string | undefined;
      return {
        path: this.path,
        sizeBytes,
        schemaVersion: VIEW_SCHEMA_VERSION,
        eventCount: count('SELECT count(*) FROM events'),
        issueCount: count('SELECT count(*) FROM issues'),
        walHead: head ?? null,
        appliedCommits: count('SELECT count(*) FROM commits'),
      };
    });
  }

  /** Refreshes the query planner's statistics (after a rebuild or a large catch-up). */
  optimize(): void {
    this.checkOpen();
    try {
      this.db.pragma('optimize');
    } catch (e) {
      throw toGriteError(e, this.path);
    }
  }
}

/** The FTS expression for `text`: null when there is no text filter, false when nothing can match. */
/** The label and assignee filters, in a fixed order (labels deduplicated, then the assignee). */
function setFilters(f: IssueQuery): { table: 'labels' | 'assignees'; column: 'label' | 'user'; value: string }[] {
  if (f.labels !== undefined && (!Array.isArray(f.labels) || f.labels.some((l) => typeof l !== 'string'))) {
    throw new GriteError('invalid_args', 'labels must be a list of strings');
  }
  if (f.assignee !== undefined && typeof f.assignee !== 'string') throw new GriteError('invalid_args', 'assignee must be a string');
  const out: { table: 'labels' | 'assignees'; column: 'label' | 'user'; value: string }[] = [];
  for (const label of new Set(f.labels ?? [])) out.push({ table: 'labels', column: 'label', value: label });
  if (f.assignee !== undefined) out.push({ table: 'assignees', column: 'user', value: f.assignee });
  return out;
}

function textFilter(text: string | undefined): string | null | false {
  if (text === undefined || text.trim() === '') return null;
  return ftsMatchExpression(text) ?? false;
}

function hasTables(db: Database.Database): boolean {
  return db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' LIMIT 1`).get() !== undefined;
}
