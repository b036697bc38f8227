/**
 * SQLite failures -> GriteError. Busy and locked become `db_busy` (another
 * process holds the write lock past busy_timeout: retry); a damaged or
 * foreign file and I/O trouble become `io_error` with a rebuild hint.
 * GriteErrors pass through; anything else is `internal_error`.
 */
import Database from 'better-sqlite3';
import { GriteError } from '../errors.js';

export function sqliteCode(e: unknown): string | null {
  return e instanceof Database.SqliteError ? e.code : null;
}

/** True for errors that mean the file is not a usable database. */
export function isDamagedDatabase(e: unknown): boolean {
  const code = sqliteCode(e);
  return code !== null && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB');
}

export function toGriteError(e: unknown, path: string): GriteError {
  if (e instanceof GriteError) return e;
  const code = sqliteCode(e);
  if (code === null) {
    return new GriteError('internal_error', `view: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new GriteError('db_busy', 'the view database is busy: another process is writing to it', {
      hint: 'retry in a moment',
      details: { path, sqlite_code: code },
      cause: e,
    });
  }
  if (isDamagedDatabase(e)) {
    return new GriteError('io_error', `the view database is damaged: ${(e as Error).message}`, {
      hint: 'run `grite rebuild` (the view is a cache of the git refs)',
      details: { path, sqlite_code: code },
      cause: e,
    });
  }
  if (
    code.startsWith('SQLITE_IOERR') ||
    code.startsWith('SQLITE_CANTOPEN') ||
    code.startsWith('SQLITE_READONLY') ||
    code === 'SQLITE_FULL' ||
    code === 'SQLITE_PERM'
  ) {
    return new GriteError('io_error', `cannot use the view database: ${(e as Error).message}`, {
      details: { path, sqlite_code: code },
      cause: e,
    });
  }
  return new GriteError('internal_error', `view: ${(e as Error).message}`, { details: { path, sqlite_code: code }, cause: e });
}
