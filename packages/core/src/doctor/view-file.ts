/**
 * Looking at `view.sqlite` on disk without changing it: opening it through
 * View would empty a file of another schema version and replace a damaged
 * one, which is the repair, not the diagnosis. A separate read-only
 * connection reads the schema version, the WAL head and the event count
 * (view/schema.ts's `meta` and `events` tables), and, for the repair that
 * must lose nothing, the events themselves.
 *
 * Read-only here means "never writes": SQLite may still create the -shm file
 * a WAL-mode database needs to be read.
 */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Event } from '../event.js';
import { EVENT_COLUMNS, eventFromRow, VIEW_SCHEMA_VERSION, type EventRow } from '../view/index.js';

export type ViewFileState =
  | { state: 'missing'; path: string }
  | { state: 'damaged'; path: string; error: string }
  | { state: 'schema'; path: string; schemaVersion: number | null }
  | { state: 'ok'; path: string; walHead: string | null; eventCount: number };

function open(path: string): Database.Database {
  return new Database(path, { readonly: true, fileMustExist: true });
}

/** What the file at `path` holds, read without changing it. */
export function inspectViewFile(path: string): ViewFileState {
  if (!existsSync(path)) return { state: 'missing', path };
  let db: Database.Database | null = null;
  try {
    db = open(path);
    const hasMeta = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'`).get() !== undefined;
    const version = hasMeta
      ? Number((db.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).get() as { value: string } | undefined)?.value ?? NaN)
      : NaN;
    const schemaVersion = Number.isInteger(version) ? version : null;
    if (schemaVersion !== VIEW_SCHEMA_VERSION) return { state: 'schema', path, schemaVersion };
    const head = db.prepare(`SELECT value FROM meta WHERE key = 'wal_head'`).get() as { value: string } | undefined;
    const eventCount = db.prepare('SELECT count(*) AS n FROM events').get() as { n: number };
    return { state: 'ok', path, walHead: head?.value ?? null, eventCount: eventCount.n };
  } catch (e) {
    return { state: 'damaged', path, error: e instanceof Error ? e.message : String(e) };
  } finally {
    db?.close();
  }
}

/**
 * The events stored in the view file at `path` for which `keep(eventIdHex)`
 * holds, rebuilt from their columns (the payload is the kind's canonical
 * CBOR, as hashed). Rows that do not decode are counted in `unreadable`.
 * Only for a file of the current schema version.
 */
export function readViewEvents(path: string, keep: (eventIdHex: string) => boolean): { events: Event[]; unreadable: number } {
  const db = open(path);
  try {
    const events: Event[] = [];
    let unreadable = 0;
    const rows = db.prepare(`SELECT ${EVENT_COLUMNS} FROM events ORDER BY ts, actor, event_id`).iterate() as IterableIterator<EventRow>;
    for (const r of rows) {
      if (!keep(r.event_id.toString('hex'))) continue;
      try {
        events.push(eventFromRow(r));
      } catch {
        unreadable++;
      }
    }
    return { events, unreadable };
  } finally {
    db.close();
  }
}
