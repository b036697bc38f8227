/**
 * Shared by the lock handlers and the engine's write path: resources as the
 * lock commands take them, core's lock answers as LockInfo tables, and the
 * lock-policy check made before every issue write (DESIGN.md section 9).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  checkWriteAllowed,
  normalizeResource,
  readRepoConfig,
  repoConfigPath,
  toHex,
  type Event as CoreEvent,
  type LockInfo as CoreLockInfo,
  type LockPolicy,
  type Store,
} from '@grite/core';
import { LockInfoT } from '@grite/protocol';
import type { EngineContext } from './context.js';
import { settled, statKey, statKeyOf } from './file-stat.js';
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

/** Per directory: its stat when listed, the entries, and whether that stat was old enough to trust. */
const listCache = new Map<string, { key: string; names: string[] }>();

/**
 * The names in `dir` ([] when it does not exist). The listing is reused
 * while the directory's stat (inode, mtime and ctime in nanoseconds) stands
 * still, the way every add or remove of an entry changes it, but only when
 * those times were older than RACY_NS when it was listed: an entry added
 * within the same tick of the file clock as the listing could leave them
 * unchanged (git's "racy" rule). One stat a write instead of a listing.
 */
function entries(dir: string): string[] {
  const st = statSync(dir, { bigint: true, throwIfNoEntry: false });
  if (st === undefined) {
    listCache.delete(dir);
    return [];
  }
  const key = statKeyOf(st);
  const hit = listCache.get(dir);
  if (hit?.key === key) return hit.names;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  if (settled(st)) listCache.set(dir, { key, names });
  else listCache.delete(dir);
  return names;
}

/** Per common dir: the policy as config.toml was last read, and whether packed-refs held lock refs. */
const policyCache = new Map<string, { key: string; policy: LockPolicy }>();
const packedCache = new Map<string, { key: string; locks: boolean }>();

function lockPolicy(store: Store): LockPolicy {
  const key = statKey(repoConfigPath(store.griteDir));
  const hit = policyCache.get(store.commonDir);
  if (hit?.key === key) return hit.policy;
  const policy = readRepoConfig(store.griteDir).lockPolicy;
  policyCache.set(store.commonDir, { key, policy });
  return policy;
}

/**
 * False only when the repository has no lock ref at all, local or fetched
 * from a remote: then no write can conflict and the full check (a few
 * hundred microseconds of file reads, inside the writers' validation lock)
 * is skipped. Synchronous, and packed-refs is scanned again only when it
 * changed. Repositories using reftable always get the full check.
 */
function mayHoldLocks(commonDir: string): boolean {
  if (statKey(join(commonDir, 'reftable')) !== '-') return true;
  if (entries(join(commonDir, 'refs', 'grite', 'locks')).length > 0) return true;
  const remotes = join(commonDir, 'refs', 'grite-remotes');
  for (const r of entries(remotes)) if (entries(join(remotes, r, 'locks')).length > 0) return true;
  const packed = join(commonDir, 'packed-refs');
  const key = statKey(packed);
  let hit = packedCache.get(commonDir);
  if (hit?.key !== key) {
    let text = '';
    try {
      text = readFileSync(packed, 'utf8');
    } catch {
      // No packed-refs: nothing packed.
    }
    hit = { key, locks: / refs\/grite\/locks\/| refs\/grite-remotes\/.+\/locks\//.test(text) };
    packedCache.set(commonDir, hit);
  }
  return hit.locks;
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
  const policy = lockPolicy(store);
  if (policy === 'off' || !mayHoldLocks(store.commonDir)) return;
  const checked = new Set<string>();
  for (const e of events) {
    const key = `${toHex(e.issueId)}\0${toHex(e.actor)}`;
    if (checked.has(key)) continue;
    checked.add(key);
    const r = await checkWriteAllowed(store.commonDir, { issueId: e.issueId, actor: e.actor, policy });
    for (const w of r.warnings) process.stderr.write(`warning: writing to issue ${toHex(e.issueId)}: ${w}\n`);
  }
}
