/**
 * LockStatus: every lock whose resource starts with `prefix` (released ones
 * too, with expiry 0), read from the default remote (fetched now) when the
 * repository has one, else from the local refs; and the held locks of other
 * actors that conflict with locks the asking actor holds. The asking actor is
 * the request's, or without one the repository's default actor (a read
 * carries no actor unless one was named); with neither, no conflicts.
 */
import { lockStatus as coreLockStatus, readRepoConfig } from '@grite/core';
import { LockConflictT, LockStatusResultT, type LockStatus } from '@grite/protocol';
import type { EngineContext, HandlerResult } from '../context.js';
import { invalidArgs } from '../errors.js';
import { lockInfoT } from '../lock-helpers.js';

function askingActor(ctx: EngineContext): string | Uint8Array | undefined {
  const fromRequest = ctx.request.actorIdArray();
  if (fromRequest !== null && fromRequest.length > 0) {
    if (fromRequest.length !== 16) throw invalidArgs(`actor_id must be 16 bytes, got ${fromRequest.length}`);
    return Uint8Array.from(fromRequest);
  }
  const fallback = readRepoConfig(ctx.store.griteDir).defaultActor;
  return fallback !== null && /^[0-9a-f]{32}$/.test(fallback) ? fallback : undefined;
}

export async function lockStatus(ctx: EngineContext, cmd: LockStatus): Promise<HandlerResult> {
  const prefix = cmd.prefix();
  const actor = askingActor(ctx);
  const r = await coreLockStatus(ctx.commonDir, {
    ...(actor !== undefined ? { actor } : {}),
    ...(prefix !== null && prefix !== '' ? { prefix } : {}),
  });
  return new LockStatusResultT(
    r.locks.map(lockInfoT),
    r.conflicts.map((c) => new LockConflictT(c.resource, lockInfoT(c.held))),
  );
}
