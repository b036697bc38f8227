/**
 * Checks on a request's fields, shared by the write handlers. Each throws
 * `invalid_args` (or the store's `not_found` for an issue that does not
 * exist) naming the field, before anything is built or written (DESIGN.md
 * section 5, step 1).
 */
import { ACTOR_ID_BYTES } from '@grite/core';
import type { EngineContext } from './context.js';
import { invalidArgs } from './errors.js';

export const SHA256_BYTES = 32;

/** The request's actor: required for writes, exactly 16 bytes. */
export function requireActor(ctx: EngineContext): Uint8Array {
  const actor = ctx.request.actorIdArray();
  if (actor === null || actor.length === 0) {
    throw invalidArgs('a write needs an actor: the request carries no actor_id', {
      hint: 'run `grite init` or `grite actor init`, or pass --actor',
    });
  }
  if (actor.length !== ACTOR_ID_BYTES) {
    throw invalidArgs(`actor_id must be ${ACTOR_ID_BYTES} bytes, got ${actor.length}`);
  }
  return Uint8Array.from(actor);
}

/**
 * The client's timestamp for the events of a write: required (0 means the
 * client set none, and a server-chosen time would give a retry other event
 * ids), unix milliseconds within the safe-integer range.
 */
export function requireTs(ts: bigint): number {
  if (ts === 0n) {
    throw invalidArgs('a write needs the client-chosen ts (unix milliseconds): the request has none', {
      hint: 'set ts when building the request, and reuse it when retrying',
    });
  }
  if (ts > BigInt(Number.MAX_SAFE_INTEGER)) throw invalidArgs(`ts ${ts} is out of range`);
  return Number(ts);
}

/** A string that must be given and hold something other than white space. */
export function requireText(value: string | null, field: string): string {
  if (value === null || value.trim() === '') {
    throw invalidArgs(`${field} must not be empty`, { details: { field } });
  }
  return value;
}

/** A list of non-empty strings, at least one. */
export function requireList(read: (i: number) => string, length: number, field: string): string[] {
  if (length === 0) throw invalidArgs(`give at least one ${field}`, { details: { field } });
  const out: string[] = [];
  for (let i = 0; i < length; i++) out.push(requireText(read(i), field));
  return out;
}

/** Reads a vector of strings that may be empty; each item must be non-empty. */
export function optionalList(read: (i: number) => string, length: number, field: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < length; i++) out.push(requireText(read(i), field));
  return out;
}

/** A byte vector of exactly `n` bytes (copied out of the request buffer). */
export function requireBytes(bytes: Uint8Array | null, n: number, field: string): Uint8Array {
  if (bytes === null || bytes.length === 0) throw invalidArgs(`${field} is required (${n} bytes)`, { details: { field } });
  if (bytes.length !== n) throw invalidArgs(`${field} must be ${n} bytes, got ${bytes.length}`, { details: { field } });
  return Uint8Array.from(bytes);
}

/**
 * An issue reference (a unique hex prefix of at least 4 characters, or the
 * full id) resolved against the view: unknown is `not_found`, ambiguous is
 * `invalid_args` with the candidates in `details.candidates`.
 */
export function resolveIssue(ctx: EngineContext, ref: string | null, field = 'issue'): Uint8Array {
  if (ref === null || ref.trim() === '') {
    throw invalidArgs(`${field} is required: give an issue id or a unique prefix of at least 4 hex characters`, {
      details: { field },
    });
  }
  return ctx.store.view.resolveIssueRef(ref);
}
