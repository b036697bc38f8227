/**
 * The layout of `view.sqlite` (DESIGN.md section 4): a cache that can always
 * be deleted and rebuilt from the refs. Bump VIEW_SCHEMA_VERSION on any change
 * here: a file with another version is emptied and rebuilt, never migrated.
 *
 * - meta: key/value text; `schema_version`, `wal_head` (absent: none).
 * - events: every applied event, all columns, in the order stored (a rowid
 *   table: a bulk load appends, cheaper than a composite-key B-tree);
 *   unique by event_id, found by issue_id for re-projection; `payload` is
 *   the kind payload's canonical CBOR (as hashed).
 * - commits: the WAL commit oids already applied (closed under prev_wal:
 *   catch-up applies a commit only together with all its ancestors).
 * - issues: one row per issue whose IssueCreated arrived; `iid` is a local
 *   row number (differs between replicas, never shown); labels and assignees
 *   repeated as JSON arrays for summaries; `depth` / `in_cycle` are the
 *   waiting graph's layout (see projection/graph.ts); `blocked` is 1 while
 *   the issue waits for an existing open issue, so ready issues are one
 *   index range.
 * - labels, assignees: (value, state, iid) for filters; the state is
 *   repeated so that "open issues with label X" is one index range, counted
 *   without visiting the issues.
 * - deps: edges recorded on existing issues; `waiter` / `waitee` say who
 *   waits for whom (null for related_to).
 * - comments, links, attachments: (iid, seq) in projection order.
 * - issue_fts: FTS5 over title, body and comments, rowid = iid, contentless.
 */
import type Database from 'better-sqlite3';

export const VIEW_SCHEMA_VERSION = 5;

/** Token characters: letters, numbers, marks, private use and other symbols (emoji). */
export const FTS_TOKEN_CATEGORIES = 'L* N* M* Co So';

const TABLES_DDL = `
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS events (
  issue_id BLOB NOT NULL,
  event_id BLOB NOT NULL,
  actor BLOB NOT NULL,
  ts INTEGER NOT NULL,
  parent BLOB,
  kind_tag INTEGER NOT NULL,
  payload BLOB NOT NULL,
  sig BLOB
);

CREATE TABLE IF NOT EXISTS commits (
  oid TEXT PRIMARY KEY
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS issues (
  iid INTEGER PRIMARY KEY,
  issue_id BLOB NOT NULL UNIQUE,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  state TEXT NOT NULL,
  created_ts INTEGER NOT NULL,
  updated_ts INTEGER NOT NULL,
  created_by BLOB NOT NULL,
  comment_count INTEGER NOT NULL,
  link_count INTEGER NOT NULL,
  attachment_count INTEGER NOT NULL,
  event_count INTEGER NOT NULL,
  labels TEXT NOT NULL,
  assignees TEXT NOT NULL,
  depth INTEGER NOT NULL DEFAULT 0,
  in_cycle INTEGER NOT NULL DEFAULT 0,
  blocked INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS labels (
  label TEXT NOT NULL,
  state TEXT NOT NULL,
  iid INTEGER NOT NULL,
  PRIMARY KEY (label, state, iid)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS assignees (
  user TEXT NOT NULL,
  state TEXT NOT NULL,
  iid INTEGER NOT NULL,
  PRIMARY KEY (user, state, iid)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS deps (
  source BLOB NOT NULL,
  target BLOB NOT NULL,
  dep_type TEXT NOT NULL,
  waiter BLOB,
  waitee BLOB,
  PRIMARY KEY (source, target, dep_type)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS comments (
  iid INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  event_id BLOB NOT NULL,
  actor BLOB NOT NULL,
  ts INTEGER NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (iid, seq)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS links (
  iid INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  event_id BLOB NOT NULL,
  actor BLOB NOT NULL,
  ts INTEGER NOT NULL,
  url TEXT NOT NULL,
  note TEXT,
  PRIMARY KEY (iid, seq)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS attachments (
  iid INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  event_id BLOB NOT NULL,
  actor BLOB NOT NULL,
  ts INTEGER NOT NULL,
  name TEXT NOT NULL,
  sha256 BLOB NOT NULL,
  mime TEXT NOT NULL,
  PRIMARY KEY (iid, seq)
) WITHOUT ROWID;

CREATE VIRTUAL TABLE IF NOT EXISTS issue_fts USING fts5(
  title, body, comments,
  content = '',
  contentless_delete = 1,
  tokenize = "unicode61 remove_diacritics 2 categories '${FTS_TOKEN_CATEGORIES}'"
);
`;

/** The unique index on event ids (a bulk load builds it first of the indexes: see View.bulkFinish). */
export const EVENTS_BY_ID_DDL = 'CREATE UNIQUE INDEX IF NOT EXISTS events_by_id ON events(event_id)';

// Secondary indexes, apart so that a bulk load can build them after the rows
// are in (one sort instead of a random insert per row).
const INDEX_DDL = `
${EVENTS_BY_ID_DDL};
CREATE INDEX IF NOT EXISTS events_by_issue ON events(issue_id);
CREATE INDEX IF NOT EXISTS issues_by_updated ON issues(updated_ts, issue_id);
CREATE INDEX IF NOT EXISTS issues_by_state_updated ON issues(state, updated_ts, issue_id);
CREATE INDEX IF NOT EXISTS issues_by_created ON issues(created_ts, issue_id);
CREATE INDEX IF NOT EXISTS issues_by_topo ON issues(in_cycle, depth, issue_id);
CREATE INDEX IF NOT EXISTS issues_ready ON issues(state, in_cycle, blocked, depth, issue_id);
CREATE INDEX IF NOT EXISTS issues_in_graph ON issues(issue_id) WHERE depth <> 0 OR in_cycle <> 0;
CREATE INDEX IF NOT EXISTS deps_by_target ON deps(target);
CREATE INDEX IF NOT EXISTS deps_by_waiter ON deps(waiter, waitee) WHERE waiter IS NOT NULL;
CREATE INDEX IF NOT EXISTS deps_by_waitee ON deps(waitee, waiter) WHERE waitee IS NOT NULL;
`;

/**
 * Creates whatever is missing and stamps the schema version. `indexes: false`
 * leaves the secondary indexes out; call createIndexes once the rows are in.
 */
export function createSchema(db: Database.Database, opts: { indexes?: boolean } = {}): void {
  db.exec(TABLES_DDL);
  if (opts.indexes !== false) createIndexes(db);
  db.prepare(`INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)`).run(String(VIEW_SCHEMA_VERSION));
}

export function createIndexes(db: Database.Database): void {
  db.exec(INDEX_DDL);
}

/** Drops every table, index and virtual table: the file becomes an empty view. */
export function dropSchema(db: Database.Database): void {
  const objects = db
    .prepare(`SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'`)
    .all() as { type: string; name: string }[];
  // FTS5 shadow tables go with their virtual table; drop virtual tables first.
  const fts = objects.filter((o) => /^CREATE VIRTUAL/i.test(sqlOf(db, o.name)));
  const rest = objects.filter((o) => !fts.includes(o));
  for (const o of fts) db.exec(`DROP TABLE IF EXISTS "${o.name.replace(/"/g, '""')}"`);
  for (const o of rest) {
    const exists = db.prepare(`SELECT 1 FROM sqlite_master WHERE name = ?`).get(o.name);
    if (exists !== undefined) db.exec(`DROP ${o.type === 'view' ? 'VIEW' : 'TABLE'} IF EXISTS "${o.name.replace(/"/g, '""')}"`);
  }
}

function sqlOf(db: Database.Database, name: string): string {
  const row = db.prepare(`SELECT sql FROM sqlite_master WHERE name = ?`).get(name) as { sql: string | null } | undefined;
  return row?.sql ?? '';
}

/** The schema version stamped in the file; null when it has none (new or foreign). */
export function storedSchemaVersion(db: Database.Database): number | null {
  const hasMeta = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'`).get();
  if (hasMeta === undefined) return null;
  const row = db.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).get() as { value: string } | undefined;
  if (row === undefined) return null;
  const n = Number(row.value);
  return Number.isInteger(n) ? n : null;
}
