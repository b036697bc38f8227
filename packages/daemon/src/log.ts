/**
 * The daemon's log: `<commonDir>/grite/logs/daemon.log`, one line per entry
 * (`<ISO time> <level> [pid] message {json fields}`), rotated by size:
 * when a write would take the file past `maxBytes`, `daemon.log.(n-1)` moves
 * to `daemon.log.n` (the oldest falls off), ..., and `daemon.log` to
 * `daemon.log.1`; `keep` rotated files are kept.
 *
 * Writes are synchronous appends: the daemon logs lifecycle events and
 * failures, not every request, so the cost is small, and a line written just
 * before a crash is on disk. A log that cannot be written never takes the
 * daemon down: the entry is dropped.
 *
 * The daemon is spawned with stdio ignored, so nothing goes to the terminal
 * it was started from.
 */
import { appendFileSync, mkdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LoggerOptions {
  /** Rotate when the file would exceed this size (default 1 MiB). */
  maxBytes?: number;
  /** Rotated files kept beside the live one (default 3). */
  keep?: number;
}

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

function fieldsText(fields: Record<string, unknown> | undefined): string {
  if (fields === undefined) return '';
  try {
    return ` ${JSON.stringify(fields, (_k, v: unknown) => {
      if (typeof v === 'bigint') return v.toString();
      if (v instanceof Error) return { name: v.name, message: v.message, code: (v as { code?: unknown }).code, stack: v.stack };
      return v;
    })}`;
  } catch {
    return '';
  }
}

export class FileLogger implements Logger {
  private readonly maxBytes: number;
  private readonly keep: number;
  private size = -1;

  constructor(
    readonly path: string,
    opts: LoggerOptions = {},
  ) {
    this.maxBytes = opts.maxBytes ?? 1024 * 1024;
    this.keep = Math.max(1, opts.keep ?? 3);
  }

  debug(message: string, fields?: Record<string, unknown>): void {
    this.write('debug', message, fields);
  }
  info(message: string, fields?: Record<string, unknown>): void {
    this.write('info', message, fields);
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    this.write('warn', message, fields);
  }
  error(message: string, fields?: Record<string, unknown>): void {
    this.write('error', message, fields);
  }

  private write(level: LogLevel, message: string, fields: Record<string, unknown> | undefined): void {
    const line = `${new Date().toISOString()} ${level} [${process.pid}] ${message}${fieldsText(fields)}\n`;
    const bytes = Buffer.byteLength(line);
    try {
      if (this.size < 0) {
        mkdirSync(dirname(this.path), { recursive: true });
        this.size = statSync(this.path, { throwIfNoEntry: false })?.size ?? 0;
      }
      if (this.size > 0 && this.size + bytes > this.maxBytes) this.rotate();
      appendFileSync(this.path, line, { mode: 0o600 });
      this.size += bytes;
    } catch {
      // Dropped: logging must never stop the daemon.
      this.size = -1;
    }
  }

  private rotate(): void {
    try {
      unlinkSync(`${this.path}.${this.keep}`);
    } catch {
      // Not there yet.
    }
    for (let n = this.keep - 1; n >= 1; n--) {
      try {
        renameSync(`${this.path}.${n}`, `${this.path}.${n + 1}`);
      } catch {
        // A gap in the sequence: nothing to move.
      }
    }
    renameSync(this.path, `${this.path}.1`);
    this.size = 0;
  }
}

/** A logger that drops everything (tests, and the in-process engine). */
export const nullLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};
