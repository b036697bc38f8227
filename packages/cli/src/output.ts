/**
 * The edge where every outcome becomes bytes and an exit code (DESIGN.md
 * section 8). Under `--json`, stdout carries exactly one document, errors
 * included; in human mode errors go to stderr with one hint line. Errors are
 * normalised once, here, into {code, message, hint, details}.
 */
import { exitCodeFor, isErrorCode } from '@grite/protocol';
import { renderGeneric } from './render/human.js';
import type { JsonData } from './ops/op.js';

export interface NormalError {
  code: string;
  message: string;
  hint: string | null;
  details: Record<string, unknown>;
}

export interface Outcome {
  stdout: string;
  stderr: string;
  exitCode: number;
}

const HINTS: Record<string, string> = {
  invalid_args: 'see --help for the usage',
  not_found: 'grite issue list shows the issues there are',
  not_a_repo: 'run grite inside a git repository (git init creates one)',
  db_busy: 'another process holds the database; try again',
  ipc_error: 'retry with --no-daemon, or grite daemon stop',
  internal_error: 'this is a bug in grite; please report it with the command you ran',
};

/** Any thrown value -> a registered error. Duck-typed: errors come from several packages. */
export function normalizeError(e: unknown): NormalError {
  const err = e as { code?: unknown; message?: unknown; hint?: unknown; details?: unknown } | null;
  if (err && typeof err === 'object' && typeof err.code === 'string' && isErrorCode(err.code)) {
    const details = err.details && typeof err.details === 'object' ? (err.details as Record<string, unknown>) : {};
    return {
      code: err.code,
      message: String(err.message ?? err.code),
      hint: typeof err.hint === 'string' && err.hint !== '' ? err.hint : (HINTS[err.code] ?? null),
      details,
    };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'internal_error', message, hint: HINTS.internal_error!, details: {} };
}

export function successOutcome(data: JsonData, json: boolean, quiet: boolean, human?: (d: JsonData) => string): Outcome {
  if (json) return { stdout: `${JSON.stringify({ schema_version: 1, ok: true, data })}\n`, stderr: '', exitCode: 0 };
  return { stdout: quiet ? '' : (human ?? renderGeneric)(data), stderr: '', exitCode: 0 };
}

export function errorOutcome(e: unknown, json: boolean): Outcome {
  const error = normalizeError(e);
  const exitCode = exitCodeFor(error.code);
  if (json) {
    return { stdout: `${JSON.stringify({ schema_version: 1, ok: false, error })}\n`, stderr: '', exitCode };
  }
  const extra = Array.isArray(error.details.candidates) ? `\ncandidates: ${(error.details.candidates as string[]).join(', ')}` : '';
  return { stdout: '', stderr: `error: ${error.message}${extra}${error.hint ? `\nhint: ${error.hint}` : ''}\n`, exitCode };
}

/**
 * Writes an outcome and sets the exit code; never calls process.exit, so
 * output always drains. A reader that went away (`grite ... | head -1`)
 * ends the output quietly, with the command's exit code, as the thin entry
 * does, instead of an unhandled EPIPE.
 */
export function emit(o: Outcome): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
    });
  }
  if (o.stdout) process.stdout.write(o.stdout);
  if (o.stderr) process.stderr.write(o.stderr);
  process.exitCode = o.exitCode;
}
