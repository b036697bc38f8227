/**
 * LockAcquire: take (or renew, when the actor holds it already) the lease on
 * a resource, by compare-and-swap on the default remote's lock ref when the
 * repository has a remote, else on the local ref (core's acquireLock).
 * Another actor's lease on it, or on a conflicting resource, is a conflict.
 * Announces LockChanged.
 */
import { acquireLock } from '@grite/core';
import type { LockAcquire } from '@grite/protocol';
import type { EngineContext, HandlerResult } from '../context.js';
import { lockInfoT, lockResource, lockTtl } from '../lock-helpers.js';
import { requireActor } from '../validate.js';

export async function lockAcquire(ctx: EngineContext, cmd: LockAcquire): Promise<HandlerResult> {
  const owner = requireActor(ctx);
  const resource = lockResource(ctx, cmd.resource());
  const ttlMs = lockTtl(cmd.ttlMs());
  const r = await acquireLock(ctx.commonDir, { resource, owner, ttlMs });
  if (r.changed) ctx.lockChanged?.(r.resource);
  return lockInfoT(r);
}
