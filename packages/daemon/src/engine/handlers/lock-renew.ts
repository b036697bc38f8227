/**
 * LockRenew: extend the actor's lease on a resource to now + ttl, keeping
 * its nonce (core's renewLock). not_found when the actor holds no lease on
 * it; conflict when another actor does. Announces LockChanged.
 */
import { renewLock } from '@grite/core';
import type { LockRenew } from '@grite/protocol';
import type { EngineContext, HandlerResult } from '../context.js';
import { lockInfoT, lockResource, lockTtl } from '../lock-helpers.js';
import { requireActor } from '../validate.js';

export async function lockRenew(ctx: EngineContext, cmd: LockRenew): Promise<HandlerResult> {
  const owner = requireActor(ctx);
  const resource = lockResource(ctx, cmd.resource());
  const ttlMs = lockTtl(cmd.ttlMs());
  const r = await renewLock(ctx.commonDir, { resource, owner, ttlMs });
  if (r.changed) ctx.lockChanged?.(r.resource);
  return lockInfoT(r);
}
