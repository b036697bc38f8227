/**
 * Shared by the lock handlers and the engine's write path: resources as the
 * lock commands take them, core's lock answers as LockInfo tables, and the
 * lock-policy check made before every issue write (DESIGN.md section 9).
 */
import { checkWriteAllowed, normalizeResource, readRepoConfig, toHex, type Event as CoreEvent, type LockInfo as CoreLockInfo, type Store } from '@grite/core';
import { LockInfoT } from '@grite/protocol';
import type { EngineContext } from './context.js';
import { invalidArgs } from './errors.js';

/**
 * The request's resource in its one spelling (core's normalizeResource).
 * `issue:` names a full 32-hex id as it is (the issue may live on a clone
 * this one has not synced with yet) and resolves a shorter prefix through the
 * view (unknown: not_found; ambiguous: invalid_args with the candidates).
 */
export function lockResource(ctx: EngineContext, resource: string | null): string {
  if (resource === null || resource.trim() === '') {
    throw invalidArgs('a lock needs a resource: repo:<name>, path:<path> or issue:<id>', { details: { field: 'resource' } });
  }
  return normalizeResource(resource, (ref) => (/^[0-9a-fA-F]{32}$/.test(ref) ? ref.toLowerCase() : ctx.store.view.resolveIssueRef(ref)));
}

/** A lease length from the request: a positive number of milliseconds. */
export function lockTtl(ttlMs: number): number {
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
    throw invalidArgs('a lock needs a TTL: a positive number of milliseconds', { hint: 'give --ttl like 90s, 15m or 2h', details: { field: 'ttl_ms' } });
  }
  return ttlMs;
}

/** Core's answer as the wire's LockInfo (owner as 16 bytes; none when the lock was never owned). */
export function lockInfoT(l: Pick<CoreLockInfo, 'resource' | 'owner' | 'nonce' | 'expiresUnixMs'>): LockInfoT {
  const owner = /^[0-9a-f]{32}$/.test(l.owner) ? Array.from(Buffer.from(l.owner, 'hex')) : [];
  return new LockInfoT(l.resource, owner, l.nonce, BigInt(l.expiresUnixMs));
}

/**
 * The lock check before a write (DESIGN.md section 9): for each issue the
 * events touch, the unexpired `issue:<id>` and `repo:` locks of actors other
 * than the writer, read from the local lock refs and the last fetched copies
 * of the remotes' (no network). Under `lock_policy = require` a conflict
 * throws GriteError('conflict') before anything is queued, so nothing is
 * written; under `warn` (the default) the write goes on and each conflict is
 * one "warning:" line on stderr (the terminal of an in-process run; a daemon's
 * stderr goes nowhere); under `off` nothing is read. A create checks its new
 * id, on which no issue lock can exist yet: only `repo:` locks apply to it.
 */
export async function checkLockPolicy(store: Store, events: readonly CoreEvent[]): Promise<void> {
  if (events.length === 0) return;
  const policy = readRepoConfig(store.griteDir).lockPolicy;
  if (policy === 'off') return;
  const checked = new Set<string>();
  for (const e of events) {
    const key = `${toHex(e.issueId)}\0${toHex(e.actor)}`;
    if (checked.has(key)) continue;
    checked.add(key);
    const r = await checkWriteAllowed(store.commonDir, { issueId: e.issueId, actor: e.actor, policy });
    for (const w of r.warnings) process.stderr.write(`warning: writing to issue ${toHex(e.issueId)}: ${w}\n`);
  }
}
