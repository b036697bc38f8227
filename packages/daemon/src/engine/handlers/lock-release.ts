/**
 * LockRelease: end the actor's lease with an expiry-0 commit (core's
 * releaseLock). A lock that is already free is answered as it is, with
 * nothing written and nothing announced; another actor's lease is a
 * conflict. Announces LockChanged when the lock moved.
 */
import { releaseLock } from '@grite/core';
import type { LockRelease } from '@grite/protocol';
import type { EngineContext, HandlerResult } from '../context.js';
import { lockInfoT, lockResource } from '../lock-helpers.js';
import { requireActor } from '../validate.js';

export async function lockRelease(ctx: EngineContext, cmd: LockRelease): Promise<HandlerResult> {
  const owner = requireActor(ctx);
  const resource = lockResource(ctx, cmd.resource());
  const r = await releaseLock(ctx.commonDir, { resource, owner });
  if (r.changed) ctx.lockChanged?.(r.resource);
  return lockInfoT(r);
}
